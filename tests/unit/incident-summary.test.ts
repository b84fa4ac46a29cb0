import { summarizeIncident } from '../../src/domain/incident-summary';
import { deepFreeze, makeAlert } from '../support/domain-builders';

const SERVICE_LABELS = ['service', 'app', 'job'];

describe('summarizeIncident', () => {
  it('when there are no alerts, then it refuses (an incident always has one)', () => {
    expect(() => summarizeIncident([], SERVICE_LABELS)).toThrow(/at least one alert/);
  });

  it('when one alert fires, then the incident is open from its start with its name, service and severity', () => {
    const s = summarizeIncident([makeAlert({ labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, startsAt: '2026-11-26T14:00:00.000Z' })], SERVICE_LABELS);
    expect(s).toEqual({
      title: 'HighErrorRate on checkout',
      status: 'open',
      severity: 'critical',
      services: ['checkout'],
      startedAt: '2026-11-26T14:00:00.000Z',
      endedAt: null,
      lastActivityAt: '2026-11-26T14:00:00.000Z',
      alertCount: 1,
    });
  });

  it('when some alerts resolved and one still fires, then it stays open and its activity is the latest event time', () => {
    const s = summarizeIncident([
      makeAlert({ startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:30:00.000Z' }),
      makeAlert({ startsAt: '2026-11-26T14:10:00.000Z' }),
    ], SERVICE_LABELS);
    expect(s).toMatchObject({ status: 'open', endedAt: null, startedAt: '2026-11-26T14:00:00.000Z', lastActivityAt: '2026-11-26T14:30:00.000Z' });
  });

  it('when every alert resolved, then it is resolved at the latest alert end (event time, not arrival)', () => {
    const s = summarizeIncident([
      makeAlert({ startsAt: '2026-11-26T14:10:00.000Z', endsAt: '2026-11-26T14:40:00.000Z', lastSeenAt: '2026-11-26T16:00:00.000Z' }),
      makeAlert({ startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:20:00.000Z' }),
    ], SERVICE_LABELS);
    expect(s).toMatchObject({ status: 'resolved', startedAt: '2026-11-26T14:00:00.000Z', endedAt: '2026-11-26T14:40:00.000Z', lastActivityAt: '2026-11-26T14:40:00.000Z' });
  });

  it('when a resolved alert carries no end time (hand-made sender), then the incident ends at its last activity', () => {
    const s = summarizeIncident([makeAlert({ status: 'resolved', endsAt: null, startsAt: '2026-11-26T14:00:00.000Z' })], SERVICE_LABELS);
    expect(s).toMatchObject({ status: 'resolved', endedAt: '2026-11-26T14:00:00.000Z' });
  });

  it('when severities differ, then the worst one wins, lower-cased', () => {
    const s = summarizeIncident([
      makeAlert({ labels: { alertname: 'A', severity: 'warning' } }),
      makeAlert({ labels: { alertname: 'B', severity: 'Critical' } }),
      makeAlert({ labels: { alertname: 'C', severity: 'info' } }),
      makeAlert({ labels: { alertname: 'D' } }),
    ], SERVICE_LABELS);
    expect(s.severity).toBe('critical');
  });

  it('when no alert has a severity label, then severity is null', () => {
    expect(summarizeIncident([makeAlert({ labels: { alertname: 'A' } })], SERVICE_LABELS).severity).toBeNull();
  });

  it('when services come from different labels, then the first configured label present names each, in start order, once', () => {
    const s = summarizeIncident([
      makeAlert({ labels: { alertname: 'A', job: 'node', app: 'cart' }, startsAt: '2026-11-26T14:02:00.000Z' }),
      makeAlert({ labels: { alertname: 'B', service: 'checkout', app: 'ignored' }, startsAt: '2026-11-26T14:01:00.000Z' }),
      makeAlert({ labels: { alertname: 'C', job: 'node' }, startsAt: '2026-11-26T14:03:00.000Z' }),
      makeAlert({ labels: { alertname: 'D', service: 'checkout' }, startsAt: '2026-11-26T14:04:00.000Z' }),
    ], SERVICE_LABELS);
    expect(s.services).toEqual(['checkout', 'cart', 'node']);
  });

  it('when many alert names and services are involved, then the title names the first ones and counts the rest', () => {
    const alerts = ['A', 'B', 'C', 'D'].map((name, i) => makeAlert({
      labels: { alertname: name, service: `svc-${i}` }, startsAt: `2026-11-26T14:0${i}:00.000Z`,
    }));
    alerts.push(makeAlert({ labels: { alertname: 'A', service: 'svc-4' }, startsAt: '2026-11-26T14:05:00.000Z' }));
    expect(summarizeIncident(alerts, SERVICE_LABELS).title).toBe('A, B and 2 more on svc-0, svc-1, svc-2 and 2 more');
  });

  it('when no alert names a service, then the title has only the alert names', () => {
    expect(summarizeIncident([makeAlert({ labels: { alertname: 'Watchdog' } })], SERVICE_LABELS).title).toBe('Watchdog');
    expect(summarizeIncident([makeAlert({ labels: {} })], SERVICE_LABELS).title).toBe('(unnamed alert)');
  });

  it('when given frozen alerts in any order, then it does not mutate them and the result does not depend on order', () => {
    const alerts = deepFreeze([
      makeAlert({ id: 'b', labels: { alertname: 'B', service: 's2' }, startsAt: '2026-11-26T14:00:00.000Z' }),
      makeAlert({ id: 'a', labels: { alertname: 'A', service: 's1' }, startsAt: '2026-11-26T14:00:00.000Z' }),
    ]);
    const forward = summarizeIncident(alerts, SERVICE_LABELS);
    expect(summarizeIncident([...alerts].reverse(), SERVICE_LABELS)).toEqual(forward);
    expect(forward.title).toBe('A, B on s1, s2');
  });
});
