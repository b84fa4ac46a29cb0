import axios from 'axios';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGitHubBody } from '../../connectors/changes/changes.signature';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { childDebriefFile, startChildDebrief } from '../support/child-debrief';
import { GitHubIssuesServer } from '../support/github-issues-server';

/**
 * The issue state of a GitHub issues webhook reaching its action item when the inbox is
 * processed in the WORKER THREAD (the compiled server as a child process; ts-jest cannot run the
 * worker): the worker hands the states to the HTTP thread, which applies them.
 */

const API_TOKEN = 'tracker-worker-admin-token-0123456789';
const AM_TOKEN = 'tracker-worker-alertmanager-token-0123';
const GITHUB_TOKEN = 'ghp_tracker-worker-token-0123456789';
const SECRET = 'tracker-worker-webhook-secret-0123456789';

const children = childDebriefFile('debrief-tracker-worker-');

describe('tracker states through the inbox worker thread', () => {
  let github: GitHubIssuesServer;

  beforeAll(async () => {
    github = new GitHubIssuesServer('acme', 'api', GITHUB_TOKEN);
    await github.start();
  });
  afterAll(async () => {
    await github?.stop();
  });

  it('when GitHub closes the issue, then the signed webhook processed by the worker makes the item done', async () => {
    const dir = children.tempDir();
    const configFile = join(dir, 'debrief.yaml');
    writeFileSync(configFile, [
      'inbox:', '  worker: true', '  pollIntervalMs: 50',
      'status:', '  publicUrl: https://debrief.acme.example',
      'trackers:', '  reconcileSeconds: 0', '  github:', `    baseUrl: ${github.url}`, `    token: ${GITHUB_TOKEN}`, '    repo: acme/api', '',
    ].join('\n'));
    const debrief = await startChildDebrief({
      build: children.build, cwd: dir, registry: children.registry,
      env: {
        DEBRIEF_CONFIG: configFile, DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`,
        DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN, DEBRIEF_GITHUB_ISSUES_SECRETS: SECRET,
      },
    });
    const api = axios.create({ baseURL: debrief.url, headers: { Authorization: `Bearer ${API_TOKEN}` }, validateStatus: () => true });
    const alerts = alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: '2026-03-01T10:00:00.000Z' }]);
    expect((await api.post('/webhooks/alertmanager', alerts, { headers: { Authorization: `Bearer ${AM_TOKEN}` } })).status).toBe(202);
    let incidentId: string | undefined;
    for (let i = 0; i < 200 && !incidentId; i++) {
      incidentId = (await api.get('/api/v1/incidents')).data.items[0]?.id;
      if (!incidentId) await new Promise((r) => setTimeout(r, 50));
    }
    const item = (await api.post(`/api/v1/incidents/${incidentId}/action-items`, { title: 'Alert on pool saturation' })).data as { id: string };
    expect((await api.post(`/api/v1/action-items/${item.id}/tracker-issue`, { tracker: 'github' })).status).toBe(201);

    const closed = github.setState(1, 'closed', 'completed');
    const body = JSON.parse(readFileSync(join(__dirname, '..', '..', 'connectors', 'github-issues', 'fixtures', 'github-docs-issues-closed.json'), 'utf8'));
    body.issue.number = 1;
    body.issue.updated_at = closed.updated_at;
    body.repository.full_name = 'acme/api';
    const raw = Buffer.from(JSON.stringify(body));
    const posted = await api.post('/webhooks/github-issues', raw, {
      headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'issues', 'X-GitHub-Delivery': 'worker-close-1', 'X-Hub-Signature-256': signGitHubBody(raw, SECRET), Authorization: '' },
      transformRequest: [(d) => d],
    });
    expect(posted.status).toBe(202);
    let status = '';
    for (let i = 0; i < 200 && status !== 'done'; i++) {
      status = (await api.get(`/api/v1/action-items/${item.id}`)).data.status;
      if (status !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('done');
    const audit = (await api.get(`/api/v1/incidents/${incidentId}/report/audit`)).data.items as Array<{ actor: string }>;
    expect(audit.filter((entry) => entry.actor === 'tracker:github')).toHaveLength(1);
  }, 120_000);
});
