import type { AmWebhookBody } from '../../bench/correlation/alertmanager-render';
import { crossClusterCallShare, generateDenseTopology, meanDependsOn } from '../../bench/correlation/dense-topology';
import { falseMerges } from '../../bench/correlation/false-merges';
import { createRng } from '../../bench/correlation/rng';
import { CENTRAL_KNOBS, SEED_SETS, selectCells, SWEEP_CELLS, SWEEP_WORLDS } from '../../bench/correlation/sweep-cells';
import { cellTargets, type CellFigures } from '../../bench/correlation/sweep';
import { generateWorldHistory, WORLD_SIZE, type WorldHistory, type WorldKnobs } from '../../bench/correlation/world';
import { measureWorld, type WorldMeasures } from '../../bench/correlation/world-measures';
import { firingKey, parseGroundTruth } from '../../src/cli/backtest/ground-truth';
import type { IncidentDetail } from '../../src/domain/incident';

const SEEDS = [11, 12, 13];
const MIN = 60_000;

const cache = new Map<string, WorldHistory>();
function world(seed: number, change: Partial<WorldKnobs> = {}): WorldHistory {
  const knobs = { ...CENTRAL_KNOBS, ...change };
  const key = `${seed}|${JSON.stringify(knobs)}`;
  let h = cache.get(key);
  if (!h) cache.set(key, (h = generateWorldHistory(seed, knobs)));
  return h;
}
const measures = (seed: number, change: Partial<WorldKnobs> = {}): WorldMeasures => {
  const h = world(seed, change);
  return measureWorld(h.topology, h.graph, h.plan);
};
/** A share pooled over the seeds: numerator and denominator summed, not the shares averaged. */
function pooled(change: Partial<WorldKnobs>, count: (h: WorldHistory) => [number, number]): number {
  let n = 0;
  let d = 0;
  for (const seed of SEEDS) { const [a, b] = count(world(seed, change)); n += a; d += b; }
  return n / d;
}

const topology = (seed: number, dependsOnMean: number, crossClusterShare = 0) =>
  generateDenseTopology(createRng(seed), { services: WORLD_SIZE.services, clusters: WORLD_SIZE.clusters, dependsOnMean, crossClusterShare });

describe('dense topology (sweep knobs dependsOn and cross-cluster share)', () => {
  it.each([1, 2, 3, 4])('when the mean dependsOn is set to %d, then edges per service measure within 0.05 of it and the graph is a DAG of known services', (mean) => {
    for (const seed of SEEDS) {
      const t = topology(seed, mean);
      expect(Math.abs(meanDependsOn(t) - mean)).toBeLessThanOrEqual(0.05);
      const index = new Map(t.services.map((s, i) => [s.name, i]));
      for (const [i, s] of t.services.entries()) {
        expect(new Set(s.dependsOn).size).toBe(s.dependsOn.length);
        for (const d of s.dependsOn) expect(index.get(d)).toBeLessThan(i);
      }
    }
  });

  it('when the graph is denser, then hubs get more callers and shared infrastructure is among the most called', () => {
    for (const seed of SEEDS) {
      const maxCallers = (m: number) => { const t = topology(seed, m); return Math.max(...t.services.map((s) => t.callers.get(s.name)!.length)); };
      expect(maxCallers(4)).toBeGreaterThan(maxCallers(1));
      const t = topology(seed, 4);
      const top = [...t.services].sort((a, b) => t.callers.get(b.name)!.length - t.callers.get(a.name)!.length).slice(0, 5).map((s) => s.name);
      expect(top.some((n) => ['kafka-main', 'redis-shared', 'postgres-shared', 'auth-api'].includes(n))).toBe(true);
    }
  });

  it.each([0, 0.15, 0.3])('when the cross-cluster share is set to %d, then the measured share of calls leaving their cluster is within 0.02 of it', (share) => {
    for (const seed of SEEDS) {
      const t = topology(seed, 2, share);
      expect(Math.abs(crossClusterCallShare(t.services, t.deployedIn) - share)).toBeLessThanOrEqual(0.02);
      if (share === 0) for (const s of t.services) expect(t.deployedIn.get(s.name)).toEqual(WORLD_SIZE.clusters);
    }
  });

  it('when calls cross clusters, then a failure of a service homed in one cluster shows alerts in several clusters, as one true incident', () => {
    const spanning = (change: Partial<WorldKnobs>) => SEEDS.flatMap((seed) => world(seed, change).truth.incidents)
      .filter((i) => i.kind === 'cascade' && new Set(i.firings.map((f) => f.cluster)).size > 1);
    expect(spanning({ crossClusterShare: 0.3 }).length).toBeGreaterThan(0);
    expect(spanning({ crossClusterShare: 0 })).toHaveLength(0);
  });
});

