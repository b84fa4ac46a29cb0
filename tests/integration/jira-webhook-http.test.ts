import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJiraBody } from '../../connectors/jira/jira.signature';
import { startTestApp, type TestApp } from '../support/test-app';

const SECRET = 'jira-webhook-secret-0123456789';
const body = readFileSync(join(__dirname, '..', '..', 'connectors', 'jira', 'fixtures', 'jira-webhook-issue_updated-status.json'));

/** The Jira connector behind the real webhook endpoint: what Jira's delivery log would show. */
describe('POST /webhooks/jira', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      processing: false,
      overrides: { instances: [{ id: 'jira', connector: 'jira', credentials: { webhookSecrets: [SECRET] } }] },
    });
  });
  afterAll(async () => { await app.stop(); });

  const post = (bytes: Buffer, headers: Record<string, string>) => app.anon.post('/webhooks/jira', bytes, {
    headers: { 'Content-Type': 'application/json', ...headers }, transformRequest: [(d) => d],
  });

  it('when Jira signs the body with the secret, then it is accepted; a redelivery of the same delivery id is harmless', async () => {
    const headers = { 'X-Hub-Signature': signJiraBody(body, SECRET), 'X-Atlassian-Webhook-Identifier': 'delivery-1' };
    const first = await post(body, headers);
    expect(first.status).toBe(202);
    expect(first.data).toMatchObject({ duplicate: false, ignoredReason: null });
    const again = await post(body, headers);
    expect(again.status).toBe(202);
    expect(again.data).toEqual({ ...first.data, duplicate: true });
  });

  it('when a comment event arrives, then it is acknowledged with the reason it is ignored', async () => {
    const comment = readFileSync(join(__dirname, '..', '..', 'connectors', 'jira', 'fixtures', 'jira-webhook-comment_created.json'));
    const answer = await post(comment, { 'X-Hub-Signature': signJiraBody(comment, SECRET) });
    expect(answer.status).toBe(202);
    expect(answer.data.ignoredReason).toMatch(/comment_created/);
  });

  it('when the signature is wrong, then 403; when it is missing, then 401', async () => {
    expect((await post(body, { 'X-Hub-Signature': signJiraBody(body, 'another-secret-0123456789') })).status).toBe(403);
    expect((await post(body, {})).status).toBe(401);
  });

  it('when a signed body is not a Jira webhook, then 400 names the field', async () => {
    const garbage = Buffer.from('{"hello":"world"}');
    const answer = await post(garbage, { 'X-Hub-Signature': signJiraBody(garbage, SECRET) });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.data)).toContain('webhookEvent');
  });
});
