import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rssOf } from './load';

/**
 * The servers the ingest benchmark measures, as child processes on loopback, and what it reads
 * from them (RSS, `/metrics`, the API).
 */

export const AM_TOKEN = 'bench-alertmanager-token-0123456789';
export const API_TOKEN = 'bench-admin-token-0123456789';
/** The repository (compiled files are under dist/bench-ingest). */
export const ROOT = join(__dirname, '../../../..');
/** This benchmark's compiled tree (dist/bench-ingest). */
export const BUILD = join(__dirname, '../..');
/**
 * Where the `shipped` server's src/main.js comes from: this build, or another compiled tree
 * named by BENCH_DEBRIEF_BUILD (`dist` of a checkout after `npm run build`, or its
 * `dist/bench-ingest`), to run the storm and the cost against an older or newer Debrief.
 */
export const SHIPPED_BUILD = process.env.BENCH_DEBRIEF_BUILD ? resolve(process.env.BENCH_DEBRIEF_BUILD) : BUILD;

/**
 * - `bare`: the express ceiling (bare-server.ts), plain node;
 * - `debrief`: Debrief through bin/debrief-server with the benchmark's entry (debrief-server.ts),
 *   which lets the run choose the SQLite `synchronous` level;
 * - `shipped`: Debrief exactly as it ships, bin/debrief-server running src/main.ts (default
 *   store, `FULL`), configured from the environment like any installation.
 */
export type ServerKind = 'bare' | 'debrief' | 'shipped';

export interface Server { proc: ChildProcess; url: string; dir: string; peakRssMb: number; stop(): Promise<void> }

export interface StartOptions {
  synchronous?: 'FULL' | 'NORMAL';
  /** Added to the server's environment (after the benchmark's own settings). */
  env?: Record<string, string>;
}

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `debrief-bench-${kind}-`));
  const script = { bare: join(BUILD, 'bench/ingest/bare-server.js'), debrief: join(BUILD, 'bench/ingest/debrief-server.js'), shipped: join(SHIPPED_BUILD, 'src/main.js') }[kind];
  // Debrief starts as it ships (bin/debrief-server: its runtime settings); the ceiling is plain node.
  const [command, args] = kind === 'bare' ? [process.execPath, [script]] : [join(ROOT, 'bin/debrief-server'), [script]];
  const proc = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH, DEBRIEF_NODE: process.execPath, NODE_PATH: join(ROOT, 'node_modules'), NODE_ENV: 'production',
      DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_PORT: '0', DEBRIEF_HOST: '127.0.0.1',
      // src/main.ts announces its address at `info`, once; nothing on the ingest path logs at `info`.
      DEBRIEF_LOG_LEVEL: kind === 'shipped' ? 'info' : 'warn',
      DEBRIEF_API_TOKENS: `bench:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN, BENCH_SYNCHRONOUS: options.synchronous ?? 'FULL',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.length > 20_000) stderr = stderr.slice(-10_000); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start: ${stderr}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      if (out.length > 100_000) return;
      out += d.toString();
      const m = /\{"listening":(\d+)\}/.exec(out) ?? /"url":"http:\/\/[^"]*:(\d+)"[^\n]*"msg":"Debrief is listening"/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} server exited (${code}): ${stderr}`)); });
  });
  // Keep reading its output, so a chatty server never blocks on a full pipe.
  proc.stdout!.resume();
  return {
    proc, dir, url: `http://127.0.0.1:${port}`, peakRssMb: 0,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Samples a process's RSS every 100 ms while `work` runs and keeps the peak (VmHWM is the kernel's own peak since start). */
export async function sampled<T>(server: { proc: ChildProcess; peakRssMb: number }, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => { try { server.peakRssMb = Math.max(server.peakRssMb, rssOf(server.proc.pid!).rssMb); } catch { /* exited */ } }, 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    try { server.peakRssMb = Math.max(server.peakRssMb, rssOf(server.proc.pid!).peakMb); } catch { /* exited */ }
  }
}

export function request(method: 'GET' | 'POST', url: string, options: { token?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? API_TOKEN}`, ...options.headers };
    if (options.body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(options.body.length) });
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const get = (url: string, token = API_TOKEN) => request('GET', url, { token });

/** A sample's value in Prometheus text format (the first series of that name, or of that name and label text). */
export function metricValue(text: string, name: string, labelPart = ''): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*${labelPart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^}]*\\})? (\\S+)`, 'm').exec(text);
  return Number(m?.[1] ?? NaN);
}

/** Inbox entries received and not processed yet (`debrief_inbox_backlog`), with how long the scrape took. */
export async function scrapeBacklog(server: { url: string }): Promise<{ backlog: number; ms: number }> {
  const res = await get(`${server.url}/metrics`);
  return { backlog: metricValue(res.text, 'debrief_inbox_backlog'), ms: res.ms };
}

export async function backlog(server: { url: string }): Promise<number> {
  return (await scrapeBacklog(server)).backlog;
}

/** Waits until the inbox is fully processed; returns seconds waited. */
export async function drained(server: { url: string }, maxSeconds: number): Promise<number> {
  const t0 = Date.now();
  while ((await backlog(server)) > 0) {
    if (Date.now() - t0 > maxSeconds * 1000) throw new Error(`inbox not drained within ${maxSeconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (Date.now() - t0) / 1000;
}
