import { AM_TOKEN, backlog, get, request, sampled, startServer, type Server } from './bench-server';
import { percentile } from './load';
import { planSeeding } from './cost-traffic';
import { AlertGroup } from './storm-traffic';

/**
 * Processing cost per notification against the size of the incident it lands in. For each size,
 * a fresh Debrief as shipped gets one Alertmanager group (one service, one cluster, one group
 * key) whose alerts resolve and fire again until they add up to that many firings in one
 * incident, through the real ingest path (cost-traffic.ts); then notifications of that group,
 * each resolving one alert and firing again the one resolved in the notification before, are
 * sent one at a time and timed from POST until their inbox entry is processed. Flat is the
 * goal: a notification about 10 alerts should cost the same whether its incident holds 10
 * firings or 100,000.
 */

export interface CostSettings {
  sizes: number[];
  /** Notifications timed per size. */
  notifications: number;
  /** Alerts in each timed notification (the group's alerts after seeding). */
  measuredAlerts: number;
  /** Alerts in the group while it is grown (up to this many per seeding body; half of them new firings). */
  seedWidth: number;
  /** Longest wait for the seeding to be processed, per size. */
  seedCapSeconds: number;
  /** Added to Debrief's environment (BENCH_SERVER_ENV). */
  serverEnv?: Record<string, string>;
}

export interface CostFigures {
  size: number;
  /** Seeding bodies posted and how long until all were processed (null: not within the cap). */
  seedBodies: number;
  seedPostSeconds: number;
  seedSeconds: number | null;
  /** What was left when the cap was reached. */
  seedLeft: number;
  /** The incident as the API reported it before and after the timed notifications. */
  incidentsBefore: number;
  alertCountBefore: number;
  alertCountAfter: number;
  /** Milliseconds from POST to processed, one per timed notification (empty when not measured). */
  costsMs: number[];
  p50: number;
  p95: number;
  /**
   * The server's own view of the same notifications: the inbox entry's `processedAt` minus its
   * `receivedAt` (millisecond clocks), which leaves out the HTTP round trip, the 202's fsync
   * wait and the poll; median and p95.
   */
  serverP50: number;
  serverP95: number;
  peakRssMb: number;
  note: string | null;
  /** Reads of the grown incident as people make them (empty when not measured). */
  reads: ReadFigures[];
  /** Webhook answers while a client keeps reading the grown incident (null when not measured). */
  underPolling: PollingFigures | null;
}

/**
 * Webhook answer times (POST to 202) while another client reads the incident without pause, and
 * the same webhooks just before with nobody reading (the control: this machine's own answer time).
 */
export interface PollingFigures {
  webhooks: number;
  reads: number;
  p50: number;
  p99: number;
  max: number;
  quietP50: number;
  quietP99: number;
}

/** One read of the incident, timed `READS` times in a row from request to last byte. */
export interface ReadFigures {
  what: string;
  path: string;
  p50: number;
  p95: number;
  max: number;
  kib: number;
}

const READS = 20;

/** The reads an open incident page and its report make, and the API detail. */
const READ_PATHS: Array<[string, (id: string) => string]> = [
  ['detail (API)', (id) => `/api/v1/incidents/${id}`],
  ['report (JSON)', (id) => `/api/v1/incidents/${id}/report`],
  ['report.md', (id) => `/api/v1/incidents/${id}/report.md`],
  ['report.html', (id) => `/api/v1/incidents/${id}/report.html`],
  ['timeline.svg', (id) => `/api/v1/incidents/${id}/timeline.svg`],
];

