import { crossClusterCallShare, meanDependsOn } from './dense-topology';
import type { ExporterLabelCount } from './exporter-labels';
import { instanceKey, type InstanceGraph } from './instance-graph';
import type { PlannedFiring } from './scenarios';
import type { Topology } from './topology';
import type { WorldPlan } from './world-scenarios';

/**
 * What a generated world actually looks like, measured from the topology and the plan rather
 * than taken from the knobs: the sweep prints these beside each world, and the tests check
 * that each knob moves its measure. Pure.
 */
export interface WorldMeasures {
  meanDependsOn: number;
  /** Most callers any one service has (hubs). */
  maxCallers: number;
  crossClusterCallShare: number;
  /** Share of failures (spreading ones) whose alerts came from more than one cluster. */
  multiClusterFailureShare: number | null;
  /** Share of one-off noise starting during a failure within 2 hops of a failing instance. */
  noiseNearShare: number | null;
  /** Share of spreading failures whose root alert starts after the first symptom of a caller. */
  rootLateShare: number | null;
  /** Mean minutes between a dependency's onset and its caller's. */
  meanHopDelayMin: number | null;
  /** Alerts firing 4 hours or longer, and how many of them sit on an instance of a failure. */
  chronicFirings: number;
  chronicOnFailingInstances: number;
  /** Concurrent failures whose roots are within 2 hops of another concurrent failure's instances. */
  concurrentNearPairs: number;
  /**
   * Share of the firings that have an exporter rendering (housekeeping alerts, Kubernetes-level
   * symptoms) sent with the exporter's labels; null when not counted or none has one.
   */
  exporterLabelShare: number | null;
}

const HOUR = 3_600_000;
const keyOfFiring = (f: PlannedFiring): string => instanceKey({ service: f.labels.service!, cluster: f.labels.cluster! });

export function measureWorld(topology: Topology, graph: InstanceGraph, plan: WorldPlan, exporterLabels?: ExporterLabelCount): WorldMeasures {
  const byIncident = new Map<string, PlannedFiring[]>();
  for (const f of plan.firings) (byIncident.get(f.incidentId) ?? byIncident.set(f.incidentId, []).get(f.incidentId)!).push(f);

  const spreading = plan.failures.filter((r) => r.affected.length > 1);
  let late = 0;
  for (const r of spreading) {
    const own = new Set(r.affected.map((a) => a.instance));
    const fs = (byIncident.get(r.incidentId) ?? []).filter((f) => own.has(keyOfFiring(f)));
    const rootStart = Math.min(...fs.filter((f) => keyOfFiring(f) === r.root).map((f) => f.startsAt));
    const otherStart = Math.min(...fs.filter((f) => keyOfFiring(f) !== r.root).map((f) => f.startsAt));
    if (rootStart > otherStart) late += 1;
  }
  const multiCluster = spreading.filter((r) => new Set(r.affected.map((a) => a.instance.slice(a.instance.lastIndexOf('@') + 1))).size > 1).length;

  const oneOff = plan.noise.filter((n) => !n.chronic);
  const near = oneOff.filter((n) => plan.failures.some((r) =>
    n.startsAt >= r.from && n.startsAt <= r.to && r.affected.some((a) => graph.distance(a.instance, n.instance, 2) <= 2)));

  const delays: number[] = [];
  for (const r of plan.failures) {
    const onset = new Map(r.affected.map((a) => [a.instance, a.onset]));
    for (const a of r.affected) if (a.from !== null) delays.push((a.onset - onset.get(a.from)!) / 60_000);
  }

  const chronic = plan.noise.filter((n) => n.endsAt - n.startsAt >= 4 * HOUR);
  const failingInstances = new Set(plan.failures.flatMap((r) => r.affected.map((a) => a.instance)));

  const concurrent = plan.failures.filter((r) => r.kind === 'concurrent');
  let nearPairs = 0;
  for (let i = 0; i < concurrent.length; i++) {
    for (let j = i + 1; j < concurrent.length; j++) {
      const a = concurrent[i]!;
      const b = concurrent[j]!;
      if (Math.abs(a.from - b.from) > 10 * 60_000) continue;
      if (graph.distance(a.root, b.root, 2) <= 2) nearPairs += 1;
    }
  }

  const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
  return {
    meanDependsOn: meanDependsOn(topology),
    maxCallers: Math.max(...topology.services.map((s) => topology.callers.get(s.name)!.length)),
    crossClusterCallShare: crossClusterCallShare(topology.services, topology.deployedIn),
    multiClusterFailureShare: ratio(multiCluster, spreading.length),
    noiseNearShare: ratio(near.length, oneOff.length),
    rootLateShare: ratio(late, spreading.length),
    meanHopDelayMin: delays.length === 0 ? null : delays.reduce((a, b) => a + b, 0) / delays.length,
    chronicFirings: chronic.length,
    chronicOnFailingInstances: chronic.filter((n) => failingInstances.has(n.instance)).length,
    concurrentNearPairs: nearPairs,
    exporterLabelShare: exporterLabels ? ratio(exporterLabels.rendered, exporterLabels.eligible) : null,
  };
}
