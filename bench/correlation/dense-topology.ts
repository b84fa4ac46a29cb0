import type { Rng } from './rng';
import { DOMAINS, FRONTENDS, podHash, type ServiceDef, type ServiceRole, type Topology } from './topology';

/**
 * The sweep's estates: the same kinds of services as `generateTopology` (domains with an API,
 * a database, maybe a cache and a worker; frontends behind an edge gateway), plus shared
 * infrastructure that many services use (Kafka, a shared Redis, a shared Postgres and an
 * auth API), built to two knobs:
 *
 * - `dependsOnMean`: catalog `dependsOn` edges per service on average (edges / services,
 *   leaves such as databases included). Edges beyond the structural ones (an API calls its
 *   database, a worker consumes Kafka, a frontend calls two APIs, the gateway calls the
 *   frontends) go preferentially to services that already have many callers and to the
 *   shared infrastructure, so denser estates grow hubs that sit on many paths.
 * - `crossClusterShare`: the share of calls (one caller instance in one cluster calling one
 *   dependency) that leave the caller's cluster. Services, mostly stateful ones, are homed
 *   in a single cluster (a global database, the one Kafka everybody produces to) until the
 *   share is reached; their callers elsewhere then call them across clusters. The catalog
 *   has no notion of cluster, so it cannot tell which calls these are.
 *
 * The graph is a DAG: a service only calls services created before it.
 */
export interface DenseTopologyOptions {
  services: number;
  clusters: string[];
  dependsOnMean: number;
  crossClusterShare: number;
}

/** Shared infrastructure every domain may use; weighted up when extra edges are drawn. */
const SHARED = new Set(['kafka-main', 'redis-shared', 'postgres-shared', 'auth-api']);
const STATEFUL: ReadonlySet<ServiceRole> = new Set(['database', 'cache', 'queue']);

const domainOf = (s: ServiceDef): string => s.name.replace(/-(db|cache|api|worker)$/, '');

export function generateDenseTopology(rng: Rng, options: DenseTopologyOptions): Topology {
  const n = options.services;
  const services: ServiceDef[] = [];
  const add = (name: string, role: ServiceRole, team: string, pods: number, dependsOn: string[] = []): ServiceDef => {
    const protocol = role === 'backend' && rng.chance(0.4) ? 'grpc' : 'http';
    const s: ServiceDef = { name, role, team, namespace: team, customerFacing: false, dependsOn, podHash: podHash(rng), pods, protocol };
    services.push(s);
    return s;
  };

  add('kafka-main', 'queue', 'platform', 3);
  add('redis-shared', 'cache', 'platform', 1);
  add('postgres-shared', 'database', 'platform', 2);
  add('auth-api', 'backend', 'platform', 3, ['postgres-shared', 'redis-shared']);
  const frontendCount = Math.max(2, Math.round(n / 22));
  let budget = n - services.length - frontendCount - 1;

  const apis: ServiceDef[] = [];
  let teamIndex = -1;
  for (let d = 0; budget > 0 && d < DOMAINS.length; d++) {
    const domain = DOMAINS[d]!;
    if (d % 3 === 0) teamIndex += 1;
    const team = DOMAINS[teamIndex * 3]!;
    const wantDb = budget >= 2 && rng.chance(0.85);
    const wantCache = budget >= 3 && rng.chance(0.3);
    const wantWorker = budget >= 3 && rng.chance(0.4);
    if (wantDb) { add(`${domain}-db`, 'database', team, 2); budget -= 1; }
    if (wantCache) { add(`${domain}-cache`, 'cache', team, 1); budget -= 1; }
    // Structural: an API reads its own database, or the shared one when it has none.
    apis.push(add(`${domain}-api`, 'backend', team, rng.int(2, 4), [wantDb ? `${domain}-db` : 'postgres-shared']));
    budget -= 1;
    if (wantWorker && budget > 0) { add(`${domain}-worker`, 'worker', team, 2, ['kafka-main']); budget -= 1; }
  }
  const frontends: ServiceDef[] = [];
  for (let i = 0; i < frontendCount; i++) {
    frontends.push(add(FRONTENDS[i] ?? `frontend-${i + 1}`, 'frontend', 'web', 3, rng.sample(apis, Math.min(apis.length, 2)).map((a) => a.name)));
  }
  add('edge-gateway', 'gateway', 'platform', 2, frontends.map((f) => f.name));

  addEdges(rng, services, Math.round(options.dependsOnMean * services.length));

  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    if (s.role !== 'frontend' && s.role !== 'gateway') continue;
    s.customerFacing = true;
    for (const dep of s.dependsOn) byName.get(dep)!.customerFacing = true;
  }
  const callers = new Map<string, string[]>(services.map((s) => [s.name, []]));
  for (const s of services) for (const dep of s.dependsOn) callers.get(dep)!.push(s.name);
  const deployedIn = homeServices(rng, services, options.clusters, options.crossClusterShare);
  return { services, clusters: [...options.clusters], byName, callers, deployedIn };
}

