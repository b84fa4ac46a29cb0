import { findAlertmanager, startAlertmanager } from './alertmanager-server';
import { AM_TOKEN, get, sampled, scrapeBacklog, startServer, type Server } from './bench-server';
import { percentile, runLoad, type LoadResult } from './load';
import { StormTraffic, type StormOptions, type StormTarget } from './storm-traffic';

/**
 * The storm row of `npm run bench`: the storm traffic (storm-traffic.ts) sent as fast as each
 * receiver answers, for the same time and over the same connections, to the bare-express null
 * sink (the ceiling), to Alertmanager's own API, and to Debrief as it ships (bin/debrief-server,
 * `FULL`). For Debrief it measures what a 202 does not show: how fast the notifications become
 * alerts in incidents, how large the backlog is when the flood ends, how long it takes to drain,
 * memory, and how `/metrics` answers while the backlog is high.
 */

export interface StormSettings extends StormOptions {
  connections: number;
  seconds: number;
  /** Longest wait for the backlog to drain after the load. */
  drainCapSeconds: number;
  /** Added to Debrief's environment (BENCH_SERVER_ENV). */
  serverEnv?: Record<string, string>;
}

/** A scrape of `/metrics` is "while the backlog is high" at or above this many waiting webhooks. */
export const HIGH_BACKLOG = 1000;

export interface ReceiverFigures {
  alertsPerSec: number;
  webhooksPerSec: number;
  p99: number;
  errors: number;
  errorSamples: string[];
  peakRssMb: number;
}

export interface DebriefStormFigures extends ReceiverFigures {
  /** Webhooks answered 202 during the load, and the alerts they carried. */
  acceptedWebhooks: number;
  acceptedAlerts: number;
  loadSeconds: number;
  backlogAtEnd: number;
  peakBacklog: number;
  /** Load end to backlog 0; null when not drained within the cap. */
  drainSeconds: number | null;
  /** Webhooks still waiting when the cap was reached (0 when drained). */
  leftAtCap: number;
  /** Alerts turned into incidents per second, from load start until the backlog was empty (or the cap). */
  processedAlertsPerSec: number;
  /** Alerts per second processed between the end of the load and the end of the drain (nothing arriving). */
  drainAlertsPerSec: number;
  /** The drain rate in its first and second halves (by time): does processing slow down as incidents grow? */
  drainHalves: [number, number] | null;
  /** New firings the generator sent (each one alert in an incident once processed). */
  firingsSent: number;
  /** New firings per second over load plus drain (when drained). */
  firingsPerSec: number;
  scrapes: { high: number[]; all: number[] };
  incidents: { count: number; largest: number } | null;
}

export interface StormFigures {
  settings: StormSettings;
  ceiling: ReceiverFigures;
  alertmanager: (ReceiverFigures & { version: string }) | { skipped: string };
  debrief: DebriefStormFigures;
}

function receiverFigures(r: LoadResult, peakRssMb: number): ReceiverFigures {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return { alertsPerSec: r.alerts / r.seconds, webhooksPerSec: r.ok / r.seconds, p99: percentile(sorted, 99), errors: r.errors, errorSamples: r.errorSamples, peakRssMb };
}

const load = (s: StormSettings, url: string, headers: Record<string, string>, target: StormTarget, traffic = new StormTraffic(s, Date.now(), target)) =>
  runLoad({ url, headers, groups: [], connections: s.connections, warmupMs: 0, maxRequests: Number.MAX_SAFE_INTEGER, maxSeconds: s.seconds, nextBody: (now) => traffic.body(now) });

async function ceiling(s: StormSettings): Promise<ReceiverFigures> {
  const server = await startServer('bare');
  try {
    const r = await sampled(server, () => load(s, `${server.url}/webhooks/alertmanager`, {}, 'webhook'));
    return receiverFigures(r, server.peakRssMb);
  } finally {
    await server.stop();
  }
}

async function alertmanager(s: StormSettings): Promise<StormFigures['alertmanager']> {
  const binary = findAlertmanager();
  if (!binary) return { skipped: 'no Alertmanager binary (looked for /usr/bin/prometheus-alertmanager, alertmanager in /usr/local/bin and /usr/bin); on Debian: apt-get install prometheus-alertmanager' };
  let server;
  try {
    server = await startAlertmanager(binary);
  } catch (err) {
    return { skipped: (err as Error).message.slice(0, 300) };
  }
  try {
    const r = await sampled(server, () => load(s, `${server.url}/api/v2/alerts`, {}, 'alertmanager-api'));
    return { ...receiverFigures(r, server.peakRssMb), version: server.version };
  } finally {
    await server.stop();
  }
}

/** Alerts per second processed in the first and in the second half (by time) of the drain. */
export function drainHalves(curve: ReadonlyArray<{ at: number; backlog: number }>, perWebhook: number): [number, number] | null {
  if (curve.length < 3) return null;
  const first = curve[0]!;
  const last = curve[curve.length - 1]!;
  const middle = curve.reduce((best, c) => (Math.abs(c.at - (first.at + last.at) / 2) < Math.abs(best.at - (first.at + last.at) / 2) ? c : best));
  if (middle.at <= first.at || middle.at >= last.at) return null;
  const rate = (a: { at: number; backlog: number }, b: { at: number; backlog: number }) => ((a.backlog - b.backlog) * perWebhook) / ((b.at - a.at) / 1000);
  return [rate(first, middle), rate(middle, last)];
}

