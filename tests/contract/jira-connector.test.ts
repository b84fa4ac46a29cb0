import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundRequest, NormalizeContext } from '../../connectors/connector';
import { connectorsById } from '../../connectors';
import { jiraConnector } from '../../connectors/jira/jira.connector';
import { jiraCredentialsSchema } from '../../connectors/jira/jira.credentials';
import { jiraPayloadSchema } from '../../connectors/jira/jira.payload';
import { signJiraBody } from '../../connectors/jira/jira.signature';
import { parseAndNormalize, PayloadSchemaError } from '../../src/ingest/parse-and-normalize';

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'jira', 'fixtures');
const raw = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const ctx: NormalizeContext = { instance: 'jira', receivedAt: '2026-09-27T12:00:00.000Z' };
const read = (body: Buffer) => parseAndNormalize(jiraConnector, body, ctx);
const SECRET = 'jira-webhook-secret-0123456789';
const TOKEN = 'dc-shared-token-0123456789';
const credentials = jiraCredentialsSchema.parse({ webhookSecrets: ['old-secret-0123456789', SECRET], sharedTokens: [TOKEN] });
const request = (rawBody: Buffer, headers: Record<string, string> = {}): InboundRequest => ({ rawBody, headers });

describe('jira connector: issue webhooks (published example bodies)', () => {
  it('when an issue moves to Done, then the state is its status name, status category key and updated time in UTC', () => {
    expect(read(raw('jira-webhook-issue_updated-status.json'))).toEqual({
      alerts: [], pagingEvents: [], ignoredReason: null,
      trackerStates: [{ tracker: 'jira', key: 'JRA-20002', state: 'Done', category: 'done', changedAt: '2018-05-07T13:03:57.764Z' }],
    });
  });

  it('when an issue is created, then its first state is reported', () => {
    const body = JSON.parse(raw('jira-webhook-issue_updated-status.json').toString('utf8'));
    body.webhookEvent = 'jira:issue_created';
    delete body.changelog;
    body.issue.fields.status = { name: 'To Do', statusCategory: { key: 'new' } };
    expect(read(Buffer.from(JSON.stringify(body))).trackerStates).toEqual([
      { tracker: 'jira', key: 'JRA-20002', state: 'To Do', category: 'new', changedAt: '2018-05-07T13:03:57.764Z' },
    ]);
  });

  it('when a status has no category, then the state has a null category', () => {
    const body = JSON.parse(raw('jira-webhook-issue_updated-status.json').toString('utf8'));
    delete body.issue.fields.status.statusCategory;
    expect(read(Buffer.from(JSON.stringify(body))).trackerStates).toEqual([expect.objectContaining({ state: 'Done', category: null })]);
  });

  it('when an update changes other fields only, then it is acknowledged and ignored', () => {
    const normalized = read(raw('jira-webhook-issue_updated-summary-only.json'));
    expect(normalized.trackerStates).toEqual([]);
    expect(normalized.ignoredReason).toMatch(/JRA-20002 was updated without a status change/);
  });

  it('when the event is not about an issue\'s status (a comment), then it is acknowledged and ignored', () => {
    const normalized = read(raw('jira-webhook-comment_created.json'));
    expect(normalized).toMatchObject({ alerts: [], pagingEvents: [], trackerStates: [] });
    expect(normalized.ignoredReason).toMatch(/comment_created/);
  });
});

describe('jira connector: bodies it refuses', () => {
  const issuesOf = (json: unknown) => {
    const result = jiraPayloadSchema.safeParse(json);
    expect(result.success).toBe(false);
    return result.error!.issues.map((issue) => issue.path.join('.'));
  };

  it('when the body is not a Jira webhook at all, then the schema names webhookEvent', () => {
    expect(issuesOf({ hello: 'world' })).toEqual(['webhookEvent']);
    expect(issuesOf([1, 2, 3])).toEqual(['']);
    expect(() => read(Buffer.from('{"webhookEvent": 7}'))).toThrow(PayloadSchemaError);
    expect(() => read(Buffer.from('not json'))).toThrow(/not valid JSON/);
  });

  it('when an issue event lacks the status (the published example is abbreviated so), then the error names issue.fields.status', () => {
    expect(issuesOf(JSON.parse(raw('jira-webhook-issue_updated-published.json').toString('utf8')))).toEqual(['issue.fields.status', 'issue.fields.updated']);
  });

  it('when the updated time is not a Jira timestamp, then the error names issue.fields.updated', () => {
    const body = JSON.parse(raw('jira-webhook-issue_updated-status.json').toString('utf8'));
    body.issue.fields.updated = 'yesterday';
    expect(issuesOf(body)).toEqual(['issue.fields.updated']);
    body.issue.fields.updated = '2018-05-07T15:03:57.764+0200';
    delete body.issue.key;
    expect(issuesOf(body)).toEqual(['issue.key']);
  });
});

