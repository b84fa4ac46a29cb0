import type { Alert } from '../../src/domain/alert';
import { facetsOf } from '../../src/domain/incident-facets';
import { buildTimeline, REPEATS_SUMMED_FROM } from '../../src/domain/timeline';
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

  it('when alerts of one name on one service would read the same, then each line names the label that tells them apart (pod first)', () => {
    const pod = (n: number, extra: Record<string, string> = {}) => makeAlert({
      id: `p${n}`, labels: { alertname: 'HighErrorRate', service: 'checkout', pod: `checkout-${n}`, namespace: 'shop', ...extra },
      startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:20:05.000Z',
    });
    const lone = makeAlert({ id: 'lone', labels: { alertname: 'Latency', service: 'checkout', pod: 'checkout-1' }, startsAt: '2026-11-26T14:01:00.000Z' });
    const entries = buildTimeline([pod(1), pod(2, { instance: '10.0.0.2' }), pod(3), lone], [], SERVICE_LABELS);
    expect(entries.filter((e) => e.kind === 'alert.resolved').map((e) => e.text)).toEqual([
      'HighErrorRate resolved on checkout (pod checkout-1)',
      'HighErrorRate resolved on checkout (pod checkout-2)',
      'HighErrorRate resolved on checkout (pod checkout-3)',
    ]);
    expect(entries.find((e) => e.alertId === 'p2' && e.kind === 'alert.fired')?.text).toBe('HighErrorRate fired on checkout (pod checkout-2)');
    // Alone of its name and service: nothing added.
    expect(entries.find((e) => e.alertId === 'lone')?.text).toBe('Latency fired on checkout');
    // Without pod or instance, whichever label differs says it.
    const zones = buildTimeline([
      makeAlert({ id: 'z1', labels: { alertname: 'DiskFull', service: 'db', zone: 'eu-1' } }),
      makeAlert({ id: 'z2', labels: { alertname: 'DiskFull', service: 'db', zone: 'eu-2' } }),
    ], [], SERVICE_LABELS);
    expect(zones.map((e) => e.text).sort()).toEqual(['DiskFull fired on db (zone eu-1)', 'DiskFull fired on db (zone eu-2)']);
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

describe('buildTimeline: repeated firings summed up', () => {
  const firing = (i: number, overrides: Partial<Alert> = {}) => makeAlert({
    id: `a${String(i).padStart(3, '0')}`, labels: { alertname: 'HighErrorRate', service: 'checkout', pod: `p${i}`, cluster: i % 2 ? 'eu-1' : 'eu-2' },
    startsAt: `2026-11-26T14:${String(i).padStart(2, '0')}:00.000Z`, endsAt: `2026-11-26T14:${String(i).padStart(2, '0')}:30.000Z`, status: 'resolved', ...overrides,
  });

  it(`when one alert fired fewer than ${REPEATS_SUMMED_FROM} times, then each firing is its own line`, () => {
    const entries = buildTimeline(Array.from({ length: REPEATS_SUMMED_FROM - 1 }, (_, i) => firing(i)), [], SERVICE_LABELS);
    expect(entries.filter((e) => e.kind === 'alert.fired')).toHaveLength(REPEATS_SUMMED_FROM - 1);
    expect(entries.every((e) => e.count === undefined)).toBe(true);
  });

  it(`when one alert fired ${REPEATS_SUMMED_FROM} times or more, then one line says how often, where and between when, and one when the last ended`, () => {
    const alerts = [...Array.from({ length: 12 }, (_, i) => firing(i)), makeAlert({ id: 'other', labels: { alertname: 'Other', service: 'cart' }, startsAt: '2026-11-26T14:03:00.000Z' })];
    const entries = buildTimeline(alerts, [], SERVICE_LABELS);
    expect(entries.map((e) => [e.at, e.kind, e.text, e.count])).toEqual([
      ['2026-11-26T14:00:00.000Z', 'alert.fired', 'HighErrorRate fired 12 times on checkout between 14:00 and 14:11 UTC, in 2 clusters (eu-1, eu-2)', 12],
      ['2026-11-26T14:03:00.000Z', 'alert.fired', 'Other fired on cart', undefined],
      ['2026-11-26T14:11:30.000Z', 'alert.resolved', 'HighErrorRate resolved on checkout: the last of its 12 firings ended', 12],
    ]);
  });

  it('when some still fire, then the line says how many and there is no resolved line', () => {
    const alerts = Array.from({ length: 8 }, (_, i) => firing(i, i >= 5 ? { status: 'firing', endsAt: null } : {}));
    const entries = buildTimeline(alerts, [], SERVICE_LABELS);
    expect(entries.map((e) => e.text)).toEqual(['HighErrorRate fired 8 times on checkout between 14:00 and 14:07 UTC, in 2 clusters (eu-1, eu-2); 3 still firing']);
  });

  it('when the alerts are a sample of a larger incident, then every facet is told from the store\'s sums, small ones too', () => {
    const sample = [firing(0)];
    const facets = facetsOf(Array.from({ length: 3 }, (_, i) => firing(i)), SERVICE_LABELS);
    const entries = buildTimeline(sample, [], SERVICE_LABELS, { facets: [{ ...facets[0]!, alerts: 3000, lastStartAt: '2026-11-27T09:10:00.000Z' }], alertsOmitted: 2999 });
    expect(entries.map((e) => e.text)).toEqual([
      'HighErrorRate fired 3,000 times on checkout between 2026-11-26 14:00 and 2026-11-27 09:10 UTC, in 2 clusters (eu-1, eu-2)',
      'HighErrorRate resolved on checkout: the last of its 3,000 firings ended',
    ]);
  });
});
