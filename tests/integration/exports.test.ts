import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { expectError, listAllIncidents } from '../support/api-helpers';
import { startCaptureReceiver } from '../support/capture-receiver';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';
import { activeContent, textContent, xmlProblems } from '../support/xml-wellformed';

/*
 * Exports over HTTP: the standalone HTML, the JSON export and the timeline picture of an
 * incident ingested from a real-shaped Alertmanager webhook whose labels and annotations
 * carry hostile text.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const HOSTILE = '<script>alert("x")</script> "><img src=x onerror=alert(1)> [click](javascript:alert(1)) bell\u0007esc\u001b';

async function ingestHostileIncident(app: TestApp): Promise<string> {
  const body = alertmanagerBody([
    {
      labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', team: HOSTILE },
      annotations: { summary: HOSTILE, description: HOSTILE, runbook_url: 'javascript:alert(2)' },
      startsAt: T0, endsAt: minutesAfter(T0, 30),
      generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent('sum(rate(errors[5m])) > 1')}&g0.tab=1`,
    },
    { labels: { alertname: `CheckoutSlow${HOSTILE}`, service: 'checkout', severity: 'warning' }, startsAt: minutesAfter(T0, 5), endsAt: minutesAfter(T0, 20) },
  ], { groupBy: ['service'] });
  expect((await app.postAlertmanager(body)).status).toBe(202);
  await app.settle();
  const incidents = await listAllIncidents(app);
  expect(incidents).toHaveLength(1); // same service, same group: one incident
  return incidents[0]!.id;
}

describe('report exports', () => {
  let app: TestApp;
  let id: string;
  beforeAll(async () => {
    app = await startTestApp();
    id = await ingestHostileIncident(app);
  });
  afterAll(async () => { await app.stop(); });

  it('when the HTML export is fetched, then it is one standalone, print-ready document with the timeline picture inline and no active content', async () => {
    const res = await app.api.get(`/api/v1/incidents/${id}/report.html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-disposition']).toBe(`inline; filename="postmortem-${id}.html"`);
    const html = res.data as string;
    expect(activeContent(html)).toEqual([]);
    expect(html).toContain('@media print');
    expect(html).toMatch(/<figure class="timeline-picture"><svg [^>]*role="img"/);
    expect(html).not.toMatch(/<script|<link|<img|url\(|[\u0007\u001b]/);
    expect(textContent(html)).toContain('<script>alert("x")</script>');
    expect(textContent(html)).toContain('[click](javascript:alert(1))');
  });

  it('when ?download=1 is given, then the export comes as an attachment', async () => {
    const res = await app.api.get(`/api/v1/incidents/${id}/report.html?download=1`);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="postmortem-${id}.html"`);
  });

  it('when the JSON export is fetched, then it holds the report, the measures and the timeline picture data', async () => {
    const res = await app.api.get(`/api/v1/incidents/${id}/report.json`);
    expect(res.status).toBe(200);
    const doc = res.data;
    expect(doc).toMatchObject({ format: 'debrief-report', formatVersion: 1, metricSnapshots: [], deliveries: [] });
    expect(doc.report.incidentId).toBe(id);
    expect(doc.report.sections.map((s: { id: string }) => s.id)).toEqual(['summary', 'timeline', 'what-happened', 'fix', 'prevention']);
    expect(doc.report).not.toHaveProperty('hiddenTimeline');
    expect(doc.measures).toMatchObject({ incidentId: id, firstAlertAt: T0, timeToDetectMs: null, timeToResolveMs: 30 * 60_000, timeToAcknowledgeMs: null });
    expect(doc.timelinePicture.lanes).toEqual([{ service: 'checkout', bars: [
      { label: 'CheckoutErrors', start: T0, end: minutesAfter(T0, 30), ongoing: false, severity: 'critical' },
      { label: `CheckoutSlow${HOSTILE}`, start: minutesAfter(T0, 5), end: minutesAfter(T0, 20), ongoing: false, severity: 'warning' },
    ] }]);
  });

  it('when the timeline picture is fetched, then it is a well-formed accessible SVG with a bar per alert and hostile text escaped', async () => {
    const res = await app.api.get(`/api/v1/incidents/${id}/timeline.svg`, { responseType: 'text' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const svg = res.data as string;
    expect(xmlProblems(svg)).toEqual([]);
    expect(activeContent(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="Timeline of [^"]*1 service lane \(checkout\), 2 alerts; resolved at 2026-03-01T10:30:00.000Z/);
    expect(textContent(svg)).toContain('CheckoutSlow<script>alert("x")</script>');
    expect(svg.match(/<rect [^>]*rx="2"/g)).toHaveLength(2);
  });

  it('when the timeline picture is fetched twice, then the bytes are the same', async () => {
    const a = await app.api.get(`/api/v1/incidents/${id}/timeline.svg`, { responseType: 'text' });
    const b = await app.api.get(`/api/v1/incidents/${id}/timeline.svg`, { responseType: 'text' });
    expect(b.data).toBe(a.data);
  });

  it('when a viewer token is used, then exports are readable; without a token they are refused; an unknown incident is 404', async () => {
    const viewer = await app.anon.get(`/api/v1/incidents/${id}/report.json`, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(viewer.status).toBe(200);
    for (const path of ['report.html', 'report.json', 'timeline.svg', 'report/deliveries']) {
      expectError(await app.anon.get(`/api/v1/incidents/${id}/${path}`), 401, 'unauthorized');
      expectError(await app.api.get(`/api/v1/incidents/no-such-incident/${path}`), 404, 'not_found');
    }
  });
});

describe('report exports with a Prometheus base URL', () => {
  it('when Prometheus cannot be reached, then the exports still succeed and carry a note per alert rule', async () => {
    const closed = await startCaptureReceiver();
    const url = closed.url.replace(/\/hook$/, '');
    await closed.close();
    const app = await startTestApp({ env: { DEBRIEF_PROMETHEUS_URL: url }, overrides: { prometheus: { timeoutMs: 1000 } } });
    try {
      const id = await ingestHostileIncident(app);
      const json = await app.api.get(`/api/v1/incidents/${id}/report.json`);
      expect(json.status).toBe(200);
      expect(json.data.metricSnapshots).toEqual([
        expect.objectContaining({ rule: 'CheckoutErrors', expr: 'sum(rate(errors[5m])) > 1', status: 'unavailable', chart: null }),
        expect.objectContaining({ rule: `CheckoutSlow${HOSTILE}`, expr: `CheckoutSlow${HOSTILE}`, status: 'unavailable' }),
      ]);
      expect(json.data.metricSnapshots[0].note).toMatch(/could not be reached/);
      const html = await app.api.get(`/api/v1/incidents/${id}/report.html`);
      expect(html.status).toBe(200);
      expect(textContent(html.data)).toMatch(/CheckoutErrors: Prometheus could not be reached \(ECONNREFUSED\)/);
    } finally {
      await app.stop();
    }
  });
});
