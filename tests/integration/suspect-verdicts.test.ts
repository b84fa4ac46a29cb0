import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allIncidentDetails, expectError, expectOk } from '../support/api-helpers';
import { CHANGES_ENV, changeFixture, postChange, postGitHub } from '../support/change-webhooks';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * A person's verdict on the suspects of a change-caused incident, over HTTP: GitHub's published
 * deployment_status (checkout) and a config change on its dependency precede the alert; an
 * editor marks the config change as the cause and dismisses the deploy. The report, its
 * Markdown export and its audit trail say so; a viewer cannot, and a change that is not a
 * suspect is refused.
 */

const DEPLOY = 'github:deployment:Codertocat/Hello-World:145988746';
const FIRST_ALERT = '2019-05-15T15:35:00.000Z';

interface Report { etag: string; version: number; status: string; suspects: Array<{ changeId: string; rank: number; verdict: string | null; by: string | null }>; sections: Array<{ id: string; hints: Array<{ source: string; text: string; changeId?: string }> }> }

let app: TestApp;
let incidentId: string;
beforeEach(async () => {
  const catalogFile = join(tmpdir(), `debrief-catalog-verdicts-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(catalogFile, ['services:', '  - name: checkout', '    dependsOn: [orders]', '    repositories: [Codertocat/Hello-World]', '  - name: orders'].join('\n'));
  app = await startTestApp({ env: { ...CHANGES_ENV, DEBRIEF_CATALOG_FILE: catalogFile } });
  expect((await postGitHub(app, 'deployment_status', changeFixture('github-docs-deployment_status'))).status).toBe(202);
  expect((await postChange(app, { id: 'pool-200', service: 'orders', kind: 'config', summary: 'raise orders connection pool to 200', author: 'bob', time: '2019-05-15T14:45:00Z' })).status).toBe(202);
  expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: FIRST_ALERT }]))).status).toBe(202);
  await app.settle();
  incidentId = (await allIncidentDetails(app))[0]!.id;
});
afterEach(async () => {
  await app.stop();
});

const mark = (changeId: string, verdict: string | null, headers: Record<string, string> = {}) =>
  app.api.post(`/api/v1/incidents/${incidentId}/report/suspects`, { changeId, verdict }, { headers });

describe('verdicts on suspects', () => {
  it('when an editor marks the second suspect as the cause, then it leads "What happened" in the report and in report.md, and the audit trail records it', async () => {
    const before = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report`)) as Report;
    expect(before.suspects.map((s) => [s.rank, s.verdict])).toEqual([[1, null], [2, null]]);
    const config = before.suspects[1]!.changeId;
    expect(config).toBe('generic:changes:pool-200');

    const res = await mark(config, 'cause');
    const after = expectOk(res) as Report;
    expect(res.headers.etag).toBe(after.etag);
    expect(after.etag).not.toBe(before.etag);
    expect(after.suspects.find((s) => s.changeId === config)).toMatchObject({ verdict: 'cause', by: 'admin' });
    expect(after.sections.find((s) => s.id === 'what-happened')!.hints.slice(0, 2).map((h) => [h.source, h.changeId])).toEqual([
      ['cause, marked by admin', config], ['suspect 1: change', DEPLOY],
    ]);

    const markdown = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report.md`)) as string;
    const whatHappened = markdown.slice(markdown.indexOf('## What happened'));
    expect(whatHappened).toMatch(/^\*\*Cause\*\* \(marked by admin at [^)]+\): config change on orders \(change event by bob\) 50 min before the first alert/m);

    const audit = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)) as { items: Array<{ action: string; actor: string; changes: unknown[] }> };
    expect(audit.items.at(-1)).toMatchObject({ action: 'report.updated', actor: 'admin', changes: [{ path: `suspects.${config}`, from: null, to: 'cause' }] });
  });

  it('when an editor dismisses the top suspect, then it leaves the hints but stays listed as dismissed with who and when', async () => {
    const after = expectOk(await mark(DEPLOY, 'dismissed')) as Report;
    const hints = after.sections.find((s) => s.id === 'what-happened')!.hints;
    expect(hints.filter((h) => h.changeId).map((h) => [h.source, h.text])).toEqual([
      ['suspect 1: change', 'config change on orders (change event by bob) 50 min before the first alert, one dependency away (checkout → orders)'],
    ]);
    expect(after.suspects[0]).toMatchObject({ changeId: DEPLOY, rank: 1, verdict: 'dismissed', by: 'admin' });
    const markdown = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report.md`)) as string;
    expect(markdown).not.toContain('deploy of checkout f95f852 (GitHub deployment');

    const back = expectOk(await mark(DEPLOY, null)) as Report;
    expect(back.suspects[0]).toMatchObject({ verdict: null, by: null });
    expect(back.sections.find((s) => s.id === 'what-happened')!.hints[0]).toMatchObject({ source: 'suspect 1: change', changeId: DEPLOY });
  });

  it('when the same verdict is sent twice, then the second changes nothing (same ETag, one audit entry)', async () => {
    const first = expectOk(await mark(DEPLOY, 'cause')) as Report;
    const second = expectOk(await mark(DEPLOY, 'cause')) as Report;
    expect(second.etag).toBe(first.etag);
    const audit = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)) as { items: unknown[] };
    expect(audit.items).toHaveLength(1);
  });

  it('when the report is published, then a verdict starts the next version and the published one keeps what it said', async () => {
    const base = `/api/v1/incidents/${incidentId}/report`;
    const draft = expectOk(await app.api.get(base)) as Report;
    expectOk(await app.api.patch(base, {
      sections: { 'what-happened': 'The pool change.', fix: 'Rolled back.' }, preventionNoneNeeded: 'One-off.', customerSummary: 'Checkout failed for 20 minutes.',
    }, { headers: { 'If-Match': draft.etag } }));
    expectOk(await app.api.post(`${base}/transitions`, { to: 'in_review' }));
    expect((expectOk(await app.api.post(`${base}/transitions`, { to: 'published' })) as Report).status).toBe('published');

    const next = expectOk(await mark(DEPLOY, 'cause')) as Report;
    expect([next.version, next.status]).toEqual([2, 'draft']);
    expect(next.suspects[0]).toMatchObject({ verdict: 'cause' });
    const published = expectOk(await app.api.get(`${base}/versions/1`)) as Report;
    expect(published.suspects.map((s) => s.verdict)).toEqual([null, null]);
    const audit = expectOk(await app.api.get(`${base}/audit`)) as { items: Array<{ action: string; version: number }> };
    expect(audit.items.slice(-2).map((e) => [e.action, e.version])).toEqual([['report.version-created', 2], ['report.updated', 2]]);
  });

  it('when a viewer, a stale If-Match, an unknown change or a bad verdict is sent, then it is refused and nothing is recorded', async () => {
    expectError(await app.anon.post(`/api/v1/incidents/${incidentId}/report/suspects`, { changeId: DEPLOY, verdict: 'cause' }, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } }), 403, 'forbidden');
    const stale = await mark(DEPLOY, 'cause', { 'If-Match': '"v1.r7"' });
    expect(stale.status).toBe(409);
    expect(stale.data.current).toMatchObject({ version: 1, etag: '"v1.r0"' });
    expect(expectError(await mark('generic:changes:nope', 'cause'), 422).details).toEqual([expect.objectContaining({ path: 'changeId' })]);
    expect(expectError(await mark(DEPLOY, 'guilty'), 400).details).toEqual([expect.objectContaining({ path: 'body.verdict' })]);
    expectError(await app.api.post(`/api/v1/incidents/${incidentId}/report/suspects`, { changeId: DEPLOY }), 400);
    expectError(await app.api.post('/api/v1/incidents/nope/report/suspects', { changeId: DEPLOY, verdict: 'cause' }), 404);
    const audit = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)) as { items: unknown[] };
    expect(audit.items).toEqual([]);
    const report = expectOk(await app.api.get(`/api/v1/incidents/${incidentId}/report`)) as Report;
    expect(report.suspects.map((s) => s.verdict)).toEqual([null, null]);
  });
});
