/**
 * Changes end to end on a real Alertmanager: GitHub's published `deployment_status` example
 * (signed here with HMAC-SHA256, as GitHub signs it) and a generic change event reach
 * `/webhooks/changes`; a real Alertmanager then notifies Debrief of an alert on the deployed
 * service 14 minutes after the deploy. The incident's timeline shows both changes with their
 * source and link, and the Markdown post-mortem names the deploy as the top suspect with its
 * sentence. Deliveries with a missing or wrong signature are refused and leave no trace.
 *
 * The alert is posted to Alertmanager's API with the start time the story needs (GitHub's
 * example is from 2019), as Prometheus would post it; Alertmanager groups it and sends the
 * webhook with its bearer token.
 *
 * Needs the Debian package `prometheus-alertmanager`; without it this suite FAILS with an
 * install hint, it never skips.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIncident, inboxEntries, listAllIncidents, type IncidentDetailBody } from '../support/api-helpers';
import { CHANGES_ENV, CHANGES_TOKEN, GITHUB_SECRET, changeFixture } from '../support/change-webhooks';
import { AM_TOKEN, startTestApp, type TestApp } from '../support/test-app';
import { ALERTMANAGER_BINARIES, postAlerts, requireBinary, startAlertmanager, type MonitoringProcess } from './support/monitoring';
import { delay, stopAll } from './support/processes';

const DEPLOYED_AT = '2019-05-15T15:20:53.000Z';
const FIRST_ALERT = '2019-05-15T15:35:00.000Z';
const TOP_SUSPECT = 'deploy of checkout f95f852 (GitHub deployment by Codertocat) 14 min before the first alert, same service';

/** `X-Hub-Signature-256` as GitHub computes it: HMAC-SHA256 of the raw body, hex. */
const githubSignature = (body: Buffer, secret: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface TimelineLine { at: string; kind: string; source: string; text: string; actor: string | null; url?: string | null }

describe('changes and a real Alertmanager to the post-mortem draft', () => {
  let dir: string;
  let app: TestApp;
  let alertmanager: MonitoringProcess | undefined;
  let incident: Omit<IncidentDetailBody, 'timeline'> & { timeline: TimelineLine[] };
  const refused: Array<{ status: number; message: string }> = [];

  const postGitHub = (body: Buffer, signature: string | null) => app.anon.post('/webhooks/changes', body, {
    headers: {
      'Content-Type': 'application/json', 'X-GitHub-Event': 'deployment_status', 'X-GitHub-Delivery': `e2e-${Math.random().toString(36).slice(2)}`,
      ...(signature === null ? {} : { 'X-Hub-Signature-256': signature }),
    },
    transformRequest: [(d) => d],
  });

  beforeAll(async () => {
    requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
    dir = mkdtempSync(join(tmpdir(), 'debrief-e2e-changes-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, ['services:', '  - name: checkout', '    dependsOn: [orders]', '    repositories: [Codertocat/Hello-World]', '  - name: orders'].join('\n'));
    app = await startTestApp({ env: { ...CHANGES_ENV, DEBRIEF_CATALOG_FILE: catalog } });

    // Refused first: no signature, then one made with another secret.
    const body = changeFixture('github-docs-deployment_status');
    for (const signature of [null, githubSignature(body, 'not-the-secret')]) {
      const res = await postGitHub(body, signature);
      refused.push({ status: res.status, message: (res.data as { error?: { message?: string } }).error?.message ?? '' });
    }
    expect((await postGitHub(body, githubSignature(body, GITHUB_SECRET))).status).toBe(202);
    const generic = await app.anon.post('/webhooks/changes', JSON.stringify({
      id: 'pool-200', service: 'orders', kind: 'config', summary: 'raise orders connection pool to 200', author: 'bob',
      url: 'https://ci.example.invalid/runs/42', time: '2019-05-15T14:45:00Z', status: 'success',
    }), { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${CHANGES_TOKEN}` }, transformRequest: [(d) => d] });
    expect(generic.status).toBe(202);

    alertmanager = await startAlertmanager({ webhookUrl: `${app.url}/webhooks/alertmanager`, bearerToken: AM_TOKEN, groupWait: '1s', routeGroupBy: ['service'] });
    await postAlerts(alertmanager.url, [{
      labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' },
      annotations: { summary: 'Checkout 5xx above 15%' },
      startsAt: FIRST_ALERT,
    }]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [first] = await listAllIncidents(app);
      if (first && (await inboxEntries(app, 'pending')).length === 0) {
        incident = await getIncident(app, first.id) as unknown as typeof incident;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no incident from Alertmanager within 30 s:\n${alertmanager.logs().slice(-3000)}`);
      await delay(250);
    }
  }, 60_000);

  afterAll(async () => {
    try {
      await stopAll();
    } finally {
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test('when the signature is missing or wrong, then GitHub gets 401 / 403 naming the header, and nothing of it is stored', async () => {
    expect(refused.map((r) => r.status)).toEqual([401, 403]);
    for (const r of refused) expect(r.message).toMatch(/X-Hub-Signature-256/);
    // Only the signed delivery and the generic event went into the inbox.
    expect((await inboxEntries(app)).filter((e) => (e as { instance?: string }).instance === 'changes')).toHaveLength(2);
  });

  test('when Alertmanager notifies Debrief, then the incident\'s timeline shows both changes before the alert, with their source and link', () => {
    expect(incident.alerts.map((a) => [a.labels.alertname, a.startsAt])).toEqual([['CheckoutErrors', FIRST_ALERT]]);
    const lines = incident.timeline.filter((e) => e.source === 'change');
    expect(lines.map((e) => [e.at, e.kind, e.actor])).toEqual([
      ['2019-05-15T14:45:00.000Z', 'change.config', 'bob'],
      [DEPLOYED_AT, 'change.deploy', 'Codertocat'],
    ]);
    expect(lines[0]!.url).toBe('https://ci.example.invalid/runs/42');
    expect(lines[1]!.url).toMatch(/^https:\/\//);
    expect(incident.timeline.map((e) => e.kind)).toEqual(['change.config', 'change.deploy', 'alert.fired']);
  });

  test('when the post-mortem is exported, then report.md names the deploy as the top suspect, with its sentence', async () => {
    const res = await app.api.get(`/api/v1/incidents/${incident.id}/report.md`);
    expect(res.status).toBe(200);
    const markdown = res.data as string;
    const whatHappened = markdown.slice(markdown.indexOf('## What happened'), markdown.indexOf('## What was done to fix it'));
    const suspects = whatHappened.split('\n').filter((line) => line.startsWith('- suspect '));
    expect(suspects).toHaveLength(2);
    expect(suspects[0]).toMatch(new RegExp(`^- suspect 1: change: \\[${TOP_SUSPECT.replace(/[()]/g, '\\\\?\\$&')}\\]\\(https://`));
    expect(suspects[1]).toContain('config change on orders (change event by bob) 50 min before the first alert, one dependency away');
  });
});
