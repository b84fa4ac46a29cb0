import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import type { AmFiring } from './alertmanager-render';
import type { Rng } from './rng';
import { hopDistance, podsOf, type ServiceDef, type Topology } from './topology';

/**
 * Failure scenarios placed on a timeline over a topology, each with its ground truth: which
 * alert firings one real incident consists of. Times are epoch milliseconds (event time).
 */
export const SCENARIO_KINDS = ['cascade', 'isolated', 'noise', 'concurrent', 'recurring', 'flapping', 'two-cluster'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface PlannedFiring extends AmFiring {
  incidentId: string;
}

export interface PlannedIncident {
  id: string;
  kind: ScenarioKind;
  title: string;
  /** The earlier incident this one repeats (same fingerprints, hours later). */
  recurrenceOf: string | null;
}

export interface Plan {
  incidents: PlannedIncident[];
  firings: PlannedFiring[];
  /** Scenarios that could not be placed without touching another one (retries exhausted). */
  unplaced: Partial<Record<ScenarioKind, number>>;
}

export interface PlanOptions {
  startMs: number;
  days: number;
  /** Scenarios per day, by kind (`concurrent`: sets of 2-3 incidents; `recurring`: pairs). */
  perDay: Record<ScenarioKind, number>;
  /**
   * Standing alerts per cluster: noise that fires for (nearly) the whole history, like the
   * warnings nobody fixes. They keep their Alertmanager groups alive for days.
   */
  standingPerCluster: number;
  /** Longest cascade (services, root included). */
  maxCascade: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/**
 * Unrelated scenarios stay this far apart in time when their services are within
 * `NEAR_HOPS` of each other in the same cluster, so the truth is unambiguous: nobody could
 * say which incident an alert in the overlap belongs to.
 */
const PAD_MS = 60 * MIN;
const NEAR_HOPS = 2;
/** Share of one-off noise placed without keeping clear of neighbouring failures. */
const COINCIDENTAL_NOISE = 0.3;

export type Severity = 'critical' | 'warning';

export interface AlertSpec {
  alertname: string;
  severity: Severity;
  extra?: Record<string, string>;
  summary: string;
  /** After the service's onset. */
  delayMs: number;
  /** After the service's recovery. */
  endLagMs: number;
}

export interface Affected {
  service: ServiceDef;
  cluster: string;
  onset: number;
  recovery: number;
  specs: AlertSpec[];
}

/** Request alerts are named after the protocol the service speaks (separate alert rules). */
export const errorAlert = (s: ServiceDef) => (s.protocol === 'grpc' ? 'GRPCErrorRate' : 'HighErrorRate');
export const latencyAlert = (s: ServiceDef) => (s.protocol === 'grpc' ? 'GRPCLatencyHigh' : 'HighLatency');

const EXPR: Record<string, string> = {
  HighErrorRate: 'job:http_requests_errors:ratio_rate5m > 0.05',
  HighLatency: 'job:http_request_duration_seconds:p99_5m > 1',
  GRPCErrorRate: 'job:grpc_server_handled_errors:ratio_rate5m > 0.05',
  GRPCLatencyHigh: 'job:grpc_server_handling_seconds:p99_5m > 1',
  SLOErrorBudgetBurn: 'slo:error_budget_burn_rate:1h > 14.4',
  PodCrashLooping: 'increase(kube_pod_container_status_restarts_total[10m]) > 3',
};

function labelsFor(s: ServiceDef, cluster: string, spec: AlertSpec): Record<string, string> {
  return {
    alertname: spec.alertname,
    cluster,
    namespace: s.namespace,
    service: s.name,
    job: s.name,
    severity: spec.severity,
    team: s.team,
    ...spec.extra,
  };
}

function annotationsFor(s: ServiceDef, cluster: string, spec: AlertSpec): Record<string, string> {
  return {
    summary: spec.summary,
    description: `${spec.summary} (${s.name} in ${cluster}/${s.namespace}).`,
    runbook_url: `https://runbooks.example.com/alerts/${spec.alertname.toLowerCase()}`,
  };
}

const generatorUrl = (cluster: string, alertname: string): string =>
  `http://prometheus.${cluster}.example.com/graph?g0.expr=${encodeURIComponent(EXPR[alertname] ?? `ALERTS{alertname="${alertname}"}`)}&g0.tab=1`;

/** The alerts a service raises when it is the cause. */
export function rootSpecs(rng: Rng, s: ServiceDef, cluster: string): AlertSpec[] {
  const pods = podsOf(s, cluster);
  const d = () => rng.int(0, 90) * 1000;
  const e = () => rng.int(0, 60) * 1000;
  const specs: AlertSpec[] = [];
  const push = (alertname: string, severity: Severity, summary: string, extra?: Record<string, string>) =>
    specs.push({ alertname, severity, summary, extra, delayMs: d(), endLagMs: e() });
  switch (s.role) {
    case 'database':
      if (rng.chance(0.65)) {
        push('PostgresDown', 'critical', `Postgres primary ${pods[0]} is down`, { pod: pods[0]! });
        if (rng.chance(0.5)) push('PostgresReplicationLag', 'warning', 'Replica lag above 60 s', { pod: pods[1] ?? pods[0]! });
      } else {
        push('PostgresSlowQueries', 'warning', 'Mean query time above 500 ms', { pod: pods[0]! });
        if (rng.chance(0.6)) push('PostgresTooManyConnections', 'warning', 'Connections above 90% of max_connections', { pod: pods[0]! });
      }
      break;
    case 'cache':
      push('RedisDown', 'critical', `Redis ${pods[0]} is down`, { pod: pods[0]! });
      if (rng.chance(0.4)) push('RedisRejectedConnections', 'warning', 'Redis rejects connections');
      break;
    case 'queue':
      for (const pod of rng.sample(pods, rng.int(1, 2))) push('KafkaBrokerDown', 'critical', `Kafka broker ${pod} is down`, { pod });
      if (rng.chance(0.7)) push('KafkaUnderReplicatedPartitions', 'warning', 'Under-replicated partitions');
      break;
    case 'backend':
    case 'worker':
      if (rng.chance(0.6)) {
        for (const pod of rng.sample(pods, rng.int(1, pods.length))) push('PodCrashLooping', 'critical', `Pod ${pod} is crash looping`, { pod });
      }
      if (s.role === 'worker') {
        push('JobFailuresHigh', 'warning', 'More than 10% of jobs fail');
      } else {
        push(errorAlert(s), 'critical', 'More than 5% of requests fail');
        if (rng.chance(0.4)) push(latencyAlert(s), 'warning', 'p99 latency above 1 s');
      }
      if (rng.chance(0.3)) push('KubeDeploymentReplicasMismatch', 'warning', 'Deployment has not matched the expected replicas');
      break;
    case 'frontend':
    case 'gateway':
      push('HighErrorRate', 'critical', 'More than 5% of requests fail');
      if (rng.chance(0.5)) push('ProbeFailed', 'critical', 'Blackbox probe fails');
      if (rng.chance(0.4)) push('HighLatency', 'warning', 'p99 latency above 1 s');
      break;
  }
  return specs;
}

/** The alerts a caller raises when something it depends on fails. */
export function symptomSpecs(rng: Rng, s: ServiceDef, cluster: string, cause: ServiceDef): AlertSpec[] {
  const specs: AlertSpec[] = [];
  const d = () => rng.int(0, 60) * 1000;
  const e = () => rng.int(0, 90) * 1000;
  const push = (alertname: string, severity: Severity, summary: string, extra?: Record<string, string>) =>
    specs.push({ alertname, severity, summary, extra, delayMs: d(), endLagMs: e() });
  if (s.role === 'worker') {
    if (rng.chance(0.7)) push('KafkaConsumerLagHigh', 'warning', 'Consumer lag above 10k messages');
    if (rng.chance(0.6) || specs.length === 0) push('JobFailuresHigh', 'warning', 'More than 10% of jobs fail');
    return specs;
  }
  if (rng.chance(0.85)) {
    if (rng.chance(0.45)) {
      for (const pod of rng.sample(podsOf(s, cluster), rng.int(2, 3))) push(errorAlert(s), 'critical', `More than 5% of requests fail on ${pod}`, { pod });
    } else {
      push(errorAlert(s), 'critical', 'More than 5% of requests fail');
    }
  }
  if (rng.chance(0.55)) push(latencyAlert(s), 'warning', 'p99 latency above 1 s');
  if (rng.chance(0.25)) push('UpstreamTimeouts', 'warning', `Calls to ${cause.name} time out`, { upstream: cause.name });
  if (rng.chance(0.15)) push('CircuitBreakerOpen', 'warning', `Circuit breaker to ${cause.name} is open`, { upstream: cause.name });
  if ((s.role === 'frontend' || s.role === 'gateway') && rng.chance(0.5)) push('SLOErrorBudgetBurn', 'critical', 'Error budget burns 14x too fast');
  if (specs.length === 0) push(errorAlert(s), 'critical', 'More than 5% of requests fail');
  return specs;
}

/** One-off noise: a single alert unrelated to any failure; sometimes chronic (hours long). */
function noiseSpec(rng: Rng, s: ServiceDef, cluster: string, chronic: boolean): AlertSpec {
  const pod = rng.pick(podsOf(s, cluster));
  const options: AlertSpec[] = chronic
    ? [
        { alertname: latencyAlert(s), severity: 'warning', summary: 'p99 latency above 1 s', delayMs: 0, endLagMs: 0 },
        { alertname: 'CPUThrottlingHigh', severity: 'warning', summary: `CPU throttling above 25% on ${pod}`, extra: { pod }, delayMs: 0, endLagMs: 0 },
        { alertname: 'KubePodNotReady', severity: 'warning', summary: `Pod ${pod} not ready`, extra: { pod }, delayMs: 0, endLagMs: 0 },
        { alertname: 'DiskSpaceLow', severity: 'warning', summary: `Disk above 85% on ${pod}`, extra: { pod }, delayMs: 0, endLagMs: 0 },
        { alertname: 'ProbeFailed', severity: 'critical', summary: 'Blackbox probe of a partner endpoint fails', extra: { probe: `partner-${rng.int(1, 9)}` }, delayMs: 0, endLagMs: 0 },
        { alertname: 'KubePersistentVolumeFillingUp', severity: 'critical', summary: `Volume of ${pod} fills up within 4 h`, extra: { pod }, delayMs: 0, endLagMs: 0 },
      ]
    : [
        { alertname: 'HighErrorRate', severity: 'critical', summary: 'More than 5% of requests fail', delayMs: 0, endLagMs: 0 },
        { alertname: latencyAlert(s), severity: 'warning', summary: 'p99 latency above 1 s', delayMs: 0, endLagMs: 0 },
        { alertname: 'CPUThrottlingHigh', severity: 'warning', summary: `CPU throttling above 25% on ${pod}`, extra: { pod }, delayMs: 0, endLagMs: 0 },
        { alertname: 'KubeJobFailed', severity: 'warning', summary: 'A Kubernetes job failed', extra: { job_name: `${s.name}-cron-${rng.int(1, 3)}` }, delayMs: 0, endLagMs: 0 },
        { alertname: 'TargetDown', severity: 'warning', summary: `Scrape target ${pod} is down`, extra: { pod }, delayMs: 0, endLagMs: 0 },
        { alertname: 'PodCrashLooping', severity: 'critical', summary: `Pod ${pod} is crash looping`, extra: { pod }, delayMs: 0, endLagMs: 0 },
      ];
  return rng.pick(options);
}

interface Reservation {
  cluster: string;
  from: number;
  to: number;
  services: string[];
  /** Only the same services clash with it, not their neighbours (coincidental noise). */
  sameServiceOnly?: boolean;
}

/** Everything placed so far: time/neighbourhood reservations and fingerprint occupancy. */
class Timeline {
  private readonly reservations: Reservation[] = [];
  private readonly busy = new Map<string, Array<[number, number]>>();
  private readonly near = new Map<string, boolean>();

  constructor(private readonly topology: Topology) {}

  private isNear(a: string, b: string): boolean {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let v = this.near.get(key);
    if (v === undefined) {
      v = hopDistance(this.topology, a, b, NEAR_HOPS) <= NEAR_HOPS;
      this.near.set(key, v);
    }
    return v;
  }

  fits(candidates: Reservation[], firings: PlannedFiring[]): boolean {
    for (const c of candidates) {
      for (const r of this.reservations) {
        if (r.to + PAD_MS < c.from || c.to + PAD_MS < r.from) continue;
        // Same cluster: nothing near; other clusters: not the same service (a failure spanning
        // clusters is recognised by its service name, so a coincidence there would be ambiguous).
        const clash = r.cluster === c.cluster && !c.sameServiceOnly && !r.sameServiceOnly
          ? c.services.some((a) => r.services.some((b) => this.isNear(a, b)))
          : c.services.some((a) => r.services.includes(a));
        if (clash) return false;
      }
    }
    for (const f of firings) {
      for (const [from, to] of this.busy.get(f.fingerprint) ?? []) {
        if (f.startsAt <= to + MIN && from <= f.endsAt + MIN) return false;
      }
    }
    return true;
  }

  commit(reservations: Reservation[], firings: PlannedFiring[]): void {
    this.reservations.push(...reservations);
    for (const f of firings) (this.busy.get(f.fingerprint) ?? this.busy.set(f.fingerprint, []).get(f.fingerprint)!).push([f.startsAt, f.endsAt]);
  }
}

/** Reservations covering each (cluster) part of a scenario: its services and time span. */
function reservationsOf(affected: Affected[], firings: PlannedFiring[]): Reservation[] {
  const byCluster = new Map<string, Reservation>();
  for (const a of affected) {
    const r = byCluster.get(a.cluster) ?? { cluster: a.cluster, from: Infinity, to: -Infinity, services: [] };
    if (!r.services.includes(a.service.name)) r.services.push(a.service.name);
    byCluster.set(a.cluster, r);
  }
  for (const f of firings) {
    const r = byCluster.get(f.labels.cluster!)!;
    r.from = Math.min(r.from, f.startsAt);
    r.to = Math.max(r.to, f.endsAt);
  }
  return [...byCluster.values()];
}

export function firingsOf(affected: Affected[], incidentId: string): PlannedFiring[] {
  const out: PlannedFiring[] = [];
  for (const a of affected) {
    for (const spec of a.specs) {
      const labels = labelsFor(a.service, a.cluster, spec);
      const startsAt = a.onset + spec.delayMs;
      const endsAt = Math.max(startsAt + 2 * MIN, a.recovery + spec.endLagMs);
      out.push({
        labels,
        annotations: annotationsFor(a.service, a.cluster, spec),
        generatorURL: generatorUrl(a.cluster, spec.alertname),
        fingerprint: alertmanagerFingerprint(labels),
        startsAt,
        endsAt,
        incidentId,
      });
    }
  }
  // One firing per fingerprint within a scenario (two specs may name the same series).
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.fingerprint) && seen.add(f.fingerprint));
}

