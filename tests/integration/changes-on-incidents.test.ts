import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allIncidentDetails, expectOk } from '../support/api-helpers';
import { CHANGES_ENV, changeFixture, postChange, postGitHub } from '../support/change-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * The story of a change-caused incident over HTTP: a signed GitHub deployment_status (GitHub's
 * published example, for the repository the catalog maps to checkout), a config change on a
 * dependency, and the Alertmanager alert 14 minutes after the deploy. The incident's detail,
 * timeline and report name the deploy as the top suspect; changes never move alerts.
 */

const DEPLOYED_AT = '2019-05-15T15:20:53.000Z';
const FIRST_ALERT = '2019-05-15T15:35:00.000Z';

let app: TestApp;
beforeEach(async () => {
  const catalogFile = join(tmpdir(), `debrief-catalog-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(catalogFile, [
    'services:',
    '  - name: checkout',
    '    dependsOn: [orders]',
    '    repositories: [Codertocat/Hello-World]',
    '  - name: orders',
    '  - name: search',
  ].join('\n'));
  app = await startTestApp({ env: { ...CHANGES_ENV, DEBRIEF_CATALOG_FILE: catalogFile } });
});
afterEach(async () => {
  await app.stop();
});

async function sendStory(): Promise<void> {
  expect((await postGitHub(app, 'deployment_status', changeFixture('github-docs-deployment_status'))).status).toBe(202);
  expect((await postChange(app, {
    service: 'orders', kind: 'config', summary: 'raise orders connection pool to 200', author: 'bob', time: '2019-05-15T14:45:00Z',
  })).status).toBe(202);
  expect((await postChange(app, {
    service: 'search', kind: 'deploy', version: 'v9', summary: 'search v9', time: '2019-05-15T15:30:00Z',
  })).status).toBe(202);
  expect((await app.postAlertmanager(alertmanagerBody([
    { labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: FIRST_ALERT },
  ]))).status).toBe(202);
  await app.settle();
}

describe('changes on incidents', () => {
  it('when a deploy and a config change precede an alert, then the incident shows both on its timeline and ranks the deploy first', async () => {
    await sendStory();
    const incidents = await allIncidentDetails(app);
    expect(incidents).toHaveLength(1);
    const detail = incidents[0]! as unknown as { alertCount: number; timeline: Array<Record<string, unknown>>; changes: Array<Record<string, unknown>> };
    expect(detail.alertCount).toBe(1);
    expect(detail.changes.map((c) => [c.timing, c.hops, c.reason])).toEqual([
      ['before', 0, 'deploy of checkout f95f852 (GitHub deployment by Codertocat) 14 min before the first alert, same service'],
      ['before', 1, 'config change on orders (change event by bob) 50 min before the first alert, one dependency away (checkout → orders)'],
    ]);
    const changeLines = detail.timeline.filter((e) => e.source === 'change');
    expect(changeLines.map((e) => [e.at, e.kind, e.actor])).toEqual([
      ['2019-05-15T14:45:00.000Z', 'change.config', 'bob'],
      [DEPLOYED_AT, 'change.deploy', 'Codertocat'],
    ]);
  });

  it('when the report is exported, then "What happened" lists the deploy as the top suspect with its sentence and link', async () => {
    await sendStory();
    const [incident] = await allIncidentDetails(app);
    const markdown = expectOk(await app.api.get(`/api/v1/incidents/${incident!.id}/report.md`)) as string;
    const whatHappened = markdown.slice(markdown.indexOf('What happened'));
    expect(whatHappened).toContain('suspect 1: change');
    expect(whatHappened.indexOf('deploy of checkout f95f852')).toBeGreaterThan(-1);
    expect(whatHappened.indexOf('deploy of checkout f95f852')).toBeLessThan(whatHappened.indexOf('config change on orders'));
    const report = expectOk(await app.api.get(`/api/v1/incidents/${incident!.id}/report`)) as { sections: Array<{ id: string; hints: Array<{ source: string; text: string }> }> };
    expect(report.sections.find((s) => s.id === 'what-happened')!.hints[0]).toMatchObject({
      source: 'suspect 1: change', text: 'deploy of checkout f95f852 (GitHub deployment by Codertocat) 14 min before the first alert, same service',
    });
  });

  it('when changes arrive, then no incident is opened for them and no alert moves', async () => {
    await sendStory();
    const incidents = await allIncidentDetails(app);
    expect(incidents.map((i) => (i as unknown as { alertCount: number }).alertCount)).toEqual([1]);
    const audit = expectOk(await app.api.get(`/api/v1/incidents/${incidents[0]!.id}/audit`)) as { events: Array<{ kind: string }> };
    expect(audit.events.length).toBeGreaterThan(0);
    expect(audit.events.filter((e) => e.kind.startsWith('change'))).toEqual([]);
  });
});