/** Which services `caller` may call besides what it already calls (earlier services only). */
function mayCall(caller: ServiceDef, callee: ServiceDef): boolean {
  switch (caller.role) {
    case 'backend':
    case 'worker':
      // Other domains' databases and caches stay private; shared ones and APIs are fair game.
      if (callee.role === 'backend') return true;
      if (STATEFUL.has(callee.role)) return SHARED.has(callee.name) || domainOf(callee) === domainOf(caller);
      return false;
    case 'frontend':
      return callee.role === 'backend';
    case 'gateway':
      return callee.role === 'frontend' || callee.role === 'backend';
    default:
      return false;
  }
}

/**
 * Adds edges until there are `target`: a random caller, then a callee drawn with weight
 * (base + callers it already has), base 4 for shared infrastructure and 1 otherwise, so
 * well-used services attract more callers (hubs).
 */
function addEdges(rng: Rng, services: ServiceDef[], target: number): void {
  let edges = services.reduce((k, s) => k + s.dependsOn.length, 0);
  const index = new Map(services.map((s, i) => [s.name, i]));
  const inDegree = new Map<string, number>(services.map((s) => [s.name, 0]));
  for (const s of services) for (const d of s.dependsOn) inDegree.set(d, inDegree.get(d)! + 1);
  let open = services.filter((s) => !STATEFUL.has(s.role));
  while (edges < target && open.length > 0) {
    const caller = rng.pick(open);
    const candidates = services.slice(0, index.get(caller.name)).filter((c) => !caller.dependsOn.includes(c.name) && mayCall(caller, c));
    if (candidates.length === 0) { open = open.filter((s) => s !== caller); continue; }
    const weights = candidates.map((c) => (SHARED.has(c.name) ? 4 : 1) + inDegree.get(c.name)!);
    let x = rng.next() * weights.reduce((a, b) => a + b, 0);
    let pick = candidates.length - 1;
    for (let i = 0; i < candidates.length; i++) { x -= weights[i]!; if (x < 0) { pick = i; break; } }
    const callee = candidates[pick]!;
    caller.dependsOn.push(callee.name);
    inDegree.set(callee.name, inDegree.get(callee.name)! + 1);
    edges += 1;
  }
}

/** Share of calls (caller instance -> dependency) whose dependency does not run in the caller's cluster. */
export function crossClusterCallShare(services: readonly ServiceDef[], deployedIn: ReadonlyMap<string, readonly string[]>): number {
  let calls = 0;
  let cross = 0;
  for (const s of services) {
    for (const cluster of deployedIn.get(s.name)!) {
      for (const dep of s.dependsOn) {
        calls += 1;
        if (!deployedIn.get(dep)!.includes(cluster)) cross += 1;
      }
    }
  }
  return calls === 0 ? 0 : cross / calls;
}

/**
 * Homes services in one cluster, in random order with stateful ones first, keeping each change
 * that brings the cross-cluster share closer to `share`; later passes may also send a homed
 * service back to every cluster, so the share lands close even when hubs move it in big steps.
 * Frontends and the gateway run everywhere (traffic enters every cluster).
 */
function homeServices(rng: Rng, services: ServiceDef[], clusters: string[], share: number): Map<string, string[]> {
  const deployedIn = new Map(services.map((s) => [s.name, [...clusters]]));
  if (share <= 0 || clusters.length < 2) return deployedIn;
  const candidates = rng.shuffle(services.filter((s) => STATEFUL.has(s.role) || s.role === 'backend' || s.role === 'worker'));
  const ordered = [...candidates.filter((s) => STATEFUL.has(s.role)), ...candidates.filter((s) => !STATEFUL.has(s.role))];
  let current = 0;
  for (let pass = 0; pass < 4 && Math.abs(current - share) >= 0.005; pass++) {
    for (const s of ordered) {
      if (Math.abs(current - share) < 0.005) break;
      const before = deployedIn.get(s.name)!;
      const homed = before.length === 1;
      if (homed && pass === 0) continue;
      deployedIn.set(s.name, homed ? [...clusters] : [rng.chance(0.5) ? clusters[0]! : rng.pick(clusters)]);
      const next = crossClusterCallShare(services, deployedIn);
      if (Math.abs(next - share) < Math.abs(current - share)) current = next;
      else deployedIn.set(s.name, before);
    }
  }
  return deployedIn;
}

/** Mean `dependsOn` edges per service. */
export const meanDependsOn = (t: Pick<Topology, 'services'>): number =>
  t.services.reduce((k, s) => k + s.dependsOn.length, 0) / t.services.length;
