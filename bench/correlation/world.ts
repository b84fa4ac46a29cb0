import type { GroundTruth } from '../../src/cli/backtest/ground-truth';
import type { HistoryLine } from '../../src/cli/backtest/history-file';
import { DEFAULT_AM_CONFIG, deliveredFirings, renderAlertmanager, type AmConfig, type AmRoute } from './alertmanager-render';
import { generateDenseTopology } from './dense-topology';
import { applyExporterLabels, exporterEstate, type ExporterLabelCount } from './exporter-labels';
import { HISTORY_START, truthOf } from './generate-history';
import { InstanceGraph } from './instance-graph';
import { createRng } from './rng';
import type { PlannedFiring, ScenarioKind } from './scenarios';
import { renderCatalogYaml, type Topology } from './topology';
import { planWorld, type ScenarioKnobs, type WorldPlan } from './world-scenarios';

/**
 * One world of the sweep: what the estate looks like (knobs), rendered as Alertmanager
 * deliveries with ground truth. A pure function of (seed, knobs, size): the topology depends
 * only on the seed and the topology knobs, so cells that vary a scenario or routing knob
 * replay the same estate.
 */
export type RoutingName = 'default' | 'by-service' | 'by-namespace';

export interface WorldKnobs extends ScenarioKnobs {
  /** Catalog `dependsOn` edges per service on average. */
  dependsOnMean: number;
  /** Share of calls that cross clusters. */
  crossClusterShare: number;
  routing: RoutingName;
  /**
   * Share of housekeeping alerts and Kubernetes-level symptoms sent with the labels of the
   * exporter that produced their series (kube-state-metrics, kubelet, node exporter, blackbox
   * probes, cert-manager) instead of a `service` label naming the workload. See `exporter-labels.ts`.
   */
  exporterLabels: number;
}

export interface WorldSize {
  services: number;
  clusters: string[];
  hours: number;
  perDay: Record<ScenarioKind, number>;
  maxCascade: number;
}

/** About 50 services in 3 clusters over two days. */
export const WORLD_SIZE: WorldSize = {
  services: 50,
  clusters: ['prod-eu-1', 'prod-us-1', 'prod-ap-1'],
  hours: 48,
  perDay: { cascade: 8, isolated: 6, noise: 30, concurrent: 2, recurring: 1.5, flapping: 2, 'two-cluster': 1.5 },
  maxCascade: 10,
};

const route = (groupBy: string[], matchers: Record<string, string> = {}, wait = 30_000, interval = 300_000, repeat = 4 * 3_600_000): AmRoute =>
  ({ receiver: 'debrief', matchers, groupBy, groupWaitMs: wait, groupIntervalMs: interval, repeatIntervalMs: repeat });

/**
 * Alertmanager routings: `default` is the default bench's (root `[alertname, cluster]`, a
 * critical child route by `[cluster, namespace]`); `by-service` groups everything by
 * `[alertname, cluster, service]` (the README's suggestion); `by-namespace` groups everything
 * by `[cluster, namespace]`.
 */
export const ROUTINGS: Record<RoutingName, AmConfig> = {
  default: DEFAULT_AM_CONFIG,
  'by-service': { ...DEFAULT_AM_CONFIG, root: route(['alertname', 'cluster', 'service']), routes: [] },
  'by-namespace': { ...DEFAULT_AM_CONFIG, root: route(['cluster', 'namespace']), routes: [] },
};

export const describeRouting = (name: RoutingName): string => {
  const am = ROUTINGS[name];
  const r = (x: AmRoute) => `group_by [${x.groupBy.join(', ')}] (wait ${x.groupWaitMs / 1000}s, interval ${x.groupIntervalMs / 60_000}m, repeat ${x.repeatIntervalMs / 3_600_000}h)`;
  return [`root ${r(am.root)}`, ...am.routes.map((x) => `${Object.entries(x.matchers).map(([k, v]) => `${k}="${v}"`).join(',')} ${r(x)}`)].join('; ');
};

export interface WorldHistory {
  seed: number;
  knobs: WorldKnobs;
  topology: Topology;
  graph: InstanceGraph;
  catalogYaml: string;
  /** The scenarios as planned, every alert with the generator's labels (the workload in `service`). */
  plan: WorldPlan;
  /** The firings as sent: `plan.firings` in the same order, some with an exporter's labels. */
  firings: PlannedFiring[];
  exporterLabels: ExporterLabelCount;
  lines: HistoryLine[];
  truth: GroundTruth;
  undelivered: number;
}

export function generateWorldHistory(seed: number, knobs: WorldKnobs, size: WorldSize = WORLD_SIZE): WorldHistory {
  const rng = createRng(seed);
  const topology = generateDenseTopology(rng.fork('topology'), {
    services: size.services, clusters: size.clusters, dependsOnMean: knobs.dependsOnMean, crossClusterShare: knobs.crossClusterShare,
  });
  const graph = new InstanceGraph(topology);
  const plan = planWorld(rng.fork('scenarios'), graph, { startMs: HISTORY_START, hours: size.hours, perDay: size.perDay, maxCascade: size.maxCascade, knobs });
  // Labels are chosen after placement, from their own stream: the knob changes what the
  // alerts say, never where and when they fire.
  const exporter = applyExporterLabels(rng.fork('exporter-labels'), topology, exporterEstate(rng.fork('exporter-estate'), size.clusters), plan.firings, knobs.exporterLabels);
  const workloadOf = new Map(exporter.firings.map((f, i) => [f, plan.firings[i]!.labels.service]));
  const lines = renderAlertmanager(exporter.firings, ROUTINGS[knobs.routing], rng.fork('alertmanager'));
  const truth = truthOf({ ...plan, firings: exporter.firings }, deliveredFirings(lines), `generated by bench/correlation (sweep world): seed ${seed}, ${describeKnobs(knobs)}`, (f) => workloadOf.get(f));
  const truthFirings = truth.incidents.reduce((n, i) => n + i.firings.length, 0);
  return {
    seed, knobs, topology, graph,
    catalogYaml: renderCatalogYaml(topology, `service catalog generated by bench/correlation (sweep world, seed ${seed}, dependsOn ${knobs.dependsOnMean}, cross-cluster ${knobs.crossClusterShare})`),
    plan, firings: exporter.firings, exporterLabels: exporter.count, lines, truth, undelivered: plan.firings.length - truthFirings,
  };
}

export const describeKnobs = (k: WorldKnobs): string =>
  `dependsOn ${k.dependsOnMean}, cross-cluster ${pct(k.crossClusterShare)}, noise near ${pct(k.noiseNearShare)}, concurrent near ${k.concurrentNear ? 'on' : 'off'}, chronic ${k.chronic}, timing ${k.timing}, root late ${pct(k.rootLateShare)}, routing ${k.routing}, exporter labels ${pct(k.exporterLabels)}`;

const pct = (x: number): string => `${Math.round(x * 100)}%`;
