import { renderMetricChartSvg, type MetricChart } from '../../src/domain/report/metric-chart-svg';
import { distinctRules, exprFromGeneratorUrl, PrometheusSnapshotter, snapshotWindow } from '../../src/integrations/prometheus-snapshot';
import { unboundedSelector } from '../../src/integrations/promql-selectors';
import { startCaptureReceiver } from '../support/capture-receiver';
import { startFakePrometheus, type FakePrometheus } from '../support/fake-prometheus';
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
  // These are about reading Prometheus's answers; which expressions may run is tested below.
  const options = (baseUrl: string) => ({ baseUrl, timeoutMs: 1000, marginMinutes: 10, maxRules: 5, onlyRuleExpressions: false });

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

describe('unboundedSelector', () => {
  it.each([
    ['up == 0'],
    ['up{job="api"} == 0'],
    ['sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.05'],
    ['{__name__="up", job=~".+"}'],
    ['{job="node"} == 0'],
    ['{"my.metric", job=~".*"}'],
    ['absent(up{job="x"}) or vector(1)'],
    ['label_replace(up{job="a"}, "x", "$1", "instance", "(.*)") # a {__name__=~".+"} comment'],
    ['count_values("v{", up{job="a"})'],
    ['rate(http_requests_total{path="/a}b"}[5m])'],
  ])('when the expression is %s, then every selector is bounded', (expr) => {
    expect(unboundedSelector(expr)).toBeNull();
  });

  it.each([
    ['count({__name__=~".+"})', '{__name__=~".+"}'],
    ['{job=~".*"}', '{job=~".*"}'],
    ['sum({__name__!="", job!="x"})', '{__name__!="", job!="x"}'],
    ['up{job="a"} and on() {env=""}', '{env=""}'],
    ['{__name__=~"http_.*"}', '{__name__=~"http_.*"}'],
    ['rate({ }[5m])', '{ }'],
    ['{job="a" == }', '{job="a" == }'],
  ])('when the expression is %s, then %s is unbounded', (expr, selector) => {
    expect(unboundedSelector(expr)).toBe(selector);
  });
});

