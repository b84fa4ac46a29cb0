import type { AlertObservation } from '../../src/domain/alert';
import { correlationRulesSchema } from '../../src/domain/correlation/rule-config';
import { Harness, observation, rng, type AlertSpec } from '../support/correlation-harness';

/**
 * Event time and determinism: alerts delivered late or out of order land where they would
 * have landed in order, and replaying a history gives the same incidents.
 */

const SHOP = [
  { name: 'frontend', dependsOn: ['checkout'] },
  { name: 'checkout', dependsOn: ['orders'] },
  { name: 'billing', dependsOn: ['orders'] },
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'orders-db' },
  { name: 'search', dependsOn: ['search-index'] },
  { name: 'search-index' },
  { name: 'api' },
  { name: 'cache' },
  { name: 'disks' },
];

interface Firing extends AlertSpec { end: number }

/** A recorded afternoon: each firing as Alertmanager reports it (group per alertname/service/cluster). */
const HISTORY: Firing[] = [
  // A database outage cascading to its callers (eu1).
  { name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 0, end: 25 },
  { name: 'HighErrorRate', service: 'orders', cluster: 'eu1', start: 2, end: 24 },
  { name: 'HighLatency', service: 'checkout', cluster: 'eu1', start: 4, end: 26 },
  { name: 'HighErrorRate', service: 'frontend', cluster: 'eu1', start: 6, end: 27 },
  // Unrelated, at the same time, same cluster.
  { name: 'SearchSlow', service: 'search', cluster: 'eu1', start: 3, end: 15 },
  // Flapping.
  ...[60, 64, 68, 72].map((m) => ({ name: 'QueueBacklog', service: 'billing', cluster: 'eu1', start: m, end: m + 2 })),
  // The same service failing twice, hours apart.
  { name: 'ServiceDown', service: 'payments', cluster: 'eu1', start: 90, end: 100 },
  { name: 'ServiceDown', service: 'payments', cluster: 'eu1', start: 270, end: 280 },
  // One failure seen in two clusters.
  { name: 'HighErrorRate', service: 'api', cluster: 'eu1', start: 120, end: 130 },
  { name: 'HighErrorRate', service: 'api', cluster: 'us1', start: 121, end: 131 },
  // One-off noise.
  { name: 'DiskSlow', service: 'disks', cluster: 'eu1', start: 150, end: 151 },
  // A chain of short alerts on one service, each 7 min after the previous ended.
  { name: 'CacheMissA', service: 'cache', cluster: 'eu1', start: 300, end: 301 },
  { name: 'CacheMissB', service: 'cache', cluster: 'eu1', start: 308, end: 309 },
  { name: 'CacheMissC', service: 'cache', cluster: 'eu1', start: 316, end: 317 },
];

const EXPECTED = [
  ['DatabaseDown', 'HighErrorRate@orders', 'HighLatency', 'HighErrorRate@frontend'],
  ['SearchSlow'],
  ['QueueBacklog@60', 'QueueBacklog@64', 'QueueBacklog@68', 'QueueBacklog@72'],
  ['ServiceDown@90'],
  ['ServiceDown@270'],
  ['HighErrorRate@120', 'HighErrorRate@121'],
  ['DiskSlow'],
  ['CacheMissA', 'CacheMissB', 'CacheMissC'],
];

interface Notification {
  /** Minutes after T0 when Alertmanager sent it. */
  sentAt: number;
  alerts: AlertObservation[];
}

/** Firing notification after group_wait (30 s), a repeat 4 h later if still firing, resolved after group_interval. */
function notifications(history: Firing[]): Notification[] {
  const out: Notification[] = [];
  for (const f of history) {
    const spec = { ...f, group: `{}:{alertname="${f.name}", cluster="${f.cluster}", service="${f.service}"}` };
    const { end: _end, ...firing } = spec;
    out.push({ sentAt: f.start + 0.5, alerts: [observation(firing)] });
    out.push({ sentAt: f.end + 1, alerts: [observation(spec)] });
  }
  return out.sort((a, b) => a.sentAt - b.sentAt);
}

async function replay(list: Notification[]): Promise<string[][]> {
  const h = await Harness.open({ services: SHOP });
  try {
    for (const n of list) await h.record(...n.alerts);
    return await h.partition();
  } finally {
    await h.close();
  }
}

/** Each notification delayed by up to `maxDelay` minutes (retries, a slow network), delivered in arrival order. */
function delayed(list: Notification[], seed: number, maxDelay: number): Notification[] {
  const next = rng(seed);
  return list.map((n) => ({ n, arrives: n.sentAt + next() * maxDelay })).sort((a, b) => a.arrives - b.arrives).map((x) => x.n);
}

