import { rulesBehind, type AlertingRule } from '../../src/domain/alert-rule';
import { buildReport } from '../../src/domain/incident-report';
import { composeReport } from '../../src/domain/report/compose-report';
import { draftImpactStart } from '../../src/domain/report/drafted-impact-start';
import { emptyStoredReport } from '../../src/domain/report/report-model';
import { buildExportDocument } from '../../src/domain/report/export-document';
import { deepFreeze } from '../support/domain-builders';
import { alert, incidentDetail, SERVICE_LABELS } from '../support/report-fixtures';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const graph = (expr: string) => `http://prometheus-0:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
const rule = (name: string, query: string, durationSeconds: number, labels: Record<string, string> = {}): AlertingRule => ({ name, query, durationSeconds, labels });

const ERRORS = 'sum(rate(http_errors_total{job="api"}[5m])) > 1';
const LATENCY = 'histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket[5m]))) > 2';

describe('rulesBehind: which rules could have made an alert', () => {
  const rules = deepFreeze([
    rule('HighErrors', ERRORS, 300, { severity: 'critical' }),
    rule('HighErrors', 'sum(rate(http_errors_total{job="api"}[5m])) > 0.1', 900, { severity: 'warning' }),
    rule('HighLatency', LATENCY, 600, { team: '{{ $labels.team }}' }),
  ]);

  it('when the alert carries its expression, then only the rule with that name and expression', () => {
    const a = alert({ labels: { alertname: 'HighErrors', severity: 'critical' }, startsAt: T(0), generatorUrl: graph(ERRORS) });
    expect(rulesBehind(a, rules).map((r) => r.durationSeconds)).toEqual([300]);
  });

  it('when the alert carries no expression, then the rules of its name whose labels it carries', () => {
    const warning = alert({ labels: { alertname: 'HighErrors', severity: 'warning' }, startsAt: T(0), generatorUrl: null });
    expect(rulesBehind(warning, rules).map((r) => r.durationSeconds)).toEqual([900]);
    const unlabelled = alert({ labels: { alertname: 'HighErrors' }, startsAt: T(0), generatorUrl: 'http://grafana/alerting/list' });
    expect(rulesBehind(unlabelled, rules)).toEqual([]);
  });

  it('when a rule label is a template, then it is not compared (the rules API lists it unexpanded)', () => {
    const a = alert({ labels: { alertname: 'HighLatency', team: 'payments' }, startsAt: T(0) });
    expect(rulesBehind(a, rules).map((r) => r.name)).toEqual(['HighLatency']);
  });

  it('when the alert\'s expression is not a rule\'s, then no rule is behind it', () => {
    const a = alert({ labels: { alertname: 'HighErrors', severity: 'critical' }, startsAt: T(0), generatorUrl: graph('vector(1)') });
    expect(rulesBehind(a, rules)).toEqual([]);
  });
});

describe('draftImpactStart', () => {
  it('when the first alert\'s rule waits 5m, then impact began by 5 minutes before it, at the latest, and the note says why', () => {
    const alerts = [alert({ id: 'a1', labels: { alertname: 'HighErrors', service: 'api' }, startsAt: T(0), generatorUrl: graph(ERRORS) })];
    expect(draftImpactStart(alerts, [rule('HighErrors', ERRORS, 300)])).toEqual({
      at: T(-5), alertId: 'a1', alertname: 'HighErrors', firedAt: T(0), waitSeconds: 300,
      note: 'impact began by 09:55 UTC at the latest (HighErrors fired at 10:00 UTC; its rule waits 5m)',
    });
  });

  it('when a later alert waited longer, then it sets the bound: impact began before the earliest of all bounds', () => {
    const alerts = [
      alert({ id: 'a1', labels: { alertname: 'HighErrors' }, startsAt: T(0), generatorUrl: graph(ERRORS) }),
      alert({ id: 'a2', labels: { alertname: 'HighLatency' }, startsAt: T(3), generatorUrl: graph(LATENCY) }),
    ];
    const start = draftImpactStart(alerts, [rule('HighErrors', ERRORS, 60), rule('HighLatency', LATENCY, 900)]);
    expect(start).toMatchObject({ at: T(-12), alertname: 'HighLatency', waitSeconds: 900, note: 'impact began by 09:48 UTC at the latest (HighLatency fired at 10:03 UTC; its rule waits 15m)' });
  });

  it('when several rules could have made an alert, then the shortest wait counts: the bound holds whichever it was', () => {
    const alerts = [alert({ labels: { alertname: 'HighErrors' }, startsAt: T(0) })];
    expect(draftImpactStart(alerts, [rule('HighErrors', ERRORS, 900), rule('HighErrors', 'other', 120)])).toMatchObject({ at: T(-2), waitSeconds: 120 });
  });

  it('when no rule waits, no rule is known, or a rule\'s bound is not before the first alert, then there is no drafted impact start', () => {
    const alerts = [
      alert({ labels: { alertname: 'HighErrors' }, startsAt: T(0) }),
      alert({ labels: { alertname: 'Late' }, startsAt: T(30) }),
    ];
    expect(draftImpactStart(alerts, [rule('HighErrors', ERRORS, 0)])).toBeNull();
    expect(draftImpactStart(alerts, [])).toBeNull();
    expect(draftImpactStart(alerts, [rule('Late', 'x', 600)])).toBeNull();
    expect(draftImpactStart([], [rule('HighErrors', ERRORS, 600)])).toBeNull();
  });
});

describe('the drafted impact start in the composed report', () => {
  const detail = incidentDetail([alert({ labels: { alertname: 'HighErrors', service: 'api' }, startsAt: T(0), endsAt: T(20), generatorUrl: graph(ERRORS) })]);
  const compose = (rules: AlertingRule[], stored = emptyStoredReport(detail.incident.id)) => composeReport({
    draft: buildReport(detail, { serviceLabels: SERVICE_LABELS }, T(60), { alertRules: rules }), stored, actionItems: [],
    postmortem: { required: false, reason: '', policy: { required: false, reason: '' }, requested: null, waived: null }, generatedAt: T(60),
  });

  it('when the rule is known, then it is the machine impact start with its note, in the summary text and on the timeline picture', () => {
    const view = compose([rule('HighErrors', ERRORS, 300)]);
    expect(view.impactWindow.startedAt).toEqual({
      at: T(-5), origin: 'machine-drafted', machineAt: T(-5), setBy: null, setAt: null,
      machineNote: 'impact began by 09:55 UTC at the latest (HighErrors fired at 10:00 UTC; its rule waits 5m)',
    });
    expect(view.summary.startedAt).toBe(T(0));
    expect(view.sections[0]!.machineText).toContain('Impact began by 09:55 UTC at the latest (HighErrors fired at 10:00 UTC; its rule waits 5m).');
    const doc = buildExportDocument({ detail, report: view, serviceLabels: SERVICE_LABELS, now: T(60), metricSnapshots: [], deliveries: [] });
    expect(doc.timelinePicture.markers).toContainEqual({ at: T(-5), kind: 'impact-start', label: 'Impact started' });
  });

  it('when a person corrects it, then theirs is shown and the drafted one kept beside it', () => {
    const stored = emptyStoredReport(detail.incident.id);
    stored.content.impactStartedAt = { time: T(-30), by: 'alice', at: T(50) };
    expect(compose([rule('HighErrors', ERRORS, 300)], stored).impactWindow.startedAt).toMatchObject({ at: T(-30), origin: 'human-completed', machineAt: T(-5), setBy: 'alice' });
  });

  it('when the rules are unknown, then the draft says nothing about them: the first alert, no note, no marker', () => {
    const view = compose([]);
    expect(view.impactWindow.startedAt).toMatchObject({ at: T(0), machineAt: T(0), machineNote: null });
    expect(view.sections[0]!.machineText).not.toContain('Impact began');
    const doc = buildExportDocument({ detail, report: view, serviceLabels: SERVICE_LABELS, now: T(60), metricSnapshots: [], deliveries: [] });
    expect(doc.timelinePicture.markers.filter((m) => m.kind === 'impact-start')).toEqual([]);
  });
});
