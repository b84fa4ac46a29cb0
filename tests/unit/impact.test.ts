import { buildImpact } from '../../src/domain/impact';
import { deepFreeze, makeAlert } from '../support/domain-builders';

const SERVICE_LABELS = ['service', 'app', 'job'];

describe('buildImpact', () => {
  it('when alerts name services through service, app or job, then there is one impact item per service', () => {
    const items = buildImpact([
      makeAlert({ labels: { alertname: 'A', service: 'checkout', app: 'ignored' } }),
      makeAlert({ labels: { alertname: 'B', app: 'cart' } }),
      makeAlert({ labels: { alertname: 'C', job: 'billing' } }),
    ], SERVICE_LABELS);
    expect(items.map((i) => i.service).sort()).toEqual(['billing', 'cart', 'checkout']);
  });

  it('when an exporter reported the alert, then the workload or node it is about is the service, never the exporter', () => {
    const items = buildImpact([
      makeAlert({ labels: { alertname: 'KubePodCrashLooping', job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics', namespace: 'ingest', pod: 'shepherd-api-7d4b9c6f5-x2k9p', container: 'api' } }),
      makeAlert({ labels: { alertname: 'NodeFilesystemSpaceFillingUp', job: 'node-exporter', service: 'kube-prometheus-stack-prometheus-node-exporter', instance: '10.0.3.7:9100', mountpoint: '/' } }),
      makeAlert({ labels: { alertname: 'NodeClockNotSynchronising', job: 'node-exporter' } }),
    ], SERVICE_LABELS);
    expect(items.map((i) => i.service).sort()).toEqual(['(unlabelled)', 'node/10.0.3.7', 'shepherd-api']);
  });

  it('when the label list is configured differently, then its order decides', () => {
    const items = buildImpact([makeAlert({ labels: { alertname: 'A', service: 'checkout', app: 'web' } })], ['app', 'service']);
    expect(items.map((i) => i.service)).toEqual(['web']);
  });

  it('when a service had resolved alerts only, then it spans first start to last end with the worst severity', () => {
    const [item] = buildImpact([
      makeAlert({ labels: { alertname: 'A', service: 'checkout', severity: 'warning', cluster: 'eu-2', namespace: 'shop', region: 'eu' }, startsAt: '2026-11-26T14:05:00.000Z', endsAt: '2026-11-26T14:30:00.000Z' }),
      makeAlert({ labels: { alertname: 'B', service: 'checkout', severity: 'critical', cluster: 'eu-1', namespace: 'shop' }, startsAt: '2026-11-26T14:00:00.000Z', endsAt: '2026-11-26T14:10:00.000Z' }),
    ], SERVICE_LABELS);
    expect(item).toEqual({
      service: 'checkout',
      clusters: ['eu-1', 'eu-2'],
      namespaces: ['shop'],
      regions: ['eu'],
      severity: 'critical',
      firstSeenAt: '2026-11-26T14:00:00.000Z',
      lastSeenAt: '2026-11-26T14:30:00.000Z',
      durationMs: 30 * 60_000,
      ongoing: false,
      alertCount: 2,
      customerFacing: null,
    });
  });

  it('when an alert of the service still fires, then the item is ongoing up to the latest notification about it', () => {
    const [item] = buildImpact([
      makeAlert({ labels: { alertname: 'A', service: 'api' }, startsAt: '2026-11-26T14:00:00.000Z', lastSeenAt: '2026-11-26T14:45:00.000Z' }),
      makeAlert({ labels: { alertname: 'B', service: 'api' }, startsAt: '2026-11-26T14:01:00.000Z', endsAt: '2026-11-26T14:05:00.000Z' }),
    ], SERVICE_LABELS);
    expect(item).toMatchObject({ ongoing: true, lastSeenAt: '2026-11-26T14:45:00.000Z', durationMs: 45 * 60_000, alertCount: 2 });
  });

  it('when alerts name no service, then they are listed under "(unlabelled)" rather than dropped', () => {
    const items = buildImpact([makeAlert({ labels: { alertname: 'Watchdog' } })], SERVICE_LABELS);
    expect(items.map((i) => [i.service, i.alertCount])).toEqual([['(unlabelled)', 1]]);
  });

  it('when a service catalog answers, then its customer-facing flag is used', () => {
    const items = buildImpact([
      makeAlert({ labels: { alertname: 'A', service: 'checkout' } }),
      makeAlert({ labels: { alertname: 'B', service: 'batch' } }),
    ], SERVICE_LABELS, (s) => (s === 'checkout' ? true : s === 'batch' ? false : null));
    expect(Object.fromEntries(items.map((i) => [i.service, i.customerFacing]))).toEqual({ checkout: true, batch: false });
  });

  it('when services were hit at different times, then they are listed by first seen, then name', () => {
    const items = buildImpact(deepFreeze([
      makeAlert({ labels: { alertname: 'A', service: 'zeta' }, startsAt: '2026-11-26T14:00:00.000Z' }),
      makeAlert({ labels: { alertname: 'B', service: 'later' }, startsAt: '2026-11-26T14:09:00.000Z' }),
      makeAlert({ labels: { alertname: 'C', service: 'alpha' }, startsAt: '2026-11-26T14:00:00.000Z' }),
    ]), SERVICE_LABELS);
    expect(items.map((i) => i.service)).toEqual(['alpha', 'zeta', 'later']);
  });

  it('when there are no alerts, then the impact list is empty', () => {
    expect(buildImpact([], SERVICE_LABELS)).toEqual([]);
  });
});