describe('jira connector: authentication', () => {
  const body = raw('jira-webhook-issue_updated-status.json');

  it('when Jira signs the exact bytes with a configured secret, then the request is accepted (any of the secrets, for rotation)', () => {
    expect(jiraConnector.authenticate(request(body, { 'x-hub-signature': signJiraBody(body, SECRET) }), credentials)).toEqual({ ok: true });
    expect(jiraConnector.authenticate(request(body, { 'x-hub-signature': signJiraBody(body, 'old-secret-0123456789') }), credentials)).toEqual({ ok: true });
  });

  it('when the signature is wrong, made with another secret, or over other bytes, then the request is refused as invalid', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    for (const header of [signJiraBody(body, 'not-the-secret'), signJiraBody(reserialised, SECRET), `sha256=${'0'.repeat(64)}`, 'sha1=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12', 'garbage']) {
      expect(jiraConnector.authenticate(request(body, { 'x-hub-signature': header }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('when a signature arrives but no secret is configured, then it cannot be checked and is refused', () => {
    const none = jiraCredentialsSchema.parse({ sharedTokens: [TOKEN] });
    expect(jiraConnector.authenticate(request(body, { 'x-hub-signature': signJiraBody(body, SECRET), authorization: `Bearer ${TOKEN}` }), none))
      .toMatchObject({ ok: false, reason: 'invalid', message: expect.stringMatching(/No Jira webhook secret/) });
  });

  it('when there is neither a signature nor a token, then the request is refused as missing', () => {
    expect(jiraConnector.authenticate(request(body), credentials)).toMatchObject({ ok: false, reason: 'missing', message: expect.stringMatching(/X-Hub-Signature/) });
    expect(jiraConnector.authenticate(request(body, { 'x-hub-signature': ' ' }), credentials)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('when a Data Center webhook brings the shared token as Bearer or as a Basic password, then it is accepted; another token is not', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect(jiraConnector.authenticate(request(body, { authorization: `Bearer ${TOKEN}` }), credentials)).toEqual({ ok: true });
    expect(jiraConnector.authenticate(request(body, { authorization: basic('debrief', TOKEN) }), credentials)).toEqual({ ok: true });
    expect(jiraConnector.authenticate(request(body, { authorization: `Bearer ${TOKEN}x` }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(jiraConnector.authenticate(request(body, { authorization: basic('debrief', 'nope') }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(jiraConnector.authenticate(request(body, { authorization: `Token ${TOKEN}` }), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    const signedOnly = jiraCredentialsSchema.parse({ webhookSecrets: [SECRET] });
    expect(jiraConnector.authenticate(request(body, { authorization: `Bearer ${TOKEN}` }), signedOnly)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when Jira Cloud names the delivery, then a retry of it has the same delivery id; without the header the bytes are the id', () => {
    const id = jiraConnector.deliveryId!(request(body, { 'x-atlassian-webhook-identifier': '3af1c8e4-6b0e-4c53-9a2e-7f1a4a0f7b55' }));
    expect(id).toBe('jira:3af1c8e4-6b0e-4c53-9a2e-7f1a4a0f7b55');
    expect(jiraConnector.deliveryId!(request(body))).toBe(jiraConnector.deliveryId!(request(Buffer.from(body))));
    expect(jiraConnector.deliveryId!(request(body))).not.toBe(jiraConnector.deliveryId!(request(raw('jira-webhook-issue_updated-summary-only.json'))));
  });

  it('when the connectors are listed, then jira is registered under its own id', () => {
    expect(connectorsById.get('jira')).toBe(jiraConnector);
  });
});