describe('PrometheusSnapshotter against a loopback Prometheus (which expressions run, bounds, one snapshot per revision)', () => {
  const RULE_EXPR = 'sum(rate(errors_total{job="api"}[5m])) > 1';
  let prom: FakePrometheus;
  beforeEach(async () => {
    prom = await startFakePrometheus([{ name: 'HighErrors', query: RULE_EXPR }]);
  });
  afterEach(async () => {
    await prom.close();
  });

  const open = (expr: string, name = 'HighErrors', updatedAt = T(1)) => {
    const d = incidentDetail([alert({ labels: { alertname: name, service: 'api' }, startsAt: T(0), generatorUrl: graph(expr) })]);
    return { ...d, incident: { ...d.incident, updatedAt } };
  };
  const resolved = (updatedAt = T(31)) => {
    const d = incidentDetail([alert({ labels: { alertname: 'HighErrors', service: 'api' }, startsAt: T(0), endsAt: T(30), generatorUrl: graph(RULE_EXPR) })]);
    return { ...d, incident: { ...d.incident, updatedAt } };
  };
  const snapshotter = (over: Record<string, unknown> = {}) => new PrometheusSnapshotter({ baseUrl: prom.url, timeoutMs: 1500, marginMinutes: 10, maxRules: 5, ...over });

  it('when the expression is the alert rule\'s, then it is charted with a bounded query', async () => {
    const [snap] = await snapshotter({ maxSeries: 3 }).snapshots(resolved(), new Date(T(600)));
    expect(snap).toMatchObject({ rule: 'HighErrors', status: 'ok', note: null });
    expect(prom.requests.map((r) => r.path)).toEqual(['/api/v1/rules', '/api/v1/query_range']);
    expect(prom.requests[0]!.params.getAll('rule_name[]')).toEqual(['HighErrors']);
    const query = prom.queryRanges()[0]!.params;
    expect(query.get('query')).toBe(RULE_EXPR);
    expect(query.get('timeout')).toBe('1.5');
    expect(query.get('limit')).toBe('4');
    const points = (Number(query.get('end')) - Number(query.get('start'))) / Number(query.get('step'));
    expect(points).toBeLessThanOrEqual(240);
  });

  it.each([
    ['every series', 'count({__name__=~".+"})', /the selector \{__name__=~"\.\+"\} could select every series/],
    ['every series of any job', 'sum(rate({job=~".*"}[5m]))', /the selector \{job=~"\.\*"\} could select every series/],
  ])('when an alert carries an expression selecting %s, then nothing at all is sent to Prometheus', async (_what, expr, note) => {
    const [snap] = await snapshotter({ onlyRuleExpressions: false }).snapshots(open(expr), new Date(T(60)));
    expect(snap).toMatchObject({ status: 'refused', chart: null, note: expect.stringMatching(note) });
    expect(prom.requests).toEqual([]);
  });

  it.each([
    ['an expression of the sender\'s choosing', 'topk(1000, sum by (__name__) ({job="api"}))', 'HighErrors'],
    ['the rule\'s expression under another alert name', RULE_EXPR, 'SomethingElse'],
    ['the rule\'s expression, changed', `${RULE_EXPR} or vector(1)`, 'HighErrors'],
  ])('when an alert carries %s, then it is refused after asking for the rule, and never run', async (_what, expr, name) => {
    const [snap] = await snapshotter().snapshots(open(expr, name), new Date(T(60)));
    expect(snap).toMatchObject({ status: 'refused', chart: null, note: expect.stringMatching(/no alerting rule ".*" with this expression/) });
    expect(prom.queryRanges()).toEqual([]);
  });

  it('when the queried Prometheus has no rules API, then the note says how to chart anyway', async () => {
    prom.rulesApi = false;
    const [snap] = await snapshotter().snapshots(open(RULE_EXPR), new Date(T(60)));
    expect(snap).toMatchObject({ status: 'refused', note: expect.stringMatching(/no rules API .*prometheus.onlyRuleExpressions/) });
    expect(prom.queryRanges()).toEqual([]);
    const [anyway] = await snapshotter({ onlyRuleExpressions: false }).snapshots(open(RULE_EXPR), new Date(T(60)));
    expect(anyway).toMatchObject({ status: 'ok' });
  });

  it('when an expression returns more series than maxSeries, or more points than asked, then the chart keeps the bound and says so', async () => {
    prom.seriesCount = 50;
    const [snap] = await snapshotter({ maxSeries: 5 }).snapshots(resolved(), new Date(T(600)));
    expect(snap!.chart!.series).toHaveLength(5);
    expect(snap!.note).toBe('only the first 5 series are charted (prometheus.maxSeries)');
    prom.pointsPerSeries = 50_000;
    const [many] = await snapshotter({ maxSeries: 1 }).snapshots(resolved(T(40)), new Date(T(600)));
    expect(many!.chart!.series[0]!.points).toHaveLength(1000);
  });

  it('when the report is read six times, then Prometheus is asked once; a new revision asks again', async () => {
    const s = snapshotter();
    for (let i = 0; i < 6; i++) expect((await s.snapshots(resolved(), new Date(T(600 + i))))[0]!.status).toBe('ok');
    expect(prom.queryRanges()).toHaveLength(1);
    await Promise.all(Array.from({ length: 6 }, () => s.snapshots(resolved(T(45)), new Date(T(700)))));
    expect(prom.queryRanges()).toHaveLength(2);
  });

  it('when an incident is open, then its snapshot is retaken only after refreshSeconds, however often its alerts change', async () => {
    const s = snapshotter({ refreshSeconds: 300 });
    await s.snapshots(open(RULE_EXPR, 'HighErrors', T(1)), new Date(T(10)));
    await s.snapshots(open(RULE_EXPR, 'HighErrors', T(2)), new Date(T(11)));
    await s.snapshots(open(RULE_EXPR, 'HighErrors', T(3)), new Date(T(14)));
    expect(prom.queryRanges()).toHaveLength(1);
    await s.snapshots(open(RULE_EXPR, 'HighErrors', T(3)), new Date(T(15)));
    expect(prom.queryRanges()).toHaveLength(2);
    // Resolved: its final window is snapshotted at once.
    await s.snapshots(resolved(), new Date(T(16)));
    expect(prom.queryRanges()).toHaveLength(3);
  });

  it('when Prometheus could not be reached, then the notes are not kept and the next read asks again', async () => {
    const s = snapshotter();
    const port = Number(new URL(prom.url).port);
    await prom.close();
    expect((await s.snapshots(resolved(), new Date(T(600))))[0]!.status).toBe('unavailable');
    prom = await startFakePrometheus([{ name: 'HighErrors', query: RULE_EXPR }], port);
    expect((await s.snapshots(resolved(), new Date(T(601))))[0]!.status).toBe('ok');
    expect(prom.queryRanges()).toHaveLength(1);
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
