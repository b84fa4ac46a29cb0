import { createHash } from 'node:crypto';
import type { AmWebhookBody } from '../../bench/correlation/alertmanager-render';
import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import { generateDenseTopology } from '../../bench/correlation/dense-topology';
import {
  applyExporterLabels, EXPORTER_ALERTNAMES, exporterEstate, KSM_SERVICE, KUBELET_SERVICE, MONITORING_NAMESPACE, NODE_EXPORTER_SERVICE,
} from '../../bench/correlation/exporter-labels';
import { createRng } from '../../bench/correlation/rng';
import type { PlannedFiring } from '../../bench/correlation/scenarios';
import { CENTRAL_KNOBS, selectCells, SWEEP_CELLS, SWEEP_WORLDS } from '../../bench/correlation/sweep-cells';
import { podsOf } from '../../bench/correlation/topology';
import { describeKnobs, generateWorldHistory, WORLD_SIZE, type WorldHistory, type WorldKnobs } from '../../bench/correlation/world';
import { measureWorld } from '../../bench/correlation/world-measures';
import { firingKey, parseGroundTruth } from '../../src/cli/backtest/ground-truth';

const SEEDS = [11, 12, 13, 14];

const cache = new Map<string, WorldHistory>();
function world(seed: number, exporterLabels: number, change: Partial<WorldKnobs> = {}): WorldHistory {
  const knobs = { ...CENTRAL_KNOBS, ...change, exporterLabels };
  const key = `${seed}|${JSON.stringify(knobs)}`;
  let h = cache.get(key);
  if (!h) cache.set(key, (h = generateWorldHistory(seed, knobs)));
  return h;
}

/** Each sent firing beside the one the generator planned (same index). */
const pairs = (h: WorldHistory): Array<{ sent: PlannedFiring; planned: PlannedFiring }> => h.firings.map((sent, i) => ({ sent, planned: h.plan.firings[i]! }));
const rendered = (h: WorldHistory) => pairs(h).filter((p) => p.sent.fingerprint !== p.planned.fingerprint);
const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

// Labels naming a Kubernetes object of the workload (its pods, its controller, its jobs).
const OBJECT_LABELS = new Set(['deployment', 'statefulset', 'pod', 'container', 'horizontalpodautoscaler', 'job_name']);