describe('world scenarios (sweep knobs)', () => {
  it.each([0.3, 0.5, 0.7])('when noise near failures is set to %d, then that share of one-off noise starts during a failure within 2 hops of it', (share) => {
    const measured = pooled({ noiseNearShare: share }, (h) => {
      const m = measureWorld(h.topology, h.graph, h.plan);
      const oneOff = h.plan.noise.filter((n) => !n.chronic).length;
      return [m.noiseNearShare! * oneOff, oneOff];
    });
    expect(Math.abs(measured - share)).toBeLessThanOrEqual(0.08);
  });

  it('when noise is placed, then it is one alert, its own true incident, and never on a service failing at that time', () => {
    for (const seed of SEEDS) {
      const h = world(seed, { noiseNearShare: 0.7 });
      const truthById = new Map(h.truth.incidents.map((i) => [i.id, i]));
      for (const n of h.plan.noise) {
        const inc = truthById.get(n.incidentId);
        if (inc) expect(inc.firings).toHaveLength(1);
        if (n.chronic) continue;
        const service = n.instance.slice(0, n.instance.lastIndexOf('@'));
        for (const f of h.plan.failures) {
          const failing = f.affected.some((a) => a.instance.startsWith(`${service}@`));
          if (failing) expect(n.startsAt > f.to + 10 * MIN || n.endsAt < f.from - 10 * MIN).toBe(true);
        }
      }
    }
  });

  it('when concurrent failures near each other are on, then pairs of separate incidents start within 5 minutes 1-2 hops apart; off, none do', () => {
    for (const seed of SEEDS) {
      const on = world(seed, { concurrentNear: true });
      expect(measures(seed, { concurrentNear: true }).concurrentNearPairs).toBeGreaterThan(0);
      const concurrent = on.plan.failures.filter((f) => f.kind === 'concurrent');
      const pairs = concurrent.filter((a) => concurrent.some((b) => b !== a && b.incidentId !== a.incidentId && on.graph.distance(a.root, b.root, 2) <= 2 && Math.abs(a.affected[0]!.onset - b.affected[0]!.onset) <= 5 * MIN));
      expect(pairs.length).toBeGreaterThanOrEqual(2);
      expect(measures(seed, { concurrentNear: false }).concurrentNearPairs).toBe(0);
    }
  });

  it('when chronic alerts are high, then more alerts fire for hours, more of them on instances that take part in a failure, started before it', () => {
    for (const seed of SEEDS) {
      const low = measures(seed, { chronic: 'low' });
      const high = measures(seed, { chronic: 'high' });
      expect(high.chronicFirings).toBeGreaterThanOrEqual(2 * low.chronicFirings);
      expect(high.chronicOnFailingInstances).toBeGreaterThan(low.chronicOnFailingInstances);
      const h = world(seed, { chronic: 'high' });
      const before = h.plan.noise.filter((n) => n.chronic && n.placedNear && n.startsAt < h.plan.failures.find((f) => f.incidentId === n.placedNear)!.from);
      expect(before.length).toBeGreaterThan(0);
    }
  });

  it('when timing is fast, then callers alert 45 s-4 min after their dependency; when slow, 1-10 min and later on average', () => {
    const delays = (timing: 'fast' | 'slow') => SEEDS.flatMap((seed) => world(seed, { timing }).plan.failures.flatMap((f) => {
      const onset = new Map(f.affected.map((a) => [a.instance, a.onset]));
      return f.affected.filter((a) => a.from !== null).map((a) => (a.onset - onset.get(a.from!)!) / MIN);
    }));
    const fast = delays('fast');
    const slow = delays('slow');
    expect(Math.min(...fast)).toBeGreaterThanOrEqual(0.75);
    expect(Math.max(...fast)).toBeLessThanOrEqual(4);
    expect(Math.min(...slow)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...slow)).toBeLessThanOrEqual(10);
    expect(Math.max(...slow)).toBeGreaterThan(6);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(slow) - avg(fast)).toBeGreaterThan(1.5);
  });

  it.each([[0, 0, 0.12], [0.3, 0.18, 0.45], [0.6, 0.45, 0.75]])('when the root-late share is %d, then the measured share of spreading failures whose root alert starts after its callers\' first symptom is in [%d, %d]', (share, lo, hi) => {
    const measured = pooled({ rootLateShare: share }, (h) => {
      const m = measureWorld(h.topology, h.graph, h.plan);
      const spreading = h.plan.failures.filter((f) => f.affected.length > 1).length;
      return [m.rootLateShare! * spreading, spreading];
    });
    expect(measured).toBeGreaterThanOrEqual(lo);
    expect(measured).toBeLessThanOrEqual(hi);
  });

  it('when the root-late share changes, then the failures and their callers\' alerts stay where they were', () => {
    for (const seed of SEEDS) {
      const a = world(seed, { rootLateShare: 0 });
      const b = world(seed, { rootLateShare: 0.6 });
      expect(b.catalogYaml).toBe(a.catalogYaml);
      expect(b.plan.failures.map((f) => [f.incidentId, f.affected])).toEqual(a.plan.failures.map((f) => [f.incidentId, f.affected]));
      const symptoms = (h: WorldHistory) => {
        const roots = new Set(h.plan.failures.map((f) => `${f.incidentId}|${f.root}`));
        const failing = new Set(h.plan.failures.map((f) => f.incidentId));
        return h.plan.firings
          .filter((f) => failing.has(f.incidentId) && !roots.has(`${f.incidentId}|${f.labels.service}@${f.labels.cluster}`))
          .map((f) => `${f.incidentId} ${f.fingerprint} ${f.startsAt} ${f.endsAt}`).sort();
      };
      expect(symptoms(b)).toEqual(symptoms(a));
    }
  });

  it('when routing varies, then the groups are Alertmanager\'s for that group_by', () => {
    const keys = (routing: WorldKnobs['routing']) => new Set(world(SEEDS[0]!, { routing }).lines.map((l) => (l.body as AmWebhookBody).groupKey));
    for (const k of keys('by-service')) expect(k).toMatch(/^\{\}:\{alertname="[^"]+", cluster="[^"]+", service="[^"]+"\}$/);
    for (const k of keys('by-namespace')) expect(k).toMatch(/^\{\}:\{cluster="[^"]+", namespace="[^"]+"\}$/);
    const def = [...keys('default')];
    expect(def.some((k) => k.startsWith('{}/{severity="critical"}:{cluster='))).toBe(true);
    expect(def.some((k) => /^\{\}:\{alertname="[^"]+", cluster="[^"]+"\}$/.test(k))).toBe(true);
  });
});