async function measureReads(server: Server, incidentId: string): Promise<ReadFigures[]> {
  const out: ReadFigures[] = [];
  for (const [what, pathOf] of READ_PATHS) {
    const path = pathOf(incidentId);
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < READS; i++) {
      const t0 = process.hrtime.bigint();
      const res = await get(`${server.url}${path}`);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 200)}`);
      bytes = Buffer.byteLength(res.text);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    out.push({ what, path, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)!, kib: bytes / 1024 });
  }
  return out;
}

const POLLED_WEBHOOKS = 200;

/**
 * An open incident page polls the detail, the report and the picture; here one client reads them
 * back to back without pause (harsher than the page's 4 s) while webhooks of another group arrive
 * one after another, 10 ms apart, each timed from POST to its 202; the same webhooks are timed
 * first with nobody reading. The reads must not hold the webhooks' answers.
 */
async function webhooksWhilePolling(server: Server, incidentId: string): Promise<PollingFigures> {
  const control = [...await timeWebhooks(server)].sort((a, b) => a - b);
  const quiet = { quietP50: percentile(control, 50), quietP99: percentile(control, 99) };
  const paths = READ_PATHS.filter(([what]) => what !== 'report.md').map(([, pathOf]) => pathOf(incidentId));
  let polling = true;
  let reads = 0;
  const poller = (async () => {
    while (polling) {
      for (const path of paths) {
        const res = await get(`${server.url}${path}`);
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        reads++;
      }
    }
  })();
  const polled = await timeWebhooks(server).finally(async () => { polling = false; await poller; });
  const sorted = [...polled].sort((a, b) => a - b);
  return { ...quiet, webhooks: polled.length, reads, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}

/** POLLED_WEBHOOKS webhooks of a group apart from the incident's, 10 ms apart: POST to 202, ms. */
async function timeWebhooks(server: Server): Promise<number[]> {
  const other = new AlertGroup({ alertname: 'DiskWillFillIn4Hours', service: 'billing', cluster: 'prod-eu-1' });
  const startsAtMs = Date.now() - 60_000;
  const alerts = Array.from({ length: 10 }, (_, index) => ({ index, startsAtMs, endsAtMs: null as number | null }));
  const ms: number[] = [];
  for (let n = 0; n < POLLED_WEBHOOKS; n++) {
    const t0 = process.hrtime.bigint();
    await post(server, other.webhookBody(alerts));
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 10));
  }
  return ms;
}

async function openIncidents(server: Server): Promise<Array<{ id: string; alertCount: number; status: string }>> {
  const res = await get(`${server.url}/api/v1/incidents?limit=50`);
  if (res.status !== 200) throw new Error(`incident list: ${res.status} ${res.text.slice(0, 200)}`);
  return (JSON.parse(res.text) as { items: Array<{ id: string; alertCount: number; status: string }> }).items;
}

async function post(server: Server, body: Buffer): Promise<string> {
  const res = await request('POST', `${server.url}/webhooks/alertmanager`, { token: AM_TOKEN, body });
  if (res.status !== 202) throw new Error(`webhook: ${res.status} ${res.text.slice(0, 200)}`);
  return (JSON.parse(res.text) as { inboxId: string }).inboxId;
}

/**
 * POST one body and wait until its inbox entry is processed: milliseconds from POST to processed,
 * and from the entry's receipt to its processing by the server's clock.
 */
async function timedNotification(server: Server, body: Buffer): Promise<{ ms: number; serverMs: number }> {
  const t0 = process.hrtime.bigint();
  const id = await post(server, body);
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
  for (;;) {
    const res = await get(`${server.url}/api/v1/inbox/${id}`);
    const entry = JSON.parse(res.text) as { state: string; receivedAt: string; processedAt: string | null };
    const state = entry.state;
    if (state === 'done') return { ms: elapsed(), serverMs: Date.parse(entry.processedAt ?? '') - Date.parse(entry.receivedAt) };
    if (state === 'dead') throw new Error(`notification ${id} became a dead letter: ${res.text.slice(0, 300)}`);
    if (elapsed() > 600_000) throw new Error(`notification ${id} not processed within 600 s`);
    // Polls cost the HTTP thread a little; waiting a twentieth of the time so far keeps the
    // error under about 5% without polling a slow entry thousands of times.
    await new Promise((r) => setTimeout(r, Math.max(1, elapsed() / 20)));
  }
}

async function measureSize(size: number, s: CostSettings, log: (line: string) => void): Promise<CostFigures> {
  const server = await startServer('shipped', { env: s.serverEnv });
  try {
    return await sampled(server, async () => {
      const group = new AlertGroup({ alertname: 'HighErrorRate', service: 'checkout', cluster: 'prod-eu-1' });
      const plan = planSeeding(group, { size, width: s.seedWidth, measuredAlerts: s.measuredAlerts, notifications: s.notifications, nowMs: Date.now() });
      const { bodies } = plan;
      const t0 = Date.now();
      // One at a time, in order: a round's resolutions must follow its firings.
      for (const body of bodies) await post(server, body);
      const seedPostSeconds = (Date.now() - t0) / 1000;
      let left = await backlog(server);
      while (left > 0 && Date.now() - t0 < s.seedCapSeconds * 1000) {
        await new Promise((r) => setTimeout(r, 250));
        left = await backlog(server);
      }
      const seedSeconds = left > 0 ? null : (Date.now() - t0) / 1000;
      const base = {
        size, seedBodies: bodies.length, seedPostSeconds, seedSeconds, seedLeft: left, peakRssMb: 0,
      };
      if (left > 0) {
        log(`        seeding not processed within ${s.seedCapSeconds} s (${left} of ${bodies.length} bodies left): not measured`);
        return { ...base, incidentsBefore: NaN, alertCountBefore: NaN, alertCountAfter: NaN, costsMs: [], p50: NaN, p95: NaN, serverP50: NaN, serverP95: NaN, reads: [], underPolling: null, note: `seeding not processed within ${s.seedCapSeconds} s: ${left} of ${bodies.length} bodies left` };
      }
      const before = await openIncidents(server);
      const alertCountBefore = Math.max(0, ...before.map((i) => i.alertCount));
      const note = before.length !== 1 || alertCountBefore !== plan.firings ? `expected one incident of ${plan.firings} firings, found ${before.length} incident(s), the largest of ${alertCountBefore}` : null;
      log(`        seeded ${size.toLocaleString('en-US')} firings with ${bodies.length} bod${bodies.length === 1 ? 'y' : 'ies'} in ${seedSeconds!.toFixed(1)} s${note ? ` (${note})` : ''}`);
      const costsMs: number[] = [];
      const serverMs: number[] = [];
      for (let n = 0; n < s.notifications; n++) {
        // One alert resolves, the one resolved before fires again: 1/measuredAlerts of them.
        const step = plan.measured.next(plan.notificationAtMs(n), 1 / s.measuredAlerts);
        const timed = await timedNotification(server, group.webhookBody(step.alerts));
        costsMs.push(timed.ms);
        serverMs.push(timed.serverMs);
      }
      const after = await openIncidents(server);
      const largest = [...after].sort((a, b) => b.alertCount - a.alertCount)[0];
      log(`        peak RSS before the reads: ${server.peakRssMb.toFixed(0)} MB`);
      const reads = largest ? await measureReads(server, largest.id) : [];
      const underPolling = largest ? await webhooksWhilePolling(server, largest.id) : null;
      const sorted = [...costsMs].sort((a, b) => a - b);
      const serverSorted = [...serverMs].sort((a, b) => a - b);
      return {
        ...base, incidentsBefore: before.length, alertCountBefore, alertCountAfter: Math.max(0, ...after.map((i) => i.alertCount)),
        costsMs, p50: percentile(sorted, 50), p95: percentile(sorted, 95), serverP50: percentile(serverSorted, 50), serverP95: percentile(serverSorted, 95), reads, underPolling, note,
      };
    }).then((figures) => ({ ...figures, peakRssMb: server.peakRssMb }));
  } finally {
    await server.stop();
  }
}

export async function runCost(s: CostSettings, log: (line: string) => void): Promise<CostFigures[]> {
  const out: CostFigures[] = [];
  for (const size of s.sizes) {
    log(`      incident of ${size.toLocaleString('en-US')} firings`);
    const figures = await measureSize(size, s, log);
    if (figures.underPolling) log(`        webhooks while the incident is read without pause: p50 ${figures.underPolling.p50.toFixed(1)} ms, p99 ${figures.underPolling.p99.toFixed(1)} ms, max ${figures.underPolling.max.toFixed(1)} ms (${figures.underPolling.webhooks} webhooks, ${figures.underPolling.reads} reads); nobody reading: p50 ${figures.underPolling.quietP50.toFixed(1)} ms, p99 ${figures.underPolling.quietP99.toFixed(1)} ms`);
    for (const r of figures.reads) log(`        read ${r.what}: median ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ${r.kib.toFixed(0)} KiB`);
    if (figures.costsMs.length) log(`        median ${figures.p50.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms per notification; received to processed ${figures.serverP50.toFixed(0)} / ${figures.serverP95.toFixed(0)} ms (incident ${figures.alertCountBefore.toLocaleString('en-US')} -> ${figures.alertCountAfter.toLocaleString('en-US')} firings)`);
    out.push(figures);
  }
  return out;
}
