import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AM_TOKEN, backlog, drained, get, ROOT, sampled, startServer } from './bench-server';
import { runCost, type CostFigures, type CostSettings } from './cost';
import { buildGroups, percentile, rssOf, runLoad, type Group, type LoadResult } from './load';
import { composeResults, readSections, type SectionName } from './results-file';
import { HIGH_BACKLOG, runStorm, type StormFigures, type StormSettings } from './storm';

/**
 * `npm run bench`: ingest throughput and latency of the real Debrief (child process, embedded
 * SQLite, inbox processing running) against a bare express ceiling measured in the same run,
 * then a 100,000-alert history (100,000 incidents) and API list latency at that size; then the
 * storm (storm.ts: new firings into growing incidents, against the null sink and Alertmanager's
 * own API in the same run, with processing over load plus drain) and the processing cost per
 * notification at incident sizes 10 to 100,000 (cost.ts).
 * Bounded in count and time; loopback only. Prints tables with PASS/MISS per target and writes
 * bench/ingest/RESULTS.md (results-file.ts). Scale down with BENCH_QUICK=1 (for a smoke run;
 * targets still printed, nothing written); BENCH_ONLY=history runs only the history step and
 * prints its memory figures; BENCH_ONLY=storm and BENCH_ONLY=cost run one part and replace only
 * its section of RESULTS.md; BENCH_STORM_* and BENCH_COST_* change their settings (notes.md);
 * BENCH_SERVER_ENV='NAME=value ...' adds environment variables to the Debrief server (runtime
 * experiments, e.g. `MALLOC_ARENA_MAX=4`, or `DEBRIEF_NODE=<wrapper>` to change node's flags);
 * BENCH_DEBRIEF_BUILD=<compiled tree> runs the storm and the cost against another build of
 * Debrief (bench-server.ts), and then writes nothing.
 */
const SERVER_ENV = Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const QUICK = process.env.BENCH_QUICK === '1';
const CONNECTIONS = 8;
const PER_WEBHOOK = 50;
const DISTINCT_ALERTS = 10_000;
const HISTORY_ALERTS = QUICK ? 10_000 : 100_000;
/** The target rate (alerts/s), also run as a paced load to see latency and processing at that rate. */
const TARGET_RATE = 10_000;
const LOAD = { warmupMs: QUICK ? 1000 : 3000, maxRequests: QUICK ? 2000 : 12_000, maxSeconds: QUICK ? 6 : 20 };
interface LoadFigures {
  webhooksPerSec: number; alertsPerSec: number; p50: number; p95: number; p99: number; errors: number; requests: number; peakRssMb: number;
  /** Seconds to process what was still in the inbox when the load ended. */
  drainSeconds: number | null;
  /** Alerts per second turned into incidents during the load and the drain together. */
  processedAlertsPerSec: number | null;
  backlogAtEnd: number | null;
  errorSamples: string[];
}

function figures(r: LoadResult, peakRssMb: number, drain: { seconds: number; backlog: number; accepted: number } | null): LoadFigures {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return {
    webhooksPerSec: r.ok / r.seconds, alertsPerSec: r.alerts / r.seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99),
    errors: r.errors, requests: r.sent, peakRssMb, drainSeconds: drain?.seconds ?? null, backlogAtEnd: drain?.backlog ?? null,
    processedAlertsPerSec: drain ? (drain.accepted * PER_WEBHOOK) / (r.seconds + r.warmupSeconds + drain.seconds) : null, errorSamples: r.errorSamples,
  };
}

async function throughput(kind: 'bare' | 'debrief', groups: Group[], synchronous: 'FULL' | 'NORMAL' = 'FULL', ratePerSec?: number): Promise<LoadFigures> {
  const server = await startServer(kind, { synchronous, env: kind === 'debrief' ? SERVER_ENV : {} });
  try {
    const r = await sampled(server, () => runLoad({ url: `${server.url}/webhooks/alertmanager`, headers: { Authorization: `Bearer ${AM_TOKEN}` }, groups, connections: CONNECTIONS, ...LOAD, ratePerSec }));
    if (kind === 'bare') return figures(r, server.peakRssMb, null);
    // Accepted is not processed: measure how long the backlog takes to become incidents.
    const backlogAtEnd = await backlog(server);
    const seconds = await sampled(server, () => drained(server, 600));
    const accepted = Number(/^debrief_webhooks_received_total\{[^}]*outcome="accepted"[^}]*\} (\S+)/m.exec((await get(`${server.url}/metrics`)).text)?.[1] ?? NaN);
    return figures(r, server.peakRssMb, { seconds, backlog: backlogAtEnd, accepted });
  } finally {
    await server.stop();
  }
}

