import { expectError, inboxEntries } from '../support/api-helpers';
import { CHANGES_ENV, changeFixture, postChange, postGitHub } from '../support/change-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Change sources over HTTP into the store: GitHub webhooks signed as GitHub signs them (HMAC
 * over the raw bytes of the published examples), generic change events with a bearer token.
 */

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp({ env: CHANGES_ENV });
});
afterEach(async () => {
  await app.stop();
});

const allChanges = () => app.debrief.store.listChanges({ from: '1970-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z', limit: 100 });

describe('changes webhooks', () => {
  it('when GitHub sends a signed deployment and its status, then the store holds one deploy with the latest status', async () => {
    expect((await postGitHub(app, 'deployment', changeFixture('github-docs-deployment'))).status).toBe(202);
    const res = await postGitHub(app, 'deployment_status', changeFixture('github-docs-deployment_status'));
    expect(res.status).toBe(202);
    expect(res.data).toMatchObject({ duplicate: false, alerts: 0, ignoredReason: null });
    await app.settle();
    expect(await allChanges()).toEqual([expect.objectContaining({
      id: 'github:deployment:Codertocat/Hello-World:145988746', kind: 'deploy', status: 'success', author: 'Codertocat', at: '2019-05-15T15:20:53.000Z',
    })]);
    expect(await inboxEntries(app, 'dead')).toEqual([]);
  });

  it('when the signature is missing or wrong, then 401/403 name the header and nothing is stored', async () => {
    const body = changeFixture('github-docs-deployment_status');
    const missing = await postGitHub(app, 'deployment_status', body, { secret: null });
    expect(expectError(missing, 401).message).toMatch(/X-Hub-Signature-256/);
    const wrong = await postGitHub(app, 'deployment_status', body, { secret: 'not-the-secret' });
    expect(expectError(wrong, 403).message).toMatch(/X-Hub-Signature-256/);
    await app.settle();
    expect(await inboxEntries(app)).toEqual([]);
    expect(await allChanges()).toEqual([]);
  });

  it('when GitHub redelivers the same delivery, or pings, then nothing more is stored', async () => {
    const body = changeFixture('github-docs-deployment_status');
    expect((await postGitHub(app, 'deployment_status', body, { delivery: 'd-1' })).data.duplicate).toBe(false);
    expect((await postGitHub(app, 'deployment_status', body, { delivery: 'd-1' })).data.duplicate).toBe(true);
    const ping = await postGitHub(app, 'ping', changeFixture('github-docs-ping'));
    expect(ping.status).toBe(202);
    expect(ping.data.ignoredReason).toMatch(/ping/);
    await app.settle();
    expect(await allChanges()).toHaveLength(1);
    expect(await inboxEntries(app)).toHaveLength(2);
  });

  it('when a generic change event arrives, then a bad one is 400 naming each field and a good one is stored', async () => {
    const bad = expectError(await postChange(app, { service: 'checkout', kind: 'rollout', summary: 'x' }), 400);
    expect(bad.details.map((d) => d.path).sort()).toEqual(['kind', 'time']);
    expectError(await postChange(app, JSON.parse(changeFixture('generic-argocd-deploy').toString('utf8')), 'wrong-token-0123456789'), 403);
    expect((await postChange(app, JSON.parse(changeFixture('generic-argocd-deploy').toString('utf8')))).status).toBe(202);
    await app.settle();
    expect(await allChanges()).toEqual([expect.objectContaining({ service: 'checkout', version: 'v2.3.1', kind: 'deploy', origin: 'generic' })]);
  });
});
