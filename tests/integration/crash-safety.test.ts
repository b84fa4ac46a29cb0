import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { inboxCountsOnDisk } from '../support/sqlite-inbox-files';
import { freePort } from '../e2e/support/ports';
import { delay, httpRequest, ProcessRegistry, startProcess, type ManagedProcess } from '../e2e/support/processes';

/**
 * Crash safety of the real process: Debrief is built once and run as a child, a bounded
 * loopback load of Alertmanager webhooks runs against it, and it is killed with SIGKILL in the
 * middle of that load several times and restarted on the same SQLite file. Senders behave like
 * Alertmanager: a request that fails (connection reset, refused, 5xx) is sent again.
 * Afterwards every webhook that was answered 2xx must be present as alerts in incidents, each
 * exactly once. A second test checks the graceful path (SIGTERM): exit 0, in-flight requests
 * answered, inbox drained, store closed (WAL checkpointed away).
 */

const ROOT = resolve(__dirname, '../..');
const API_TOKEN = 'crash-admin-token-0123456789';
const AM_TOKEN = 'crash-alertmanager-token-0123456789';
const ALERTS_PER_WEBHOOK = 5;

let build: string;
const registry = new ProcessRegistry();

beforeAll(async () => {
  build = mkdtempSync(join(tmpdir(), 'debrief-build-'));
  // tsc emits even when other parts of the tree have type errors; what matters is that main.js exists.
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', build], { cwd: ROOT })
    .catch((err: { stdout?: string }) => { if (!existsSync(join(build, 'src/main.js'))) throw new Error(`build failed: ${err.stdout ?? String(err)}`); });
}, 180_000);

afterAll(async () => {
  await registry.stopAll();
  rmSync(build, { recursive: true, force: true });
});

interface Instance { dir: string; file: string; port: number; url: string; start(): Promise<ManagedProcess> }

async function instance(): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-crash-'));
  const file = join(dir, 'debrief.db');
  const port = await freePort();
  const configFile = join(dir, 'debrief.yaml');
  // Short leases so entries claimed by a killed process are retried quickly by its successor.
  writeFileSync(configFile, 'inbox:\n  leaseSeconds: 1\n  pollIntervalMs: 50\n');
  const url = `http://127.0.0.1:${port}`;
  return {
    dir, file, port, url,
    async start() {
      const proc = startProcess(process.execPath, [join(build, 'src/main.js')], {
        name: 'debrief', cwd: dir, registry,
        env: {
          PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'),
          DEBRIEF_CONFIG: configFile, DEBRIEF_STORE_URL: `sqlite:${file}`, DEBRIEF_HOST: '127.0.0.1', DEBRIEF_PORT: String(port),
          DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN, DEBRIEF_LOG_LEVEL: 'warn',
        },
      });
      await proc.waitForHttp(`${url}/healthz`, { timeoutMs: 20_000, intervalMs: 50 });
      return proc;
    },
  };
}

/**
 * Webhook `i`: its own group of ALERTS_PER_WEBHOOK alerts, on its own service, six hours from
 * the next one, so that any correlation rule makes it one incident of its own.
 */
const webhook = (i: number) => JSON.stringify(alertmanagerBody(Array.from({ length: ALERTS_PER_WEBHOOK }, (_, k) => ({
  labels: { alertname: `Crash${i}`, instance: `host-${k}`, service: `crash-service-${i}`, severity: 'critical' },
  startsAt: new Date(Date.UTC(2026, 0, 1) + i * 6 * 3600_000).toISOString(),
}))));

/**
 * Sends webhooks 0..count-1 with `concurrency` senders; a webhook is retried until answered
 * 2xx (like Alertmanager). Calls `onAck` with the number acknowledged so far.
 */
