import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGitHubBody } from '../../connectors/changes/changes.signature';
import { metricSamples } from '../support/api-helpers';
import { GitHubIssuesServer } from '../support/github-issues-server';
import { publishedPostmortem } from '../support/published-postmortem';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Done when: from a published post-mortem, an action item makes exactly one GitHub issue (against
 * a local server speaking GitHub's protocol), closing it flows back to "done" in the audit trail
 * through the signed webhook, the reconcile alone also gets there, and a retried create never
 * makes a second issue.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const TOKEN = 'ghp_integration-token-0123456789';
const SECRET = 'github-issues-secret-0123456789';
const PUBLIC_URL = 'https://debrief.acme.example';
const FIXTURES = join(__dirname, '..', '..', 'connectors', 'github-issues', 'fixtures');

interface Item { id: string; status: string; trackerUrl: string | null; tracker?: { tracker: string; key: string; url: string; state: string | null; category: string | null; changedAt: string | null } }

describe('action items in GitHub Issues', () => {
  let github: GitHubIssuesServer;
  let app: TestApp;
  let incidentId: string;

  /** The published `issues` webhook body, about `number` of acme/api in `state` at the issue's update time on the server. */
  const issuesBody = (fixture: 'closed' | 'reopened', number: number, updatedAt: string): Buffer => {
    const body = JSON.parse(readFileSync(join(FIXTURES, `github-docs-issues-${fixture}.json`), 'utf8'));
    body.issue.number = number;
    body.issue.updated_at = updatedAt;
    body.repository.full_name = 'acme/api';
    return Buffer.from(JSON.stringify(body));
  };
  const postIssues = (body: Buffer, options: { delivery: string; signature?: string | null }) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-GitHub-Event': 'issues', 'X-GitHub-Delivery': options.delivery };
    if (options.signature !== null) headers['X-Hub-Signature-256'] = options.signature ?? signGitHubBody(body, SECRET);
    return app.anon.post('/webhooks/github-issues', body, { headers, transformRequest: [(d) => d] });
  };
  const item = async (id: string): Promise<Item> => (await app.api.get(`/api/v1/action-items/${id}`)).data as Item;
  const until = async (id: string, status: string): Promise<Item> => {
    for (let i = 0; i < 200; i++) {
      await app.settle();
      const current = await item(id);
      if (current.status === status) return current;
      await new Promise((r) => setTimeout(r, 25));
    }
    return item(id);
  };
  const trackerAudit = async () => ((await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)).data.items as Array<{ actor: string; actionItemId: string; changes: Array<{ path: string; from: unknown; to: unknown }> }>)
    .filter((entry) => entry.actor === 'tracker:github');
  const newItem = async (title: string, over: Record<string, unknown> = {}): Promise<Item> => {
    const created = await app.api.post(`/api/v1/incidents/${incidentId}/action-items`, { title, owner: 'alice', dueDate: '2026-03-20', ...over });
    expect(created.status).toBe(201);
    return created.data as Item;
  };

  beforeAll(async () => {
    github = new GitHubIssuesServer('acme', 'api', TOKEN);
    await github.start();
    app = await startTestApp({
      env: { DEBRIEF_PUBLIC_URL: PUBLIC_URL, DEBRIEF_GITHUB_ISSUES_SECRETS: SECRET },
      overrides: {
        trackers: {
          github: { baseUrl: github.url, token: TOKEN, repo: 'acme/api', labels: ['postmortem'], assignees: { alice: 'alice-gh' }, timeoutSeconds: 1, retries: 2 },
          reconcileSeconds: 0,
        },
      },
    });
    incidentId = await publishedPostmortem(app, 'Alert on connection-pool saturation', T0);
  });

  afterAll(async () => {
    await app?.stop();
    await github?.stop();
  });

  it('when an item of the published post-mortem is created in GitHub, then one issue is made, linked and audited; asking again returns it', async () => {
    const [first] = (await app.api.get(`/api/v1/incidents/${incidentId}/action-items`)).data.items as Item[];
    const created = await app.api.post(`/api/v1/action-items/${first!.id}/tracker-issue`, { tracker: 'github' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      id: first!.id, trackerUrl: 'https://github.com/acme/api/issues/1',
      tracker: { tracker: 'github', key: 'acme/api#1', url: 'https://github.com/acme/api/issues/1', state: null, category: null, changedAt: null },
    });
    expect(github.issues).toHaveLength(1);
    const issue = github.issues[0]!;
    expect(issue.title).toBe('Alert on connection-pool saturation');
    expect(issue.body).toContain(`Post-mortem: ${PUBLIC_URL}/ui/incidents/${incidentId}/report`);
    expect(issue.body).toContain(`<!-- debrief-action-item: ${first!.id} -->`);
    expect(issue.labels.sort()).toEqual(['debrief', 'postmortem']);
    expect(issue.assignees).toEqual(['alice-gh']);

    const again = await app.api.post(`/api/v1/action-items/${first!.id}/tracker-issue`, { tracker: 'github' });
    expect(again.status).toBe(200);
    expect(again.data.tracker.key).toBe('acme/api#1');
    expect(github.issues).toHaveLength(1);
    const audit = (await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)).data.items as Array<{ actionItemId: string; changes: Array<{ path: string }> }>;
    expect(audit.filter((entry) => entry.actionItemId === first!.id && entry.changes.some((c) => c.path === `actionItems.${first!.id}.tracker`))).toHaveLength(1);
  });

  it('when the issue is closed on GitHub, then the signed webhook makes the item done in the audit trail; a replay and a stale delivery change nothing', async () => {
    const [first] = (await app.api.get(`/api/v1/incidents/${incidentId}/action-items`)).data.items as Item[];
    const reopenedAt = github.setState(1, 'open', 'reopened').updated_at;
    const closedAt = github.setState(1, 'closed', 'completed').updated_at;
    const closed = issuesBody('closed', 1, closedAt);
    expect((await postIssues(closed, { delivery: 'd-close' })).status).toBe(202);
    const done = await until(first!.id, 'done');
    expect(done).toMatchObject({ status: 'done', tracker: { state: 'closed', category: 'completed', changedAt: new Date(closedAt).toISOString() } });
    const entries = await trackerAudit();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.changes).toContainEqual({ path: `actionItems.${first!.id}.status`, from: 'open', to: 'done' });

    // GitHub redelivers the same delivery: stored once. A new delivery with the same state: nothing to write.
    expect((await postIssues(closed, { delivery: 'd-close' })).data).toMatchObject({ duplicate: true });
    expect((await postIssues(closed, { delivery: 'd-close-again' })).status).toBe(202);
    // The reopen delivered late (older than the close): stale.
    expect((await postIssues(issuesBody('reopened', 1, reopenedAt), { delivery: 'd-reopen-late' })).status).toBe(202);
    await app.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect((await item(first!.id)).status).toBe('done');
    expect(await trackerAudit()).toHaveLength(1);
  });

  it('when the webhook\'s signature is wrong or missing, then it is refused with 403 or 401', async () => {
    const body = issuesBody('reopened', 1, '2030-01-01T00:00:00Z');
    expect((await postIssues(body, { delivery: 'd-forged', signature: signGitHubBody(body, 'not-the-secret-000000') })).status).toBe(403);
    expect((await postIssues(body, { delivery: 'd-unsigned', signature: null })).status).toBe(401);
  });

  it('when a close is never delivered, then the reconcile alone reads the issue and makes the item done', async () => {
    const second = await newItem('Runbook for a pool exhaustion');
    const linked = await app.api.post(`/api/v1/action-items/${second.id}/tracker-issue`, { tracker: 'github' });
    expect(linked.status).toBe(201);
    const number = Number(String(linked.data.tracker.key).split('#')[1]);
    github.setState(number, 'closed', 'completed');
    const result = await app.debrief.followThrough.reconciler.reconcileOnce();
    expect(result.failed).toBe(0);
    expect(await item(second.id)).toMatchObject({ status: 'done', tracker: { state: 'closed', category: 'completed' } });
    expect((await trackerAudit()).filter((entry) => entry.actionItemId === second.id)).toHaveLength(1);
  });

  it('when a reopen is never delivered, then the reconcile reads the finished item\'s issue and opens it again', async () => {
    const [first] = (await app.api.get(`/api/v1/incidents/${incidentId}/action-items`)).data.items as Item[];
    expect((await item(first!.id)).status).toBe('done');
    github.setState(1, 'open', 'reopened');
    const result = await app.debrief.followThrough.reconciler.reconcileOnce();
    expect(result.failed).toBe(0);
    expect(await item(first!.id)).toMatchObject({ status: 'open', tracker: { state: 'open', category: 'reopened' } });
    expect((await trackerAudit()).filter((entry) => entry.actionItemId === first!.id).at(-1)!.changes)
      .toContainEqual({ path: `actionItems.${first!.id}.status`, from: 'done', to: 'open' });
  });

  it('when GitHub made the issue but the answer was lost, then the retried create finds it and makes no second issue', async () => {
    const third = await newItem('Limit migration batch size');
    const before = github.issues.length;
    github.faults.create.push({ loseAnswer: true });
    const created = await app.api.post(`/api/v1/action-items/${third.id}/tracker-issue`, { tracker: 'github' });
    expect(created.status).toBe(201);
    expect(github.issues).toHaveLength(before + 1);
    expect(created.data.tracker.key).toBe(`acme/api#${before + 1}`);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(before + 1);
  });

  it('when the configured trackers are asked for, then GitHub is the one', async () => {
    expect((await app.api.get('/api/v1/trackers')).data).toEqual({ items: [{ kind: 'github', name: 'GitHub' }] });
  });

  it('when the tracker is unknown or not configured, then the answer is 422 naming the field', async () => {
    const fourth = await newItem('Something else');
    for (const tracker of ['gitlab', 'jira']) {
      const refused = await app.api.post(`/api/v1/action-items/${fourth.id}/tracker-issue`, { tracker });
      expect(refused.status).toBe(422);
      expect(refused.data.error.details).toEqual([expect.objectContaining({ path: 'tracker' })]);
    }
    expect((await app.api.post(`/api/v1/action-items/ai_missing/tracker-issue`, { tracker: 'github' })).status).toBe(404);
  });

  it('when items are overdue, then they are listed per team and owner, and counted on /metrics', async () => {
    await newItem('Overdue cleanup', { owner: 'bob', dueDate: '2020-01-01' });
    const listing = await app.api.get('/api/v1/action-items/overdue');
    expect(listing.status).toBe(200);
    expect(listing.data.byOwner).toContainEqual({ owner: 'bob', count: 1 });
    expect(listing.data.rows).toContainEqual({ team: null, owner: 'bob', count: 1 });
    const metrics = await app.api.get('/metrics', { responseType: 'text' });
    expect(metricSamples(metrics.data, 'debrief_action_items_overdue')).toContainEqual({ labels: { team: 'none' }, value: listing.data.total });
  });
});
