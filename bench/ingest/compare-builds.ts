import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildGroups, percentile, runLoad, type Group } from './load';

/**
 * `npm run bench:compare -- <build> [<build> ...]`: paired ingest comparison of compiled builds
 * (each the `dist/bench-ingest` folder of a checkout, made by `npm run bench` or
 * `tsc -p bench/ingest/tsconfig.json`). Each round measures the bare-express ceiling once and
 * then every build under the same unpaced load as `npm run bench` (8 connections, 50-alert
 * webhooks), so builds are compared against the same ceiling: on a shared machine the ceiling
 * moves by 10% or more between minutes, which hides the effect of most changes in separate runs.
 * Prints each build's ratio per round and on average, the server's CPU per thread (main, and
 * the other threads by name), the machine's CPU split and disk writes during the load.
 *
 * A build may carry variants after `@`: `<build>@node` starts it with plain node instead of
 * bin/debrief-server (no runtime settings), `<build>@NAME=value` adds an environment variable
 * (e.g. `@MALLOC_ARENA_MAX=16`, glibc's default on two cores); so one build can be compared
 * with and without each runtime setting.
 *
 * Environment: COMPARE_ROUNDS (default 3); COMPARE_RATE=<alerts/s> for a paced load instead
 * (latency at a given rate: compare p99, not ratios); COMPARE_PROFILE=<dir> to write a
 * `--cpu-prof` profile of every Debrief run (one file per thread). Loopback only; bounded in time.
 */

const AM_TOKEN = 'bench-alertmanager-token-0123456789';
const ROOT = join(__dirname, '../../../..');
const OWN_BUILD = join(__dirname, '../..');
const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 3);
const PROFILE_DIR = process.env.COMPARE_PROFILE;
const RATE = process.env.COMPARE_RATE ? Number(process.env.COMPARE_RATE) : undefined;

/** CPU ticks per thread of a process (Linux /proc), keyed "main" or the thread's name. */
function threadTicks(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = tid === String(pid) ? 'main' : name;
      out[key] = (out[key] ?? 0) + Number(fields[11]) + Number(fields[12]);
    } catch { /* the thread ended */ }
  }
  return out;
}

/** Machine-wide CPU jiffies (user, nice, system, idle, iowait, irq, softirq, steal) and disk sectors written. */
function machine(): { cpu: number[]; sectorsWritten: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  let sectorsWritten = 0;
  for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    // Whole disks only (vda, sda, nvme0n1), not their partitions.
    if (f.length > 9 && /^(?:[hsv]d[a-z]+|nvme\d+n\d+|xvd[a-z]+)$/.test(f[2]!)) sectorsWritten += Number(f[9]);
  }
  return { cpu, sectorsWritten };
}

interface Variant { plainNode: boolean; env: Record<string, string> }

/** `<build>[@node][@NAME=value...]` (see the header). */
function parseBuild(arg: string): { build: string; variant: Variant } {
  const [dir, ...parts] = arg.split('@');
  const variant: Variant = { plainNode: false, env: {} };
  for (const part of parts) {
    if (part === 'node') variant.plainNode = true;
    else if (/^[A-Z_][A-Z0-9_]*=/.test(part)) variant.env[part.slice(0, part.indexOf('='))] = part.slice(part.indexOf('=') + 1);
    else throw new Error(`build variant "@${part}": use @node or @NAME=value`);
  }
  return { build: resolve(dir!), variant };
}

