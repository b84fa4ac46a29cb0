import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InboxState } from '../../src/store/store';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { inboxCountsOnDisk } from '../support/sqlite-inbox-files';
import { childDebriefFile, startChildDebrief, type ChildDebrief } from '../support/child-debrief';
import { delay, httpRequest } from '../e2e/support/processes';

/**
 * Store faults as the inbox WORKER THREAD sees them (README, Security: faults). store-faults.test.ts
 * covers the HTTP side with in-thread processing (ts-jest cannot run the worker, whose file must
 * be JavaScript); here the real compiled server runs as a child process with `inbox.worker` on,
 * and the fault starts while accepted webhooks are still waiting for the worker:
 *
 * - lock: a second connection holds `BEGIN EXCLUSIVE` on the store file longer than the worker's
 *   busy timeout, so the worker's claims and writes fail with SQLITE_BUSY, while webhooks are
 *   still accepted (they write the inbox file, sqlite-inbox.ts);
 * - disk: the child's file size limit (RLIMIT_FSIZE, set from outside with `prlimit`, Linux) is
 *   lowered to 0, so every write of the process to the database, WAL or shm fails as on a full
 *   disk (SQLite reports it as an I/O error; Node ignores SIGXFSZ). Making the file read-only is
 *   no substitute: chmod does not affect connections already open, and root ignores file modes.
 *
 * Every worker fault must be logged by the worker thread (`"thread":"inbox-worker"`), which
 * proves the worker path ran; in-thread processing logs without that field. `maxAttempts` is 1,
 * so a store fault counted as a processing attempt would at once turn an accepted webhook into
 * a dead letter. Once the fault is gone, every accepted webhook must be processed, exactly once,
 * by the same process, and no entry may be dead.
 */

const API_TOKEN = 'worker-faults-admin-token-0123456789';
const AM_TOKEN = 'worker-faults-alertmanager-token-0123';
const ALERTS_PER_WEBHOOK = 20;
const BURST = 40;
const BASE = Date.UTC(2026, 4, 1);

const children = childDebriefFile('debrief-worker-faults-');

interface Instance { debrief: ChildDebrief; file: string; db: Database.Database }

async function start(): Promise<Instance> {
  const dir = children.tempDir();
  const file = join(dir, 'debrief.db');
  const configFile = join(dir, 'debrief.yaml');
  // Short leases and polls so retries after the fault come quickly; one attempt (see above).
  writeFileSync(configFile, 'inbox:\n  worker: true\n  leaseSeconds: 1\n  pollIntervalMs: 50\n  maxAttempts: 1\n');
  const debrief = await startChildDebrief({
    build: children.build, cwd: dir, registry: children.registry,
    env: {
      DEBRIEF_CONFIG: configFile, DEBRIEF_STORE_URL: `sqlite:${file}`,
      DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN,
    },
  });
  // The test's own connection: reads the inbox (WAL readers never wait for writers).
  const db = new Database(file);
  return { debrief, file, db };
}

async function stop(inst: Instance): Promise<void> {
  inst.db.close();
  await inst.debrief.proc.stop();
}

/** Webhook `i`: its own group and service, six hours from the next one: one incident each. */
const webhook = (i: number) => JSON.stringify(alertmanagerBody(Array.from({ length: ALERTS_PER_WEBHOOK }, (_, k) => ({
  labels: { alertname: `WorkerFault${i}`, instance: `host-${k}`, service: `worker-fault-service-${i}`, severity: 'critical' },
  startsAt: new Date(BASE + i * 6 * 3600_000).toISOString(),
}))));

const post = (url: string, i: number, timeoutMs = 10_000) => httpRequest(`${url}/webhooks/alertmanager`, {
  method: 'POST', body: webhook(i), timeoutMs,
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
});