async function load(url: string, count: number, concurrency: number, deadline: number, onAck: (acked: number) => void): Promise<{ acked: Set<number>; failures: number; fiveHundreds: string[] }> {
  const acked = new Set<number>();
  const fiveHundreds: string[] = [];
  let next = 0;
  let failures = 0;
  const sender = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`load did not finish in time (${acked.size}/${count} acknowledged)`);
        try {
          const res = await httpRequest(`${url}/webhooks/alertmanager`, {
            method: 'POST', body: webhook(i), timeoutMs: 5000,
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
          });
          if (res.status >= 200 && res.status < 300) {
            acked.add(i);
            onAck(acked.size);
            break;
          }
          if (res.status >= 500 && res.status !== 503) fiveHundreds.push(`${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
          if (res.status < 500) throw new Error(`webhook ${i} refused: ${res.status} ${res.body.toString('utf8')}`);
        } catch (err) {
          if (/refused:/.test((err as Error).message)) throw err;
          failures++;
        }
        await delay(20);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return { acked, failures, fiveHundreds };
}

async function api(url: string, path: string): Promise<any> {
  const res = await httpRequest(`${url}${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` }, timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(res.body.toString('utf8'));
}

async function waitUntilProcessed(url: string, deadline: number): Promise<void> {
  while ((await api(url, '/api/v1/inbox?state=pending&limit=1')).items.length > 0) {
    if (Date.now() > deadline) throw new Error('inbox was not processed in time');
    await delay(100);
  }
}

/** Every alert, by incident, read through the public API. */
async function storedAlerts(url: string): Promise<Array<{ incidentId: string; alertname: string; instance: string; startsAt: string }>> {
  const out: Array<{ incidentId: string; alertname: string; instance: string; startsAt: string }> = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = await api(url, `/api/v1/incidents?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    for (const item of page.items) {
      const detail = await api(url, `/api/v1/incidents/${item.id}`);
      for (const a of detail.alerts as Array<{ incidentId: string; labels: Record<string, string>; startsAt: string }>) {
        out.push({ incidentId: a.incidentId, alertname: a.labels.alertname!, instance: a.labels.instance!, startsAt: a.startsAt });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

function expectEveryAckedWebhookOnce(acked: Set<number>, alerts: Awaited<ReturnType<typeof storedAlerts>>): void {
  const byIdentity = new Map<string, number>();
  for (const a of alerts) byIdentity.set(`${a.alertname}/${a.instance}/${a.startsAt}`, (byIdentity.get(`${a.alertname}/${a.instance}/${a.startsAt}`) ?? 0) + 1);
  const duplicates = [...byIdentity].filter(([, n]) => n > 1).map(([k]) => k);
  expect(duplicates).toEqual([]);
  const missing: string[] = [];
  const split: string[] = [];
  for (const i of acked) {
    const mine = alerts.filter((a) => a.alertname === `Crash${i}`);
    if (mine.length !== ALERTS_PER_WEBHOOK) missing.push(`webhook ${i}: ${mine.length}/${ALERTS_PER_WEBHOOK} alerts`);
    if (new Set(mine.map((a) => a.incidentId)).size > 1) split.push(`webhook ${i} spread over several incidents`);
  }
  expect(missing).toEqual([]);
  expect(split).toEqual([]);
}

describe('crash safety (SIGKILL mid-load)', () => {
  it('when Debrief is killed 4 times during a load of webhooks, then every webhook answered 2xx is stored as alerts and incidents exactly once', async () => {
    const inst = await instance();
    const total = 240;
    const kills = 4;
    let proc = await inst.start();
    let killing: Promise<void> | null = null;
    let killed = 0;
    const deadline = Date.now() + 150_000;
    const result = await load(inst.url, total, 8, deadline, (acked) => {
      // Kill at evenly spaced points of the load, while other requests are in flight.
      if (!killing && killed < kills && acked >= ((killed + 1) * total) / (kills + 1)) {
        killing = (async () => {
          proc.child.kill('SIGKILL');
          await proc.exitPromise;
          expect(proc.exitSignal).toBe('SIGKILL');
          killed++;
          proc = await inst.start();
          killing = null;
        })();
      }
    });
    while (killing) await killing;
    expect(killed).toBe(kills);
    expect(result.fiveHundreds).toEqual([]);
    expect(result.acked.size).toBe(total);
    // Some requests must have been cut by the kills, or the test proved nothing.
    expect(result.failures).toBeGreaterThan(0);

    await waitUntilProcessed(inst.url, Date.now() + 60_000);
    const alerts = await storedAlerts(inst.url);
    expectEveryAckedWebhookOnce(result.acked, alerts);
    expect(alerts).toHaveLength(total * ALERTS_PER_WEBHOOK);
    expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(total);
    expect((await api(inst.url, '/api/v1/inbox?state=dead&limit=1')).items).toEqual([]);

    await proc.stop();
    rmSync(inst.dir, { recursive: true, force: true });
  }, 240_000);
});

describe('graceful shutdown (SIGTERM)', () => {
  it('when SIGTERM arrives during a load, then in-flight requests are answered, the inbox is drained, the store is closed and the process exits 0', async () => {
    const inst = await instance();
    const proc = await inst.start();
    const statuses: number[] = [];
    const errors: string[] = [];
    let i = 0;
    let stop = false;
    // 8 senders posting as fast as they can; SIGTERM lands while requests are in flight.
    const senders = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const n = i++;
        try {
          const res = await httpRequest(`${inst.url}/webhooks/alertmanager`, {
            method: 'POST', body: webhook(n), timeoutMs: 10_000, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
          });
          statuses.push(res.status);
        } catch (err) {
          errors.push((err as Error).message);
          await delay(20);
        }
      }
    });
    while (statuses.length < 60) await delay(10);
    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    await proc.exitPromise;
    const tookMs = Date.now() - signalled;
    stop = true;
    await Promise.all(senders);

    expect(proc.exitCode).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(proc.logs()).not.toMatch(/took too long/);
    // Every answer was a 202: requests already received were finished, not cut with 5xx.
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    // After the stop, new connections are refused (not accepted and dropped).
    expect(errors.every((e) => /ECONNREFUSED|ECONNRESET|socket hang up/.test(e))).toBe(true);
    // The store was closed cleanly (the last connection checkpoints and removes the WAL) and
    // the inbox was drained before exit.
    expect(existsSync(`${inst.file}-wal`)).toBe(false);
    expect(existsSync(inboxFileFor(inst.file))).toBe(true);
    expect(existsSync(`${inboxFileFor(inst.file)}-wal`)).toBe(false);
    const counts = inboxCountsOnDisk(inst.file);
    expect(counts.pending).toBe(0);
    expect(counts.pending + counts.done + counts.dead).toBe(statuses.length);
    rmSync(inst.dir, { recursive: true, force: true });
  }, 120_000);
});