async function start(script: string, variant: Variant = { plainNode: false, env: {} }): Promise<{ proc: ChildProcess; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-compare-'));
  const debrief = script.endsWith('debrief-server.js');
  const profile = PROFILE_DIR && debrief ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
  // Debrief starts as it ships (bin/debrief-server: its runtime settings) unless the variant says
  // otherwise; the ceiling is plain node.
  const [command, args] = debrief && !variant.plainNode ? [join(ROOT, 'bin/debrief-server'), [...profile, script]] : [process.execPath, [...profile, script]];
  const proc = spawn(command, args, {
    cwd: dir, stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH, DEBRIEF_NODE: process.execPath, NODE_PATH: join(ROOT, 'node_modules'), NODE_ENV: 'production',
      DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`, DEBRIEF_PORT: '0', DEBRIEF_HOST: '127.0.0.1', DEBRIEF_LOG_LEVEL: 'warn',
      DEBRIEF_API_TOKENS: 'bench:admin:bench-admin-token-0123456789', DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN, BENCH_SYNCHRONOUS: 'FULL',
      ...variant.env,
    },
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"listening":(\d+)\}/.exec(out);
      if (m) resolvePort(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, dir };
}

interface Measured { alertsPerSec: number; p95: number; p99: number; errors: number; threads: Record<string, number>; machine: string }

async function measure(script: string, groups: Group[], variant?: Variant): Promise<Measured> {
  const server = await start(script, variant);
  const pid = server.proc.pid!;
  const ticks0 = threadTicks(pid);
  const m0 = machine();
  const r = await runLoad({ url: `${server.url}/webhooks/alertmanager`, headers: { Authorization: `Bearer ${AM_TOKEN}` }, groups, connections: 8, warmupMs: 3000, maxRequests: 12_000, maxSeconds: 20, ratePerSec: RATE ? RATE / 50 : undefined });
  const ticks1 = threadTicks(pid);
  const m1 = machine();
  // SIGTERM lets a profiled server write its profile; otherwise nothing needs a graceful stop.
  server.proc.kill(PROFILE_DIR ? 'SIGTERM' : 'SIGKILL');
  await new Promise((r2) => server.proc.once('exit', r2));
  rmSync(server.dir, { recursive: true, force: true });
  const seconds = r.seconds + r.warmupSeconds;
  const threads = Object.fromEntries(Object.entries(ticks1)
    .map(([name, t]) => [name, Math.round((t - (ticks0[name] ?? 0)) / seconds)] as const)
    .filter(([, pct]) => pct > 0));
  const cpu = m1.cpu.map((v, i) => v - m0.cpu[i]!);
  const total = cpu.reduce((a, b) => a + b, 0);
  const pct = (i: number) => `${Math.round((cpu[i]! / total) * 100)}%`;
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return {
    alertsPerSec: r.alerts / r.seconds, p95: percentile(sorted, 95), p99: percentile(sorted, 99), errors: r.errors, threads,
    machine: `user ${pct(0)} sys ${pct(2)} idle ${pct(3)} iowait ${pct(4)}, disk writes ${Math.round(((m1.sectorsWritten - m0.sectorsWritten) * 512) / 1e6)} MB`,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const parsed = (args.length > 0 ? args : [OWN_BUILD]).map(parseBuild);
  const builds = parsed.map((p) => p.build);
  const groups = buildGroups({ groups: 200, perGroup: 50, startMs: Date.UTC(2026, 10, 26, 12) });
  const ratios = builds.map(() => [] as number[]);
  for (let round = 1; round <= ROUNDS; round++) {
    const bare = await measure(join(OWN_BUILD, 'bench/ingest/bare-server.js'), groups);
    console.log(`round ${round}: ceiling ${Math.round(bare.alertsPerSec).toLocaleString('en-US')} alerts/s`);
    for (const [i, build] of builds.entries()) {
      const d = await measure(join(build, 'bench/ingest/debrief-server.js'), groups, parsed[i]!.variant);
      ratios[i]!.push(d.alertsPerSec / bare.alertsPerSec);
      console.log(`  build ${i + 1}: ${Math.round(d.alertsPerSec).toLocaleString('en-US')} alerts/s, ${((d.alertsPerSec / bare.alertsPerSec) * 100).toFixed(1)}% of the ceiling, p95 ${d.p95.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms, ${d.errors} errors; CPU % per thread ${JSON.stringify(d.threads)}; machine ${d.machine}`);
    }
  }
  for (const [i, r] of ratios.entries()) {
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    console.log(`build ${i + 1} (${args[i] ?? builds[i]}): ${r.map((x) => `${(x * 100).toFixed(1)}%`).join(', ')}; mean ${(mean * 100).toFixed(1)}%`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`comparison failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
