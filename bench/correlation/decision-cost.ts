import { performance } from 'node:perf_hooks';
import type { Config } from '../../src/config/config.schema';
import type { HistoryLine } from '../../src/cli/backtest/history-file';
import { replayHistory } from '../../src/cli/backtest/replay';
import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import { goTime, groupKeyOf } from './alertmanager-render';

/**
 * The cost of one correlation decision as open incidents grow. For each size, a fresh
 * in-memory store is filled with that many open incidents through the real ingest path
 * (one firing alert each, every label value unique so no rule can join them, all started
 * within the last 20 minutes so every one is inside any sensible window), then new alerts
 * are fed one body at a time and timed: half join an open incident (same alert name,
 * service, cluster and group as one of them, another pod), half open new incidents. The
 * time covers the whole path (inbox append, claim, normalize, correlate, store).
 */
export interface CostRow {
  openIncidents: number;
  /** Open incidents actually present when measuring (the engine may have merged some). */
  openMeasured: number;
  seedMs: number;
  decisions: number;
  medianUs: number;
  meanUs: number;
  p95Us: number;
}

const T = Date.parse('2026-02-02T12:00:00.000Z');

function body(i: number, startsAt: number, pod: string): HistoryLine['body'] {
  const labels = {
    alertname: `LoadAlert${i}`,
    cluster: `load-${i}`,
    namespace: `load-ns-${i}`,
    service: `load-svc-${i}`,
    severity: 'warning',
    pod,
  };
  const groupLabels = { alertname: labels.alertname, cluster: labels.cluster };
  return {
    receiver: 'debrief',
    status: 'firing',
    alerts: [{
      status: 'firing', labels, annotations: { summary: `synthetic load ${i}` }, startsAt: goTime(startsAt), endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '', fingerprint: alertmanagerFingerprint(labels),
    }],
    groupLabels,
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager-0.monitoring.svc:9093',
    version: '4',
    groupKey: groupKeyOf('{}', groupLabels),
    truncatedAlerts: 0,
  };
}

export async function measureDecisionCost(config: Config, openIncidents: number, decisions = 200): Promise<CostRow> {
  const lines: HistoryLine[] = [];
  for (let i = 0; i < openIncidents; i++) {
    const startsAt = T - 20 * 60_000 + Math.floor((i * 20 * 60_000) / openIncidents);
    lines.push({ receivedAt: new Date(startsAt + 30_000).toISOString(), instance: 'alertmanager', body: body(i, startsAt, 'pod-0') });
  }
  for (let k = 0; k < decisions; k++) {
    const startsAt = T + 60_000 + k * 1000;
    const i = k % 2 === 0 ? Math.floor((k * 7919) % openIncidents) : openIncidents + k;
    lines.push({ receivedAt: new Date(startsAt + 30_000).toISOString(), instance: 'alertmanager', body: body(i, startsAt, `pod-${k + 1}`) });
  }
  const times: number[] = [];
  let last = performance.now();
  const started = last;
  let seedMs = 0;
  let openMeasured = 0;
  let n = 0;
  const records = (async function* () {
    for (const line of lines) {
      n += 1;
      yield { lineNo: n, line, bytesRead: 0 };
    }
  })();
  const result = await replayHistory({
    config,
    records,
    onProgress: (record) => {
      const now = performance.now();
      if (record.lineNo > openIncidents) times.push((now - last) * 1000);
      if (record.lineNo === openIncidents) seedMs = now - started;
      last = now;
    },
  });
  try {
    openMeasured = await result.debrief.store.countIncidents('open');
  } finally {
    await result.debrief.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return {
    openIncidents,
    // Measured "new" alerts (odd k) each opened one incident of their own.
    openMeasured: openMeasured - Math.floor(decisions / 2),
    seedMs,
    decisions: times.length,
    medianUs: pct(0.5),
    meanUs: times.reduce((a, b) => a + b, 0) / times.length,
    p95Us: pct(0.95),
  };
}