describe('world history', () => {
  it('when generated twice with one seed and knobs, then the output is identical; with another seed, it differs', () => {
    const a = generateWorldHistory(7, CENTRAL_KNOBS);
    const b = generateWorldHistory(7, CENTRAL_KNOBS);
    expect(JSON.stringify(b.lines)).toBe(JSON.stringify(a.lines));
    expect(JSON.stringify(b.truth)).toBe(JSON.stringify(a.truth));
    expect(b.catalogYaml).toBe(a.catalogYaml);
    expect(JSON.stringify(generateWorldHistory(8, CENTRAL_KNOBS).lines)).not.toBe(JSON.stringify(a.lines));
  });

  it('when a scenario or routing knob changes, then the estate (catalog) stays the same for the seed', () => {
    const base = world(SEEDS[0]!).catalogYaml;
    for (const change of [{ noiseNearShare: 0.7 }, { chronic: 'high' as const }, { routing: 'by-namespace' as const }, { timing: 'slow' as const }, { exporterLabels: 1 }]) {
      expect(world(SEEDS[0]!, change).catalogYaml).toBe(base);
    }
  });

  it('when generated, then the truth is valid (each firing in one incident) and holds exactly the firings in the bodies', () => {
    for (const seed of SEEDS) {
      const h = world(seed, { noiseNearShare: 0.7, chronic: 'high' });
      expect(() => parseGroundTruth(h.truth)).not.toThrow();
      const inBodies = new Set(h.lines.flatMap((l) => (l.body as AmWebhookBody).alerts.map((a) => firingKey(a.fingerprint, a.startsAt))));
      const inTruth = h.truth.incidents.flatMap((i) => i.firings.map((f) => firingKey(f.fingerprint, f.startsAt)));
      expect(new Set(inTruth)).toEqual(inBodies);
    }
  });

  it('when generated, then new firings keep arriving over the whole history, not only re-sends', () => {
    const h = world(SEEDS[0]!);
    const starts = h.truth.incidents.flatMap((i) => i.firings.map((f) => Date.parse(f.startsAt)));
    const first = Math.min(...h.lines.map((l) => Date.parse(l.receivedAt)));
    const quarter = (WORLD_SIZE.hours * 60 * MIN) / 4;
    for (let q = 0; q < 4; q++) {
      expect(starts.filter((s) => s >= first + q * quarter && s < first + (q + 1) * quarter).length).toBeGreaterThan(20);
    }
  });
});

