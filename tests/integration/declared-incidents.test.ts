import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { expectError, expectOk, getIncident, listAllIncidents, metricSamples } from '../support/api-helpers';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * An incident declared by hand over HTTP (a customer reported it; monitoring missed it): it
 * gets the timeline, report, post-mortem policy and measures of any incident, an alert can be
 * moved into it later, its end can be given once known, and "monitoring missed this" is shown
 * on it and counted in the statistics and on /metrics.
 */

const MIN = 60_000;
const T0 = new Date(Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN).toISOString();

describe('incidents declared by hand', () => {
  let app: TestApp;
  let declaredId: string;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when the body is incomplete or wrong, then 400 names every failing field and nothing is declared; a viewer gets 403', async () => {
    const err = expectError(await app.api.post('/api/v1/incidents', { title: '  ', services: [], severity: 'catastrophic', start: 'yesterday', extra: 1 }), 400, 'validation_failed');
    expect(err.details.map((d) => d.path).sort()).toEqual(['body', 'body.services', 'body.severity', 'body.start', 'body.title']);
    const backwards = expectError(await app.api.post('/api/v1/incidents', {
      title: 'Login broken', services: ['login'], severity: 'critical', start: minutesAfter(T0, 10), end: T0,
    }), 400, 'validation_failed');
    expect(backwards.details).toEqual([{ path: 'body.end', message: expect.stringContaining('is before start') }]);
    const future = expectError(await app.api.post('/api/v1/incidents', {
      title: 'Login broken', services: ['login'], severity: 'critical', start: new Date(Date.now() + 86_400_000).toISOString(),
    }), 400, 'validation_failed');
    expect(future.details[0]!.path).toBe('body.start');
    const viewer = await app.anon.post('/api/v1/incidents', { title: 'x', services: ['x'], severity: 'low', start: T0 }, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } });
    expectError(viewer, 403, 'forbidden');
    expect(await listAllIncidents(app)).toEqual([]);
  });

  it('when an editor declares an incident, then it is open with the declared summary, its timeline and audit trail record who declared it, and monitoring missed it', async () => {
    const res = await app.api.post('/api/v1/incidents', {
      title: 'EU customers cannot log in', services: ['login', 'login'], severity: 'critical', start: T0,
    });
    const incident = expectOk(res, 201);
    declaredId = incident.id;
    expect(res.headers.location).toBe(`/api/v1/incidents/${declaredId}`);
    expect(incident).toMatchObject({
      title: 'EU customers cannot log in', status: 'open', severity: 'critical', services: ['login'], startedAt: T0, endedAt: null, alertCount: 0,
      declaration: { missedByMonitoring: true, declaredBy: 'admin', startedAt: T0, endedAt: null },
    });
    const detail = await getIncident(app, declaredId);
    expect(detail.timeline.map((e) => [e.kind, e.at, e.actor])).toEqual([['incident.declared', T0, 'admin']]);
    expect(detail.timeline[0]!.text).toContain('Monitoring missed this');
    const audit = expectOk(await app.api.get(`/api/v1/incidents/${declaredId}/audit`));
    expect(audit.events.map((e: { kind: string }) => e.kind)).toEqual(['incident.declared']);
  });

  it('when its report is read, then it is drafted like any incident and the post-mortem policy applies to the declared severity', async () => {
    const report = expectOk(await app.api.get(`/api/v1/incidents/${declaredId}/report`));
    expect(report.status).toBe('draft');
    expect(report.postmortem.required).toBe(true); // default policy: critical
    expect(report.summary).toMatchObject({ startedAt: T0, endedAt: null, affectedServices: ['login'] });
    const markdown = await app.api.get(`/api/v1/incidents/${declaredId}/report.md`, { responseType: 'text' });
    expect(markdown.status).toBe(200);
    expect(markdown.data).toContain('EU customers cannot log in');
  });

  it('when an alert that fired later is moved in, then it joins the declared incident, which keeps its title and start', async () => {
    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'LoginErrors', service: 'auth', severity: 'warning' }, startsAt: minutesAfter(T0, 25) },
    ]))).status).toBe(202);
    await app.settle();
    const alerted = (await listAllIncidents(app)).find((i) => i.id !== declaredId)!;
    const alertId = (await getIncident(app, alerted.id)).alerts[0]!.id;
    const moved = expectOk(await app.api.post(`/api/v1/alerts/${alertId}/move`, { incidentId: declaredId, reason: 'customer report and this alert are the same outage' }));
    expect(moved.to).toMatchObject({ id: declaredId, title: 'EU customers cannot log in', services: ['login', 'auth'], startedAt: T0, alertCount: 1, status: 'open' });
    const detail = await getIncident(app, declaredId);
    expect(detail.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['incident.declared', 'alert.fired', 'correlation.moved']));
    const measures = expectOk(await app.api.get(`/api/v1/incidents/${declaredId}/report.json`)).measures;
    expect(measures).toMatchObject({ impactStartSource: 'human', firstAlertAt: minutesAfter(T0, 25), timeToDetectMs: 25 * MIN, missedByMonitoring: true });
  });

  it('when the end is given later, then the incident resolves once its alerts have too', async () => {
    const changed = expectOk(await app.api.patch(`/api/v1/incidents/${declaredId}/declaration`, { end: minutesAfter(T0, 60) }));
    expect(changed).toMatchObject({ status: 'open', declaration: { endedAt: minutesAfter(T0, 60) } }); // LoginErrors still fires
    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'LoginErrors', service: 'auth', severity: 'warning' }, startsAt: minutesAfter(T0, 25), endsAt: minutesAfter(T0, 50) },
    ]))).status).toBe(202);
    await app.settle();
    expect((await getIncident(app, declaredId))).toMatchObject({ status: 'resolved', endedAt: minutesAfter(T0, 60) });
    const other = (await listAllIncidents(app)).find((i) => i.id !== declaredId && i.status !== 'merged');
    expect(other).toBeUndefined(); // the emptied alert incident was merged into the declared one
    expectError(await app.api.patch('/api/v1/incidents/no-such-incident/declaration', { end: T0 }), 404, 'not_found');
    expectError(await app.api.patch(`/api/v1/incidents/${declaredId}/declaration`, { end: 'soon' }), 400, 'validation_failed');
  });

  it('when statistics are read, then the incident counts as missed by monitoring, there and on /metrics', async () => {
    const stats = expectOk(await app.api.get('/api/v1/stats'));
    expect(stats.overall).toMatchObject({ count: 1, missedByMonitoringCount: 1, detectedCount: 1, mttdMs: 25 * MIN, mttrMs: 60 * MIN });
    expect(stats.definitions.missedByMonitoring).toMatch(/declared by hand/);
    const metrics = (await app.anon.get('/metrics')).data as string;
    expect(metricSamples(metrics, 'debrief_incidents_missed_by_monitoring_recent')).toContainEqual({ labels: { dimension: 'overall', name: 'all' }, value: 1 });
  });
});