interface HistoryFigures { alerts: number; incidents: number; postSeconds: number; processedSeconds: number; peakRssMb: number; rssAfterMb: number; list: Record<string, { p50: number; p95: number; p99: number }>; rssAfterListsMb: number }

async function history(): Promise<HistoryFigures> {
  const groupsCount = HISTORY_ALERTS / PER_WEBHOOK;
  // Every alert its own incident: distinct name and service, 3 h apart, so no rule joins two.
  const groups = buildGroups({ groups: groupsCount, perGroup: PER_WEBHOOK, startMs: Date.UTC(2015, 0, 1), uniquePerAlert: true, spreadMinutes: 180, groupOffsetMinutes: PER_WEBHOOK * 180 });
  const server = await startServer('debrief', { env: SERVER_ENV });
  try {
    const t0 = Date.now();
    const posted = await sampled(server, () => runLoad({ url: `${server.url}/webhooks/alertmanager`, headers: { Authorization: `Bearer ${AM_TOKEN}` }, groups, connections: CONNECTIONS, warmupMs: 0, maxRequests: groupsCount, maxSeconds: 600, once: true }));
    if (posted.errors > 0) throw new Error(`history: ${posted.errors} webhooks failed: ${posted.errorSamples.join('; ')}`);
    const postSeconds = (Date.now() - t0) / 1000;
    await sampled(server, () => drained(server, 900));
    const processedSeconds = (Date.now() - t0) / 1000;
    const rssAfterMb = rssOf(server.proc.pid!).rssMb;
    const first = JSON.parse((await get(`${server.url}/api/v1/incidents?limit=1`)).text) as { items: Array<{ services: string[] }> };
    const incidents = Number(/^debrief_open_incidents(?:\{[^}]*\})? (\S+)/m.exec((await get(`${server.url}/metrics`)).text)?.[1] ?? NaN);

    const measure = async (name: string, path: () => string, n: number) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await get(`${server.url}${path()}`);
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text.slice(0, 200)}`);
        ms.push(res.ms);
      }
      ms.sort((a, b) => a - b);
      return { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
    };
    const list: HistoryFigures['list'] = {};
    await sampled(server, async () => {
      list['first page (50, newest)'] = await measure('first', () => '/api/v1/incidents?limit=50', 200);
      list['filter: status=open'] = await measure('status', () => '/api/v1/incidents?limit=50&status=open', 200);
      list['filter: one service'] = await measure('service', () => `/api/v1/incidents?limit=50&service=${encodeURIComponent(first.items[0]?.services[0] ?? 'svc-1-1')}`, 200);
      list['filter: one month (since/until)'] = await measure('window', () => '/api/v1/incidents?limit=50&since=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00Z', 200);
      let cursor: string | null = null;
      const deep: number[] = [];
      for (let page = 0; page < 100; page++) {
        const res = await get(`${server.url}/api/v1/incidents?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        deep.push(res.ms);
        cursor = (JSON.parse(res.text) as { nextCursor: string | null }).nextCursor;
        if (!cursor) break;
      }
      deep.sort((a, b) => a - b);
      list[`cursor walk (500 per page, ${deep.length} pages)`] = { p50: percentile(deep, 50), p95: percentile(deep, 95), p99: percentile(deep, 99) };
    });
    return { alerts: HISTORY_ALERTS, incidents, postSeconds, processedSeconds, peakRssMb: server.peakRssMb, rssAfterMb, list, rssAfterListsMb: rssOf(server.proc.pid!).rssMb };
  } finally {
    await server.stop();
  }
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : 'n/a');
const mark = (ok: boolean | null) => (ok === null ? 'SKIP' : ok ? 'PASS' : 'MISS');

type Target = [string, string, boolean | null];
interface Section { lines: string[]; targets: Target[] }

