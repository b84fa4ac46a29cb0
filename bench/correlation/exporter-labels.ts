import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import type { Rng } from './rng';
import type { PlannedFiring } from './scenarios';
import type { ServiceDef, Topology } from './topology';

/**
 * The sweep knob `exporterLabels`: a share of the housekeeping alerts and of the
 * Kubernetes-level symptoms of failures is sent with the labels a real estate gives them,
 * those of the exporter target whose series the rule read, instead of the generator's
 * friendly `service`/`job`/`team` naming the workload. Only labels (and the annotations and
 * the graph link written from them) change: every firing keeps its times and its true
 * incident. Pure: a function of the seed's own stream, the topology and the planned firings.
 *
 * The estate modelled is a kube-prometheus-stack Helm release named `kube-prometheus-stack`
 * in namespace `monitoring`, with its default rules, plus blackbox Probe objects and
 * cert-manager. Where each label set comes from (public sources, read for this bench):
 *
 * - Target labels of a ServiceMonitor: `namespace`, `service`, `pod`, `container` from
 *   service discovery, `job` = the Service's name (or the value of its `jobLabel` label),
 *   `endpoint` = the port name, `instance` = the scraped address.
 *   prometheus-operator/prometheus-operator `pkg/prometheus/promcfg.go`
 *   (generateServiceMonitorConfig).
 * - When a scraped series has a label the target also sets: with `honor_labels: true` the
 *   series' value wins; with `false` (Prometheus' default) the series' value is renamed to
 *   `exported_<name>`. prometheus/prometheus `docs/configuration/configuration.md`
 *   (`honor_labels`).
 * - kube-state-metrics is scraped with `honorLabels: true` (kube-prometheus-stack
 *   `values.yaml`, `kube-state-metrics.prometheus.monitor.honorLabels`; the ServiceMonitor in
 *   prometheus-community/helm-charts `charts/kube-state-metrics/templates/servicemonitor.yaml`,
 *   port `http`). So a pod series keeps the workload's `namespace`/`pod`/`container`, and a
 *   deployment, job or HPA series (which has no `pod`/`container`) gets those of the
 *   kube-state-metrics pod itself; `service`, `job`, `endpoint`, `instance` are always the
 *   exporter's.
 * - The rules: prometheus-community/helm-charts
 *   `charts/kube-prometheus-stack/templates/prometheus/rules-1.14/kubernetes-apps.yaml`
 *   (KubePodCrashLooping on `kube_pod_container_status_waiting_reason`, KubePodNotReady as
 *   `sum by (namespace, pod)`, KubeDeploymentReplicasMismatch, KubeStatefulSetReplicasMismatch,
 *   KubeJobFailed, KubeHpaMaxedOut), `kubernetes-resources.yaml` (CPUThrottlingHigh on cAdvisor
 *   series, `sum without (id, metrics_path, name, image, endpoint, job, node)`, severity
 *   `info`), `kubernetes-storage.yaml` (KubePersistentVolumeFillingUp on kubelet volume
 *   stats, `job="kubelet"`, `metrics_path="/metrics"`), `node-exporter.yaml`
 *   (NodeFilesystemSpaceFillingUp, `job="node-exporter"`), `general.rules.yaml` (TargetDown
 *   as `count by (job, namespace, service)`). The same rules are generated from
 *   prometheus-operator/kube-prometheus `manifests/kubernetesControlPlane-prometheusRule.yaml`,
 *   `manifests/nodeExporter-prometheusRule.yaml` and `manifests/kubePrometheus-prometheusRule.yaml`.
 * - The node exporter DaemonSet is scraped on port `http-metrics` with `jobLabel` giving
 *   `job="node-exporter"` (kube-prometheus-stack `values.yaml`, `prometheus-node-exporter`).
 * - Blackbox probes through a Probe object: `job="probe/<namespace>/<name>"`, `instance` = the
 *   probed URL, `namespace` = the Probe's (promcfg.go generateProbeConfig;
 *   prometheus-operator/kube-prometheus `docs/blackbox-exporter.md`).
 * - cert-manager's ServiceMonitor sets no `honorLabels` (cert-manager/cert-manager
 *   `deploy/charts/cert-manager/templates/servicemonitor.yaml`, `targetPort` 9402), so the
 *   certificate's namespace arrives as `exported_namespace` and `namespace` is cert-manager's.
 *
 * Alerts received from such an estate (Alertmanager notifications published as GitHub issues
 * in AndreiGavriliu/homelab) show these sets for KubePodCrashLooping,
 * KubeDeploymentReplicasMismatch, KubeStatefulSetReplicasMismatch, KubeJobFailed,
 * KubePodNotReady, CPUThrottlingHigh, KubePersistentVolumeFillingUp and
 * NodeFilesystemSpaceFillingUp, plus the external label `prometheus`, which this bench leaves
 * out as it does for every other alert. The other renderings follow from the rule
 * expressions and scrape configurations above.
 *
 * Alerts about the application itself (error rates, latency, database, cache and queue
 * alerts) keep the generator's labels: their rules are the teams' own.
 */
