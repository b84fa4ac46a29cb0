import { podsOf, type ServiceDef } from './topology';
import { InstanceGraph, parseInstanceKey } from './instance-graph';
import type { Rng } from './rng';
import {
  errorAlert, firingsOf, latencyAlert, outageMs, rootSpecs, symptomSpecs,
  type Affected, type AlertSpec, type Plan, type PlannedFiring, type PlannedIncident, type ScenarioKind,
} from './scenarios';

/**
 * Scenarios of the sweep's worlds, placed over the instance call graph of a dense topology.
 * Unlike the default bench's planner (`planScenarios`), neighbours are not kept apart to make
 * the answer easy; the knobs decide how often hard cases happen:
 *
 * - `noiseNearShare`: share of one-off noise placed 1-2 hops from a failing instance and
 *   starting during that failure. The rest keeps clear of failures, so the share is exact.
 * - `concurrentNear`: concurrent failures are pairs whose roots are 1-2 hops apart, starting
 *   within 5 minutes of each other (off: 2-3 failures in far-apart parts of the graph).
 * - `chronic`: how many alerts fire for hours (and standing ones for the whole history), and
 *   how many of them sit on instances that later take part in a failure.
 * - `timing`: how long a failure takes to reach each caller (alert `for:` plus the time errors
 *   take to surface): `fast` 45 s-4 min per hop, `slow` 1-10 min.
 * - `rootLateShare`: share of spreading failures whose root alert fires after its callers'
 *   first symptom (a database rule with `for: 5m` against an error-rate rule with `for: 1m`).
 *
 * The truth stays honest: a scenario's firings are one incident; noise, chronic alerts and
 * unrelated concurrent failures are their own incidents even when they overlap. Two failures
 * never share an instance at the same time (nobody could say whose symptom it is); failures
 * within 2 hops, or of the same service in another cluster, keep 30 minutes apart unless they
 * are a concurrent pair; one-off noise never lands on a service failing at that moment.
 */
export interface ScenarioKnobs {
  noiseNearShare: number;
  concurrentNear: boolean;
  chronic: 'low' | 'high';
  timing: 'fast' | 'slow';
  rootLateShare: number;
}

export interface WorldPlanOptions {
  startMs: number;
  hours: number;
  /** Scenarios per day by kind; `noise` counts one-off noise only (chronic comes from the knob). */
  perDay: Record<ScenarioKind, number>;
  maxCascade: number;
  knobs: ScenarioKnobs;
}

/** Chronic alerts per day, the share of them on instances of a failure, standing alerts per cluster. */
export const CHRONIC_LEVELS: Record<ScenarioKnobs['chronic'], { perDay: number; onFailingShare: number; standingPerCluster: number }> = {
  low: { perDay: 2, onFailingShare: 0.25, standingPerCluster: 1 },
  high: { perDay: 10, onFailingShare: 0.6, standingPerCluster: 3 },
};

/** Seconds between a dependency's onset and its caller's. */
export const HOP_DELAY_S: Record<ScenarioKnobs['timing'], [number, number]> = { fast: [45, 240], slow: [60, 600] };

const MIN = 60_000;
const HOUR = 60 * MIN;
const NEAR_HOPS = 2;
const FAILURE_PAD_MS = 30 * MIN;

/** One spreading failure (a two-cluster failure has one per cluster), for measurements and nearby noise. */
export interface FailureRecord {
  incidentId: string;
  kind: ScenarioKind;
  /** Instance keys (`service@cluster`) where the failure began. */
  root: string;
  /** Every affected instance, when it was hit and which instance it caught the failure from. */
  affected: Array<{ instance: string; onset: number; from: string | null }>;
  /** Span of its firings (event time). */
  from: number;
  to: number;
  /** True when its root alert was made to fire after the first symptom of its callers. */
  rootLate: boolean;
}