const numberEnv = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw}: a non-negative number, please`);
  return n;
};

const STORM: StormSettings = {
  groups: numberEnv('BENCH_STORM_GROUPS', 200),
  alertsPerGroup: numberEnv('BENCH_STORM_ALERTS_PER_GROUP', 50),
  resolveRatio: numberEnv('BENCH_STORM_RESOLVE_RATIO', 0.1),
  services: numberEnv('BENCH_STORM_SERVICES', 20),
  connections: numberEnv('BENCH_STORM_CONNECTIONS', CONNECTIONS),
  seconds: numberEnv('BENCH_STORM_SECONDS', QUICK ? 5 : 30),
  drainCapSeconds: numberEnv('BENCH_STORM_DRAIN_CAP_SECONDS', QUICK ? 60 : 300),
  serverEnv: SERVER_ENV,
};
/** The drain target: as long as the flood it follows, 30 s after a 30 s flood. */
const DRAIN_TARGET_SECONDS = 30;
const COST: CostSettings = {
  sizes: (process.env.BENCH_COST_SIZES ?? (QUICK ? '10,1000' : '10,1000,10000,100000')).split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0),
  notifications: numberEnv('BENCH_COST_NOTIFICATIONS', QUICK ? 10 : 20),
  measuredAlerts: 10,
  seedWidth: 1000,
  seedCapSeconds: numberEnv('BENCH_COST_SEED_CAP_SECONDS', QUICK ? 120 : 1800),
  serverEnv: SERVER_ENV,
};
const RSS_LIMIT_MB = 300;
const today = () => new Date().toISOString().slice(0, 10);
const SHARED = 'Figures are from a shared 2-core machine: other people\'s work moves them between runs, so compare ratios measured in the same run.';

async function ingestSection(log: (s?: string) => void): Promise<Section> {
  const groups = buildGroups({ groups: DISTINCT_ALERTS / PER_WEBHOOK, perGroup: PER_WEBHOOK, startMs: Date.UTC(2026, 10, 26, 12) });
  log(`load: ${CONNECTIONS} keep-alive connections, ${PER_WEBHOOK} alerts per webhook, ${DISTINCT_ALERTS.toLocaleString('en-US')} distinct alerts in ${groups.length} groups (~${Math.round(groups[0]!.body.length / 1024)} KiB per body), warm-up ${LOAD.warmupMs / 1000} s, then up to ${LOAD.maxRequests.toLocaleString('en-US')} webhooks or ${LOAD.maxSeconds} s`);
  log('\n[1/7] bare express (parse JSON, 202): the ceiling');
  const bare = await throughput('bare', groups);
  log(`      ${f0(bare.alertsPerSec)} alerts/s, p99 ${f1(bare.p99)} ms`);
  log('[2/7] Debrief, synchronous=FULL (default), as fast as it answers');
  const full = await throughput('debrief', groups, 'FULL');
  log(`      ${f0(full.alertsPerSec)} alerts/s, p99 ${f1(full.p99)} ms, errors ${full.errors}, backlog drained in ${f1(full.drainSeconds ?? NaN)} s`);
  log(`[3/7] Debrief, synchronous=FULL, paced at ${f0(TARGET_RATE)} alerts/s`);
  const pacedFull = await throughput('debrief', groups, 'FULL', TARGET_RATE / PER_WEBHOOK);
  log(`      ${f0(pacedFull.alertsPerSec)} alerts/s, p99 ${f1(pacedFull.p99)} ms, errors ${pacedFull.errors}, backlog at end ${f0(pacedFull.backlogAtEnd ?? NaN)} webhooks`);
  log('[4/7] Debrief, synchronous=NORMAL, as fast as it answers');
  const normal = await throughput('debrief', groups, 'NORMAL');
  log(`      ${f0(normal.alertsPerSec)} alerts/s, p99 ${f1(normal.p99)} ms, errors ${normal.errors}`);
  log(`[5/7] history: ${HISTORY_ALERTS.toLocaleString('en-US')} alerts -> incidents, then API list latency`);
  const hist = await history();
  log(`      posted in ${f1(hist.postSeconds)} s, processed in ${f1(hist.processedSeconds)} s, ${f0(hist.incidents)} open incidents, RSS ${f0(hist.rssAfterMb)} MB`);

  const ratio = full.alertsPerSec / bare.alertsPerSec;
  const targets: Target[] = [
    ['sustained ingest >= 10,000 alerts/s with zero errors', `${f0(full.alertsPerSec)} alerts/s at most; ${f0(pacedFull.alertsPerSec)} alerts/s paced with ${pacedFull.errors + full.errors} errors, ${f0(pacedFull.backlogAtEnd ?? NaN)} webhooks unprocessed at the end`, full.alertsPerSec >= 10_000 && pacedFull.alertsPerSec >= 0.98 * TARGET_RATE && full.errors + pacedFull.errors === 0],
    ['p99 < 100 ms at that rate', `${f1(pacedFull.p99)} ms paced at ${f0(TARGET_RATE)} alerts/s (${f1(full.p99)} ms at ${f0(full.alertsPerSec)} alerts/s)`, pacedFull.p99 < 100],
    ['>= 35% of the bare-express ceiling (same run)', `${(ratio * 100).toFixed(0)}%`, ratio >= 0.35],
    [`RSS < 300 MB at ${f0(hist.incidents)} stored incidents`, `${f0(hist.rssAfterListsMb)} MB (peak during ingest ${f0(hist.peakRssMb)} MB)`, hist.rssAfterListsMb < 300],
  ];

  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out(`## Accepting webhooks, and a ${f0(HISTORY_ALERTS)}-incident history`);
  out();
  out(`Generated by \`npm run bench\` on ${today()}.`);
  out();
  out(`Machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Load: ${CONNECTIONS} keep-alive loopback connections, Alertmanager webhooks of ${PER_WEBHOOK} alerts (~${Math.round(groups[0]!.body.length / 1024)} KiB) re-sent round-robin over ${DISTINCT_ALERTS.toLocaleString('en-US')} distinct alerts (${groups.length} groups), after a ${LOAD.warmupMs / 1000} s warm-up.`);
  out();
  out('| server | durability | webhooks/s | alerts/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MB | vs ceiling |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  out(`| bare express (parse, 202) | none (nothing stored) | ${f0(bare.webhooksPerSec)} | ${f0(bare.alertsPerSec)} | ${f1(bare.p50)} | ${f1(bare.p95)} | ${f1(bare.p99)} | ${bare.errors} | ${f0(bare.peakRssMb)} | 100% |`);
  out(`| Debrief, SQLite synchronous=FULL (default) | every 202 survives power loss | ${f0(full.webhooksPerSec)} | ${f0(full.alertsPerSec)} | ${f1(full.p50)} | ${f1(full.p95)} | ${f1(full.p99)} | ${full.errors} | ${f0(full.peakRssMb)} | ${(ratio * 100).toFixed(0)}% |`);
  out(`| Debrief, synchronous=FULL, paced at ${f0(TARGET_RATE)} alerts/s | every 202 survives power loss | ${f0(pacedFull.webhooksPerSec)} | ${f0(pacedFull.alertsPerSec)} | ${f1(pacedFull.p50)} | ${f1(pacedFull.p95)} | ${f1(pacedFull.p99)} | ${pacedFull.errors} | ${f0(pacedFull.peakRssMb)} | - |`);
  out(`| Debrief, SQLite synchronous=NORMAL | survives a process crash; the last commits may be lost on power loss | ${f0(normal.webhooksPerSec)} | ${f0(normal.alertsPerSec)} | ${f1(normal.p50)} | ${f1(normal.p95)} | ${f1(normal.p99)} | ${normal.errors} | ${f0(normal.peakRssMb)} | ${((normal.alertsPerSec / bare.alertsPerSec) * 100).toFixed(0)}% |`);
  out();
  out(`Processing (stored webhooks becoming alerts in incidents) runs in a worker thread of the same process with its own SQLite connection (src/ingest/inbox-worker.ts) and gives way to webhooks while they arrive (src/ingest/ingest-pressure.ts): at the end of the unpaced loads ${f0(full.backlogAtEnd ?? NaN)} webhooks (FULL) and ${f0(normal.backlogAtEnd ?? NaN)} (NORMAL) were waiting, processed ${f1(full.drainSeconds ?? NaN)} s and ${f1(normal.drainSeconds ?? NaN)} s later; paced at ${f0(TARGET_RATE)} alerts/s, ${f0(pacedFull.backlogAtEnd ?? NaN)} were waiting at the end (processed ${f1(pacedFull.drainSeconds ?? NaN)} s later). Processing rate over load plus drain: ${f0(full.processedAlertsPerSec ?? NaN)} alerts/s (FULL), ${f0(normal.processedAlertsPerSec ?? NaN)} alerts/s (NORMAL); re-sent alerts are updates of known alerts, as Alertmanager repeats send them (the storm below sends new firings).`);
  out();
  out(`History: ${HISTORY_ALERTS.toLocaleString('en-US')} alerts in ${(HISTORY_ALERTS / PER_WEBHOOK).toLocaleString('en-US')} webhooks, one incident each (synchronous=FULL): all accepted in ${f1(hist.postSeconds)} s, all processed into ${f0(hist.incidents)} incidents after ${f1(hist.processedSeconds)} s (${f0(HISTORY_ALERTS / hist.processedSeconds)} alerts/s end to end); peak RSS ${f0(hist.peakRssMb)} MB, RSS afterwards ${f0(hist.rssAfterMb)} MB.`);
  out();
  out(`| API list query at ${f0(hist.incidents)} incidents | p50 ms | p95 ms | p99 ms |`);
  out('| --- | ---: | ---: | ---: |');
  for (const [name, l] of Object.entries(hist.list)) out(`| ${name} | ${f1(l.p50)} | ${f1(l.p95)} | ${f1(l.p99)} |`);
  out();
  targetTable(targets, out);
  if (full.errorSamples.length) out(`\nError samples: ${full.errorSamples.join(' / ')}`);
  return { lines, targets };
}

