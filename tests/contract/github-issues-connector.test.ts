import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NormalizeContext } from '../../connectors/connector';
import { signGitHubBody } from '../../connectors/changes/changes.signature';
import { githubIssuesConnector } from '../../connectors/github-issues/github-issues.connector';
import { githubIssuesPayloadSchema } from '../../connectors/github-issues/github-issues.payload';
import { parseAndNormalize } from '../../src/ingest/parse-and-normalize';

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'github-issues', 'fixtures');
const raw = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const ctx: NormalizeContext = { instance: 'github-issues', receivedAt: '2026-03-02T12:00:00.000Z' };
const read = (name: string) => parseAndNormalize(githubIssuesConnector, raw(name), ctx);
const SECRET = 'It\'s a Secret to Everybody';
const credentials = { githubSecrets: ['old-secret', SECRET] };

describe('github-issues connector (GitHub\'s published issues webhooks)', () => {
  it('when an issue is closed as completed, then its state is the tracker state of that issue at the issue\'s update time', () => {
    const normalized = read('github-docs-issues-closed.json');
    expect(normalized.ignoredReason).toBeNull();
    expect(normalized.alerts).toEqual([]);
    expect(normalized.trackerStates).toEqual([
      { tracker: 'github', key: 'Codertocat/Hello-World#1', state: 'closed', category: 'completed', changedAt: '2021-10-11T16:41:30.000Z' },
    ]);
  });

  it('when an issue is reopened, then its state is open, and older than the close', () => {
    const [state] = read('github-docs-issues-reopened.json').trackerStates!;
    expect(state).toEqual({ tracker: 'github', key: 'Codertocat/Hello-World#1', state: 'open', category: null, changedAt: '2021-10-11T16:40:56.000Z' });
  });

  it('when GitHub pings the new webhook, then it is acknowledged and ignored', () => {
    const ping = parseAndNormalize(githubIssuesConnector, Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 })), ctx);
    expect(ping.trackerStates).toEqual([]);
    expect(ping.ignoredReason).toMatch(/ping/);
  });

  it('when an issues body lacks the issue number or time, then the schema names the field', () => {
    const body = JSON.parse(raw('github-docs-issues-closed.json').toString('utf8'));
    delete body.issue.number;
    body.issue.updated_at = 'yesterday';
    const result = githubIssuesPayloadSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['issue.number', 'issue.updated_at']);
  });

  it('when the signature is computed over the exact bytes with a configured secret, then the request is genuine; otherwise refused', () => {
    const body = raw('github-docs-issues-closed.json');
    const headers = (signature?: string) => ({ headers: signature === undefined ? {} : { 'x-hub-signature-256': signature }, rawBody: body });
    expect(githubIssuesConnector.authenticate(headers(signGitHubBody(body, SECRET)), credentials)).toEqual({ ok: true });
    expect(githubIssuesConnector.authenticate(headers(signGitHubBody(body, 'another secret')), credentials)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(githubIssuesConnector.authenticate({ ...headers(signGitHubBody(body, SECRET)), rawBody: Buffer.concat([body, Buffer.from(' ')]) }, credentials))
      .toMatchObject({ ok: false, reason: 'invalid' });
    expect(githubIssuesConnector.authenticate(headers(), credentials)).toMatchObject({ ok: false, reason: 'missing' });
    expect(githubIssuesConnector.authenticate(headers(signGitHubBody(body, SECRET)), { githubSecrets: [] })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('when GitHub redelivers, then the delivery id is the same', () => {
    const request = { headers: { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, rawBody: raw('github-docs-issues-closed.json') };
    expect(githubIssuesConnector.deliveryId!(request)).toBe('github:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(githubIssuesConnector.deliveryId!({ ...request, headers: {} })).toBeNull();
  });
});