export interface NoiseRecord {
  incidentId: string;
  instance: string;
  startsAt: number;
  endsAt: number;
  chronic: boolean;
  /** The failure this noise was deliberately placed next to, if any. */
  placedNear: string | null;
}

export interface WorldPlan extends Plan {
  failures: FailureRecord[];
  noise: NoiseRecord[];
}

interface Hit extends Affected {
  key: string;
  from: string | null;
}

/** A failure's spread over the instance graph: `failure` of the default planner, by instance. */
function spreadFailure(
  rng: Rng, g: InstanceGraph, root: string, t0: number, durationMs: number, spread: number[], maxServices: number,
  hopDelayS: [number, number], exclude: ReadonlySet<string> = new Set(),
): Hit[] {
  const t = g.topology;
  const rootInst = parseInstanceKey(root);
  const rootService = t.byName.get(rootInst.service)!;
  const recovery = t0 + durationMs;
  const hits: Hit[] = [{ service: rootService, cluster: rootInst.cluster, onset: t0, recovery, specs: rootSpecs(rng, rootService, rootInst.cluster), key: root, from: null }];
  let frontier = [hits[0]!];
  for (let hop = 1; hop <= spread.length && hits.length < maxServices; hop++) {
    const next: Hit[] = [];
    for (const parent of frontier) {
      const callers = g.callersOf(parent.key).filter((k) => !exclude.has(k));
      let picked = callers.filter(() => rng.chance(spread[hop - 1]!));
      if (hop === 1 && picked.length === 0 && callers.length > 0 && spread[0]! > 0) picked = [rng.pick(callers)];
      for (const key of picked) {
        if (hits.length + next.length >= maxServices) break;
        if (hits.some((h) => h.key === key) || next.some((h) => h.key === key)) continue;
        const inst = parseInstanceKey(key);
        const s = t.byName.get(inst.service)!;
        const onset = parent.onset + rng.int(hopDelayS[0], hopDelayS[1]) * 1000;
        next.push({
          service: s, cluster: inst.cluster, onset, recovery: recovery + rng.int(20, 240) * 1000 * hop,
          specs: symptomSpecs(rng, s, inst.cluster, parent.service), key, from: parent.key,
        });
      }
    }
    hits.push(...next);
    frontier = next;
  }
  return hits;
}

/**
 * Makes the root's alerts start 30 s-5 min after the first symptom of its callers (each root
 * alert up to a minute apart). False when nothing spread, so there is no symptom to follow.
 */
function delayRootAlerts(rng: Rng, hits: Hit[]): boolean {
  if (hits.length < 2) return false;
  const root = hits[0]!;
  const firstSymptom = Math.min(...hits.slice(1).flatMap((h) => h.specs.map((s) => h.onset + s.delayMs)));
  const base = firstSymptom - root.onset + rng.int(30, 300) * 1000;
  root.specs = root.specs.map((s) => ({ ...s, delayMs: base + rng.int(0, 60) * 1000 }));
  return true;
}

const spec = (alertname: string, severity: AlertSpec['severity'], summary: string, extra?: Record<string, string>): AlertSpec =>
  ({ alertname, severity, summary, extra, delayMs: 0, endLagMs: 0 });

/**
 * One-off noise: mostly housekeeping (throttling, one crash-looping pod, a filling disk, a
 * certificate about to expire, a failed job), sometimes a symptom-like alert that is not one.
 */
