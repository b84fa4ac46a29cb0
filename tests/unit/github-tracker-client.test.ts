import { GitHubTrackerClient } from '../../src/integrations/trackers/github/github-tracker-client';
import { createResilientClient, OutboundError, type ResilientClient } from '../../src/integrations/resilient-http';
import type { TrackerIssueDraft } from '../../src/domain/trackers/tracker';
import { GitHubIssuesServer } from '../support/github-issues-server';

const TOKEN = 'ghp_test-token-0123456789';

describe('GitHub tracker client against a server speaking GitHub\'s REST protocol', () => {
  let server: GitHubIssuesServer;
  let sleeps: number[];
  let http: ResilientClient;
  let client: GitHubTrackerClient;

  const draft = (actionItemId: string, over: Partial<TrackerIssueDraft> = {}): TrackerIssueDraft => ({
    actionItemId, title: 'Add a connection-pool alert', body: 'Prevention action item from the post-mortem.\n\nPost-mortem: https://debrief.example/ui/incidents/inc-1/report',
    postmortemUrl: 'https://debrief.example/ui/incidents/inc-1/report', labels: ['postmortem'], assignee: 'octocat', ...over,
  });
  const build = (options: { timeoutMs?: number; retries?: number } = {}) => {
    sleeps = [];
    http = createResilientClient({
      target: 'tracker:github', timeoutMs: options.timeoutMs ?? 2_000, retries: options.retries ?? 3, backoff: { initialMs: 10, maxMs: 60_000 },
      random: () => 0, sleep: async (ms) => { sleeps.push(ms); },
    });
    client = new GitHubTrackerClient({ baseUrl: server.url, token: TOKEN, repo: 'acme/api', labels: ['from-debrief'], markerLabel: 'debrief', http });
  };
  const creates = () => server.requests.filter((r) => r.method === 'POST');

  beforeEach(async () => {
    server = new GitHubIssuesServer('acme', 'api', TOKEN);
    await server.start();
    build();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('when an issue is created, then the request has GitHub\'s shape and the ref names the issue page', async () => {
    const ref = await client.createIssue(draft('ai_1'));
    expect(ref).toEqual({ tracker: 'github', key: 'acme/api#1', url: 'https://github.com/acme/api/issues/1' });
    const [request] = creates();
    expect(request!.path).toBe('/repos/acme/api/issues');
    expect(request!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.headers.accept).toMatch(/application\/vnd\.github/);
    const body = request!.body as { title: string; body: string; labels: string[]; assignees: string[] };
    expect(body.title).toBe('Add a connection-pool alert');
    expect(body.body).toContain('Post-mortem: https://debrief.example/ui/incidents/inc-1/report');
    expect(body.body).toContain('<!-- debrief-action-item: ai_1 -->');
    expect(body.labels.sort()).toEqual(['debrief', 'from-debrief', 'postmortem']);
    expect(body.assignees).toEqual(['octocat']);
  });

  it('when no owner maps to a login, then the issue is made unassigned', async () => {
    await client.createIssue(draft('ai_2', { assignee: null }));
    expect((creates()[0]!.body as Record<string, unknown>).assignees).toBeUndefined();
  });

  it('when the marked issue is on a later page, then findIssueFor follows the Link header to it, skipping pull requests', async () => {
    await client.createIssue(draft('ai_paged'));
    server.seed(150, ['debrief']);
    server.listPullRequests = 1;
    expect(await client.findIssueFor('ai_paged')).toEqual({ tracker: 'github', key: 'acme/api#1', url: 'https://github.com/acme/api/issues/1' });
    const lists = server.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/api/issues');
    expect(lists.map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2']);
    expect(lists[0]!.query.get('labels')).toBe('debrief');
    expect(lists[0]!.query.get('state')).toBe('all');
    expect(lists[0]!.query.get('per_page')).toBe('100');
    expect(await client.findIssueFor('ai_unknown')).toBeNull();
  });

  it('when GitHub answers 429 with Retry-After, then the policy waits that long and the call succeeds', async () => {
    server.faults.create.push({ status: 429, retryAfter: '7' });
    const ref = await client.createIssue(draft('ai_429'));
    expect(ref.key).toBe('acme/api#1');
    expect(sleeps).toEqual([7_000]);
    expect(server.issues).toHaveLength(1);
  });

  it('when GitHub\'s rate limits answer 403 (secondary with Retry-After, primary spent until its reset), then the policy waits and retries', async () => {
    server.faults.create.push({ status: 403, retryAfter: '4' });
    expect((await client.createIssue(draft('ai_403'))).key).toBe('acme/api#1');
    expect(sleeps).toEqual([4_000]);
    sleeps.length = 0;
    server.faults.get.push({ status: 403, resetAt: Math.ceil(Date.now() / 1000) + 20 });
    expect((await client.issueState('acme/api#1')).state).toBe('open');
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(15_000);
    expect(sleeps[0]).toBeLessThanOrEqual(21_000); // the reset is a whole second
  });

  it('when GitHub answers 5xx twice, then the read is retried until it succeeds', async () => {
    await client.createIssue(draft('ai_5xx'));
    server.setState(1, 'closed', 'completed');
    server.faults.get.push({ status: 502 }, { status: 500 });
    const state = await client.issueState('acme/api#1');
    expect(state).toEqual({ tracker: 'github', key: 'acme/api#1', state: 'closed', category: 'completed', changedAt: server.issues[0]!.updated_at });
    expect(server.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/api/issues/1')).toHaveLength(3);
  });

  it('when a read gets no answer within the timeout, then it is retried', async () => {
    build({ timeoutMs: 300 });
    await client.createIssue(draft('ai_timeout'));
    server.faults.get.push({ hang: true });
    expect((await client.issueState('acme/api#1')).state).toBe('open');
  });

  it('when the create reached GitHub but its answer was lost, then the retry finds that issue and never makes a second', async () => {
    build({ timeoutMs: 300 });
    server.faults.create.push({ loseAnswer: true });
    const ref = await client.createIssue(draft('ai_lost'));
    expect(ref.key).toBe('acme/api#1');
    expect(server.issues).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    // Asked again later (a retried request): found, not made.
    expect(await client.findIssueFor('ai_lost')).toEqual(ref);
  });

  it('when GitHub keeps failing, then the call fails as the policy\'s error after its retries', async () => {
    build({ retries: 1 });
    server.faults.get.push({ status: 503 }, { status: 503 });
    await expect(client.issueState('acme/api#1')).rejects.toBeInstanceOf(OutboundError);
  });

  it('when the token is wrong, then GitHub\'s 401 fails at once, without retries', async () => {
    const wrong = 'wrong-token-0000000000';
    client = new GitHubTrackerClient({ baseUrl: server.url, token: wrong, repo: 'acme/api', labels: [], markerLabel: 'debrief', http });
    const failure = (await client.createIssue(draft('ai_401')).catch((err: unknown) => err)) as Error;
    expect(failure).toMatchObject({ name: 'GitHubApiError', status: 401 });
    expect(server.requests).toHaveLength(1);
    // What may reach a log or an API answer never carries the token.
    expect(`${failure.message} ${JSON.stringify(failure)}`).not.toContain(wrong);
  });
});
