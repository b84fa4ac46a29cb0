import { startTestApp, type TestApp } from '../support/test-app';
import { xmlProblems } from '../support/xml-wellformed';

/*
 * Without a configured public URL the status page and its Atom feed never build an absolute URL
 * from what the client sent: a forged `Host` (or `X-Forwarded-Host`) must not end up in links a
 * feed reader or a cache would hand to other people.
 */

const FORGED = 'evil.attacker.example';

describe('status page and Atom feed without DEBRIEF_PUBLIC_URL', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { DEBRIEF_STATUS_TITLE: 'Acme status' } });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when the feed is requested with a forged Host header, then its links are root-relative and its id names no host', async () => {
    const res = await app.anon.get('/status/feed.atom', { responseType: 'text', headers: { Host: FORGED, 'X-Forwarded-Host': FORGED, 'X-Forwarded-Proto': 'https' } });
    expect(res.status).toBe(200);
    const xml = res.data as string;
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).not.toContain(FORGED);
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="/status/feed.atom"/>');
    expect(xml).toContain('<link rel="alternate" type="text/html" href="/status"/>');
    expect(xml).toContain('<id>urn:debrief:status-feed:Acme%20status</id>');
  });

  it('when the page is requested with a forged Host header, then no link on it names that host', async () => {
    const res = await app.anon.get('/status', { responseType: 'text', headers: { Host: FORGED } });
    expect(res.status).toBe(200);
    expect(res.data).not.toContain(FORGED);
    expect(res.data).toContain('href="/status/feed.atom"');
  });
});