const nameOf = (identity: string, byIdentity: Map<string, Firing>): string => {
  const f = byIdentity.get(identity)!;
  const dup = HISTORY.filter((x) => x.name === f.name).length > 1;
  if (!dup) return f.name;
  const sameService = HISTORY.filter((x) => x.name === f.name && x.service === f.service).length > 1;
  return sameService ? `${f.name}@${f.start}` : `${f.name}@${f.service}`;
};

describe('replaying a recorded history', () => {
  const byIdentity = new Map(HISTORY.map((f) => {
    const o = observation(f);
    return [`${o.fingerprint}@${o.startsAt}`, f] as const;
  }));
  const named = (p: string[][]) => p.map((g) => g.map((id) => nameOf(id, byIdentity)).sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
  let inOrder: string[][];

  beforeAll(async () => { inOrder = await replay(notifications(HISTORY)); });

  it('when delivered in order, then the default rules give the true incidents', () => {
    expect(named(inOrder)).toEqual(EXPECTED.map((g) => [...g].sort()).sort((a, b) => a[0]!.localeCompare(b[0]!)));
  });

  it('when the same history is replayed again, then the incidents are the same', async () => {
    expect(await replay(notifications(HISTORY))).toEqual(inOrder);
  });

  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('when notifications arrive up to 10 min late in shuffled order (seed %i), then the incidents are the same', async (seed) => {
    const shuffled = delayed(notifications(HISTORY), seed, 10);
    expect(await replay(shuffled)).toEqual(inOrder);
  });

  it('when every notification arrives in reverse order, then the incidents are the same', async () => {
    expect(await replay([...notifications(HISTORY)].reverse())).toEqual(inOrder);
  });
});

describe('late alerts', () => {
  const rules = correlationRulesSchema.parse([{ name: 'same-service', sameLabels: ['@service'], windowMinutes: 10 }]);

  it('when the middle alert of a chain arrives last, then it merges the two incidents it links and says so', async () => {
    const h = await Harness.open({ rules });
    await h.record({ name: 'A', service: 'cache', start: 0, end: 1, group: null });
    const [c] = await h.record({ name: 'C', service: 'cache', start: 16, group: null });
    expect(c!.decision.kind).toBe('new-incident');
    const [b] = await h.record({ name: 'B', service: 'cache', start: 8, end: 9, group: null });
    const incidents = await h.incidents();
    expect(incidents).toHaveLength(1);
    const [only] = incidents;
    expect(only!.alerts.map((a) => a.labels.alertname)).toEqual(['A', 'B', 'C']);
    // Gaps count from onsets: B started 8 min after A did.
    expect(b!.decision).toMatchObject({ rule: 'same-service', gapMs: 8 * 60_000, evidence: { strength: 'strong' } });
    const movedC = only!.alerts.find((a) => a.labels.alertname === 'C')!;
    expect(movedC.decision.rule).toBe('late-alert-merge');
    expect(movedC.decision.explanation).toMatch(/^Merged incident "C on cache" into this one because B, which started at .* but arrived after that incident opened, links both \(rule same-service: same service="cache"; strong evidence \(score [0-9.]+\)\); in event-time order they would have formed one incident\. Before: Opened a new incident/);
    // B started 7 min after A ended (quiet period 5 min): it also reopened A's incident.
    expect(only!.events.map((e) => [e.kind, e.actor])).toEqual([['incident.reopened', null], ['correlation.merged', 'debrief']]);
    const merged = await h.incidents('merged');
    expect(merged).toHaveLength(1);
    expect(merged[0]!.incident).toMatchObject({ status: 'merged', mergedInto: only!.incident.id, alertCount: 0 });
    await h.close();
  });

  it('when a late alert links an incident a person split off, then the split is not undone', async () => {
    const h = await Harness.open({ rules });
    await h.record({ name: 'A', service: 'cache', start: 0, end: 1, group: null });
    await h.record({ name: 'C', service: 'cache', start: 5, group: null });
    const c = await h.alert('C', 5);
    const { newIncident } = await h.store.splitIncident(c.incidentId, [c.id], h.correction('alice'));
    // B started between A and C: linked to both, but the person said C is separate.
    const [b] = await h.record({ name: 'B', service: 'cache', start: 3, end: 4, group: null });
    expect((await h.store.getIncident(newIncident.id))!.incident.status).toBe('open');
    expect((await h.incidents()).map((d) => d.alerts.length).sort()).toEqual([1, 2]);
    expect(b!.incidentId).toBe((await h.alert('A', 0)).incidentId);
    await h.close();
  });

  it('when an alert arrives before the alert it depends on, then both land in one incident whichever comes first', async () => {
    for (const order of [[0, 1], [1, 0]]) {
      const h = await Harness.open({ services: SHOP });
      const batch: AlertSpec[] = [
        { name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 0 },
        { name: 'HighErrorRate', service: 'orders', cluster: 'eu1', start: 3 },
      ];
      for (const i of order) await h.record(batch[i]!);
      expect((await h.incidents()).length).toBe(1);
      await h.close();
    }
  });
});
