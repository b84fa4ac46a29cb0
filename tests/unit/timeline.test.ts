import { buildTimeline } from '../../src/domain/timeline';
import { deepFreeze, makeAlert, makeEvent } from '../support/domain-builders';

const SERVICE_LABELS = ['service', 'app', 'job'];

describe('buildTimeline', () => {
  it('when an alert fires and resolves, then there is one fired entry at startsAt and one resolved entry at endsAt', () => {
    const alert = makeAlert({
      id: 'a1', labels: { alertname: 'HighErrorRate', service: 'checkout' }, annotations: { summary: '5xx at 27%' },
      startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:20:00.000Z', lastSeenAt: '2026-11-26T15:00:00.000Z',
    });
    expect(buildTimeline([alert], [], SERVICE_LABELS)).toEqual([
      { at: '2026-11-26T14:00:00.000Z', kind: 'alert.fired', source: 'alertmanager', text: 'HighErrorRate fired on checkout: 5xx at 27%', actor: null, alertId: 'a1', eventId: null },
      { at: '2026-11-26T14:20:00.000Z', kind: 'alert.resolved', source: 'alertmanager', text: 'HighErrorRate resolved on checkout', actor: null, alertId: 'a1', eventId: null },
    ]);
  });

  it('when an alert still fires, then it has a fired entry only', () => {
    const entries = buildTimeline([makeAlert({ labels: { alertname: 'Up' } })], [], SERVICE_LABELS);
    expect(entries.map((e) => [e.kind, e.text])).toEqual([['alert.fired', 'Up fired']]);
  });

  it('when a notification was re-sent many times, then the alert still gives one fired entry', () => {
    const entries = buildTimeline([makeAlert({ notificationCount: 12 })], [], SERVICE_LABELS);
    expect(entries).toHaveLength(1);
  });

  it('when incident events exist, then they are merged in time order with their source taken from the kind', () => {
    const entries = buildTimeline(
      [
        makeAlert({ id: 'late', labels: { alertname: 'Late' }, startsAt: '2026-11-26T14:10:00.000Z' }),
        makeAlert({ id: 'early', labels: { alertname: 'Early' }, startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:20:00.000Z' }),
      ],
      [makeEvent({ id: 'ev1', at: '2026-11-26T14:05:00.000Z', kind: 'pagerduty.acknowledged', text: 'Acknowledged', actor: 'Jane SRE' })],
      SERVICE_LABELS,
    );
    expect(entries.map((e) => [e.at, e.kind, e.source, e.alertId ?? e.eventId])).toEqual([
      ['2026-11-26T14:00:00.000Z', 'alert.fired', 'alertmanager', 'early'],
      ['2026-11-26T14:05:00.000Z', 'pagerduty.acknowledged', 'pagerduty', 'ev1'],
      ['2026-11-26T14:10:00.000Z', 'alert.fired', 'alertmanager', 'late'],
      ['2026-11-26T14:20:00.000Z', 'alert.resolved', 'alertmanager', 'early'],
    ]);
    expect(entries[1]!.actor).toBe('Jane SRE');
  });

  it('when entries share a time, then fired comes before other events, and resolved after them', () => {
    const t = '2026-11-26T14:00:00.000Z';
    const entries = buildTimeline(
      [
        makeAlert({ labels: { alertname: 'Gone' }, startsAt: '2026-11-26T13:00:00.000Z', endsAt: t }),
        makeAlert({ labels: { alertname: 'New' }, startsAt: t }),
      ],
      [makeEvent({ at: t, kind: 'human.note', text: 'note' })],
      SERVICE_LABELS,
    );
    expect(entries.slice(1).map((e) => e.kind)).toEqual(['alert.fired', 'human.note', 'alert.resolved']);
  });

  it('when alerts come from Grafana, then their entries say so', () => {
    expect(buildTimeline([makeAlert({ source: 'grafana' })], [], SERVICE_LABELS)[0]!.source).toBe('grafana');
  });

  it('when inputs are frozen, then it does not mutate them and the order of inputs does not matter', () => {
    const alerts = deepFreeze([
      makeAlert({ labels: { alertname: 'B' }, startsAt: '2026-11-26T14:00:00.000Z' }),
      makeAlert({ labels: { alertname: 'A' }, startsAt: '2026-11-26T14:00:00.000Z' }),
    ]);
    const events = deepFreeze([makeEvent()]);
    const forward = buildTimeline(alerts, events, SERVICE_LABELS);
    expect(buildTimeline([...alerts].reverse(), events, SERVICE_LABELS)).toEqual(forward);
    expect(forward.map((e) => e.text)).toEqual(['A fired', 'B fired', 'Acknowledged']);
  });
});
