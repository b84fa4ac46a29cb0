import { allMatch, type Matcher } from './correlation/matchers';

/**
 * Which service an alert is about: one explained answer, used by correlation, summaries, the
 * impact list and the report. Pure.
 *
 * 1. A catalog entry whose `match` (Alertmanager matchers) all hold names it.
 * 2. An alert an exporter produced names its workload, not the exporter. kube-state-metrics,
 *    kubelet/cAdvisor, node-exporter, blackbox-exporter and pushgateway scrape *other* things,
 *    and the target labels Prometheus adds (`service`, `job`, `instance`, `endpoint`) name the
 *    exporter: `KubePodCrashLooping` from the kube-prometheus-stack chart carries
 *    `service="kube-prometheus-stack-kube-state-metrics"`, `job="kube-state-metrics"`, and the
 *    failing workload only in `namespace` + `pod` (or `deployment`, `statefulset`, `daemonset`,
 *    `job_name`). Labels renamed to `exported_*` (`honor_labels: false`) name the original.
 *    The workload is `deployment`/`statefulset`/`daemonset`/`job_name`, else the owner of `pod`
 *    (its name without the ReplicaSet hash and pod suffix); node-level alerts name the node;
 *    blackbox probes the probed target's host. The exporter is the affected service only when
 *    the alert is about the exporter itself (`KubeStateMetricsListErrors`, `TargetDown` of its
 *    job, ...).
 * 3. Otherwise the first of `impact.serviceLabels` (default `service`, `app`, `job`) present.
 */

/** How an estate names its services: the configured labels, and catalog entries matching label sets. */
export interface ServiceNaming {
  labels: readonly string[];
  /** Catalog entries with `match`, in catalog order. */
  matches: ReadonlyArray<{ service: string; matchers: readonly Matcher[] }>;
}

/** What `serviceOf` accepts: the configured labels alone, or the full naming with catalog matches. */
export type ServiceLabels = readonly string[] | ServiceNaming;

export interface ServiceAttribution {
  service: string | null;
  /** How it was named, for explanations: `label service`, `catalog match ...`, `kube-state-metrics alert: deployment "api"`. */
  via: string;
  /** True when the plain first-label rule would have named another service (people should see why). */
  notable: boolean;
}

const namingOf = (labels: ServiceLabels): ServiceNaming => ('labels' in labels ? labels as ServiceNaming : { labels: labels as readonly string[], matches: [] });

/** The affected service an alert names (see the module comment), or null when none. */
export function serviceOf(labels: Record<string, string>, serviceLabels: ServiceLabels): string | null {
  return attributeService(labels, serviceLabels).service;
}

export function attributeService(labels: Record<string, string>, serviceLabels: ServiceLabels): ServiceAttribution {
  const naming = namingOf(serviceLabels);
  for (const entry of naming.matches) {
    if (entry.matchers.length > 0 && allMatch(entry.matchers, labels, null)) {
      return { service: entry.service, via: `catalog match ${entry.matchers.map((m) => m.text).join(', ')}`, notable: true };
    }
  }
  const plain = firstLabel(labels, naming.labels);
  const exporter = exporterOf(labels);
  if (exporter) {
    const own = aboutExporter(labels, exporter);
    if (own) return { service: own, via: `an alert about the ${exporter.kind} exporter itself`, notable: own !== plain?.value };
    const workload = workloadOf(labels, exporter);
    if (workload) return { ...workload, notable: workload.service !== plain?.value };
  }
  for (const name of naming.labels) {
    const v = labels[name];
    if (v && !isExporterName(v)) return { service: v, via: `label ${name}`, notable: plain?.name !== name };
  }
  return { service: null, via: `none of the labels ${naming.labels.join(', ')}`, notable: false };
}

/** A stable text of what naming depends on (stores recompute derived state when it changes). */
export const namingTag = (serviceLabels: ServiceLabels): unknown => {
  const naming = namingOf(serviceLabels);
  return { labels: naming.labels, matches: naming.matches.map((m) => [m.service, m.matchers.map((x) => x.text)]) };
};

function firstLabel(labels: Record<string, string>, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) if (labels[name]) return { name, value: labels[name]! };
  return null;
}

// ------------------------------------------------------------------- exporters

type ExporterKind = 'kube-state-metrics' | 'kubelet' | 'node-exporter' | 'blackbox' | 'pushgateway' | 'scrape-config';

interface Exporter {
  kind: ExporterKind;
  /** The exporter's own name as the alert carries it (its `job`, else `service`). */
  name: string;
}