function targetTable(targets: Target[], out: (s?: string) => void): void {
  out('| target | measured | result |');
  out('| --- | --- | --- |');
  for (const [t, m, ok] of targets) out(`| ${t} | ${m} | ${mark(ok)} |`);
}

function stormSection(storm: StormFigures): Section {
  const s = storm.settings;
  const d = storm.debrief;
  const am = 'skipped' in storm.alertmanager ? null : storm.alertmanager;
  const vsAm = am ? d.processedAlertsPerSec / am.alertsPerSec : NaN;
  const vsCeiling = d.processedAlertsPerSec / storm.ceiling.alertsPerSec;
  const drainText = d.drainSeconds === null ? `not drained in ${s.drainCapSeconds} s, ${f0(d.leftAtCap)} left` : `${f1(d.drainSeconds)} s`;
  const high = d.scrapes.high;
  const scrapeText = high.length
    ? `p50 ${f1(percentile(high, 50))} ms, max ${f1(high[high.length - 1]!)} ms over ${high.length} scrapes`
    : `the backlog never reached ${f0(HIGH_BACKLOG)} webhooks (all ${d.scrapes.all.length} scrapes: p50 ${f1(percentile(d.scrapes.all, 50))} ms, max ${f1(d.scrapes.all[d.scrapes.all.length - 1] ?? NaN)} ms)`;
  const targets: Target[] = [
    ['storm: processed alerts/s >= Alertmanager\'s API rate (same run)', am ? `${f0(d.processedAlertsPerSec)} against ${f0(am.alertsPerSec)} alerts/s (${pct(vsAm)})` : `Alertmanager not measured: ${(storm.alertmanager as { skipped: string }).skipped}`, am ? vsAm >= 1 : null],
    [`storm: backlog drained within ${DRAIN_TARGET_SECONDS} s of a ${DRAIN_TARGET_SECONDS} s flood`, `${f0(d.backlogAtEnd)} webhooks waiting after ${f0(s.seconds)} s; ${drainText}${s.seconds !== DRAIN_TARGET_SECONDS ? ` (a ${f0(s.seconds)} s flood, not ${DRAIN_TARGET_SECONDS} s)` : ''}`, d.drainSeconds !== null && d.drainSeconds <= DRAIN_TARGET_SECONDS],
    [`storm: RSS < ${RSS_LIMIT_MB} MB throughout`, `peak ${f0(d.peakRssMb)} MB`, d.peakRssMb < RSS_LIMIT_MB],
  ];
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out('## The storm: does processing keep up?');
  out();
  out(`Measured by \`npm run bench\`${process.env.BENCH_ONLY ? ` (BENCH_ONLY=${process.env.BENCH_ONLY})` : ''} on ${today()}, ${cpus().length} cores, Node ${process.version}. ${SHARED}`);
  out();
  out(`Traffic: ${f0(s.groups)} Alertmanager groups of ${f0(s.alertsPerGroup)} alerts (${f0(s.groups * s.alertsPerGroup)} alert series; ${f0(s.services ?? 20)} services, ${f1(s.groups / (s.services ?? 20))} groups each) sent round-robin over ${s.connections} keep-alive loopback connections for ${f0(s.seconds)} s, no warm-up, as fast as each receiver answers. In every notification ${pct(s.resolveRatio)} of the group's firing alerts resolve and the alerts resolved in its previous notification fire again with a new \`startsAt\` (a new firing). The same notifications go to each receiver: as Alertmanager's webhook (v4) to the null sink and to Debrief, as \`POST /api/v2/alerts\` bodies to Alertmanager.`);
  out();
  out('| receiver | a 2xx means | alerts/s accepted | webhooks/s | p99 ms | errors | peak RSS MB |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  const row = (name: string, means: string, r: { alertsPerSec: number; webhooksPerSec: number; p99: number; errors: number; peakRssMb: number }) =>
    out(`| ${name} | ${means} | ${f0(r.alertsPerSec)} | ${f0(r.webhooksPerSec)} | ${f1(r.p99)} | ${r.errors} | ${f0(r.peakRssMb)} |`);
  row('null sink (bare express: parse, 202)', 'parsed', storm.ceiling);
  if (am) row(`Alertmanager ${am.version}, \`POST /api/v2/alerts\``, 'in its in-memory alert store, grouped', am);
  else out(`| Alertmanager | skipped: ${(storm.alertmanager as { skipped: string }).skipped} | - | - | - | - | - |`);
  row('Debrief as shipped (`bin/debrief-server`, synchronous=FULL)', 'stored durably in the inbox (not yet processed)', d);
  out();
  out('| Debrief under the storm | measured |');
  out('| --- | --- |');
  out(`| processed alerts/s, load plus drain | ${f0(d.processedAlertsPerSec)} (${am ? `${pct(vsAm)} of Alertmanager's API rate, ` : ''}${pct(vsCeiling)} of the null sink) |`);
  out(`| processed alerts/s during the drain alone (nothing arriving) | ${f0(d.drainAlertsPerSec)}${d.drainHalves ? ` (first half of the drain ${f0(d.drainHalves[0])}, second half ${f0(d.drainHalves[1])})` : ''} |`);
  out(`| new firings placed in incidents per second, load plus drain | ${d.drainSeconds === null ? 'n/a (not drained)' : f0(d.firingsPerSec)} |`);
  out(`| backlog at the end of the load | ${f0(d.backlogAtEnd)} webhooks (${f0(d.backlogAtEnd * s.alertsPerGroup)} alerts); highest seen ${f0(d.peakBacklog)} |`);
  out(`| drain time (load end to backlog 0, at most ${f0(s.drainCapSeconds)} s) | ${drainText} |`);
  out(`| accepted | ${f0(d.acceptedWebhooks)} webhooks, ${f0(d.acceptedAlerts)} alerts, ${f0(d.firingsSent)} of them new firings |`);
  out(`| incidents afterwards | ${d.incidents ? `${f0(d.incidents.count)}, the largest with ${f0(d.incidents.largest)} firings${d.drainSeconds === null ? ' (not all processed)' : ''}` : 'unknown (the incident list did not answer)'} |`);
  out(`| \`/metrics\` scrape while ${f0(HIGH_BACKLOG)} or more webhooks wait | ${scrapeText} |`);
  out(`| peak RSS, load and drain | ${f0(d.peakRssMb)} MB |`);
  out();
  targetTable(targets, out);
  for (const [name, r] of [['null sink', storm.ceiling], ['Alertmanager', am], ['Debrief', d]] as const) {
    if (r && r.errorSamples.length) out(`\nError samples (${name}): ${r.errorSamples.join(' / ')}`);
  }
  return { lines, targets };
}

function costSection(cost: CostFigures[]): Section {
  const base = cost.find((c) => c.size === 10 && c.costsMs.length > 0) ?? cost.find((c) => c.costsMs.length > 0);
  const largest = COST.sizes[COST.sizes.length - 1]!;
  const atLargest = cost.find((c) => c.size === largest);
  const ratioAt = (c: CostFigures) => (base && c.costsMs.length ? c.p50 / base.p50 : NaN);
  const peak = Math.max(0, ...cost.map((c) => c.peakRssMb));
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out('## Processing cost against incident size');
  out();
  out(`Measured by \`npm run bench\`${process.env.BENCH_ONLY ? ` (BENCH_ONLY=${process.env.BENCH_ONLY})` : ''} on ${today()}, ${cpus().length} cores, Node ${process.version}. ${SHARED}`);
  out();
  out(`For each size, a fresh Debrief as shipped (synchronous=FULL) gets one Alertmanager group (one service, one cluster, one group key) whose alerts resolve and fire again with a new \`startsAt\` until they add up to that many firings in one incident, through the webhook and the inbox: ${f0(COST.seedWidth)} alerts in two halves taking turns, each body firing one half again and resolving the other (bodies of up to ${f0(COST.seedWidth)} alerts, ${f0(COST.seedWidth / 2)} new firings each, posted in order), then a body that resolves all but ${COST.measuredAlerts} of them. Then ${COST.notifications} notifications of those ${COST.measuredAlerts} alerts, each resolving one and firing again the one resolved before (one new firing each), are sent one at a time and timed from POST until the API shows their inbox entry processed (\`GET /api/v1/inbox/:id\`; the poll waits a twentieth of the time so far, so the figure is at most about 5% late). The incident's firings are read from \`GET /api/v1/incidents\` (\`alertCount\`) before and after. The server column is the inbox entry's \`processedAt\` minus its \`receivedAt\` (millisecond clocks): the same notifications without the HTTP round trip, the 202's fsync wait and the poll.`);
  out();
  out('| firings in the incident | seeding (bodies, posted in, processed after) | incidents, firings before -> after | median ms | p95 ms | median vs smallest | server: received to processed, median / p95 ms | peak RSS MB |');
  out('| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const c of cost) {
    const seeding = c.seedSeconds === null ? `${f0(c.seedBodies)} bod${c.seedBodies === 1 ? 'y' : 'ies'}, posted in ${f1(c.seedPostSeconds)} s, not processed within ${f0(COST.seedCapSeconds)} s (${f0(c.seedLeft)} left)` : `${f0(c.seedBodies)} bod${c.seedBodies === 1 ? 'y' : 'ies'}, posted in ${f1(c.seedPostSeconds)} s, processed after ${f1(c.seedSeconds)} s`;
    const incident = c.costsMs.length ? `${f0(c.incidentsBefore)}, ${f0(c.alertCountBefore)} -> ${f0(c.alertCountAfter)}` : 'not measured';
    out(`| ${f0(c.size)} | ${seeding} | ${incident}${c.note && c.seedSeconds !== null ? ` (${c.note})` : ''} | ${f1(c.p50)} | ${f1(c.p95)} | ${Number.isFinite(ratioAt(c)) ? `${ratioAt(c).toFixed(2)}x` : 'n/a'} | ${f0(c.serverP50)} / ${f0(c.serverP95)} | ${f0(c.peakRssMb)} |`);
  }
  out();
  if (cost.some((c) => c.reads.length)) {
    out(`Reads of the grown incident, as an open incident page and its report make them: each read ${20} times in a row, from request to last byte, after the timed notifications.`);
    out();
    out('| firings in the incident | read | median ms | p95 ms | max ms | size KiB |');
    out('| ---: | --- | ---: | ---: | ---: | ---: |');
    for (const c of cost) for (const r of c.reads) out(`| ${f0(c.size)} | ${r.what} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.max)} | ${f0(r.kib)} |`);
    out();
  }
  if (cost.some((c) => c.underPolling)) {
    out('Webhook answers while the incident is read: one client reads the detail, report (JSON and HTML) and timeline.svg back to back without pause, while 200 webhooks of another group (10 alerts each) arrive 10 ms apart, each timed from POST to its 202; the same webhooks timed just before with nobody reading are the control (this machine\'s own answer time at that moment).');
    out();
    out('| firings in the incident | webhooks | reads meanwhile | p50 ms | p99 ms | max ms | nobody reading: p50 / p99 ms |');
    out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const c of cost) if (c.underPolling) out(`| ${f0(c.size)} | ${c.underPolling.webhooks} | ${c.underPolling.reads} | ${f1(c.underPolling.p50)} | ${f1(c.underPolling.p99)} | ${f1(c.underPolling.max)} | ${f1(c.underPolling.quietP50)} / ${f1(c.underPolling.quietP99)} |`);
    out();
  }
  const flat = atLargest && atLargest.costsMs.length ? ratioAt(atLargest) : NaN;
  const slowestRead = atLargest?.reads.filter((r) => r.what === 'detail (API)' || r.what.startsWith('report')).sort((a, b) => b.p95 - a.p95)[0];
  const targets: Target[] = [
    [`cost per notification at ${f0(largest)} firings within 2x of the cost at ${f0(base?.size ?? 10)}${largest !== 100_000 ? ' (not the 100,000 of the target: a smaller run)' : ''}`,
      atLargest && atLargest.costsMs.length ? `median ${f1(atLargest.p50)} ms against ${f1(base!.p50)} ms (${flat.toFixed(2)}x)` : `not measured at ${f0(largest)}: ${atLargest?.note ?? 'no figures'}`,
      Number.isFinite(flat) && flat <= 2],
    [`cost: RSS < ${RSS_LIMIT_MB} MB throughout`, `peak ${f0(peak)} MB`, peak < RSS_LIMIT_MB],
    [`detail and report of the ${f0(largest)}-firing incident answer in under 200 ms (p95)`,
      slowestRead ? `slowest: ${slowestRead.what}, p95 ${f1(slowestRead.p95)} ms` : 'not measured', slowestRead !== undefined && slowestRead.p95 < 200],
    [`webhook p99 under 100 ms while a client reads the ${f0(largest)}-firing incident without pause`,
      atLargest?.underPolling ? `p99 ${f1(atLargest.underPolling.p99)} ms over ${atLargest.underPolling.webhooks} webhooks (${atLargest.underPolling.reads} reads meanwhile; nobody reading: p99 ${f1(atLargest.underPolling.quietP99)} ms)` : 'not measured',
      atLargest?.underPolling !== null && atLargest?.underPolling !== undefined && atLargest.underPolling.p99 < 100],
  ];
  targetTable(targets, out);
  return { lines, targets };
}

async function main(): Promise<void> {
  const log = (s = '') => process.stdout.write(`${s}\n`);
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && !['history', 'storm', 'cost'].includes(only)) throw new Error(`BENCH_ONLY=${only}: history, storm or cost`);
  log(`ingest benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}${QUICK ? ' (BENCH_QUICK)' : ''}${only ? ` (BENCH_ONLY=${only})` : ''}`);

  if (only === 'history') {
    // Memory work: the history step alone (nothing written to RESULTS.md).
    const alone = await history();
    log(`history: processed in ${f1(alone.processedSeconds)} s; RSS peak ${f0(alone.peakRssMb)} MB, after processing ${f0(alone.rssAfterMb)} MB, after the list queries ${f0(alone.rssAfterListsMb)} MB`);
    return;
  }
  const sections: Partial<Record<SectionName, Section>> = {};
  if (!only) sections.ingest = await ingestSection(log);
  if (!only || only === 'storm') {
    log(`\n[6/7] the storm: ${f0(STORM.groups)} groups x ${f0(STORM.alertsPerGroup)} alerts, ${pct(STORM.resolveRatio)} resolving and firing again per notification, ${STORM.connections} connections, ${f0(STORM.seconds)} s per receiver`);
    sections.storm = stormSection(await runStorm(STORM, log));
  }
  if (!only || only === 'cost') {
    log(`\n[7/7] processing cost per notification at incident sizes ${COST.sizes.map(f0).join(', ')} (${COST.notifications} notifications each)`);
    sections.cost = costSection(await runCost(COST, log));
  }

  log('\n## Ingest benchmark results');
  for (const name of ['ingest', 'storm', 'cost'] as const) {
    const section = sections[name];
    if (section) log(`\n${section.lines.join('\n')}`);
  }
  if (!only) {
    log('\nAll targets:');
    targetTable(Object.values(sections).flatMap((x) => x.targets), log);
  }

  if (process.env.BENCH_DEBRIEF_BUILD) log(`\nDebrief from ${process.env.BENCH_DEBRIEF_BUILD} (BENCH_DEBRIEF_BUILD) in the storm and the cost: nothing written to RESULTS.md`);
  else if (!QUICK) {
    // A partial run replaces its own section and keeps the others as their last run left them.
    const file = join(ROOT, 'bench/ingest/RESULTS.md');
    const notes = readFileSync(join(ROOT, 'bench/ingest/notes.md'), 'utf8');
    const kept = readSections(existsSync(file) ? readFileSync(file, 'utf8') : '', notes);
    for (const [name, section] of Object.entries(sections)) kept[name as SectionName] = section.lines.join('\n');
    writeFileSync(file, composeResults(kept, notes));
    log(`\nwritten to ${file}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
