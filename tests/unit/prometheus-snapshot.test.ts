import { renderMetricChartSvg, type MetricChart } from '../../src/domain/report/metric-chart-svg';
import { distinctRules, exprFromGeneratorUrl, PrometheusSnapshotter, snapshotWindow } from '../../src/integrations/prometheus-snapshot';
import { startCaptureReceiver } from '../support/capture-receiver';
import { alert, HOSTILE, HOSTILE_TEXT, incidentDetail } from '../support/report-fixtures';
import { activeContent, textContent, xmlProblems } from '../support/xml-wellformed';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const graph = (expr: string) => `http://prometheus-0:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;

describe('exprFromGeneratorUrl', () => {
  it.each([
    [graph('rate(http_requests_total{code=~"5.."}[5m]) > 0.05'), 'rate(http_requests_total{code=~"5.."}[5m]) > 0.05'],
    ['http://prom/graph?g0.expr=up+%3D%3D+0&g0.tab=1', 'up == 0'],
    ['http://prom/prefix/graph?g0.tab=1&g0.expr=vector(1)', 'vector(1)'],
    ['http://grafana/alerting/list', null],
    ['not a url', null],
    [null, null],
  ])('when the generator URL is %s, then the expression is %s', (url, expr) => {
    expect(exprFromGeneratorUrl(url)).toBe(expr);
  });
});

describe('distinctRules', () => {
  it('when several alerts share a rule, then it is queried once, with the first expression found', () => {
    const rules = distinctRules([
      alert({ labels: { alertname: 'B', pod: '1' }, startsAt: T(0), generatorUrl: null }),
      alert({ labels: { alertname: 'B', pod: '2' }, startsAt: T(1), generatorUrl: graph('b_expr') }),
      alert({ labels: { alertname: 'A' }, startsAt: T(2), generatorUrl: graph('a_expr') }),
    ]);
    expect(rules).toEqual([{ rule: 'A', expr: 'a_expr' }, { rule: 'B', expr: 'b_expr' }]);
  });
});

describe('snapshotWindow', () => {
  it('when the incident is resolved, then the window is the incident plus the margin each side, never past now', () => {
    const d = incidentDetail([alert({ labels: { alertname: 'A' }, startsAt: T(0), endsAt: T(60) })]);
    expect(snapshotWindow(d, new Date(T(1000)), 15)).toMatchObject({ start: new Date(T(-15)), end: new Date(T(75)), stepSeconds: 23 });
    expect(snapshotWindow(d, new Date(T(65)), 15).end).toEqual(new Date(T(65)));
  });
});

describe('PrometheusSnapshotter', () => {
  const detail = () => incidentDetail([
    alert({ labels: { alertname: 'HighErrors', service: 'api' }, startsAt: T(0), endsAt: T(30), generatorUrl: graph('sum(rate(errors[5m]))') }),
    alert({ labels: { alertname: 'NoExpr', service: 'api' }, startsAt: T(1), endsAt: T(2), generatorUrl: 'http://grafana/alerting' }),
  ]);
  const options = (baseUrl: string) => ({ baseUrl, timeoutMs: 1000, marginMinutes: 10, maxRules: 5 });

  it('when Prometheus answers a matrix, then the rule gets a chart of it and the query covers the window', async () => {
    const values = [[Date.parse(T(0)) / 1000, '1'], [Date.parse(T(10)) / 1000, '3.5'], [Date.parse(T(20)) / 1000, 'NaN']];
    const prom = await startCaptureReceiver([{ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'api' }, values }] } }) }]);
    try {
      const snaps = await new PrometheusSnapshotter(options(prom.url.replace('/hook', '/prom'))).snapshots(detail(), new Date(T(600)));
      expect(snaps.map((s) => [s.rule, s.status])).toEqual([['HighErrors', 'ok'], ['NoExpr', 'no-expression']]);
      expect(snaps[0]!.chart!.series).toEqual([{ labels: { job: 'api' }, points: [[Date.parse(T(0)) / 1000, 1], [Date.parse(T(10)) / 1000, 3.5], [Date.parse(T(20)) / 1000, NaN]] }]);
      const req = prom.requests[0]!;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/prom/api/v1/query_range');
      const form = new URLSearchParams(req.body.toString('utf8'));
      expect(form.get('query')).toBe('sum(rate(errors[5m]))');
      expect(Number(form.get('start'))).toBe(Date.parse(T(-10)) / 1000);
      expect(Number(form.get('end'))).toBe(Date.parse(T(40)) / 1000);
    } finally {
      await prom.close();
    }
  });

  it('when Prometheus is unreachable, then each rule gets a note and nothing throws', async () => {
    const prom = await startCaptureReceiver();
    const url = prom.url;
    await prom.close();
    const snaps = await new PrometheusSnapshotter(options(url)).snapshots(detail(), new Date(T(600)));
    expect(snaps[0]).toMatchObject({ rule: 'HighErrors', status: 'unavailable', chart: null });
    expect(snaps[0]!.note).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('when Prometheus does not answer in time, then the rule gets a timeout note', async () => {
    let release!: () => void;
    const prom = await startCaptureReceiver([{ status: 200, wait: new Promise<void>((r) => { release = r; }) }]);
    try {
      const snaps = await new PrometheusSnapshotter({ ...options(prom.url), timeoutMs: 200 }).snapshots(detail(), new Date(T(600)));
      expect(snaps[0]).toMatchObject({ status: 'unavailable' });
      expect(snaps[0]!.note).toMatch(/did not answer within 200 ms/);
    } finally {
      release();
      await prom.close();
    }
  });

  it('when Prometheus rejects the expression, then the note quotes its error', async () => {
    const prom = await startCaptureReceiver([{ status: 400, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }) }]);
    try {
      const snaps = await new PrometheusSnapshotter(options(prom.url)).snapshots(detail(), new Date(T(600)));
      expect(snaps[0]).toMatchObject({ status: 'error', note: 'Prometheus rejected the query: bad_data: parse error at char 5' });
    } finally {
      await prom.close();
    }
  });
});

describe('renderMetricChartSvg', () => {
  const chart = (over: Partial<MetricChart> = {}): MetricChart => ({
    title: 'HighErrors', expr: 'sum(rate(errors[5m]))', start: T(-10), end: T(40), incidentStart: T(0), incidentEnd: T(30),
    series: [{ labels: { job: 'api' }, points: [[Date.parse(T(0)) / 1000, 1], [Date.parse(T(10)) / 1000, 3], [Date.parse(T(20)) / 1000, NaN], [Date.parse(T(30)) / 1000, 2]] }],
    ...over,
  });

  it('when drawn, then it is a well-formed accessible image with the line broken at NaN and deterministic bytes', () => {
    const svg = renderMetricChartSvg(chart());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="HighErrors: sum\(rate\(errors\[5m\]\)\) from /);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(1);
    expect(renderMetricChartSvg(chart())).toBe(svg);
  });

  it('when the expression and series labels hold markup and control characters, then the chart stays inert', () => {
    const svg = renderMetricChartSvg(chart({ title: HOSTILE_TEXT, expr: HOSTILE.attrBreak, series: [{ labels: { job: HOSTILE.script, x: HOSTILE.control }, points: [[Date.parse(T(0)) / 1000, 1]] }] }));
    expect(xmlProblems(svg)).toEqual([]);
    expect(activeContent(svg)).toEqual([]);
    expect(textContent(svg)).toContain('<script>alert("x")</script>');
  });
});
