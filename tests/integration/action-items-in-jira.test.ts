import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJiraBody } from '../../connectors/jira/jira.signature';
import { publishedPostmortem } from '../support/published-postmortem';
import { startTestApp, type TestApp } from '../support/test-app';
import { startFakeJira, type FakeJira } from './jira-fake-server';

/*
 * Done when, for Jira: from a published post-mortem, an action item makes exactly one Jira issue
 * (against a local server speaking Jira Cloud's REST v3 with Atlassian's published bodies), the
 * signed `jira:issue_updated` webhook moving it to Done flows back to "done" in the audit trail,
 * the reconcile alone also gets there, and a create whose answer was lost is found, not repeated.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const EMAIL = 'debrief-bot@acme.example';
const TOKEN = 'jira-api-token-0123456789';
const SECRET = 'jira-webhook-secret-0123456789';
const PUBLIC_URL = 'https://debrief.acme.example';
const FIXTURES = join(__dirname, '..', '..', 'connectors', 'jira', 'fixtures');

interface Item { id: string; status: string; trackerUrl: string | null; tracker?: { tracker: string; key: string; url: string; state: string | null; category: string | null; changedAt: string | null } }

describe('action items in Jira', () => {
  let jira: FakeJira;
  let app: TestApp;
  let incidentId: string;

  /** Atlassian's published `jira:issue_updated` body (a status change to Done), about `key`, updated at `updated`. */
  const updatedBody = (key: string, updated: string, status: { name: string; category: string }): Buffer => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'jira-webhook-issue_updated-status.json'), 'utf8'));
    body.issue.key = key;
    body.issue.fields.updated = updated;
    body.issue.fields.status.name = status.name;
    body.issue.fields.status.statusCategory.key = status.category;
    return Buffer.from(JSON.stringify(body));
  };
  const postJira = (body: Buffer, options: { delivery: string; signature?: string | null }) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Atlassian-Webhook-Identifier': options.delivery };
    if (options.signature !== null) headers['X-Hub-Signature'] = options.signature ?? signJiraBody(body, SECRET);
    return app.anon.post('/webhooks/jira', body, { headers, transformRequest: [(d) => d] });
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
  const jiraAudit = async () => ((await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)).data.items as Array<{ actor: string; actionItemId: string; changes: Array<{ path: string; from: unknown; to: unknown }> }>)
    .filter((entry) => entry.actor === 'tracker:jira');
  const newItem = async (title: string): Promise<Item> => {
    const created = await app.api.post(`/api/v1/incidents/${incidentId}/action-items`, { title, owner: 'alice', dueDate: '2026-03-20' });
    expect(created.status).toBe(201);
    return created.data as Item;
  };
  const creates = () => jira.requests.filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue');

  beforeAll(async () => {
    jira = await startFakeJira({ deployment: 'cloud', authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`, projectKey: 'OPS' });
    app = await startTestApp({
      env: { DEBRIEF_PUBLIC_URL: PUBLIC_URL, DEBRIEF_JIRA_WEBHOOK_SECRETS: SECRET, DEBRIEF_JIRA_TOKEN: TOKEN },
      overrides: {
        trackers: {
          jira: {
            baseUrl: jira.baseUrl, deployment: 'cloud', auth: { email: EMAIL }, projectKey: 'OPS', labels: ['postmortem'], components: ['Reliability'],
            assignees: { alice: '5b10ac8d82e05b22cc7d4ef5' }, timeoutMs: 1000, retries: 1,
          },
          reconcileSeconds: 0,
        },
      },
    });
    incidentId = await publishedPostmortem(app, 'Alert on connection-pool saturation', T0);
  });

  afterAll(async () => {
    await app?.stop();
    await jira?.stop();
  });

  it('when an item of the published post-mortem is created in Jira, then one issue is made with the project, labels, assignee and a link to the post-mortem; asking again returns it', async () => {
    const [first] = (await app.api.get(`/api/v1/incidents/${incidentId}/action-items`)).data.items as Item[];
    const created = await app.api.post(`/api/v1/action-items/${first!.id}/tracker-issue`, { tracker: 'jira' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ trackerUrl: `${jira.baseUrl}/browse/OPS-24`, tracker: { tracker: 'jira', key: 'OPS-24', url: `${jira.baseUrl}/browse/OPS-24` } });
    expect(creates()).toHaveLength(1);
    const fields = creates()[0]!.body as { fields: Record<string, unknown> };
    expect(fields.fields).toMatchObject({
      project: { key: 'OPS' }, summary: 'Alert on connection-pool saturation', issuetype: { name: 'Task' },
      components: [{ name: 'Reliability' }], assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' },
    });
    expect((fields.fields.labels as string[]).sort()).toEqual([`debrief-${first!.id}`, 'postmortem'].sort());
    expect(JSON.stringify(fields.fields.description)).toContain(`${PUBLIC_URL}/ui/incidents/${incidentId}/report`);

    const again = await app.api.post(`/api/v1/action-items/${first!.id}/tracker-issue`, { tracker: 'jira' });
    expect(again.status).toBe(200);
    expect(again.data.tracker.key).toBe('OPS-24');
    expect(creates()).toHaveLength(1);
    expect((await app.api.get('/api/v1/trackers')).data).toEqual({ items: [{ kind: 'jira', name: 'Jira' }] });
  });

  it('when the issue moves to Done, then the signed webhook makes the item done in the audit trail; a redelivery and a stale update change nothing', async () => {
    const [first] = (await app.api.get(`/api/v1/incidents/${incidentId}/action-items`)).data.items as Item[];
    const done = updatedBody('OPS-24', '2026-03-10T12:00:00.000+0000', { name: 'Done', category: 'done' });
    expect((await postJira(done, { delivery: 'wh-done' })).status).toBe(202);
    expect(await until(first!.id, 'done')).toMatchObject({ status: 'done', tracker: { state: 'Done', category: 'done', changedAt: '2026-03-10T12:00:00.000Z' } });
    const entries = await jiraAudit();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.changes).toContainEqual({ path: `actionItems.${first!.id}.status`, from: 'open', to: 'done' });

    expect((await postJira(done, { delivery: 'wh-done' })).data).toMatchObject({ duplicate: true });
    // An update from before the move to Done, delivered late: stale.
    const late = updatedBody('OPS-24', '2026-03-09T12:00:00.000+0000', { name: 'To Do', category: 'new' });
    expect((await postJira(late, { delivery: 'wh-late' })).status).toBe(202);
    await app.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect((await item(first!.id)).status).toBe('done');
    expect(await jiraAudit()).toHaveLength(1);
  });

  it('when the webhook\'s signature is wrong or missing, then it is refused with 403 or 401', async () => {
    const body = updatedBody('OPS-24', '2030-01-01T00:00:00.000+0000', { name: 'To Do', category: 'new' });
    expect((await postJira(body, { delivery: 'wh-forged', signature: signJiraBody(body, 'not-the-secret-000000') })).status).toBe(403);
    expect((await postJira(body, { delivery: 'wh-unsigned', signature: null })).status).toBe(401);
  });

  it('when a move to Done is never delivered, then the reconcile alone reads the issue and makes the item done', async () => {
    const second = await newItem('Runbook for a pool exhaustion');
    const linked = await app.api.post(`/api/v1/action-items/${second.id}/tracker-issue`, { tracker: 'jira' });
    expect(linked.status).toBe(201);
    const issue = jira.issues.find((candidate) => candidate.key === linked.data.tracker.key)!;
    issue.status = { name: 'Done', id: '10001', categoryKey: 'done', categoryId: 3 };
    issue.fields.updated = '2026-03-11T09:00:00.000+0000';
    const result = await app.debrief.followThrough.reconciler.reconcileOnce();
    expect(result.failed).toBe(0);
    expect(await item(second.id)).toMatchObject({ status: 'done', tracker: { state: 'Done', category: 'done' } });
    expect((await jiraAudit()).filter((entry) => entry.actionItemId === second.id)).toHaveLength(1);
  });

  it('when Jira made the issue but the answer was lost, then asking again finds it and makes no second issue', async () => {
    const third = await newItem('Limit migration batch size');
    const before = creates().length;
    jira.fail('POST /rest/api/3/issue', { kind: 'lose-answer' });
    const lost = await app.api.post(`/api/v1/action-items/${third.id}/tracker-issue`, { tracker: 'jira' });
    expect(lost.status).toBe(503);
    expect(creates()).toHaveLength(before + 1);
    const made = jira.issues.filter((issue) => issue.fields.labels.includes(`debrief-${third.id}`));
    expect(made).toHaveLength(1);

    const retried = await app.api.post(`/api/v1/action-items/${third.id}/tracker-issue`, { tracker: 'jira' });
    expect(retried.status).toBe(201);
    expect(retried.data.tracker.key).toBe(made[0]!.key);
    expect(creates()).toHaveLength(before + 1);
  });
});