describe('sweep cells', () => {
  it('when seed sets are listed, then tune and report share no seed', () => {
    expect(SEED_SETS.tune.filter((s) => SEED_SETS.report.includes(s))).toEqual([]);
    expect(SEED_SETS.report.length).toBeGreaterThanOrEqual(3);
  });

  it('when a one-factor world is defined, then it differs from the central world in exactly one knob', () => {
    for (const w of SWEEP_WORLDS.filter((x) => x.group === 'one factor')) {
      const changed = (Object.keys(CENTRAL_KNOBS) as Array<keyof WorldKnobs>).filter((k) => w.knobs[k] !== CENTRAL_KNOBS[k]);
      expect(changed).toHaveLength(1);
    }
  });

  it('when cells are listed, then every world comes with and without the catalog', () => {
    for (const w of SWEEP_WORLDS) {
      expect(SWEEP_CELLS.filter((c) => c.world === w).map((c) => c.catalog).sort()).toEqual([false, true]);
    }
  });

  it('when cells are filtered, then terms select by id part and a leading ! excludes', () => {
    expect(selectCells(SWEEP_CELLS, 'central').map((c) => c.id)).toEqual(['central/catalog', 'central/no-catalog']);
    expect(selectCells(SWEEP_CELLS, 'harsh,!no-catalog').map((c) => c.id)).toEqual(['harsh/default/catalog', 'harsh/by-service/catalog', 'harsh/by-namespace/catalog']);
    expect(selectCells(SWEEP_CELLS, undefined)).toHaveLength(SWEEP_CELLS.length);
  });

  const figures = (over: Partial<CellFigures>): CellFigures => ({
    firings: 100, trueIncidents: 20, precision: 0.96, recall: 0.9, f1: 0.93, bcubedF1: 0.96, compression: 0.8, truthCompression: 0.8, serviceF1: 0.5, serviceBcubedF1: 0.7, ...over,
  });

  it('when a cell is judged, then each target passes or misses on its own and without catalog B-cubed must reach the per-service baseline', () => {
    expect(cellTargets(figures({}), true)).toEqual({ pairPrecision: true, pairF1: true, bcubedF1: true, compression: true, beatsPerService: null, all: true });
    expect(cellTargets(figures({ precision: 0.94 }), true)).toMatchObject({ pairPrecision: false, all: false });
    expect(cellTargets(figures({ compression: 0.84 }), true)).toMatchObject({ compression: false, all: false });
    expect(cellTargets(figures({ bcubedF1: 0.96, serviceBcubedF1: 0.97 }), false)).toMatchObject({ beatsPerService: false, all: false });
    expect(cellTargets(figures({ bcubedF1: 0.96, serviceBcubedF1: 0.95 }), false)).toMatchObject({ beatsPerService: true, all: true });
  });
});

describe('falseMerges', () => {
  const truth = parseGroundTruth({
    version: 1,
    incidents: [
      { id: 'cascade-1', kind: 'cascade', title: 'db fails', firings: [{ fingerprint: 'a', startsAt: '2026-01-05T00:00:00Z' }, { fingerprint: 'b', startsAt: '2026-01-05T00:02:00Z' }] },
      { id: 'noise-1', kind: 'noise', title: 'CPUThrottlingHigh on api', firings: [{ fingerprint: 'c', startsAt: '2026-01-05T00:03:00Z' }] },
      { id: 'noise-2', kind: 'noise', title: 'alone', firings: [{ fingerprint: 'd', startsAt: '2026-01-05T00:04:00Z' }] },
    ],
  });
  const alert = (fingerprint: string, startsAt: string, kind: 'rule' | 'new-incident', rule: string | null, explanation: string) => ({
    fingerprint, startsAt, labels: { alertname: `A-${fingerprint}`, service: 'api', cluster: 'c1' }, firstSeenAt: startsAt,
    decision: { kind, rule, matched: {}, gapMs: null, explanation, decidedBy: 'debrief', decidedAt: startsAt },
  });
  const incidents = [
    { incident: { id: 'i1', title: 'merged' }, events: [], alerts: [
      alert('a', '2026-01-05T00:00:00.000Z', 'new-incident', null, 'opened'),
      alert('c', '2026-01-05T00:03:00.000Z', 'rule', 'service-dependencies', 'api -> db'),
      alert('b', '2026-01-05T00:02:00.000Z', 'rule', 'service-dependencies', 'caller of db'),
    ] },
    { incident: { id: 'i2', title: 'alone' }, events: [], alerts: [alert('d', '2026-01-05T00:04:00.000Z', 'new-incident', null, 'opened')] },
  ] as unknown as IncidentDetail[];

  it('when an incident holds two true incidents, then it is listed with the wrong pairs and the decision that bridged the guest', () => {
    const out = falseMerges(truth, incidents);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ incidentId: 'i1', wrongPairs: 2, trueIncidents: [{ id: 'cascade-1', firings: 2 }, { id: 'noise-1', firings: 1 }] });
    expect(out[0]!.bridges).toEqual([expect.objectContaining({ trueIncident: 'noise-1', alertname: 'A-c', rule: 'service-dependencies', explanation: 'api -> db' })]);
  });
});