/** Outage length: mostly 8-45 min, sometimes up to two hours. */
export const outageMs = (rng: Rng, scale = 1): number =>
  Math.round(((rng.chance(0.2) ? rng.int(45, 120) : rng.int(8, 45)) * MIN + rng.int(0, 59) * 1000) * scale);

/**
 * A failure of `root` in `cluster` at `t0` and its spread to callers: each hop reaches a
 * caller with probability `spread[hop-1]`, minutes later (alert `for:` durations plus the
 * time errors take to surface), and recovers minutes after the root.
 */
function failure(rng: Rng, topology: Topology, root: ServiceDef, cluster: string, t0: number, durationMs: number, spread: number[], maxServices: number): Affected[] {
  const recovery = t0 + durationMs;
  const affected: Affected[] = [{ service: root, cluster, onset: t0, recovery, specs: rootSpecs(rng, root, cluster) }];
  let frontier = [affected[0]!];
  for (let hop = 1; hop <= spread.length && affected.length < maxServices; hop++) {
    const next: Affected[] = [];
    for (const parent of frontier) {
      const callers = topology.callers.get(parent.service.name) ?? [];
      let picked = callers.filter(() => rng.chance(spread[hop - 1]!));
      // A cascade that reaches nobody is an isolated failure; make the first hop real.
      if (hop === 1 && picked.length === 0 && callers.length > 0 && spread[0]! > 0) picked = [rng.pick(callers)];
      for (const name of picked) {
        if (affected.length + next.length >= maxServices) break;
        if (affected.some((a) => a.service.name === name) || next.some((a) => a.service.name === name)) continue;
        const s = topology.byName.get(name)!;
        const onset = parent.onset + rng.int(45, 240) * 1000;
        next.push({ service: s, cluster, onset, recovery: recovery + rng.int(20, 240) * 1000 * hop, specs: symptomSpecs(rng, s, cluster, parent.service) });
      }
    }
    affected.push(...next);
    frontier = next;
  }
  return affected;
}