/** Scrapes `/metrics` every `everyMs` until stopped, keeping each scrape's latency and backlog. */
function scraper(server: Server, everyMs: number) {
  const samples: Array<{ ms: number; backlog: number }> = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try { samples.push(await scrapeBacklog(server)); } catch { /* the next one */ }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { samples, async stop() { stopped = true; await done; } };
}

async function debrief(s: StormSettings): Promise<DebriefStormFigures> {
  const server = await startServer('shipped', { env: s.serverEnv });
  try {
    return await sampled(server, async () => {
      const traffic = new StormTraffic(s, Date.now(), 'webhook');
      const t0 = Date.now();
      // A scrape a second during the load, as a Prometheus with a short interval would.
      const duringLoad = scraper(server, 1000);
      const r = await load(s, `${server.url}/webhooks/alertmanager`, { Authorization: `Bearer ${AM_TOKEN}` }, 'webhook', traffic);
      await duringLoad.stop();
      const loadEnd = Date.now();
      const atEnd = await scrapeBacklog(server);
      const samples = [...duringLoad.samples, atEnd];
      let left = atEnd.backlog;
      const drainCurve = [{ at: loadEnd, backlog: left }];
      while (left > 0 && Date.now() - loadEnd < s.drainCapSeconds * 1000) {
        await new Promise((r) => setTimeout(r, 500));
        const scrape = await scrapeBacklog(server);
        samples.push(scrape);
        left = scrape.backlog;
        drainCurve.push({ at: Date.now(), backlog: left });
      }
      const end = Date.now();
      const perWebhook = s.alertsPerGroup;
      const processedWebhooks = r.ok - left;
      const all = samples.map((x) => x.ms).sort((a, b) => a - b);
      const high = samples.filter((x) => x.backlog >= HIGH_BACKLOG).map((x) => x.ms).sort((a, b) => a - b);
      let incidents: DebriefStormFigures['incidents'] = null;
      try {
        const page = JSON.parse((await get(`${server.url}/api/v1/incidents?limit=200`)).text) as { items: Array<{ alertCount: number }> };
        incidents = { count: page.items.length, largest: Math.max(0, ...page.items.map((i) => i.alertCount)) };
      } catch { /* reported as unknown */ }
      return {
        ...receiverFigures(r, 0), acceptedWebhooks: r.ok, acceptedAlerts: r.alerts, loadSeconds: r.seconds, backlogAtEnd: atEnd.backlog,
        peakBacklog: Math.max(0, ...samples.map((x) => x.backlog).filter(Number.isFinite)),
        drainSeconds: left > 0 ? null : (end - loadEnd) / 1000, leftAtCap: left,
        processedAlertsPerSec: (processedWebhooks * perWebhook) / ((end - t0) / 1000), firingsSent: traffic.firings,
        drainAlertsPerSec: end > loadEnd ? ((atEnd.backlog - left) * perWebhook) / ((end - loadEnd) / 1000) : NaN,
        drainHalves: drainHalves(drainCurve, perWebhook),
        firingsPerSec: left > 0 ? NaN : traffic.firings / ((end - t0) / 1000),
        scrapes: { high, all }, incidents,
      };
    }).then((figures) => ({ ...figures, peakRssMb: server.peakRssMb }));
  } finally {
    await server.stop();
  }
}

export async function runStorm(s: StormSettings, log: (line: string) => void): Promise<StormFigures> {
  log(`      null sink (bare express, parse JSON, 202): ${s.seconds} s`);
  const bare = await ceiling(s);
  log(`        ${Math.round(bare.alertsPerSec).toLocaleString('en-US')} alerts/s`);
  log(`      Alertmanager, POST /api/v2/alerts: ${s.seconds} s`);
  const am = await alertmanager(s);
  log('skipped' in am ? `        skipped: ${am.skipped}` : `        ${Math.round(am.alertsPerSec).toLocaleString('en-US')} alerts/s (Alertmanager ${am.version}), errors ${am.errors}`);
  log(`      Debrief as shipped (bin/debrief-server, synchronous=FULL): ${s.seconds} s, then the drain (at most ${s.drainCapSeconds} s)`);
  const deb = await debrief(s);
  log(`        accepted ${Math.round(deb.alertsPerSec).toLocaleString('en-US')} alerts/s, backlog at end ${deb.backlogAtEnd.toLocaleString('en-US')}, ${deb.drainSeconds === null ? `not drained in ${s.drainCapSeconds} s, ${deb.leftAtCap.toLocaleString('en-US')} left` : `drained in ${deb.drainSeconds.toFixed(1)} s`}, processed ${Math.round(deb.processedAlertsPerSec).toLocaleString('en-US')} alerts/s`);
  return { settings: s, ceiling: bare, alertmanager: am, debrief: deb };
}
