import { loadWebAssets } from '../../src/web/web-assets';
import { expectError } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The page files over HTTP: every asset the server lists answers with its content type, from
 * the top folder and from a page's panel folder alike, and nothing else can be named.
 */
describe('web assets over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  it('when each listed asset is requested without a token, then it is served with its content type and the strict CSP', async () => {
    const assets = loadWebAssets();
    expect(assets.size).toBeGreaterThan(5);
    for (const [name, asset] of assets) {
      const res = await app.anon.get(`/ui/assets/${name}`, { responseType: 'text' });
      expect({ name, status: res.status, type: res.headers['content-type'] }).toEqual({ name, status: 200, type: asset.contentType });
      expect(String(res.headers['content-security-policy'])).toMatch(/script-src 'self' 'nonce-[^']+';/);
    }
  });

  it('when a name is not an asset (unknown, two folders deep, upper case, a path out), then the answer is 404 or 400 in the error shape', async () => {
    expectError(await app.anon.get('/ui/assets/no-such-file.js'), 404, 'not_found');
    expectError(await app.anon.get('/ui/assets/report/no-such-file.js'), 404, 'not_found');
    expect((await app.anon.get('/ui/assets/report/deeper/file.js')).status).toBe(404);
    expectError(await app.anon.get('/ui/assets/Report/file.js'), 400, 'validation_failed');
    expectError(await app.anon.get('/ui/assets/report/..%2F..%2Fpackage.json'), 400, 'validation_failed');
    expectError(await app.anon.get('/ui/assets/..%2Fweb-assets.ts'), 400, 'validation_failed');
  });
});