export const MONITORING_NAMESPACE = 'monitoring';
export const RELEASE = 'kube-prometheus-stack';
export const KSM_SERVICE = `${RELEASE}-kube-state-metrics`;
export const KUBELET_SERVICE = `${RELEASE}-kubelet`;
export const NODE_EXPORTER_SERVICE = `${RELEASE}-prometheus-node-exporter`;

interface Node {
  name: string;
  ip: string;
  nodeExporterPod: string;
}

/** The monitoring stack of one cluster: which pods and nodes the target labels name. */
interface ClusterExporters {
  ksmPod: string;
  ksmInstance: string;
  nodes: Node[];
  certManagerPod: string;
  certManagerInstance: string;
}

export type ExporterEstate = ReadonlyMap<string, ClusterExporters>;

const NODES_PER_CLUSTER = 12;
const HASH_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const word = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.pick([...HASH_CHARS])).join('');

// EKS-style node names (`ip-<address>.<region>.compute.internal`), matching the NVMe devices below.
const REGIONS: Record<string, string> = { eu: 'eu-west-1', us: 'us-east-1', ap: 'ap-southeast-1' };

/** One kube-prometheus-stack per cluster, with its nodes; depends only on the stream given. */
export function exporterEstate(rng: Rng, clusters: readonly string[]): ExporterEstate {
  const estate = new Map<string, ClusterExporters>();
  clusters.forEach((cluster, ci) => {
    const r = rng.fork(cluster);
    const podIp = () => `10.${64 + ci}.${r.int(0, 255)}.${r.int(2, 254)}`;
    const region = REGIONS[cluster.split('-')[1] ?? ''] ?? cluster;
    const nodes = Array.from({ length: NODES_PER_CLUSTER }, (_, i) => {
      const ip = `10.${ci}.${Math.floor(i / 8)}.${10 + (i % 8) * 3}`;
      return { name: `ip-${ip.replaceAll('.', '-')}.${region}.compute.internal`, ip, nodeExporterPod: `${RELEASE}-prometheus-node-exporter-${word(r, 5)}` };
    });
    estate.set(cluster, {
      ksmPod: `${RELEASE}-kube-state-metrics-${word(r, 10)}-${word(r, 5)}`,
      ksmInstance: `${podIp()}:8080`,
      nodes,
      certManagerPod: `cert-manager-${word(r, 10)}-${word(r, 5)}`,
      certManagerInstance: `${podIp()}:9402`,
    });
  });
  return estate;
}

/** FNV-1a 32-bit: where a pod is scheduled and similar stable choices, without drawing from a stream. */
function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const nodeOf = (c: ClusterExporters, pod: string): Node => c.nodes[stableHash(pod) % c.nodes.length]!;

