import { stringify } from 'yaml';
import type { Rng } from './rng';

/**
 * A service topology like a mid-sized product's: domains with an API, a database, maybe a
 * cache and a worker; shared infrastructure (a Kafka cluster, a shared Redis); frontends
 * and an edge gateway that call many APIs.
 *
 * `generateTopology` is the single world of the default bench: every service runs in every
 * cluster and calls stay inside a cluster. The sweep's estates, with a chosen density and
 * calls across clusters, come from `dense-topology.ts`.
 */
export type ServiceRole = 'database' | 'cache' | 'queue' | 'backend' | 'worker' | 'frontend' | 'gateway';

export interface ServiceDef {
  name: string;
  role: ServiceRole;
  team: string;
  /** Kubernetes namespace the service runs in (one per team). */
  namespace: string;
  customerFacing: boolean;
  /** Services this one calls (catalog `dependsOn`). */
  dependsOn: string[];
  /** Pod names are `<name>-<podHash>-<n>` (stateful sets: `<name>-<n>`). */
  podHash: string;
  pods: number;
  /** What the service's request metrics (and so its alert names) are about. */
  protocol: 'http' | 'grpc';
}

export interface Topology {
  services: ServiceDef[];
  clusters: string[];
  byName: ReadonlyMap<string, ServiceDef>;
  /** Callers of each service (reverse `dependsOn`). */
  callers: ReadonlyMap<string, string[]>;
  /**
   * Clusters each service runs in: all of them, or one (its home) for a service homed in a
   * single cluster, whose callers in other clusters then call it across clusters.
   */
  deployedIn: ReadonlyMap<string, string[]>;
}

export interface TopologyOptions {
  services: number;
  clusters: string[];
}

export const DOMAINS = [
  'accounts', 'orders', 'payments', 'catalog', 'inventory', 'pricing', 'cart', 'checkout', 'shipping', 'search',
  'reviews', 'ledger', 'fraud', 'loyalty', 'coupons', 'media', 'geo', 'tax', 'invoicing', 'subscriptions',
  'notifications', 'email', 'sms', 'identity', 'sessions', 'recommendations', 'analytics', 'reporting', 'audit', 'profiles',
  'wishlist', 'returns', 'warehouse', 'partners', 'ads', 'tracking', 'chat', 'support', 'billing', 'exports',
  'imports', 'webhooks', 'scheduler', 'quotes', 'risk', 'kyc', 'documents', 'translations', 'forecasts', 'pickup',
  'bundles', 'vouchers', 'refunds', 'disputes', 'payouts', 'merchants', 'stores', 'menus', 'drivers', 'routing',
];

export const FRONTENDS = ['web-storefront', 'mobile-bff', 'partner-portal', 'admin-console', 'checkout-web', 'seller-portal'];

const POD_HASH_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
export const podHash = (rng: Rng): string => Array.from({ length: 9 }, () => rng.pick([...POD_HASH_CHARS])).join('');

