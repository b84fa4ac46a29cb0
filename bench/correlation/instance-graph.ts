import type { Topology } from './topology';

/**
 * The call graph between service instances: a service in one cluster calls each dependency
 * in the same cluster when the dependency runs there, and in the dependency's home cluster
 * otherwise. Failures spread and "nearness" is measured along this graph, so a global
 * database homed in one cluster is one hop from its callers in every cluster.
 */
export interface Instance {
  service: string;
  cluster: string;
}

export const instanceKey = (i: Instance): string => `${i.service}@${i.cluster}`;

export function parseInstanceKey(key: string): Instance {
  const at = key.lastIndexOf('@');
  return { service: key.slice(0, at), cluster: key.slice(at + 1) };
}

/** The cluster a call from `fromCluster` to `dependency` lands in. */
export function calleeCluster(topology: Topology, dependency: string, fromCluster: string): string {
  const where = topology.deployedIn.get(dependency)!;
  return where.includes(fromCluster) ? fromCluster : where[0]!;
}

export class InstanceGraph {
  readonly instances: Instance[] = [];
  private readonly deps = new Map<string, string[]>();
  private readonly callers = new Map<string, string[]>();
  private readonly balls = new Map<string, Map<string, number>>();

  constructor(readonly topology: Topology) {
    for (const s of topology.services) {
      for (const cluster of topology.deployedIn.get(s.name)!) {
        const key = instanceKey({ service: s.name, cluster });
        this.instances.push({ service: s.name, cluster });
        this.deps.set(key, []);
        if (!this.callers.has(key)) this.callers.set(key, []);
      }
    }
    for (const s of topology.services) {
      for (const cluster of topology.deployedIn.get(s.name)!) {
        const from = instanceKey({ service: s.name, cluster });
        for (const dep of s.dependsOn) {
          const to = instanceKey({ service: dep, cluster: calleeCluster(topology, dep, cluster) });
          this.deps.get(from)!.push(to);
          (this.callers.get(to) ?? this.callers.set(to, []).get(to)!).push(from);
        }
      }
    }
  }

  has(key: string): boolean {
    return this.deps.has(key);
  }

  /** Instances calling `key`. */
  callersOf(key: string): string[] {
    return this.callers.get(key) ?? [];
  }

  dependenciesOf(key: string): string[] {
    return this.deps.get(key) ?? [];
  }

  /** Instances within `max` undirected hops of `key` (itself at 0), with their distance. */
  ball(key: string, max = 2): ReadonlyMap<string, number> {
    const cacheKey = `${max}|${key}`;
    const cached = this.balls.get(cacheKey);
    if (cached) return cached;
    const out = new Map<string, number>([[key, 0]]);
    let frontier = [key];
    for (let d = 1; d <= max; d++) {
      const next: string[] = [];
      for (const k of frontier) {
        for (const m of [...this.dependenciesOf(k), ...this.callersOf(k)]) {
          if (out.has(m)) continue;
          out.set(m, d);
          next.push(m);
        }
      }
      frontier = next;
    }
    this.balls.set(cacheKey, out);
    return out;
  }

  /** Undirected hop distance, Infinity beyond `max`. */
  distance(a: string, b: string, max = 2): number {
    return this.ball(a, max).get(b) ?? Infinity;
  }
}
