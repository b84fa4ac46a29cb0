import type { TrackerIssueDraft } from '../../src/domain/trackers/tracker';
import { createResilientClient, OutboundError } from '../../src/integrations/resilient-http';
import { JiraRequestError } from '../../src/integrations/trackers/jira/jira-rest';
import { jiraTrackerSettingsSchema, type JiraTrackerSettingsInput } from '../../src/domain/trackers/jira-settings';
import { createJiraTrackerClient, type JiraTrackerClient } from '../../src/integrations/trackers/jira/jira-tracker-client';
import { startFakeJira, type FakeJira } from './jira-fake-server';

const EMAIL = 'debrief@acme.example';
const API_TOKEN = 'cloud-api-token-0123456789';
const PAT = 'dc-personal-access-token-0123456789';
const CLOUD_AUTH = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;
const DC_AUTH = `Bearer ${PAT}`;

const draft: TrackerIssueDraft = {
  actionItemId: 'ai_6f1c2a9e-0b7d-4a51-9a43-2f0e5c1d7b88',
  title: 'Alert on checkout error budget burn',
  body: 'From the post-mortem of **checkout 5xx** (INC-42).\n\nOwner: payments team\nDue: 2026-10-15',
  postmortemUrl: 'https://debrief.acme.example/incidents/inc-42/report',
  labels: ['postmortem'],
  assignee: 'alice',
};

interface Harness { jira: FakeJira; client: JiraTrackerClient; waits: number[] }

async function harness(deployment: 'cloud' | 'datacenter', overrides: Partial<JiraTrackerSettingsInput> = {}, pageSize?: number, timeoutMs = 2000, retries = 2): Promise<Harness> {
  const projectKey = deployment === 'cloud' ? 'ED' : 'TST';
  const jira = await startFakeJira({ deployment, authorization: deployment === 'cloud' ? CLOUD_AUTH : DC_AUTH, projectKey, pageSize });
  const settings = jiraTrackerSettingsSchema.parse({
    baseUrl: `${jira.baseUrl}/`,
    deployment,
    auth: deployment === 'cloud' ? { email: EMAIL, token: API_TOKEN } : { token: PAT },
    projectKey,
    labels: ['debrief'],
    components: ['Reliability'],
    assignees: { alice: deployment === 'cloud' ? '5b10a2844c20165700ede21g' : 'alice.smith' },
    ...overrides,
  });
  const waits: number[] = [];
  // random() = 0: no jitter, so a wait the test sees is Jira's Retry-After and nothing else.
  const http = createResilientClient({
    target: 'jira', timeoutMs, retries, backoff: { initialMs: 10, maxMs: 5000 }, random: () => 0,
    sleep: async (ms) => { waits.push(ms); },
  });
  return { jira, client: createJiraTrackerClient(settings, http), waits };
}

const marker = `debrief-${draft.actionItemId}`;

