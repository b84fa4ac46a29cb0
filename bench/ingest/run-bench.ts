import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGroups, percentile, rssOf, runLoad, type Group, type LoadResult } from './load';

/**
 * `npm run bench`: ingest throughput and latency of the real Debrief (child process, embedded
 * SQLite, inbox processing running) against a bare express ceiling measured in the same run,
 * then a 100,000-alert history (100,000 incidents) and API list latency at that size.
 * Bounded in count and time; loopback only. Prints a table with PASS/MISS per target and writes
 * bench/ingest/RESULTS.md. Scale down with BENCH_QUICK=1 (for a smoke run; targets still printed);
 * BENCH_ONLY=history runs only the history step and prints its memory figures;
 * BENCH_SERVER_ENV='NAME=value ...' adds environment variables to the Debrief server (runtime
 * experiments, e.g. `MALLOC_ARENA_MAX=4`, or `DEBRIEF_NODE=<wrapper>` to change node's flags).
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
const AM_TOKEN = 'bench-alertmanager-token-0123456789';
const API_TOKEN = 'bench-admin-token-0123456789';
const ROOT = join(__dirname, '../../../..');
const BUILD = join(__dirname, '../..');

const log = (s = '') => process.stdout.write(`${s}\n`);

interface Server { proc: ChildProcess; url: string; dir: string; peakRssMb: number; stop(): Promise<void> }

async function startServer(kind: 'bare' | 'debrief', synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `debrief-bench-${kind}-`));
  const script = kind === 'bare' ? join(BUILD, 'bench/ingest/bare-server.js') : join(BUILD, 'bench/ingest/debrief-server.js');
  // Debrief starts as it ships (bin/debrief-server: its runtime settings); the ceiling is plain node.
  const [command, args] = kind === 'bare' ? [process.execPath, [script]] : [join(ROOT, 'bin/debrief-server'), [script]];
  const proc = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH, DEBRIEF_NODE: process.execPath, NODE_PATH: join(ROOT, 'node_modules'), NODE_ENV: 'production',
      DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_PORT: '0', DEBRIEF_HOST: '127.0.0.1', DEBRIEF_LOG_LEVEL: 'warn',
      DEBRIEF_API_TOKENS: `bench:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN, BENCH_SYNCHRONOUS: synchronous,
      ...(kind === 'debrief' ? SERVER_ENV : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start: ${stderr}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"listening":(\d+)\}/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} server exited (${code}): ${stderr}`)); });
  });
  const server: Server = {
    proc, dir, url: `http://127.0.0.1:${port}`, peakRssMb: 0,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Samples RSS while `work` runs (VmHWM is the kernel's own peak since start). */
async function sampled<T>(server: Server, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => { try { server.peakRssMb = Math.max(server.peakRssMb, rssOf(server.proc.pid!).rssMb); } catch { /* exited */ } }, 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    try { server.peakRssMb = Math.max(server.peakRssMb, rssOf(server.proc.pid!).peakMb); } catch { /* exited */ }
  }
}

function get(url: string, token = API_TOKEN): Promise<{ status: number; text: string; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    }).on('error', reject);
  });
}