/** A pod's UID as kube-state-metrics reports it, stable for the pod name. */
function podUid(pod: string): string {
  const hex = [0, 1, 2, 3].map((i) => stableHash(`${pod}#${i}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FILESYSTEMS = [
  { device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/' },
  { device: '/dev/nvme1n1', fstype: 'xfs', mountpoint: '/var/lib/containerd' },
];

/** Stateful services run as StatefulSets (pods `<name>-<n>`), the rest as Deployments. */
const workloadKind = (s: ServiceDef): 'statefulset' | 'deployment' =>
  (s.role === 'database' || s.role === 'cache' || s.role === 'queue' ? 'statefulset' : 'deployment');

interface Rendered {
  labels: Record<string, string>;
  summary: string;
  description: string;
  runbook: string;
  expr: string;
}

interface Source {
  /** The generator's labels: `service` is the workload, `namespace` its team's. */
  labels: Record<string, string>;
  /** The generator's summary annotation. */
  summary: string;
  service: ServiceDef;
  cluster: ClusterExporters;
}

const runbook = (group: string, alertname: string) => `https://runbooks.prometheus-operator.dev/runbooks/${group}/${alertname.toLowerCase()}`;

const ksmTarget = (c: ClusterExporters) => ({ endpoint: 'http', instance: c.ksmInstance, job: 'kube-state-metrics', service: KSM_SERVICE });
// Series without pod/container of their own keep the target's: the kube-state-metrics pod.
const ksmPod = (c: ClusterExporters) => ({ pod: c.ksmPod, container: 'kube-state-metrics' });

type Renderer = (src: Source) => Rendered | null;

/**
 * Per generator alert name: the labels the same condition carries from a real estate. The
 * alert names are the chart's where the generator already uses them; the generator's
 * `DiskSpaceLow` becomes the chart's NodeFilesystemSpaceFillingUp, since the node exporter,
 * not the pod, reports a filling disk.
 */
const RENDERERS: Record<string, Renderer> = {
  KubePodCrashLooping: ({ labels: l, service: s, cluster: c }) => {
    const pod = l.pod;
    if (!pod) return null;
    const container = l.container ?? s.name;
    return {
      labels: { alertname: 'KubePodCrashLooping', cluster: l.cluster!, severity: 'warning', ...ksmTarget(c), namespace: s.namespace, pod, container, reason: 'CrashLoopBackOff', uid: podUid(pod) },
      summary: 'Pod is crash looping.',
      description: `Pod ${s.namespace}/${pod} (${container}) is in waiting state (reason: "CrashLoopBackOff").`,
      runbook: runbook('kubernetes', 'KubePodCrashLooping'),
      expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", job="kube-state-metrics"}[5m]) >= 1',
    };
  },
  // The generator's own rule on a kube-state-metrics counter: no aggregation, so it keeps every label of the series.
  PodCrashLooping: ({ labels: l, summary, service: s, cluster: c }) => {
    const pod = l.pod;
    if (!pod) return null;
    const container = l.container ?? s.name;
    return {
      labels: { alertname: 'PodCrashLooping', cluster: l.cluster!, severity: l.severity!, ...ksmTarget(c), namespace: s.namespace, pod, container, uid: podUid(pod) },
      summary,
      description: `Pod ${s.namespace}/${pod} (${container}) restarted more than 3 times in 10 minutes.`,
      runbook: `https://runbooks.example.com/alerts/podcrashlooping`,
      expr: 'increase(kube_pod_container_status_restarts_total[10m]) > 3',
    };
  },
  KubeDeploymentReplicasMismatch: ({ labels: l, service: s, cluster: c }) => {
    const kind = workloadKind(s);
    const alertname = kind === 'statefulset' ? 'KubeStatefulSetReplicasMismatch' : 'KubeDeploymentReplicasMismatch';
    return {
      labels: { alertname, cluster: l.cluster!, severity: 'warning', ...ksmTarget(c), ...ksmPod(c), namespace: s.namespace, [kind]: s.name },
      summary: `${kind === 'statefulset' ? 'StatefulSet' : 'Deployment'} has not matched the expected number of replicas.`,
      description: `${kind === 'statefulset' ? 'StatefulSet' : 'Deployment'} ${s.namespace}/${s.name} has not matched the expected number of replicas for longer than 15 minutes.`,
      runbook: runbook('kubernetes', alertname),
      expr: `kube_${kind}_spec_replicas{job="kube-state-metrics"} > kube_${kind}_status_replicas_available{job="kube-state-metrics"}`,
    };
  },
  KubePodNotReady: ({ labels: l, service: s }) => {
    const pod = l.pod;
    if (!pod) return null;
    return {
      labels: { alertname: 'KubePodNotReady', cluster: l.cluster!, severity: 'warning', namespace: s.namespace, pod },
      summary: 'Pod has been in a non-ready state for more than 15 minutes.',
      description: `Pod ${s.namespace}/${pod} has been in a non-ready state for longer than 15 minutes.`,
      runbook: runbook('kubernetes', 'KubePodNotReady'),
      expr: 'sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{job="kube-state-metrics", phase=~"Pending|Unknown"})) > 0',
    };
  },
  KubeJobFailed: ({ labels: l, service: s, cluster: c }) => {
    const jobName = l.job_name;
    if (!jobName) return null;
    return {
      labels: { alertname: 'KubeJobFailed', cluster: l.cluster!, severity: 'warning', ...ksmTarget(c), ...ksmPod(c), namespace: s.namespace, job_name: jobName, condition: 'true' },
      summary: 'Job failed to complete.',
      description: `Job ${s.namespace}/${jobName} failed to complete. Removing failed job after investigation should clear this alert.`,
      runbook: runbook('kubernetes', 'KubeJobFailed'),
      expr: 'kube_job_failed{job="kube-state-metrics"} > 0',
    };
  },
  KubeHpaMaxedOut: ({ labels: l, service: s, cluster: c }) => ({
    labels: { alertname: 'KubeHpaMaxedOut', cluster: l.cluster!, severity: 'warning', ...ksmTarget(c), ...ksmPod(c), namespace: s.namespace, horizontalpodautoscaler: l.horizontalpodautoscaler ?? s.name },
    summary: 'HPA is running at max replicas',
    description: `HPA ${s.namespace}/${l.horizontalpodautoscaler ?? s.name} has been running at max replicas for longer than 15 minutes.`,
    runbook: runbook('kubernetes', 'KubeHpaMaxedOut'),
    expr: 'kube_horizontalpodautoscaler_status_current_replicas{job="kube-state-metrics"} == kube_horizontalpodautoscaler_spec_max_replicas{job="kube-state-metrics"}',
  }),
  CPUThrottlingHigh: ({ labels: l, service: s, cluster: c }) => {
    const pod = l.pod;
    if (!pod) return null;
    const container = l.container ?? s.name;
    return {
      labels: { alertname: 'CPUThrottlingHigh', cluster: l.cluster!, severity: 'info', container, instance: `${nodeOf(c, pod).ip}:10250`, namespace: s.namespace, pod, service: KUBELET_SERVICE },
      summary: 'Processes experience elevated CPU throttling.',
      description: `CPU throttling above 25% in namespace ${s.namespace} for container ${container} in pod ${pod}.`,
      runbook: runbook('kubernetes', 'CPUThrottlingHigh'),
      expr: 'sum without (id, metrics_path, name, image, endpoint, job, node) (increase(container_cpu_cfs_throttled_periods_total{container!=""}[5m])) / sum without (id, metrics_path, name, image, endpoint, job, node) (increase(container_cpu_cfs_periods_total[5m])) > (25 / 100)',
    };
  },
  KubePersistentVolumeFillingUp: ({ labels: l, service: s, cluster: c }) => {
    const pod = l.pod;
    if (!pod) return null;
    const node = nodeOf(c, pod);
    const claim = l.persistentvolumeclaim ?? `data-${pod}`;
    return {
      labels: {
        alertname: 'KubePersistentVolumeFillingUp', cluster: l.cluster!, severity: l.severity!, endpoint: 'https-metrics', instance: `${node.ip}:10250`, job: 'kubelet',
        metrics_path: '/metrics', namespace: s.namespace, node: node.name, persistentvolumeclaim: claim, service: KUBELET_SERVICE,
      },
      summary: 'PersistentVolume is filling up.',
      description: `The PersistentVolume claimed by ${claim} in Namespace ${s.namespace} is filling up.`,
      runbook: runbook('kubernetes', 'KubePersistentVolumeFillingUp'),
      expr: 'kubelet_volume_stats_available_bytes{job="kubelet", metrics_path="/metrics"} / kubelet_volume_stats_capacity_bytes{job="kubelet", metrics_path="/metrics"} < 0.15',
    };
  },
  DiskSpaceLow: ({ labels: l, cluster: c }) => {
    const pod = l.pod;
    if (!pod) return null;
    const node = nodeOf(c, pod);
    const fs = FILESYSTEMS[stableHash(`fs:${pod}`) % FILESYSTEMS.length]!;
    return {
      labels: {
        alertname: 'NodeFilesystemSpaceFillingUp', cluster: l.cluster!, severity: 'warning', container: 'node-exporter', ...fs, endpoint: 'http-metrics',
        instance: `${node.ip}:9100`, job: 'node-exporter', namespace: MONITORING_NAMESPACE, pod: node.nodeExporterPod, service: NODE_EXPORTER_SERVICE,
      },
      summary: 'Filesystem is predicted to run out of space within the next 24 hours.',
      description: `Filesystem on ${fs.device}, mounted on ${fs.mountpoint}, at ${node.ip}:9100 has only 14% available space left and is filling up.`,
      runbook: runbook('node', 'NodeFilesystemSpaceFillingUp'),
      expr: 'node_filesystem_avail_bytes{job="node-exporter",fstype!="",mountpoint!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!="",mountpoint!=""} * 100 < 15 and predict_linear(node_filesystem_avail_bytes{job="node-exporter",fstype!="",mountpoint!=""}[6h], 24*60*60) < 0',
    };
  },
  // The workload's own ServiceMonitor: job and service are its Service's name, as with the friendly labels.
  TargetDown: ({ labels: l, service: s }) => ({
    labels: { alertname: 'TargetDown', cluster: l.cluster!, severity: 'warning', job: s.name, namespace: s.namespace, service: s.name },
    summary: 'One or more targets are unreachable.',
    description: `More than 10% of the ${s.name}/${s.name} targets in ${s.namespace} namespace are down.`,
    runbook: runbook('general', 'TargetDown'),
    expr: '100 * (count(up == 0) BY (job, namespace, service) / count(up) BY (job, namespace, service)) > 10',
  }),
  ProbeFailed: ({ labels: l, service: s }) => {
    const partner = l.probe;
    const name = partner ?? s.name;
    const url = partner ? `https://api.${partner}.example.net/health` : `https://${s.name}.example.com/healthz`;
    return {
      labels: { alertname: 'ProbeFailed', cluster: l.cluster!, severity: l.severity!, instance: url, job: `probe/${MONITORING_NAMESPACE}/${name}`, namespace: MONITORING_NAMESPACE },
      summary: `Probe of ${url} fails`,
      description: `The blackbox probe of ${url} has failed for the last 5 minutes.`,
      runbook: 'https://runbooks.example.com/alerts/probefailed',
      expr: 'probe_success == 0',
    };
  },
  CertificateExpiringSoon: ({ labels: l, service: s, cluster: c }) => {
    const name = l.secret ?? `${s.name}-tls`;
    return {
      labels: {
        alertname: 'CertificateExpiringSoon', cluster: l.cluster!, severity: l.severity!, container: 'cert-manager-controller', endpoint: '9402', exported_namespace: s.namespace,
        instance: c.certManagerInstance, issuer_group: 'cert-manager.io', issuer_kind: 'ClusterIssuer', issuer_name: 'letsencrypt-prod', job: 'cert-manager', name,
        namespace: 'cert-manager', pod: c.certManagerPod, service: 'cert-manager',
      },
      summary: `Certificate ${name} expires within 14 days`,
      description: `The certificate ${s.namespace}/${name} expires within 14 days.`,
      runbook: 'https://runbooks.example.com/alerts/certificateexpiringsoon',
      expr: 'certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 24 * 3600',
    };
  },
};

/** Alert names that have a real exporter rendering: the ones the knob applies to. */
export const EXPORTER_ALERTNAMES: readonly string[] = Object.keys(RENDERERS);

export interface ExporterLabelCount {
  /** Planned firings whose alert has an exporter rendering. */
  eligible: number;
  /** Of those, the ones sent with the exporter's labels. */
  rendered: number;
}

export interface ExporterLabeling {
  /** The planned firings in the same order, some with the exporter's labels (and so a new fingerprint). */
  firings: PlannedFiring[];
  count: ExporterLabelCount;
}

const MIN = 60_000;

/**
 * Renders `share` of the series (not firings: every firing of a series, flapping cycles and
 * recurrences included, keeps one label set) that have an exporter rendering with that
 * rendering. Each series decides on its own stream, so raising the share only adds series.
 * Exporter label sets are coarser than the generator's (a node's filesystem is one series
 * for all its pods, TargetDown has no pod): a series whose rendering would overlap another
 * rendered firing of the same labels keeps the generator's labels, so no series ever has two
 * overlapping firings. With a share of 0 the input is returned as it is.
 */
export function applyExporterLabels(rng: Rng, topology: Topology, estate: ExporterEstate, firings: readonly PlannedFiring[], share: number): ExporterLabeling {
  const eligible = firings.filter((f) => RENDERERS[f.labels.alertname!] !== undefined).length;
  if (share <= 0) return { firings: [...firings], count: { eligible, rendered: 0 } };

  const series = new Map<string, PlannedFiring[]>();
  for (const f of firings) (series.get(f.fingerprint) ?? series.set(f.fingerprint, []).get(f.fingerprint)!).push(f);
  const ordered = [...series.entries()].sort((a, b) => Math.min(...a[1].map((f) => f.startsAt)) - Math.min(...b[1].map((f) => f.startsAt)) || a[0].localeCompare(b[0]));

  const busy = new Map<string, Array<[number, number]>>();
  const replaced = new Map<string, Pick<PlannedFiring, 'labels' | 'annotations' | 'generatorURL' | 'fingerprint'>>();
  for (const [fingerprint, fs] of ordered) {
    const first = fs[0]!;
    const render = RENDERERS[first.labels.alertname!];
    if (!render || !rng.fork(fingerprint).chance(share)) continue;
    const service = topology.byName.get(first.labels.service!);
    const cluster = estate.get(first.labels.cluster!);
    if (!service || !cluster) continue;
    const out = render({ labels: first.labels, summary: first.annotations.summary ?? '', service, cluster });
    if (!out) continue;
    const fp = alertmanagerFingerprint(out.labels);
    const taken = busy.get(fp) ?? [];
    if (fs.some((f) => taken.some(([from, to]) => f.startsAt <= to + MIN && from <= f.endsAt + MIN))) continue;
    busy.set(fp, [...taken, ...fs.map((f): [number, number] => [f.startsAt, f.endsAt])]);
    replaced.set(fingerprint, {
      labels: out.labels,
      annotations: { summary: out.summary, description: out.description, runbook_url: out.runbook },
      generatorURL: `http://prometheus.${first.labels.cluster}.example.com/graph?g0.expr=${encodeURIComponent(out.expr)}&g0.tab=1`,
      fingerprint: fp,
    });
  }
  const result = firings.map((f) => {
    const r = replaced.get(f.fingerprint);
    return r ? { ...f, ...r } : f;
  });
  return { firings: result, count: { eligible, rendered: firings.filter((f) => replaced.has(f.fingerprint)).length } };
}