export function oneOffNoiseSpec(rng: Rng, s: ServiceDef, cluster: string): AlertSpec {
  const pod = rng.pick(podsOf(s, cluster));
  if (rng.chance(0.35)) {
    return rng.pick([
      spec(errorAlert(s), 'critical', 'More than 5% of requests fail'),
      spec(latencyAlert(s), 'warning', 'p99 latency above 1 s'),
      spec('PodCrashLooping', 'critical', `Pod ${pod} is crash looping`, { pod }),
    ]);
  }
  return rng.pick([
    spec('CPUThrottlingHigh', 'warning', `CPU throttling above 25% on ${pod}`, { pod, container: s.name }),
    spec('KubePodCrashLooping', 'warning', `Pod ${pod} restarts repeatedly`, { pod, container: s.name }),
    spec('KubePersistentVolumeFillingUp', 'warning', `Volume of ${pod} fills up within 24 h`, { pod, persistentvolumeclaim: `data-${pod}` }),
    spec('CertificateExpiringSoon', 'warning', `TLS certificate of ${s.name} expires within 14 days`, { secret: `${s.name}-tls` }),
    spec('KubeJobFailed', 'warning', 'A Kubernetes job failed', { job_name: `${s.name}-cron-${rng.int(1, 3)}` }),
    spec('TargetDown', 'warning', `Scrape target ${pod} is down`, { pod }),
  ]);
}

/** Alerts that fire for hours: warnings nobody fixes, a partner probe, a slowly filling volume. */
export function chronicSpec(rng: Rng, s: ServiceDef, cluster: string): AlertSpec {
  const pod = rng.pick(podsOf(s, cluster));
  return rng.pick([
    spec(latencyAlert(s), 'warning', 'p99 latency above 1 s'),
    spec('CPUThrottlingHigh', 'warning', `CPU throttling above 25% on ${pod}`, { pod, container: s.name }),
    spec('KubePodNotReady', 'warning', `Pod ${pod} not ready`, { pod }),
    spec('DiskSpaceLow', 'warning', `Disk above 85% on ${pod}`, { pod }),
    spec('ProbeFailed', 'critical', 'Blackbox probe of a partner endpoint fails', { probe: `partner-${rng.int(1, 9)}` }),
    spec('KubePersistentVolumeFillingUp', 'critical', `Volume of ${pod} fills up within 4 h`, { pod, persistentvolumeclaim: `data-${pod}` }),
    spec('KubeHpaMaxedOut', 'warning', `${s.name} has run at its maximum replicas for over 15 minutes`, { horizontalpodautoscaler: s.name }),
  ]);
}

/** What has been placed: failure spans (for the 30-minute distance) and series occupancy. */
class WorldTimeline {
  private readonly failures: Array<{ keys: string[]; from: number; to: number }> = [];
  private readonly busy = new Map<string, Array<[number, number]>>();

  constructor(private readonly graph: InstanceGraph) {}

  /**
   * Nothing failing near `keys` from 30 minutes before `from` to 30 after `to`: within 2 hops,
   * or the same service in another cluster (a failure seen in several clusters at once is one
   * failure, a release or a shared cause; an unrelated coincidence there would be ambiguous).
   */
  clearOfFailures(keys: readonly string[], from: number, to: number): boolean {
    for (const r of this.failures) {
      if (r.to + FAILURE_PAD_MS < from || to + FAILURE_PAD_MS < r.from) continue;
      if (keys.some((a) => r.keys.some((b) => isNear(this.graph, a, b)))) return false;
    }
    return true;
  }

  /**
   * A service failing anywhere from 10 minutes before `from` to 10 after `to`. Noise never
   * lands on one: an alert on a failing service is, in practice, part of that failure.
   */
  serviceFailing(service: string, from: number, to: number): boolean {
    return this.failures.some((r) => r.from - 10 * MIN <= to && from <= r.to + 10 * MIN && r.keys.some((k) => serviceOf(k) === service));
  }

  /** A series never has two overlapping firings (a minute apart at least). */
  seriesFree(firings: readonly PlannedFiring[]): boolean {
    for (const f of firings) {
      for (const [from, to] of this.busy.get(f.fingerprint) ?? []) {
        if (f.startsAt <= to + MIN && from <= f.endsAt + MIN) return false;
      }
    }
    return true;
  }

  commitFailure(keys: string[], from: number, to: number): void {
    this.failures.push({ keys, from, to });
  }

