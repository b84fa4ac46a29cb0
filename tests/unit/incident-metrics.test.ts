import { aggregateMeasures, measureIncident } from '../../src/domain/incident-metrics';
import { alert, event, incidentDetail, SERVICE_LABELS } from '../support/report-fixtures';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const MIN = 60_000;

describe('measureIncident', () => {
  it('when only alerts are known, then detect is unknown (never 0 by default), resolve runs from the first alert to the last end, and acknowledge/mitigate are unknown', () => {
    const m = measureIncident(incidentDetail([
      alert({ labels: { alertname: 'A', service: 'api' }, startsAt: T(0), endsAt: T(20) }),
      alert({ labels: { alertname: 'B', service: 'db' }, startsAt: T(5), endsAt: T(35) }),
    ]), {}, SERVICE_LABELS);
    expect(m).toMatchObject({
      impactStartedAt: T(0), impactStartSource: 'first-alert', firstAlertAt: T(0), acknowledgedAt: null, mitigatedAt: null, resolvedAt: T(35),
      timeToDetectMs: null, timeToAcknowledgeMs: null, timeToMitigateMs: null, timeToResolveMs: 35 * MIN,
    });
  });

  it('when a person says impact began before the first alert and set mitigation, and the page was acknowledged twice, then each measure uses them', () => {
    const m = measureIncident(incidentDetail([alert({ labels: { alertname: 'A', service: 'api' }, startsAt: T(0), endsAt: T(60) })], [
      event('pagerduty.acknowledged', T(9), 'second ack'),
      event('pagerduty.acknowledged', T(4), 'first ack'),
      event('pagerduty.annotated', T(2), 'a note is not an acknowledgement'),
    ]), { impactStartedAt: T(-12), mitigatedAt: T(30), impactEndedAt: T(50) });
    expect(m).toMatchObject({
      impactStartSource: 'human', acknowledgedAt: T(4),
      timeToDetectMs: 12 * MIN, timeToAcknowledgeMs: 4 * MIN, timeToMitigateMs: 42 * MIN, timeToResolveMs: 62 * MIN,
    });
  });

  it('when the incident still fires, then time to resolve is unknown', () => {
    const m = measureIncident(incidentDetail([alert({ labels: { alertname: 'A' }, startsAt: T(0) })]));
    expect(m.resolvedAt).toBeNull();
    expect(m.timeToResolveMs).toBeNull();
  });

  it('when a person set impact start at or after the first alert, then time to detect is unknown, never 0 or negative', () => {
    const detail = incidentDetail([alert({ labels: { alertname: 'A' }, startsAt: T(0), endsAt: T(5) })]);
    expect(measureIncident(detail, { impactStartedAt: T(2) }).timeToDetectMs).toBeNull();
    expect(measureIncident(detail, { impactStartedAt: T(0) }).timeToDetectMs).toBeNull();
    expect(measureIncident(detail, { impactStartedAt: T(-1) }).timeToDetectMs).toBe(MIN);
  });
});

describe('measureIncident of an incident declared by hand', () => {
  const declaration = { title: 'Login broken', services: ['login'], severity: 'critical', startedAt: T(0), endedAt: T(60), missedByMonitoring: true, declaredBy: 'alice', declaredAt: T(90) };
  const declared = (alerts: ReturnType<typeof alert>[]) => {
    // The fixture needs an alert to build the incident from; a declared incident may have none.
    const detail = incidentDetail(alerts.length ? alerts : [alert({ labels: { alertname: 'Placeholder' }, startsAt: T(0) })]);
    return { ...detail, alerts, incident: { ...detail.incident, startedAt: T(0), endedAt: T(60), services: ['login'], declaration } };
  };

  it('when no alert was ever moved in, then there is no first alert: detect and acknowledge are unknown, resolve runs from the declared start', () => {
    const m = measureIncident(declared([]));
    expect(m).toMatchObject({
      firstAlertAt: null, impactStartedAt: T(0), impactStartSource: 'human', missedByMonitoring: true,
      timeToDetectMs: null, timeToAcknowledgeMs: null, timeToResolveMs: 60 * MIN,
    });
  });

  it('when an alert that fired later was moved in, then time to detect runs from the declared start to it', () => {
    const m = measureIncident(declared([alert({ labels: { alertname: 'LoginErrors' }, startsAt: T(25), endsAt: T(50) })]));
    expect(m).toMatchObject({ firstAlertAt: T(25), timeToDetectMs: 25 * MIN });
    expect(aggregateMeasures([m]).overall).toMatchObject({ count: 1, missedByMonitoringCount: 1, detectedCount: 1 });
  });
});

describe('aggregateMeasures', () => {
  const incident = (id: string, service: string[], severity: string, ackMin: number | null, resolveMin: number | null) => {
    const alerts = service.map((s, i) => alert({ labels: { alertname: `A${i}`, service: s, severity }, startsAt: T(0), endsAt: resolveMin === null ? null : T(resolveMin) }, id));
    const events = ackMin === null ? [] : [event('pagerduty.acknowledged', T(ackMin), 'ack', id)];
    return measureIncident(incidentDetail(alerts, events, id), {}, SERVICE_LABELS);
  };

  it('when incidents span services and severities, then counts and means are given overall, per service and per severity', () => {
    const stats = aggregateMeasures([
      incident('i1', ['api'], 'critical', 2, 10),
      incident('i2', ['api', 'db'], 'critical', 6, 30),
      incident('i3', ['db'], 'warning', null, null),
    ]);
    expect(stats.overall).toEqual({ count: 3, missedByMonitoringCount: 0, detectedCount: 0, acknowledgedCount: 2, mitigatedCount: 0, resolvedCount: 2, mttdMs: null, mttaMs: 4 * MIN, mttmMs: null, mttrMs: 20 * MIN });
    expect(stats.byService).toEqual([
      { service: 'api', count: 2, missedByMonitoringCount: 0, detectedCount: 0, acknowledgedCount: 2, mitigatedCount: 0, resolvedCount: 2, mttdMs: null, mttaMs: 4 * MIN, mttmMs: null, mttrMs: 20 * MIN },
      { service: 'db', count: 2, missedByMonitoringCount: 0, detectedCount: 0, acknowledgedCount: 1, mitigatedCount: 0, resolvedCount: 1, mttdMs: null, mttaMs: 6 * MIN, mttmMs: null, mttrMs: 30 * MIN },
    ]);
    expect(stats.bySeverity.map((s) => [s.severity, s.count, s.mttaMs, s.mttrMs])).toEqual([
      ['critical', 2, 4 * MIN, 20 * MIN],
      ['warning', 1, null, null],
    ]);
  });

  it('when there are no incidents, then counts are zero and means null', () => {
    expect(aggregateMeasures([])).toEqual({
      overall: { count: 0, missedByMonitoringCount: 0, detectedCount: 0, acknowledgedCount: 0, mitigatedCount: 0, resolvedCount: 0, mttdMs: null, mttaMs: null, mttmMs: null, mttrMs: null },
      byService: [], bySeverity: [],
    });
  });
});