const withCallers = (t: Topology, roles: ServiceDef['role'][]) =>
  t.services.filter((s) => roles.includes(s.role) && (t.callers.get(s.name)?.length ?? 0) > 0);

/**
 * Places `perDay` scenarios of each kind on the timeline, bigger ones first. Deterministic
 * for a given rng. A scenario that cannot be placed after 40 tries is counted in `unplaced`.
 */
export function planScenarios(rng: Rng, topology: Topology, options: PlanOptions): Plan {
  const timeline = new Timeline(topology);
  const incidents: PlannedIncident[] = [];
  const firings: PlannedFiring[] = [];
  const unplaced: Plan['unplaced'] = {};
  const counters: Partial<Record<ScenarioKind, number>> = {};
  const endMs = options.startMs + options.days * 24 * HOUR;
  const nextId = (kind: ScenarioKind) => {
    counters[kind] = (counters[kind] ?? 0) + 1;
    return `${kind}-${String(counters[kind]).padStart(4, '0')}`;
  };
  const randomStart = (r: Rng) => options.startMs + 30 * MIN + Math.floor(r.next() * (endMs - options.startMs - 5 * HOUR));
  const clusters = topology.clusters;
  const { maxCascade } = options;

  type Built = Array<{ incident: PlannedIncident; affected: Affected[]; firings: PlannedFiring[]; reservations?: Reservation[] }>;
  const reserved = (b: Built[number]) => b.reservations ?? reservationsOf(b.affected, b.firings);
  const place = (kind: ScenarioKind, build: (r: Rng) => Built | null) => {
    const count = Math.round(options.perDay[kind] * options.days);
    const r = rng.fork(kind);
    for (let i = 0; i < count; i++) {
      let placed = false;
      for (let attempt = 0; attempt < 40 && !placed; attempt++) {
        const built = build(r);
        if (!built || built.some((b) => b.firings.length === 0)) continue;
        const allFirings = built.flatMap((b) => b.firings);
        const reservations = built.flatMap(reserved);
        // Members of one scenario (concurrent failures) must also keep clear of each other.
        const selfClash = built.length > 1 && built.some((b, i) => {
          const probe = new Timeline(topology);
          probe.commit(built.filter((_, j) => j !== i).flatMap(reserved), []);
          return !probe.fits(reserved(b), []);
        });
        if (selfClash || !timeline.fits(reservations, allFirings)) continue;
        timeline.commit(reservations, allFirings);
        for (const b of built) { incidents.push(b.incident); firings.push(...b.firings); }
        placed = true;
      }
      if (!placed) unplaced[kind] = (unplaced[kind] ?? 0) + 1;
    }
  };

  const one = (kind: ScenarioKind, title: string, affected: Affected[], recurrenceOf: string | null = null) => {
    const id = nextId(kind);
    return { incident: { id, kind, title, recurrenceOf }, affected, firings: firingsOf(affected, id) };
  };

  {
    const r = rng.fork('standing');
    for (const cluster of clusters) {
      for (let i = 0; i < options.standingPerCluster; i++) {
        for (let attempt = 0; attempt < 40; attempt++) {
          const s = r.pick(topology.services);
          const spec = noiseSpec(r, s, cluster, true);
          const t0 = options.startMs + r.int(1, 120) * MIN;
          const t1 = endMs - r.int(1, 120) * MIN;
          const built = one('noise', `${spec.alertname} on ${s.name} in ${cluster} (standing)`, [{ service: s, cluster, onset: t0, recovery: t1, specs: [spec] }]);
          const reservations = [{ cluster, from: t0, to: t0 + 5 * MIN, services: [s.name] }, { cluster, from: t1 - 5 * MIN, to: t1, services: [s.name] }];
          if (!timeline.fits(reservations, built.firings)) continue;
          timeline.commit(reservations, built.firings);
          incidents.push(built.incident);
          firings.push(...built.firings);
          break;
        }
      }
    }
  }

  place('two-cluster', (r) => {
    const root = r.pick(withCallers(topology, ['database', 'cache', 'queue', 'backend']));
    const [c1, c2] = r.sample(clusters, 2);
    if (!c2) return null;
    const t0 = randomStart(r);
    const duration = outageMs(r);
    const a = failure(r, topology, root, c1!, t0, duration, [0.8, 0.45], maxCascade);
    const t1 = t0 + r.int(0, 240) * 1000;
    const b = failure(r, topology, root, c2, t1, duration + r.int(-120, 120) * 1000, [0.8, 0.45], maxCascade);
    const built = one('two-cluster', `${root.name} fails in ${c1} and ${c2}`, [...a, ...b]);
    return [built];
  });

  place('recurring', (r) => {
    const root = r.pick(topology.services.filter((s) => s.role !== 'gateway'));
    const cluster = r.pick(clusters);
    const t0 = randomStart(r);
    const first = failure(r, topology, root, cluster, t0, outageMs(r, 0.5), [0.4], 3);
    const firstEnd = Math.max(...first.map((a) => a.recovery));
    const t1 = firstEnd + r.int(2 * 60, 6 * 60) * MIN;
    if (t1 > endMs - 3 * HOUR) return null;
    // The same things fail again: same services, same alerts (same fingerprints), new start.
    const duration = outageMs(r, 0.5);
    const second = first.map((a) => ({ ...a, onset: t1 + (a.onset - t0) + r.int(-20, 20) * 1000, recovery: t1 + duration + (a.recovery - first[0]!.recovery) }));
    const b1 = one('recurring', `${root.name} fails in ${cluster}`, first);
    const b2 = one('recurring', `${root.name} fails again in ${cluster}`, second, b1.incident.id);
    return [b1, b2];
  });

  place('concurrent', (r) => {
    const n = r.chance(0.3) ? 3 : 2;
    const t0 = randomStart(r);
    const members: Built = [];
    for (let i = 0; i < n; i++) {
      const root = r.pick(topology.services);
      const cluster = r.chance(0.6) ? clusters[0]! : r.pick(clusters);
      const spread = r.chance(0.5) ? [] : [0.6, 0.3];
      members.push(one('concurrent', `${root.name} fails in ${cluster} (concurrent with others)`, failure(r, topology, root, cluster, t0 + r.int(0, 360) * 1000, outageMs(r), spread, maxCascade)));
    }
    return members;
  });

  place('cascade', (r) => {
    const root = r.pick(r.chance(0.7) ? withCallers(topology, ['database', 'cache', 'queue']) : withCallers(topology, ['backend']));
    const cluster = r.pick(clusters);
    const affected = failure(r, topology, root, cluster, randomStart(r), outageMs(r), [0.9, 0.6, 0.4], maxCascade);
    return [one('cascade', `${root.name} fails in ${cluster}, ${affected.length - 1} callers affected`, affected)];
  });

  place('flapping', (r) => {
    const s = r.pick(topology.services.filter((x) => x.role === 'backend' || x.role === 'worker' || x.role === 'frontend'));
    const cluster = r.pick(clusters);
    const pods = podsOf(s, cluster);
    const choices: AlertSpec[] = [
      { alertname: latencyAlert(s), severity: 'warning', summary: 'p99 latency above 1 s', delayMs: 0, endLagMs: 0 },
      { alertname: 'KubePodNotReady', severity: 'warning', summary: `Pod ${pods[0]} not ready`, extra: { pod: pods[0]! }, delayMs: 0, endLagMs: 0 },
      { alertname: 'PodCrashLooping', severity: 'critical', summary: `Pod ${pods[0]} is crash looping`, extra: { pod: pods[0]! }, delayMs: 0, endLagMs: 0 },
      { alertname: errorAlert(s), severity: 'critical', summary: 'More than 5% of requests fail', delayMs: 0, endLagMs: 0 },
    ];
    const spec = r.pick(choices);
    const specs = [spec];
    if (spec.extra?.pod && pods[1] && r.chance(0.3)) specs.push({ ...spec, summary: spec.summary.replace(pods[0]!, pods[1]), extra: { pod: pods[1] } });
    const cycles = r.int(4, 10);
    let t = randomStart(r);
    const affected: Affected[] = [];
    for (let i = 0; i < cycles; i++) {
      const up = r.int(90, 360) * 1000;
      affected.push({ service: s, cluster, onset: t, recovery: t + up, specs: specs.map((x) => ({ ...x, delayMs: r.int(0, 20) * 1000, endLagMs: 0 })) });
      t += up + r.int(60, 420) * 1000;
    }
    const id = nextId('flapping');
    // Each cycle is a new firing of the same series (same fingerprint, new startsAt).
    const fs = affected.flatMap((a) => firingsOf([a], id).map((f) => ({ ...f, endsAt: Math.max(f.startsAt + 60_000, a.recovery) })));
    return [{ incident: { id, kind: 'flapping', title: `${spec.alertname} on ${s.name} in ${cluster} flaps ${cycles} times`, recurrenceOf: null }, affected, firings: fs }];
  });

  place('isolated', (r) => {
    const root = r.pick(topology.services);
    const cluster = r.pick(clusters);
    return [one('isolated', `${root.name} fails in ${cluster}`, failure(r, topology, root, cluster, randomStart(r), outageMs(r, 0.5), [], 1))];
  });

  place('noise', (r) => {
    const s = r.pick(topology.services);
    const cluster = r.pick(clusters);
    const chronic = r.chance(0.35);
    const spec = noiseSpec(r, s, cluster, chronic);
    const t0 = randomStart(r);
    const duration = chronic ? r.int(4 * 60, 36 * 60) * MIN : r.int(2, 25) * MIN;
    const affected: Affected[] = [{ service: s, cluster, onset: t0, recovery: t0 + duration, specs: [spec] }];
    const built = one('noise', `${spec.alertname} on ${s.name} in ${cluster}${chronic ? ' (chronic)' : ''}`, affected);
    // A chronic alert keeps its neighbourhood clear only around its start and its end, when
    // its incident shows activity; in between it is background that others must ignore.
    const end = built.firings[0]?.endsAt ?? t0 + duration;
    // Some noise lands wherever it lands, next to an unrelated failure included: no rule can
    // tell such a coincidence from a symptom, so it caps what any engine can score.
    const coincidental = !chronic && r.chance(COINCIDENTAL_NOISE);
    const reservations = chronic
      ? [{ cluster, from: t0, to: t0 + 5 * MIN, services: [s.name] }, { cluster, from: end - 5 * MIN, to: end, services: [s.name] }]
      : coincidental ? [{ cluster, from: t0, to: end, services: [s.name], sameServiceOnly: true }] : undefined;
    return [{ ...built, reservations }];
  });

  firings.sort((a, b) => a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
  return { incidents, firings, unplaced };
}