  commitSeries(firings: readonly PlannedFiring[]): void {
    for (const f of firings) (this.busy.get(f.fingerprint) ?? this.busy.set(f.fingerprint, []).get(f.fingerprint)!).push([f.startsAt, f.endsAt]);
  }
}

const serviceOf = (key: string): string => key.slice(0, key.lastIndexOf('@'));

/** Within 2 hops on the instance graph, or the same service in any cluster. */
function isNear(graph: InstanceGraph, a: string, b: string): boolean {
  return serviceOf(a) === serviceOf(b) || graph.distance(a, b, NEAR_HOPS) <= NEAR_HOPS;
}

const spanOf = (firings: readonly PlannedFiring[], onsets: readonly number[] = []) => ({
  from: Math.min(...firings.map((f) => f.startsAt), ...onsets),
  to: Math.max(...firings.map((f) => f.endsAt)),
});

interface BuiltFailure {
  incident: PlannedIncident;
  parts: Hit[][];
  firings: PlannedFiring[];
  rootLate: boolean;
}

export function planWorld(rng: Rng, graph: InstanceGraph, options: WorldPlanOptions): WorldPlan {
  const topology = graph.topology;
  const { knobs, maxCascade } = options;
  const hopDelay = HOP_DELAY_S[knobs.timing];
  const chronicLevel = CHRONIC_LEVELS[knobs.chronic];
  const timeline = new WorldTimeline(graph);
  const incidents: PlannedIncident[] = [];
  const firings: PlannedFiring[] = [];
  const failures: FailureRecord[] = [];
  const noise: NoiseRecord[] = [];
  const unplaced: Plan['unplaced'] = {};
  const counters: Partial<Record<string, number>> = {};
  const endMs = options.startMs + options.hours * HOUR;
  const days = options.hours / 24;
  const nextId = (kind: ScenarioKind) => {
    counters[kind] = (counters[kind] ?? 0) + 1;
    return `${kind}-${String(counters[kind]).padStart(4, '0')}`;
  };
  const randomStart = (r: Rng, tailMs = 3 * HOUR) => options.startMs + 30 * MIN + Math.floor(r.next() * (endMs - options.startMs - 30 * MIN - tailMs));
  const instancesWhere = (pred: (s: ServiceDef) => boolean) => graph.instances.filter((i) => pred(topology.byName.get(i.service)!)).map((i) => `${i.service}@${i.cluster}`);
  const withCallers = (roles: ServiceDef['role'][]) => instancesWhere((s) => roles.includes(s.role)).filter((k) => graph.callersOf(k).length > 0);

  const build = (kind: ScenarioKind, title: string, parts: Hit[][], recurrenceOf: string | null = null, rootLate = false): BuiltFailure => {
    const id = nextId(kind);
    return { incident: { id, kind, title, recurrenceOf }, parts, firings: firingsOf(parts.flat(), id), rootLate };
  };
  // Root-late decisions and delays draw from their own stream, so the share changes only the
  // root alerts' start times and not where everything else lands.
  const lateRng = rng.fork('root-late');
  const lateRoll = () => lateRng.chance(knobs.rootLateShare);
  const delayRoot = (hits: Hit[]) => delayRootAlerts(lateRng, hits);
  const keysOf = (b: BuiltFailure) => [...new Set(b.parts.flat().map((h) => h.key))];
  // A failure occupies its neighbourhood from its onset, however late its first alert fires.
  const reservedSpan = (b: BuiltFailure): [number, number] => {
    const s = spanOf(b.firings, b.parts.flat().map((h) => h.onset));
    return [s.from, s.to];
  };
  const commit = (built: BuiltFailure[]) => {
    for (const b of built) {
      timeline.commitFailure(keysOf(b), ...reservedSpan(b));
      const span = spanOf(b.firings);
      timeline.commitSeries(b.firings);
      incidents.push(b.incident);
      firings.push(...b.firings);
      for (const part of b.parts) {
        const partFirings = b.firings.filter((f) => part.some((h) => h.service.name === f.labels.service && h.cluster === f.labels.cluster));
        const ps = partFirings.length > 0 ? spanOf(partFirings) : span;
        failures.push({
          incidentId: b.incident.id, kind: b.incident.kind, root: part[0]!.key,
          affected: part.map((h) => ({ instance: h.key, onset: h.onset, from: h.from })),
          from: ps.from, to: ps.to, rootLate: b.rootLate && part.length > 1,
        });
      }
    }
  };
  /** Places `count` scenarios of a kind; a scenario is retried up to 150 times, then counted unplaced. */
  const place = (kind: ScenarioKind, count: number, attempt: (r: Rng) => BuiltFailure[] | null) => {
    const r = rng.fork(kind);
    for (let i = 0; i < count; i++) {
      let placed = false;
      for (let a = 0; a < 150 && !placed; a++) {
        const built = attempt(r);
        if (!built || built.some((b) => b.firings.length === 0)) continue;
        const all = built.flatMap((b) => b.firings);
        if (!timeline.seriesFree(all)) continue;
        if (!built.every((b) => timeline.clearOfFailures(keysOf(b), ...reservedSpan(b)))) continue;
        commit(built);
        placed = true;
      }
      if (!placed) unplaced[kind] = (unplaced[kind] ?? 0) + 1;
    }
  };
  const countOf = (kind: ScenarioKind) => Math.round(options.perDay[kind] * days);

  place('two-cluster', countOf('two-cluster'), (r) => {
    const roots = withCallers(['database', 'cache', 'queue', 'backend']).filter((k) => topology.deployedIn.get(parseInstanceKey(k).service)!.length > 1);
    if (roots.length === 0) return null;
    const root = parseInstanceKey(r.pick(roots));
    const other = r.pick(topology.deployedIn.get(root.service)!.filter((c) => c !== root.cluster));
    const t0 = randomStart(r);
    const duration = outageMs(r);
    const late = lateRoll();
    const a = spreadFailure(r, graph, `${root.service}@${root.cluster}`, t0, duration, [0.8, 0.45], maxCascade, hopDelay);
    const b = spreadFailure(r, graph, `${root.service}@${other}`, t0 + r.int(0, 240) * 1000, duration + r.int(-120, 120) * 1000, [0.8, 0.45], maxCascade, hopDelay, new Set(a.map((h) => h.key)));
    const isLate = late && [delayRoot(a), delayRoot(b)].some(Boolean);
    return [build('two-cluster', `${root.service} fails in ${root.cluster} and ${other}`, [a, b], null, isLate)];
  });

  place('recurring', countOf('recurring'), (r) => {
    const root = r.pick(instancesWhere((s) => s.role !== 'gateway'));
    const t0 = randomStart(r, 9 * HOUR);
    const first = spreadFailure(r, graph, root, t0, outageMs(r, 0.5), [0.4], 3, hopDelay);
    const late = lateRoll() && delayRoot(first);
    const firstEnd = Math.max(...first.map((h) => h.recovery));
    const t1 = firstEnd + r.int(2 * 60, 6 * 60) * MIN;
    if (t1 > endMs - 2 * HOUR) return null;
    const duration = outageMs(r, 0.5);
    // The same spread again, shifted as a whole (so hop delays keep their timing setting).
    const second = first.map((h) => ({ ...h, onset: t1 + (h.onset - t0), recovery: t1 + duration + (h.recovery - first[0]!.recovery) }));
    const b1 = build('recurring', `${root} fails`, [first], null, late);
    return [b1, build('recurring', `${root} fails again`, [second], b1.incident.id, late)];
  });

  place('concurrent', countOf('concurrent'), (r) => {
    const t0 = randomStart(r);
    const spreadOf = () => (r.chance(0.5) ? [] : [0.6, 0.3]);
    if (knobs.concurrentNear) {
      // Two independent failures 1-2 hops apart, minutes apart: each its own incident.
      const rootA = r.pick(graph.instances.map((i) => `${i.service}@${i.cluster}`));
      const a = spreadFailure(r, graph, rootA, t0, outageMs(r), spreadOf(), maxCascade, hopDelay);
      const taken = new Set(a.map((h) => h.key));
      const takenServices = new Set(a.map((h) => h.service.name));
      const near = [...graph.ball(rootA, NEAR_HOPS).keys()].filter((k) => !takenServices.has(serviceOf(k)));
      if (near.length === 0) return null;
      const rootB = r.pick(near);
      const b = spreadFailure(r, graph, rootB, t0 + r.int(0, 300) * 1000, outageMs(r), spreadOf(), maxCascade, hopDelay, taken);
      const lateA = lateRoll() && delayRoot(a);
      const lateB = lateRoll() && delayRoot(b);
      return [
        build('concurrent', `${rootA} fails (concurrent with ${rootB}, nearby)`, [a], null, lateA),
        build('concurrent', `${rootB} fails (concurrent with ${rootA}, nearby)`, [b], null, lateB),
      ];
    }
    const n = r.chance(0.3) ? 3 : 2;
    const members: BuiltFailure[] = [];
    const taken = new Set<string>();
    for (let i = 0; i < n; i++) {
      const root = r.pick(graph.instances.map((x) => `${x.service}@${x.cluster}`));
      const hits = spreadFailure(r, graph, root, t0 + r.int(0, 360) * 1000, outageMs(r), spreadOf(), maxCascade, hopDelay, taken);
      // Far apart: no member within 2 hops of another.
      if (hits.some((h) => [...taken].some((k) => isNear(graph, h.key, k)))) return null;
      for (const h of hits) taken.add(h.key);
      const late = lateRoll() && delayRoot(hits);
      members.push(build('concurrent', `${root} fails (concurrent with others, far apart)`, [hits], null, late));
    }
    return members;
  });

  place('cascade', countOf('cascade'), (r) => {
    const roots = r.chance(0.7) ? withCallers(['database', 'cache', 'queue']) : withCallers(['backend']);
    if (roots.length === 0) return null;
    const root = r.pick(roots);
    const hits = spreadFailure(r, graph, root, randomStart(r), outageMs(r), [0.9, 0.6, 0.4], maxCascade, hopDelay);
    const late = lateRoll() && delayRoot(hits);
    const clusters = new Set(hits.map((h) => h.cluster));
    return [build('cascade', `${root} fails, ${hits.length - 1} callers affected${clusters.size > 1 ? ` in ${clusters.size} clusters` : ''}`, [hits], null, late)];
  });

  place('flapping', countOf('flapping'), (r) => {
    const key = r.pick(instancesWhere((s) => s.role === 'backend' || s.role === 'worker' || s.role === 'frontend'));
    const { service, cluster } = parseInstanceKey(key);
    const s = topology.byName.get(service)!;
    const pods = podsOf(s, cluster);
    const chosen = r.pick([
      spec(latencyAlert(s), 'warning', 'p99 latency above 1 s'),
      spec('KubePodNotReady', 'warning', `Pod ${pods[0]} not ready`, { pod: pods[0]! }),
      spec('PodCrashLooping', 'critical', `Pod ${pods[0]} is crash looping`, { pod: pods[0]! }),
      spec(errorAlert(s), 'critical', 'More than 5% of requests fail'),
    ]);
    const specs = [chosen];
    if (chosen.extra?.pod && pods[1] && r.chance(0.3)) specs.push({ ...chosen, summary: chosen.summary.replace(pods[0]!, pods[1]), extra: { pod: pods[1] } });
    const cycles = r.int(4, 10);
    let t = randomStart(r);
    const hits: Hit[] = [];
    for (let i = 0; i < cycles; i++) {
      const up = r.int(90, 360) * 1000;
      hits.push({ service: s, cluster, onset: t, recovery: t + up, specs: specs.map((x) => ({ ...x, delayMs: r.int(0, 20) * 1000 })), key, from: null });
      t += up + r.int(60, 420) * 1000;
    }
    const id = nextId('flapping');
    const fs = hits.flatMap((h) => firingsOf([h], id).map((f) => ({ ...f, endsAt: Math.max(f.startsAt + MIN, h.recovery) })));
    return [{ incident: { id, kind: 'flapping', title: `${chosen.alertname} on ${key} flaps ${cycles} times`, recurrenceOf: null }, parts: [hits.slice(0, 1)], firings: fs, rootLate: false }];
  });

  place('isolated', countOf('isolated'), (r) => {
    const root = r.pick(graph.instances.map((i) => `${i.service}@${i.cluster}`));
    return [build('isolated', `${root} fails`, [spreadFailure(r, graph, root, randomStart(r, HOUR), outageMs(r, 0.5), [], 1, hopDelay)])];
  });

  // Noise comes after the failures, so some of it can be put next to them.
  const placeNoise = (key: string, alert: AlertSpec, t0: number, t1: number, chronic: boolean, placedNear: string | null, title: string): boolean => {
    const { service, cluster } = parseInstanceKey(key);
    const s = topology.byName.get(service)!;
    const id = `noise-${String((counters.noise ?? 0) + 1).padStart(4, '0')}`;
    const fs = firingsOf([{ service: s, cluster, onset: t0, recovery: t1, specs: [alert] }], id).map((f) => ({ ...f, endsAt: Math.max(f.startsAt + 2 * MIN, t1) }));
    if (!timeline.seriesFree(fs)) return false;
    if (!chronic && timeline.serviceFailing(service, fs[0]!.startsAt, fs[0]!.endsAt)) return false;
    if (placedNear === null && !chronic && !timeline.clearOfFailures([key], fs[0]!.startsAt, fs[0]!.endsAt)) return false;
    nextId('noise');
    timeline.commitSeries(fs);
    incidents.push({ id, kind: 'noise', title, recurrenceOf: null });
    firings.push(...fs);
    noise.push({ incidentId: id, instance: key, startsAt: fs[0]!.startsAt, endsAt: fs[0]!.endsAt, chronic, placedNear });
    return true;
  };
  const allKeys = graph.instances.map((i) => `${i.service}@${i.cluster}`);
  const tryNoise = (once: () => boolean) => {
    for (let a = 0; a < 40; a++) if (once()) return;
    unplaced.noise = (unplaced.noise ?? 0) + 1;
  };

  {
    const r = rng.fork('standing');
    for (let i = 0; i < chronicLevel.standingPerCluster * topology.clusters.length; i++) {
      tryNoise(() => {
        const key = r.pick(allKeys);
        const s = topology.byName.get(parseInstanceKey(key).service)!;
        const alert = chronicSpec(r, s, parseInstanceKey(key).cluster);
        return placeNoise(key, alert, options.startMs + r.int(1, 120) * MIN, endMs - r.int(1, 120) * MIN, true, null, `${alert.alertname} on ${key} (standing)`);
      });
    }
  }
  {
    const r = rng.fork('chronic');
    for (let i = 0; i < Math.round(chronicLevel.perDay * days); i++) {
      tryNoise(() => {
        const onFailing = failures.length > 0 && r.chance(chronicLevel.onFailingShare);
        let key: string;
        let t0: number;
        let t1: number;
        let near: string | null = null;
        if (onFailing) {
          // Fires for hours on an instance that later takes part in a failure, and mostly still fires then.
          const f = r.pick(failures);
          key = r.pick(f.affected).instance;
          t0 = Math.max(options.startMs + 5 * MIN, f.from - r.int(60, 12 * 60) * MIN);
          t1 = t0 + r.int(4 * 60, 36 * 60) * MIN;
          if (t1 < f.from + 10 * MIN && r.chance(0.7)) t1 = f.from + r.int(10, 240) * MIN;
          near = f.incidentId;
        } else {
          key = r.pick(allKeys);
          t0 = randomStart(r, 4 * HOUR);
          t1 = t0 + r.int(4 * 60, 36 * 60) * MIN;
        }
        t1 = Math.min(t1, endMs - r.int(0, 60) * MIN);
        if (t1 - t0 < 2 * HOUR) return false;
        const s = topology.byName.get(parseInstanceKey(key).service)!;
        const alert = chronicSpec(r, s, parseInstanceKey(key).cluster);
        return placeNoise(key, alert, t0, t1, true, near, `${alert.alertname} on ${key} (chronic${near ? `, on an instance of ${near}` : ''})`);
      });
    }
  }
  {
    // Near and far noise draw from their own streams, so the share moves noise between them
    // without reshuffling the rest.
    const choice = rng.fork('noise');
    const nearR = rng.fork('noise-near');
    const farR = rng.fork('noise-far');
    for (let i = 0; i < countOf('noise'); i++) {
      const nearby = failures.length > 0 && choice.chance(knobs.noiseNearShare);
      const r = nearby ? nearR : farR;
      tryNoise(() => {
        const duration = r.int(2, 25) * MIN;
        if (nearby) {
          // On an instance 1-2 hops from a failing one, starting while it fails: unrelated all the same.
          const f = r.pick(failures);
          const own = new Set(f.affected.map((a) => serviceOf(a.instance)));
          const candidates = new Set<string>();
          for (const a of f.affected) for (const k of graph.ball(a.instance, NEAR_HOPS).keys()) if (!own.has(serviceOf(k))) candidates.add(k);
          if (candidates.size === 0) return false;
          const key = r.pick([...candidates].sort());
          const t0 = f.from + Math.floor(r.next() * Math.max(MIN, f.to - f.from - MIN));
          const s = topology.byName.get(parseInstanceKey(key).service)!;
          const alert = oneOffNoiseSpec(r, s, parseInstanceKey(key).cluster);
          return placeNoise(key, alert, t0, t0 + duration, false, f.incidentId, `${alert.alertname} on ${key} (next to ${f.incidentId})`);
        }
        const key = r.pick(allKeys);
        const t0 = randomStart(r, HOUR);
        const s = topology.byName.get(parseInstanceKey(key).service)!;
        const alert = oneOffNoiseSpec(r, s, parseInstanceKey(key).cluster);
        return placeNoise(key, alert, t0, t0 + duration, false, null, `${alert.alertname} on ${key}`);
      });
    }
  }

  firings.sort((a, b) => a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
  return renumbered({ incidents, firings, unplaced, failures, noise });
}

/**
 * Ids are drawn while trying placements, so rejected tries leave gaps; number the placed
 * incidents 1, 2, 3... per kind in placement order, everywhere they are named.
 */
function renumbered(plan: WorldPlan): WorldPlan {
  const rename = new Map<string, string>();
  const perKind = new Map<string, number>();
  for (const inc of plan.incidents) {
    const n = (perKind.get(inc.kind) ?? 0) + 1;
    perKind.set(inc.kind, n);
    rename.set(inc.id, `${inc.kind}-${String(n).padStart(4, '0')}`);
  }
  const id = (x: string): string => rename.get(x) ?? x;
  const text = (t: string): string => t.replace(/\b[a-z-]+-\d{4}\b/g, id);
  return {
    incidents: plan.incidents.map((i) => ({ ...i, id: id(i.id), title: text(i.title), recurrenceOf: i.recurrenceOf && id(i.recurrenceOf) })),
    firings: plan.firings.map((f) => ({ ...f, incidentId: id(f.incidentId) })),
    unplaced: plan.unplaced,
    failures: plan.failures.map((f) => ({ ...f, incidentId: id(f.incidentId) })),
    noise: plan.noise.map((n) => ({ ...n, incidentId: id(n.incidentId), placedNear: n.placedNear && id(n.placedNear) })),
  };
}