describe('exporter labels (sweep knob exporterLabels)', () => {
  it('when the share is 0, then the central world is byte for byte the history generated before the knob existed', () => {
    // Hashes of the central world's deliveries, truth incidents and catalog as generated before
    // the knob was added (seeds 11 and 12).
    const before: Record<number, [string, string, string]> = {
      11: ['92c08b3579e38939', '4b3c034bf077370d', '66c1ba85716c9c13'],
      12: ['33ce341e34335844', 'e8a65a134d68a11f', 'c2ec652694b52a44'],
    };
    for (const [seed, [lines, truth, catalog]] of Object.entries(before)) {
      const h = world(Number(seed), 0);
      expect(sha(JSON.stringify(h.lines))).toBe(lines);
      expect(sha(JSON.stringify(h.truth.incidents))).toBe(truth);
      expect(sha(h.catalogYaml)).toBe(catalog);
      expect(rendered(h)).toHaveLength(0);
    }
  });

  it('when the share is 1, then every kube-state-metrics alert carries the exporter\'s service and job and names the workload only by namespace and its objects', () => {
    const workloadsBlamedOnExporter = new Set<string>();
    for (const seed of SEEDS) {
      const h = world(seed, 1);
      const ksm = rendered(h).filter((p) => p.sent.labels.job === 'kube-state-metrics');
      expect(ksm.length).toBeGreaterThan(10);
      for (const { sent, planned } of ksm) {
        const s = h.topology.byName.get(planned.labels.service!)!;
        expect(sent.labels.service).toBe(KSM_SERVICE);
        expect(sent.labels.endpoint).toBe('http');
        expect(sent.labels.namespace).toBe(s.namespace);
        expect(sent.labels.team).toBeUndefined();
        for (const [k, v] of Object.entries(sent.labels)) {
          if (k !== 'namespace' && v.includes(s.name)) expect(OBJECT_LABELS.has(k)).toBe(true);
        }
        if (sent.labels.reason !== undefined || sent.labels.alertname === 'PodCrashLooping') {
          // A pod series: honor_labels keeps the workload's pod and container.
          expect(podsOf(s, planned.labels.cluster!)).toContain(sent.labels.pod);
          expect(sent.labels.container).toBe(s.name);
        } else {
          // A deployment, job or HPA series has no pod of its own: the target's (the exporter's) stays.
          expect(sent.labels.pod).toMatch(/^kube-prometheus-stack-kube-state-metrics-[a-z0-9]{10}-[a-z0-9]{5}$/);
          expect(sent.labels.container).toBe('kube-state-metrics');
        }
        workloadsBlamedOnExporter.add(s.name);
      }
      // Every such alert of the plan was sent that way.
      const ksmNames = new Set(['KubePodCrashLooping', 'PodCrashLooping', 'KubeDeploymentReplicasMismatch', 'KubeJobFailed', 'KubeHpaMaxedOut']);
      expect(pairs(h).filter((p) => ksmNames.has(p.planned.labels.alertname!)).every((p) => p.sent.labels.service === KSM_SERVICE)).toBe(true);
    }
    // What a tool taking the first of service, app, job sees: one busy "service" for many workloads.
    expect(workloadsBlamedOnExporter.size).toBeGreaterThan(10);
  });

  it('when the share is 1, then node exporter alerts name a node and no workload, and kubelet alerts name the kubelet', () => {
    let nodeAlerts = 0;
    for (const seed of SEEDS) {
      const h = world(seed, 1, { chronic: 'high' });
      for (const { sent, planned } of rendered(h)) {
        const s = h.topology.byName.get(planned.labels.service!)!;
        if (sent.labels.job === 'node-exporter') {
          nodeAlerts += 1;
          expect(sent.labels.alertname).toBe('NodeFilesystemSpaceFillingUp');
          expect(sent.labels).toMatchObject({ namespace: MONITORING_NAMESPACE, service: NODE_EXPORTER_SERVICE, container: 'node-exporter', endpoint: 'http-metrics' });
          expect(sent.labels.instance).toMatch(/^10\.\d+\.\d+\.\d+:9100$/);
          for (const v of Object.values(sent.labels)) {
            expect(v.includes(s.name)).toBe(false);
            expect(v).not.toBe(s.namespace);
          }
          // Its truth is still the incident it was planned in.
          expect(sent.incidentId).toBe(planned.incidentId);
        }
        if (sent.labels.alertname === 'CPUThrottlingHigh' || sent.labels.alertname === 'KubePersistentVolumeFillingUp') {
          expect(sent.labels.service).toBe(KUBELET_SERVICE);
          expect(sent.labels.instance).toMatch(/:10250$/);
        }
      }
    }
    expect(nodeAlerts).toBeGreaterThan(0);
  });

  it('when the share is 1, then probes name the probed URL and cert-manager alerts move the certificate\'s namespace to exported_namespace', () => {
    let probes = 0;
    let certificates = 0;
    for (const seed of SEEDS) {
      for (const { sent, planned } of rendered(world(seed, 1, { chronic: 'high' }))) {
        if (sent.labels.alertname === 'ProbeFailed') {
          probes += 1;
          expect(sent.labels.job).toMatch(/^probe\/monitoring\/[a-z0-9-]+$/);
          expect(sent.labels.instance).toMatch(/^https:\/\//);
          expect(sent.labels.service).toBeUndefined();
        }
        if (sent.labels.alertname === 'CertificateExpiringSoon') {
          certificates += 1;
          expect(sent.labels).toMatchObject({ namespace: 'cert-manager', service: 'cert-manager', job: 'cert-manager', exported_namespace: planned.labels.namespace });
        }
      }
    }
    expect(probes).toBeGreaterThan(0);
    expect(certificates).toBeGreaterThan(0);
  });

  it.each([[0, 0, 0], [0.5, 0.4, 0.62], [1, 0.97, 1]])('when the share is %d, then the measured share of alerts with an exporter rendering sent that way is in [%d, %d]', (share, lo, hi) => {
    let n = 0;
    let d = 0;
    for (const seed of SEEDS) {
      const h = world(seed, share);
      const m = measureWorld(h.topology, h.graph, h.plan, h.exporterLabels);
      expect(m.exporterLabelShare).toBeCloseTo(h.exporterLabels.rendered / h.exporterLabels.eligible, 10);
      expect(h.exporterLabels.rendered).toBe(rendered(h).length);
      n += h.exporterLabels.rendered;
      d += h.exporterLabels.eligible;
    }
    expect(d).toBeGreaterThan(100);
    expect(n / d).toBeGreaterThanOrEqual(lo);
    expect(n / d).toBeLessThanOrEqual(hi);
  });

  it('when the share changes, then only labels change: the estate, the scenarios and every firing\'s times and true incident stay', () => {
    for (const seed of SEEDS.slice(0, 2)) {
      const base = world(seed, 0);
      for (const share of [0.5, 1]) {
        const h = world(seed, share);
        expect(h.catalogYaml).toBe(base.catalogYaml);
        expect(JSON.stringify(h.plan)).toBe(JSON.stringify(base.plan));
        expect(h.firings.map((f) => [f.incidentId, f.startsAt, f.endsAt])).toEqual(base.firings.map((f) => [f.incidentId, f.startsAt, f.endsAt]));
        // Alerts about the applications themselves keep the teams' labels.
        for (const { sent, planned } of pairs(h)) if (!EXPORTER_ALERTNAMES.includes(planned.labels.alertname!)) expect(sent).toBe(planned);
      }
    }
  });

  it('when the share rises, then the series sent with exporter labels at 50% are all among those at 100%', () => {
    for (const seed of SEEDS) {
      const half = new Set(rendered(world(seed, 0.5)).map((p) => p.planned.fingerprint));
      const full = new Set(rendered(world(seed, 1)).map((p) => p.planned.fingerprint));
      expect(half.size).toBeGreaterThan(0);
      for (const fp of half) expect(full.has(fp)).toBe(true);
    }
  });

  it('when labels are replaced, then no series has two overlapping firings and the truth still holds exactly the delivered firings, by workload', () => {
    for (const seed of SEEDS) {
      const h = world(seed, 1, { chronic: 'high', noiseNearShare: 0.7 });
      const bySeries = new Map<string, PlannedFiring[]>();
      for (const f of h.firings) (bySeries.get(f.fingerprint) ?? bySeries.set(f.fingerprint, []).get(f.fingerprint)!).push(f);
      for (const fs of bySeries.values()) {
        const sorted = [...fs].sort((a, b) => a.startsAt - b.startsAt);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startsAt).toBeGreaterThan(sorted[i - 1]!.endsAt);
      }
      expect(() => parseGroundTruth(h.truth)).not.toThrow();
      const inBodies = new Set(h.lines.flatMap((l) => (l.body as AmWebhookBody).alerts.map((a) => firingKey(a.fingerprint, a.startsAt))));
      expect(new Set(h.truth.incidents.flatMap((i) => i.firings.map((f) => firingKey(f.fingerprint, f.startsAt))))).toEqual(inBodies);
      const services = new Set(h.topology.services.map((s) => s.name));
      for (const i of h.truth.incidents) for (const f of i.firings) expect(services.has(f.service!)).toBe(true);
    }
  });

  it('when two series would become one exporter series firing at the same time, then the later keeps the generator\'s labels', () => {
    const topology = generateDenseTopology(createRng(5), { services: WORLD_SIZE.services, clusters: WORLD_SIZE.clusters, dependsOnMean: 2, crossClusterShare: 0 });
    const s = topology.services.find((x) => x.role === 'backend' && x.pods >= 2)!;
    const [podA, podB] = podsOf(s, 'prod-eu-1');
    // TargetDown counts by (job, namespace, service): two pods of one service are one series.
    const firing = (pod: string, startsAt: number): PlannedFiring => {
      const labels = { alertname: 'TargetDown', cluster: 'prod-eu-1', namespace: s.namespace, service: s.name, job: s.name, severity: 'warning', team: s.team, pod };
      return { labels, annotations: { summary: `Scrape target ${pod} is down` }, generatorURL: '', fingerprint: alertmanagerFingerprint(labels), startsAt, endsAt: startsAt + 20 * 60_000, incidentId: `noise-${pod}` };
    };
    const input = [firing(podA!, 0), firing(podB!, 5 * 60_000), firing(podB!, 3_600_000)];
    const out = applyExporterLabels(createRng(1), topology, exporterEstate(createRng(2), WORLD_SIZE.clusters), input, 1);
    expect(out.firings[0]!.labels).toEqual({ alertname: 'TargetDown', cluster: 'prod-eu-1', severity: 'warning', job: s.name, namespace: s.namespace, service: s.name });
    // podB's series overlaps podA's rendered firing, so all of it (both its firings) keeps its labels.
    expect(out.firings[1]).toBe(input[1]);
    expect(out.firings[2]).toBe(input[2]);
    expect(out.count).toEqual({ eligible: 3, rendered: 1 });
  });
});

describe('exporter label cells', () => {
  it('when the sweep is listed, then 50% and 100% are one-factor cells, with and without catalog, and the harsh corners use 50%', () => {
    expect(selectCells(SWEEP_CELLS, 'exporter').map((c) => c.id)).toEqual([
      'exporterLabels=50%/catalog', 'exporterLabels=50%/no-catalog', 'exporterLabels=100%/catalog', 'exporterLabels=100%/no-catalog',
    ]);
    for (const w of SWEEP_WORLDS) {
      const expected = w.name.startsWith('harsh/') ? 0.5 : w.name === 'exporterLabels=50%' ? 0.5 : w.name === 'exporterLabels=100%' ? 1 : 0;
      expect(w.knobs.exporterLabels).toBe(expected);
    }
    expect(describeKnobs({ ...CENTRAL_KNOBS, exporterLabels: 0.5 })).toContain('exporter labels 50%');
  });
});