/** Substrings of `job`/`service` values that name an exporter, as the common charts deploy them. */
const EXPORTER_PATTERNS: ReadonlyArray<[RegExp, ExporterKind]> = [
  [/kube[-_]state[-_]metrics/, 'kube-state-metrics'],
  [/(^|[-_])kubelet$|cadvisor/, 'kubelet'],
  [/node[-_]exporter/, 'node-exporter'],
  [/blackbox/, 'blackbox'],
  [/pushgateway/, 'pushgateway'],
  // Prometheus' example kubernetes_sd jobs name a scrape config, not a service.
  [/^kubernetes-(pods|service-endpoints|services|nodes|cadvisor|apiservers)(-slow)?$/, 'scrape-config'],
];

const kindOf = (value: string | undefined): ExporterKind | null => {
  if (!value) return null;
  for (const [pattern, kind] of EXPORTER_PATTERNS) if (pattern.test(value)) return kind;
  return null;
};

const isExporterName = (value: string): boolean => kindOf(value) !== null;

function exporterOf(labels: Record<string, string>): Exporter | null {
  for (const key of ['job', 'service']) {
    const kind = kindOf(labels[key]);
    if (kind) return { kind, name: labels.job ?? labels[key]! };
  }
  return null;
}

/** Alert names about an exporter's own health, by exporter. */
const OWN_ALERTS: Record<ExporterKind, RegExp> = {
  'kube-state-metrics': /^KubeStateMetrics/,
  kubelet: /^Kubelet/,
  'node-exporter': /^NodeExporter/,
  blackbox: /^BlackboxExporter/,
  pushgateway: /^Pushgateway/,
  'scrape-config': /^$/,
};

/** The exporter's own name when the alert is about the exporter itself (its health, or its scrape target being down). */
function aboutExporter(labels: Record<string, string>, exporter: Exporter): string | null {
  const name = labels.alertname ?? '';
  if (OWN_ALERTS[exporter.kind].test(name)) return exporter.name;
  // `TargetDown` / `up == 0` alerts on the exporter's own job: the exporter is what is down.
  if ((name === 'TargetDown' || name === 'PrometheusTargetDown' || name === 'InstanceDown') && !labels.exported_job) return exporter.name;
  return null;
}

/** The workload (or node, or probed host) an exporter's alert is about. */
function workloadOf(labels: Record<string, string>, exporter: Exporter): { service: string; via: string } | null {
  const from = `${exporter.kind} alert`;
  for (const key of ['exported_service', 'exported_job']) {
    const v = labels[key];
    if (v && !isExporterName(v)) return { service: v, via: `${from}: ${key} "${v}"` };
  }
  if (exporter.kind === 'blackbox') {
    const target = labels.target ?? labels.instance;
    if (target) return { service: hostOf(target), via: `${from}: probed target "${target}"` };
    return null;
  }
  for (const key of ['deployment', 'statefulset', 'daemonset', 'cronjob', 'job_name']) {
    const v = labels[key];
    if (v) return { service: key === 'job_name' ? jobOwner(v) : v, via: `${from}: ${key} "${v}"` };
  }
  if (labels.pod) return { service: podOwner(labels.pod), via: `${from}: pod "${labels.pod}"` };
  if (exporter.kind === 'node-exporter' || exporter.kind === 'kubelet' || exporter.kind === 'scrape-config') {
    const node = labels.node ?? labels.instance;
    if (node) return { service: `node/${node.replace(/:\d+$/, '')}`, via: `${from}: node "${node}"` };
  }
  return null;
}

/**
 * The workload a pod belongs to, from its name: Deployment pods are `<name>-<replicaset hash>-<suffix>`,
 * DaemonSet and Job pods `<name>-<suffix>`, StatefulSet pods `<name>-<ordinal>`.
 */
export function podOwner(pod: string): string {
  const deployment = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod);
  if (deployment) return deployment[1]!;
  const ordinal = /^(.+)-\d+$/.exec(pod);
  if (ordinal) return ordinal[1]!;
  const suffix = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  if (suffix) return suffix[1]!;
  return pod;
}

/** A CronJob's Job is `<cronjob>-<scheduled minute>`: the CronJob is the workload. */
const jobOwner = (job: string): string => /^(.+)-\d{8,}$/.exec(job)?.[1] ?? job;

function hostOf(target: string): string {
  try {
    return new URL(target.includes('://') ? target : `http://${target}`).hostname || target;
  } catch {
    return target;
  }
}

/** The configured label names, for messages. */
export const labelNames = (serviceLabels: ServiceLabels): readonly string[] => namingOf(serviceLabels).labels;