export function generateTopology(rng: Rng, options: TopologyOptions): Topology {
  const n = options.services;
  const services: ServiceDef[] = [];
  const add = (name: string, role: ServiceRole, team: string, pods: number, dependsOn: string[] = []): ServiceDef => {
    const protocol = role === 'backend' && rng.chance(0.4) ? 'grpc' : 'http';
    const s: ServiceDef = { name, role, team, namespace: team, customerFacing: false, dependsOn, podHash: podHash(rng), pods, protocol };
    services.push(s);
    return s;
  };

  // Shared infrastructure first, so domains can depend on it.
  const kafka = add('kafka-main', 'queue', 'platform', 3);
  const sharedRedis = add('redis-shared', 'cache', 'platform', 1);
  const frontendCount = Math.max(2, Math.round(n / 22));
  const edgeCount = 1;
  const domainBudget = n - 2 - frontendCount - edgeCount;

  // Domains in order; a domain's API may call APIs of earlier domains (a DAG by construction).
  const apis: ServiceDef[] = [];
  let teamIndex = -1;
  let budget = domainBudget;
  for (let d = 0; budget > 0 && d < DOMAINS.length; d++) {
    const domain = DOMAINS[d]!;
    if (d % 3 === 0) teamIndex += 1;
    const team = DOMAINS[teamIndex * 3]!;
    const wantDb = budget >= 2 && rng.chance(0.85);
    const wantCache = budget >= 3 && rng.chance(0.3);
    const wantWorker = budget >= 3 && rng.chance(0.4);
    const deps: string[] = [];
    if (wantDb) { add(`${domain}-db`, 'database', team, 2); deps.push(`${domain}-db`); budget -= 1; }
    if (wantCache) { add(`${domain}-cache`, 'cache', team, 1); deps.push(`${domain}-cache`); budget -= 1; }
    const earlier = apis.slice(Math.max(0, apis.length - 12));
    for (const other of rng.sample(earlier, rng.int(0, Math.min(2, earlier.length)))) deps.push(other.name);
    if (rng.chance(0.25)) deps.push(kafka.name);
    if (rng.chance(0.15)) deps.push(sharedRedis.name);
    const api = add(`${domain}-api`, 'backend', team, rng.int(2, 4), deps);
    apis.push(api);
    budget -= 1;
    if (wantWorker && budget > 0) {
      const workerDeps = [kafka.name, ...(wantDb ? [`${domain}-db`] : [])];
      if (earlier.length > 0 && rng.chance(0.5)) workerDeps.push(rng.pick(earlier).name);
      add(`${domain}-worker`, 'worker', team, 2, workerDeps);
      budget -= 1;
    }
  }

  // Frontends call several APIs; whatever a frontend calls directly is customer-facing.
  const frontends: ServiceDef[] = [];
  for (let i = 0; i < frontendCount; i++) {
    const name = FRONTENDS[i] ?? `frontend-${i + 1}`;
    const deps = rng.sample(apis, Math.min(apis.length, rng.int(3, 6))).map((a) => a.name);
    frontends.push(add(name, 'frontend', 'web', 3, deps));
  }
  add('edge-gateway', 'gateway', 'platform', 2, frontends.map((f) => f.name));

  const byName = new Map(services.map((s) => [s.name, s]));
  for (const f of [...frontends, byName.get('edge-gateway')!]) {
    f.customerFacing = true;
    for (const dep of f.dependsOn) byName.get(dep)!.customerFacing = true;
  }
  const callers = new Map<string, string[]>(services.map((s) => [s.name, []]));
  for (const s of services) for (const dep of s.dependsOn) callers.get(dep)!.push(s.name);
  const deployedIn = new Map(services.map((s) => [s.name, [...options.clusters]]));
  return { services, clusters: [...options.clusters], byName, callers, deployedIn };
}

/** Pod names of a service in a cluster (stable over the history). */
export function podsOf(service: ServiceDef, cluster: string): string[] {
  const stateful = service.role === 'database' || service.role === 'cache' || service.role === 'queue';
  const suffix = cluster.replace(/^prod-/, '').replace(/-/g, '').slice(0, 4);
  return Array.from({ length: service.pods }, (_, i) =>
    stateful ? `${service.name}-${i}` : `${service.name}-${service.podHash.slice(0, 5)}${suffix}-${service.podHash.slice(5, 9)}${i}`);
}

/** Undirected hop distance between two services (Infinity when unconnected), capped at `max`. */
export function hopDistance(topology: Topology, from: string, to: string, max = 6): number {
  if (from === to) return 0;
  let frontier = [from];
  const seen = new Set(frontier);
  for (let d = 1; d <= max; d++) {
    const next: string[] = [];
    for (const name of frontier) {
      const s = topology.byName.get(name)!;
      for (const m of [...s.dependsOn, ...(topology.callers.get(name) ?? [])]) {
        if (m === to) return d;
        if (!seen.has(m)) { seen.add(m); next.push(m); }
      }
    }
    frontier = next;
  }
  return Infinity;
}

/**
 * The service catalog Debrief reads (`config/services.yaml` format: `name`, `team`,
 * `customerFacing`, `dependsOn`), for the same topology the alerts come from.
 */
export function renderCatalogYaml(topology: Topology, header: string): string {
  const doc = {
    services: topology.services.map((s) => ({
      name: s.name,
      team: s.team,
      customerFacing: s.customerFacing,
      dependsOn: s.dependsOn,
    })),
  };
  return `# ${header}\n${stringify(doc, { flowCollectionPadding: false })}`;
}
