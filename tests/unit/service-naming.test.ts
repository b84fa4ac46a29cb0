import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { attributeService, podOwner, serviceOf } from '../../src/domain/service-naming';

/**
 * Which service an alert is about. The label sets are those the kube-prometheus-stack chart's
 * default rules and scrape configs produce (kube-state-metrics, kubelet/cAdvisor, node-exporter
 * ServiceMonitors add `service`, `endpoint`, `job`, `instance`, `namespace`, `pod`, `container`
 * target labels; kube-state-metrics is scraped with `honor_labels: true`, so the object's own
 * `namespace`/`pod` labels win) and blackbox-exporter / pushgateway jobs.
 */
const LABELS = ['service', 'app', 'job'];

const ksm = (extra: Record<string, string>) => ({
  job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics', endpoint: 'http', instance: '10.42.0.17:8080',
  container: 'kube-state-metrics', ...extra,
});

describe('service naming', () => {
  it.each([
    ['KubePodCrashLooping', ksm({ namespace: 'ingest', pod: 'shepherd-api-7d4b9c6f5-x2k9p', container: 'api', reason: 'CrashLoopBackOff' }), 'shepherd-api', 'kube-state-metrics alert: pod "shepherd-api-7d4b9c6f5-x2k9p"'],
    ['KubeDeploymentReplicasMismatch', ksm({ namespace: 'ingest', deployment: 'shepherd-api' }), 'shepherd-api', 'kube-state-metrics alert: deployment "shepherd-api"'],
    ['KubeStatefulSetReplicasMismatch', ksm({ namespace: 'orders', statefulset: 'orders-db' }), 'orders-db', 'kube-state-metrics alert: statefulset "orders-db"'],
    ['KubeDaemonSetRolloutStuck', ksm({ namespace: 'logging', daemonset: 'fluent-bit' }), 'fluent-bit', 'kube-state-metrics alert: daemonset "fluent-bit"'],
    ['KubeJobFailed', ksm({ namespace: 'billing', job_name: 'invoice-export-28893420' }), 'invoice-export', 'kube-state-metrics alert: job_name "invoice-export-28893420"'],
    ['KubeContainerWaiting', ksm({ namespace: 'orders', pod: 'orders-db-0', container: 'postgres' }), 'orders-db', 'kube-state-metrics alert: pod "orders-db-0"'],
  ])('when kube-state-metrics reports %s, then the workload is the service, not the exporter', (alertname, labels, service, via) => {
    expect(attributeService({ alertname, ...labels }, LABELS)).toEqual({ service, via, notable: true });
  });

  it('when cAdvisor metrics through the kubelet raise CPUThrottlingHigh, then the pod\'s workload is the service', () => {
    const labels = { alertname: 'CPUThrottlingHigh', job: 'kubelet', service: 'kube-prometheus-stack-kubelet', endpoint: 'https-metrics', metrics_path: '/metrics/cadvisor', namespace: 'cart', pod: 'cart-api-6f9c8d7b4-q8wz2', container: 'api' };
    expect(serviceOf(labels, LABELS)).toBe('cart-api');
  });

  it('when node-exporter reports a node problem, then the node is named, and without a node nothing is', () => {
    expect(serviceOf({ alertname: 'NodeFilesystemSpaceFillingUp', job: 'node-exporter', service: 'kube-prometheus-stack-prometheus-node-exporter', instance: '10.0.3.7:9100', device: '/dev/nvme0n1p1', mountpoint: '/' }, LABELS)).toBe('node/10.0.3.7');
    expect(serviceOf({ alertname: 'NodeClockNotSynchronising', job: 'node-exporter' }, LABELS)).toBeNull();
  });

  it('when a blackbox probe fails, then the probed host is the service', () => {
    expect(serviceOf({ alertname: 'ProbeFailed', job: 'blackbox-http', instance: 'https://checkout.example.com/healthz' }, LABELS)).toBe('checkout.example.com');
    expect(serviceOf({ alertname: 'ProbeFailed', job: 'blackbox', target: 'payments.internal:443', instance: 'blackbox-exporter:9115' }, LABELS)).toBe('payments.internal');
  });

  it('when a pushgateway metric carries the pushing job as exported_job, then that job is the service', () => {
    expect(serviceOf({ alertname: 'BackupTooOld', job: 'pushgateway', exported_job: 'nightly-backup', instance: 'pushgateway:9091' }, LABELS)).toBe('nightly-backup');
  });

  it('when the alert is about the exporter itself, then the exporter is the affected service', () => {
    expect(serviceOf({ alertname: 'KubeStateMetricsListErrors', ...ksm({ namespace: 'monitoring' }) }, LABELS)).toBe('kube-state-metrics');
    expect(serviceOf({ alertname: 'TargetDown', job: 'node-exporter', namespace: 'monitoring', service: 'kube-prometheus-stack-prometheus-node-exporter' }, LABELS)).toBe('node-exporter');
  });

  it('when an ordinary alert names its service, then the first configured label wins, as before', () => {
    expect(attributeService({ alertname: 'HighErrorRate', service: 'checkout', app: 'web' }, LABELS)).toEqual({ service: 'checkout', via: 'label service', notable: false });
    expect(serviceOf({ alertname: 'HighErrorRate', app: 'web' }, LABELS)).toBe('web');
    expect(serviceOf({ alertname: 'Watchdog' }, LABELS)).toBeNull();
  });

  it('when a catalog entry matches the label set, then it names the service before any convention', () => {
    const catalog = ServiceCatalog.create([{ name: 'shepherd', match: ['namespace="ingest"', 'deployment=~"shepherd.*"'] }, { name: 'checkout' }]);
    const naming = catalog.naming(LABELS);
    expect(attributeService({ alertname: 'KubeDeploymentReplicasMismatch', ...ksm({ namespace: 'ingest', deployment: 'shepherd-api' }) }, naming))
      .toEqual({ service: 'shepherd', via: 'catalog match namespace="ingest", deployment=~"shepherd.*"', notable: true });
    expect(serviceOf({ alertname: 'KubeDeploymentReplicasMismatch', ...ksm({ namespace: 'other', deployment: 'shepherd-api' }) }, naming)).toBe('shepherd-api');
    expect(serviceOf({ alertname: 'HighErrorRate', service: 'checkout' }, naming)).toBe('checkout');
  });

  it('when a catalog match is written wrong, then the catalog is refused and says where', () => {
    expect(() => ServiceCatalog.create([{ name: 'x', match: ['namespace=~"("'] }])).toThrow(/services\.0\.match\.0/);
  });

  it.each([
    ['shepherd-api-7d4b9c6f5-x2k9p', 'shepherd-api'],
    ['orders-db-0', 'orders-db'],
    ['fluent-bit-4xk2p', 'fluent-bit'],
    ['standalone', 'standalone'],
  ])('when a pod is named %s, then its workload is %s', (pod, owner) => {
    expect(podOwner(pod)).toBe(owner);
  });
});

describe('scrape-config job names', () => {
  it('when a generic kubernetes_sd job such as kubernetes-pods scraped the series, then the pod\'s workload is the service, not the job', () => {
    expect(serviceOf({ alertname: 'HighErrorRate', job: 'kubernetes-pods', namespace: 'cart', pod: 'cart-api-6f9c8d7b4-q8wz2' }, LABELS)).toBe('cart-api');
    expect(serviceOf({ alertname: 'HighErrorRate', job: 'kubernetes-pods', app: 'cart-api' }, LABELS)).toBe('cart-api');
  });
});