/** Posts webhooks `from..from+count-1`, 8 at a time; each must be accepted (202). */
async function burst(url: string, from: number, count: number): Promise<number[]> {
  let next = from;
  const accepted: number[] = [];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = next++; i < from + count; i = next++) {
      const res = await post(url, i);
      if (res.status !== 202) throw new Error(`webhook ${i}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
      accepted.push(i);
    }
  }));
  return accepted.sort((a, b) => a - b);
}

/** Inbox entries in `state`, read through `db` (a connection to the store file) and the inbox file beside it. */
const count = (inst: Instance, state: InboxState, db = inst.db) => inboxCountsOnDisk(inst.file, db)[state];

async function api(url: string, path: string): Promise<any> {
  const res = await httpRequest(`${url}${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` }, timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(res.body.toString('utf8'));
}

async function until(what: string, deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

/** The worker thread's log lines about failed inbox work (pino JSON, one object a line). */
function workerFaults(debrief: ChildDebrief): Array<{ msg: string; reason?: string; err?: { message?: string }; dead?: boolean }> {
  return debrief.proc.logs().split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const entry = JSON.parse(line) as { thread?: string; msg: string };
      return entry.thread === 'inbox-worker' && /inbox (entry|pass)/.test(entry.msg) ? [entry] : [];
    } catch {
      return [];
    }
  });
}
const faultText = (f: ReturnType<typeof workerFaults>[number]) => `${f.msg}: ${f.reason ?? f.err?.message ?? ''}`;

/** Every alert, by incident, through the public API. */
async function storedAlerts(url: string): Promise<Array<{ incidentId: string; alertname: string; instance: string }>> {
  const out: Array<{ incidentId: string; alertname: string; instance: string }> = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = await api(url, `/api/v1/incidents?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    for (const item of page.items) {
      const detail = await api(url, `/api/v1/incidents/${item.id}`);
      for (const a of detail.alerts as Array<{ incidentId: string; labels: Record<string, string> }>) {
        out.push({ incidentId: a.incidentId, alertname: a.labels.alertname!, instance: a.labels.instance! });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** After the fault: the backlog drains, nothing is dead, and each accepted webhook is there exactly once. */
async function expectEveryAcceptedWebhookOnce(inst: Instance, accepted: number[]): Promise<void> {
  await until('the inbox is processed', 30_000, () => count(inst, 'pending') === 0);
  expect(count(inst, 'dead')).toBe(0);
  expect(count(inst, 'done')).toBe(accepted.length);
  const alerts = await storedAlerts(inst.debrief.url);
  const seen = new Map<string, number>();
  for (const a of alerts) seen.set(`${a.alertname}/${a.instance}`, (seen.get(`${a.alertname}/${a.instance}`) ?? 0) + 1);
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  const wrong: string[] = [];
  for (const i of accepted) {
    const mine = alerts.filter((a) => a.alertname === `WorkerFault${i}`);
    if (mine.length !== ALERTS_PER_WEBHOOK || new Set(mine.map((a) => a.incidentId)).size !== 1) wrong.push(`webhook ${i}: ${mine.length} alerts in ${new Set(mine.map((a) => a.incidentId)).size} incidents`);
  }
  expect(wrong).toEqual([]);
  expect(alerts).toHaveLength(accepted.length * ALERTS_PER_WEBHOOK);
  // The process never went down: the same one answers.
  expect(inst.debrief.proc.exited).toBe(false);
}

/**
 * Posts bursts until the fault, started right after a burst, catches accepted entries still
 * waiting for the worker (it usually does at once: the worker is behind while webhooks arrive).
 * Numbers webhooks from `from`; returns the accepted ones. The fault is on when it returns.
 */
async function faultWithBacklog(inst: Instance, fault: { on(): Promise<void> | void; off(): Promise<void> | void; pending(): number }, from = 0): Promise<number[]> {
  const accepted: number[] = [];
  // Each round's burst is twice the last: the worker processes alert entries in runs and can
  // keep up with a small burst on an idle machine.
  for (let round = 0; round < 6; round++) {
    accepted.push(...await burst(inst.debrief.url, from + accepted.length, BURST * 2 ** round));
    await fault.on();
    if (fault.pending() > 0) return accepted;
    await fault.off();
  }
  throw new Error('the worker always caught up before the fault started');
}

describe('inbox worker thread under store faults (real process)', () => {
  it('when another connection holds the write lock while accepted webhooks wait for the worker, then the worker retries without dead-lettering and, once the lock is released, every accepted webhook is processed exactly once', async () => {
    const inst = await start();
    const lock = new Database(inst.file);
    // Acquiring waits (synchronously) only for the worker's current transaction.
    lock.pragma('busy_timeout = 10000');
    const lockFault = {
      on: () => { lock.exec('BEGIN EXCLUSIVE'); },
      off: () => { if (lock.inTransaction) lock.exec('ROLLBACK'); },
      // Read inside the exclusive transaction: what the worker has not finished yet.
      pending: () => count(inst, 'pending', lock),
    };
    const accepted: number[] = [];
    let midEntry = false;
    try {
      // Until the lock catches the worker in the middle of an entry it had claimed (the first
      // round does, but for a rare lock landing between two batches): that is where counting
      // the fault as an attempt would dead-letter the entry.
      for (let round = 0; round < 5 && !midEntry; round++) {
        accepted.push(...await faultWithBacklog(inst, lockFault, accepted.length));
        const before = workerFaults(inst.debrief).length;
        if (round === 0) {
          // Readiness is false (processing cannot write), but senders are not turned away:
          // accepting writes only the inbox file.
          expect((await httpRequest(`${inst.debrief.url}/readyz`)).status).toBe(503);
          const during = await post(inst.debrief.url, 100_000, 30_000);
          expect(during.status).toBe(202);
          accepted.push(100_000);
        }
        // The worker's busy timeout (5 s) runs out while the lock is held: it logs and retries.
        await until('the worker reports the lock', 30_000, () => workerFaults(inst.debrief).slice(before).some((f) => /SQLITE_BUSY/.test(faultText(f))));
        lockFault.off();
        midEntry = workerFaults(inst.debrief).slice(before).some((f) => f.msg.startsWith('inbox entry') && /SQLITE_BUSY/.test(faultText(f)));
      }
    } finally {
      lockFault.off();
      lock.close();
    }
    expect(midEntry).toBe(true);
    await expectEveryAcceptedWebhookOnce(inst, accepted);
    // Whatever the worker was doing when the lock came, it gave up on nothing.
    expect(workerFaults(inst.debrief).filter((f) => f.dead === true).map(faultText)).toEqual([]);
    await until('readiness returns', 30_000, async () => (await httpRequest(`${inst.debrief.url}/readyz`)).status === 200);
    await stop(inst);
  }, 90_000);

  it('when the process can no longer write to disk while accepted webhooks wait for the worker, then webhooks get 503 and, once writes work again, every accepted webhook is processed exactly once and none is dead-lettered', async () => {
    const inst = await start();
    const pid = inst.debrief.pid;
    // Only the soft limit changes (no privilege needed to raise it back); only this child's pid.
    const prlimit = (soft: string) => promisify(execFile)('prlimit', ['--pid', String(pid), `--fsize=${soft}:`]);
    const diskFault = { on: () => prlimit('0').then(() => undefined), off: () => prlimit('unlimited').then(() => undefined), pending: () => count(inst, 'pending') };
    let accepted: number[] = [];
    try {
      accepted = await faultWithBacklog(inst, diskFault);
      const during = await post(inst.debrief.url, 100_000, 30_000);
      expect(during.status).toBe(503);
      expect(Number(during.headers['retry-after'])).toBeGreaterThan(0);
      expect((await httpRequest(`${inst.debrief.url}/readyz`)).status).toBe(503);
      await until('the worker reports the write failure', 30_000, () => workerFaults(inst.debrief).some((f) => /SQLITE_IOERR|SQLITE_FULL|I\/O|full/.test(faultText(f))));
      // Nothing written meanwhile: the backlog is still there.
      expect(count(inst, 'pending')).toBeGreaterThan(0);
    } finally {
      await diskFault.off();
    }
    await expectEveryAcceptedWebhookOnce(inst, accepted);
    expect(workerFaults(inst.debrief).filter((f) => f.dead === true).map(faultText)).toEqual([]);
    await until('readiness returns', 30_000, async () => (await httpRequest(`${inst.debrief.url}/readyz`)).status === 200);
    // Accepting works again too.
    expect((await post(inst.debrief.url, accepted.length)).status).toBe(202);
    await stop(inst);
  }, 90_000);
});