describe('Jira tracker client against a local Jira Cloud (REST v3)', () => {
  let h: Harness;
  afterEach(async () => { await h.jira.stop(); });

  it('when an issue is created, then Jira gets the project, summary, type, labels with the marker, component, mapped assignee and an ADF description linking the post-mortem', async () => {
    h = await harness('cloud');
    const ref = await h.client.createIssue(draft);

    expect(ref).toEqual({ tracker: 'jira', key: 'ED-24', url: `${h.jira.baseUrl}/browse/ED-24` });
    expect(h.jira.requests).toHaveLength(1);
    const [request] = h.jira.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/rest/api/3/issue' });
    expect(request!.headers.authorization).toBe(CLOUD_AUTH);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    const fields = (request!.body as { fields: Record<string, unknown> }).fields;
    expect(fields).toMatchObject({
      project: { key: 'ED' },
      summary: 'Alert on checkout error budget burn',
      issuetype: { name: 'Task' },
      labels: ['debrief', 'postmortem', marker],
      components: [{ name: 'Reliability' }],
      assignee: { accountId: '5b10a2844c20165700ede21g' },
    });
    const description = fields.description as { type: string; version: number; content: Array<{ type: string; content: Array<{ type: string; text?: string; marks?: unknown[] }> }> };
    expect(description).toMatchObject({ type: 'doc', version: 1 });
    expect(description.content.map((node) => node.type)).toEqual(['paragraph', 'paragraph', 'paragraph']);
    // Lines of one paragraph are joined by hard breaks: ADF text cannot hold a newline.
    expect(description.content[1]!.content).toEqual([
      { type: 'text', text: 'Owner: payments team' }, { type: 'hardBreak' }, { type: 'text', text: 'Due: 2026-10-15' },
    ]);
    expect(description.content[2]!.content).toContainEqual({
      type: 'text', text: draft.postmortemUrl, marks: [{ type: 'link', attrs: { href: draft.postmortemUrl } }],
    });
    expect(JSON.stringify(description)).not.toMatch(/\\n/);
  });

  it('when nothing carries the marker, then findIssueFor is null; after a create it finds that issue through the enhanced JQL search', async () => {
    h = await harness('cloud');
    expect(await h.client.findIssueFor(draft.actionItemId)).toBeNull();
    const created = await h.client.createIssue(draft);
    expect(await h.client.findIssueFor(draft.actionItemId)).toEqual(created);

    const searches = h.jira.requests.filter((r) => r.path === '/rest/api/3/search/jql');
    expect(searches).toHaveLength(2);
    expect(searches[0]!.method).toBe('GET');
    expect(searches[0]!.query.get('jql')).toBe(`project = "ED" AND labels = "${marker}"`);
    expect(searches[0]!.query.get('fields')!.split(',')).toEqual(expect.arrayContaining(['labels', 'created']));
    expect(searches[0]!.query.has('nextPageToken')).toBe(false);
    expect(h.jira.requests.some((r) => r.path === '/rest/api/3/search')).toBe(false);
  });

  it('when the marker is on two issues across pages, then every page is read by nextPageToken and the first issue made wins', async () => {
    h = await harness('cloud', {}, 1);
    h.jira.seed({ key: 'ED-7', labels: [marker], created: '2026-09-27T12:00:00.000+0200' });
    h.jira.seed({ key: 'ED-3', labels: ['other', marker], created: '2026-09-27T09:30:00.000+0200' });
    h.jira.seed({ key: 'ED-9', labels: ['debrief-ai_someone-else'], created: '2026-09-27T08:00:00.000+0200' });

    expect(await h.client.findIssueFor(draft.actionItemId)).toEqual({ tracker: 'jira', key: 'ED-3', url: `${h.jira.baseUrl}/browse/ED-3` });
    const searches = h.jira.requests.filter((r) => r.path === '/rest/api/3/search/jql');
    expect(searches).toHaveLength(2);
    expect(searches[1]!.query.get('nextPageToken')).toBeTruthy();
  });

  it('when the issue state is read, then it is one GET with fields=status,updated, and the status name, category key and updated time (UTC) come back', async () => {
    h = await harness('cloud');
    h.jira.seed({ key: 'ED-24', labels: [marker], created: '2026-09-20T10:00:00.000+0200', updated: '2026-09-27T10:03:11.123+0200', status: { name: 'Done', id: '10001', categoryKey: 'done', categoryId: 3 } });

    expect(await h.client.issueState('ED-24')).toEqual({ tracker: 'jira', key: 'ED-24', state: 'Done', category: 'done', changedAt: '2026-09-27T08:03:11.123Z' });
    expect(h.jira.requests).toHaveLength(1);
    expect(h.jira.requests[0]).toMatchObject({ method: 'GET', path: '/rest/api/3/issue/ED-24' });
    expect(h.jira.requests[0]!.query.get('fields')).toBe('status,updated');
    expect(h.jira.requests[0]!.headers.authorization).toBe(CLOUD_AUTH);
  });

  it('when Jira answers 429 with Retry-After, then the client waits that long and asks again', async () => {
    h = await harness('cloud');
    h.jira.seed({ key: 'ED-24', labels: [marker], created: '2026-09-27T10:00:00.000+0200' });
    h.jira.fail('GET /rest/api/3/issue/ED-24', { kind: 'answer', status: 429, headers: { 'retry-after': '3' }, body: { errorMessages: ['Rate limit exceeded.'] } });

    const state = await h.client.issueState('ED-24');
    expect(state.state).toBe('To Do');
    expect(h.waits).toEqual([3000]);
    expect(h.jira.requests.filter((r) => r.path === '/rest/api/3/issue/ED-24')).toHaveLength(2);
  });

  it('when Jira answers 503 then succeeds, then the search is retried and finds the issue', async () => {
    h = await harness('cloud');
    h.jira.seed({ key: 'ED-5', labels: [marker], created: '2026-09-27T10:00:00.000+0200' });
    h.jira.fail('GET /rest/api/3/search/jql', { kind: 'answer', status: 503 });

    expect(await h.client.findIssueFor(draft.actionItemId)).toMatchObject({ key: 'ED-5' });
    expect(h.jira.requests).toHaveLength(2);
    expect(h.waits).toHaveLength(1);
  });

  it('when Jira does not answer within the timeout, then the call fails as a timeout and the request is abandoned on the wire', async () => {
    h = await harness('cloud', {}, undefined, 150, 0);
    h.jira.seed({ key: 'ED-24', labels: [marker], created: '2026-09-27T10:00:00.000+0200' });
    h.jira.fail('GET /rest/api/3/issue/ED-24', { kind: 'hang' });

    const failure = await h.client.issueState('ED-24').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OutboundError);
    expect(failure).toMatchObject({ kind: 'timeout', attempts: 1 });
    // The policy's signal reached axios: the connection was closed, not left open.
    await waitFor(() => h.jira.abandoned.length === 1);
    expect(h.jira.abandoned).toEqual(['GET /rest/api/3/issue/ED-24']);
  });

  it('when the first create reaches Jira but its answer is lost, then it is not sent again, and a caller that looks first finds that issue instead of making a second', async () => {
    h = await harness('cloud');
    h.jira.fail('POST /rest/api/3/issue', { kind: 'lose-answer' });

    await expect(h.client.createIssue(draft)).rejects.toMatchObject({ name: 'OutboundError', attempts: 1 });
    expect(h.jira.issues.map((issue) => issue.key)).toEqual(['ED-24']);

    // What the core does on a retry: look for the marker, create only when nothing carries it.
    const ensure = async () => (await h.client.findIssueFor(draft.actionItemId)) ?? h.client.createIssue(draft);
    expect(await ensure()).toEqual({ tracker: 'jira', key: 'ED-24', url: `${h.jira.baseUrl}/browse/ED-24` });
    expect(await ensure()).toMatchObject({ key: 'ED-24' });
    expect(h.jira.issues).toHaveLength(1);
    expect(h.jira.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('when a create is answered 503, then it is not retried (it may have been made), so the caller looks before trying again', async () => {
    h = await harness('cloud');
    h.jira.fail('POST /rest/api/3/issue', { kind: 'answer', status: 503 });
    await expect(h.client.createIssue(draft)).rejects.toMatchObject({ name: 'OutboundError', status: 503, attempts: 1 });
    expect(h.jira.requests).toHaveLength(1);
  });

  it('when Jira refuses the create with 400, then the error carries Jira\'s field messages and nothing is retried', async () => {
    h = await harness('cloud');
    h.jira.fail('POST /rest/api/3/issue', { kind: 'answer', status: 400, body: { errorMessages: [], errors: { assignee: 'User \'5b10a\' cannot be assigned issues.' } } });
    const failure = await h.client.createIssue(draft).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JiraRequestError);
    expect(failure).toMatchObject({ status: 400, jiraMessages: ['assignee: User \'5b10a\' cannot be assigned issues.'] });
    expect((failure as Error).message).not.toContain(API_TOKEN);
    expect(h.jira.requests).toHaveLength(1);
  });

  it('when the credentials are wrong, then Jira\'s 401 is a JiraRequestError, not a retry', async () => {
    h = await harness('cloud', { auth: { email: EMAIL, token: 'wrong-token-0123456789' } });
    await expect(h.client.findIssueFor(draft.actionItemId)).rejects.toMatchObject({ name: 'JiraRequestError', status: 401 });
    expect(h.jira.requests).toHaveLength(1);
  });
});

describe('Jira tracker client against a local Jira Data Center (REST v2)', () => {
  let h: Harness;
  afterEach(async () => { await h.jira.stop(); });

  it('when an issue is created, then it is a v2 request with a bearer token, the assignee by user name and a wiki description linking the post-mortem', async () => {
    h = await harness('datacenter');
    const ref = await h.client.createIssue({ ...draft, assignee: 'bob' });

    expect(ref).toEqual({ tracker: 'jira', key: 'TST-24', url: `${h.jira.baseUrl}/browse/TST-24` });
    const [request] = h.jira.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/rest/api/2/issue' });
    expect(request!.headers.authorization).toBe(DC_AUTH);
    const fields = (request!.body as { fields: Record<string, unknown> }).fields;
    expect(fields).toMatchObject({
      project: { key: 'TST' }, summary: draft.title, issuetype: { name: 'Task' }, labels: ['debrief', 'postmortem', marker],
      components: [{ name: 'Reliability' }],
      // Not in the assignee map: passed as it is.
      assignee: { name: 'bob' },
    });
    expect(fields.description).toBe(
      'From the post-mortem of **checkout 5xx** (INC-42).\n\nOwner: payments team\nDue: 2026-10-15\n\n'
      + `Post-mortem: [${draft.postmortemUrl}|${draft.postmortemUrl}]`,
    );
  });

  it('when the marker is on two issues across pages, then pages are read by startAt and the first issue made wins', async () => {
    h = await harness('datacenter', {}, 1);
    h.jira.seed({ key: 'TST-8', labels: [marker], created: '2026-09-27T12:00:00.000+0000' });
    h.jira.seed({ key: 'TST-2', labels: [marker], created: '2026-09-26T12:00:00.000+0000' });

    expect(await h.client.findIssueFor(draft.actionItemId)).toMatchObject({ key: 'TST-2' });
    const searches = h.jira.requests.filter((r) => r.path === '/rest/api/2/search');
    expect(searches.map((r) => r.query.get('startAt'))).toEqual(['0', '1']);
    expect(searches[0]!.query.get('jql')).toBe(`project = "TST" AND labels = "${marker}"`);
    expect(searches[0]!.headers.authorization).toBe(DC_AUTH);
  });

  it('when the issue state is read, then the v2 issue\'s status and updated time come back', async () => {
    h = await harness('datacenter');
    h.jira.seed({ key: 'TST-24', labels: [marker], created: '2026-09-20T10:00:00.000+0000', updated: '2026-09-27T08:03:11.123+0000', status: { name: 'In Progress', id: '3', categoryKey: 'indeterminate', categoryId: 4 } });
    expect(await h.client.issueState('TST-24')).toEqual({ tracker: 'jira', key: 'TST-24', state: 'In Progress', category: 'indeterminate', changedAt: '2026-09-27T08:03:11.123Z' });
    expect(h.jira.requests[0]).toMatchObject({ method: 'GET', path: '/rest/api/2/issue/TST-24' });
  });
});

describe('Jira tracker settings', () => {
  const base = { baseUrl: 'https://acme.atlassian.net', projectKey: 'OPS', auth: { email: EMAIL, token: API_TOKEN } };

  it('when only the essentials are given, then Cloud, Task, no labels or components and a 10 s timeout are the defaults', () => {
    expect(jiraTrackerSettingsSchema.parse(base)).toEqual({
      ...base, deployment: 'cloud', issueType: 'Task', labels: [], components: [], assignees: {}, timeoutMs: 10_000,
    });
  });

  it('when the authentication does not fit the deployment, then the problem names auth.email', () => {
    const cloud = jiraTrackerSettingsSchema.safeParse({ ...base, auth: { token: API_TOKEN } });
    expect(cloud.success).toBe(false);
    expect(cloud.error!.issues.map((i) => i.path.join('.'))).toEqual(['auth.email']);
    const dc = jiraTrackerSettingsSchema.safeParse({ ...base, deployment: 'datacenter' });
    expect(dc.error!.issues.map((i) => i.path.join('.'))).toEqual(['auth.email']);
  });

  it('when a label has a space or the project key is not a key, then they are refused', () => {
    const result = jiraTrackerSettingsSchema.safeParse({ ...base, projectKey: 'ops team', labels: ['post mortem'] });
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['labels.0', 'projectKey']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