async function backlog(server: Server): Promise<number> {
  const text = (await get(`${server.url}/metrics`)).text;
  return Number(/^debrief_inbox_backlog(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? NaN);
}

/** Waits until the inbox is fully processed; returns seconds waited. */
async function drained(server: Server, maxSeconds: number): Promise<number> {
  const t0 = Date.now();
  while ((await backlog(server)) > 0) {
    if (Date.now() - t0 > maxSeconds * 1000) throw new Error(`inbox not drained within ${maxSeconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (Date.now() - t0) / 1000;
}

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
  const server = await startServer(kind, synchronous);
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
  const server = await startServer('debrief');
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
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const groups = buildGroups({ groups: DISTINCT_ALERTS / PER_WEBHOOK, perGroup: PER_WEBHOOK, startMs: Date.UTC(2026, 10, 26, 12) });
  log(`ingest benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}${QUICK ? ' (BENCH_QUICK)' : ''}`);
  log(`load: ${CONNECTIONS} keep-alive connections, ${PER_WEBHOOK} alerts per webhook, ${DISTINCT_ALERTS.toLocaleString('en-US')} distinct alerts in ${groups.length} groups (~${Math.round(groups[0]!.body.length / 1024)} KiB per body), warm-up ${LOAD.warmupMs / 1000} s, then up to ${LOAD.maxRequests.toLocaleString('en-US')} webhooks or ${LOAD.maxSeconds} s`);

  if (process.env.BENCH_ONLY === 'history') {
    // Memory work: the history step alone (nothing written to RESULTS.md).
    const only = await history();
    log(`history: processed in ${f1(only.processedSeconds)} s; RSS peak ${f0(only.peakRssMb)} MB, after processing ${f0(only.rssAfterMb)} MB, after the list queries ${f0(only.rssAfterListsMb)} MB`);
    return;
  }
  log('\n[1/5] bare express (parse JSON, 202): the ceiling');
  const bare = await throughput('bare', groups);
  log(`      ${f0(bare.alertsPerSec)} alerts/s, p99 ${f1(bare.p99)} ms`);
  log('[2/5] Debrief, synchronous=FULL (default), as fast as it answers');
  const full = await throughput('debrief', groups, 'FULL');
  log(`      ${f0(full.alertsPerSec)} alerts/s, p99 ${f1(full.p99)} ms, errors ${full.errors}, backlog drained in ${f1(full.drainSeconds ?? NaN)} s`);
  log(`[3/5] Debrief, synchronous=FULL, paced at ${f0(TARGET_RATE)} alerts/s`);
  const pacedFull = await throughput('debrief', groups, 'FULL', TARGET_RATE / PER_WEBHOOK);
  log(`      ${f0(pacedFull.alertsPerSec)} alerts/s, p99 ${f1(pacedFull.p99)} ms, errors ${pacedFull.errors}, backlog at end ${f0(pacedFull.backlogAtEnd ?? NaN)} webhooks`);
  log('[4/5] Debrief, synchronous=NORMAL, as fast as it answers');
  const normal = await throughput('debrief', groups, 'NORMAL');
  log(`      ${f0(normal.alertsPerSec)} alerts/s, p99 ${f1(normal.p99)} ms, errors ${normal.errors}`);
  log(`[5/5] history: ${HISTORY_ALERTS.toLocaleString('en-US')} alerts -> incidents, then API list latency`);
  const hist = await history();
  log(`      posted in ${f1(hist.postSeconds)} s, processed in ${f1(hist.processedSeconds)} s, ${f0(hist.incidents)} open incidents, RSS ${f0(hist.rssAfterMb)} MB`);

  const ratio = full.alertsPerSec / bare.alertsPerSec;
  const targets: Array<[string, string, boolean]> = [
    ['sustained ingest >= 10,000 alerts/s with zero errors', `${f0(full.alertsPerSec)} alerts/s at most; ${f0(pacedFull.alertsPerSec)} alerts/s paced with ${pacedFull.errors + full.errors} errors, ${f0(pacedFull.backlogAtEnd ?? NaN)} webhooks unprocessed at the end`, full.alertsPerSec >= 10_000 && pacedFull.alertsPerSec >= 0.98 * TARGET_RATE && full.errors + pacedFull.errors === 0],
    ['p99 < 100 ms at that rate', `${f1(pacedFull.p99)} ms paced at ${f0(TARGET_RATE)} alerts/s (${f1(full.p99)} ms at ${f0(full.alertsPerSec)} alerts/s)`, pacedFull.p99 < 100],
    ['>= 35% of the bare-express ceiling (same run)', `${(ratio * 100).toFixed(0)}%`, ratio >= 0.35],
    [`RSS < 300 MB at ${f0(hist.incidents)} stored incidents`, `${f0(hist.rssAfterListsMb)} MB (peak during ingest ${f0(hist.peakRssMb)} MB)`, hist.rssAfterListsMb < 300],
  ];

  const lines: string[] = [];
  const out = (s = '') => { lines.push(s); log(s); };
  out('\n## Ingest benchmark results');
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
  out(`Processing (stored webhooks becoming alerts in incidents) runs in a worker thread of the same process with its own SQLite connection (src/ingest/inbox-worker.ts) and gives way to webhooks while they arrive (src/ingest/ingest-pressure.ts): at the end of the unpaced loads ${f0(full.backlogAtEnd ?? NaN)} webhooks (FULL) and ${f0(normal.backlogAtEnd ?? NaN)} (NORMAL) were waiting, processed ${f1(full.drainSeconds ?? NaN)} s and ${f1(normal.drainSeconds ?? NaN)} s later; paced at ${f0(TARGET_RATE)} alerts/s, ${f0(pacedFull.backlogAtEnd ?? NaN)} were waiting at the end (processed ${f1(pacedFull.drainSeconds ?? NaN)} s later). Processing rate over load plus drain: ${f0(full.processedAlertsPerSec ?? NaN)} alerts/s (FULL), ${f0(normal.processedAlertsPerSec ?? NaN)} alerts/s (NORMAL); re-sent alerts are updates of known alerts, as Alertmanager repeats send them.`);
  out();
  out(`History: ${HISTORY_ALERTS.toLocaleString('en-US')} alerts in ${(HISTORY_ALERTS / PER_WEBHOOK).toLocaleString('en-US')} webhooks, one incident each (synchronous=FULL): all accepted in ${f1(hist.postSeconds)} s, all processed into ${f0(hist.incidents)} incidents after ${f1(hist.processedSeconds)} s (${f0(HISTORY_ALERTS / hist.processedSeconds)} alerts/s end to end); peak RSS ${f0(hist.peakRssMb)} MB, RSS afterwards ${f0(hist.rssAfterMb)} MB.`);
  out();
  out(`| API list query at ${f0(hist.incidents)} incidents | p50 ms | p95 ms | p99 ms |`);
  out('| --- | ---: | ---: | ---: |');
  for (const [name, l] of Object.entries(hist.list)) out(`| ${name} | ${f1(l.p50)} | ${f1(l.p95)} | ${f1(l.p99)} |`);
  out();
  out('| target | measured | result |');
  out('| --- | --- | --- |');
  for (const [t, m, ok] of targets) out(`| ${t} | ${m} | ${mark(ok)} |`);
  if (full.errorSamples.length) out(`\nError samples: ${full.errorSamples.join(' / ')}`);

  if (!QUICK) {
    const file = join(ROOT, 'bench/ingest/RESULTS.md');
    const notes = readFileSync(join(ROOT, 'bench/ingest/notes.md'), 'utf8');
    writeFileSync(file, `# Ingest benchmark\n\nGenerated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.\n${lines.join('\n').replace('\n## Ingest benchmark results', '')}\n\n${notes}`);
    log(`\nwritten to ${file}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
