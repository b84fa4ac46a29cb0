import { chmodSync, chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { childDebriefFile, startChildDebrief, type ChildDebrief } from '../support/child-debrief';
import { delay, httpRequest } from '../e2e/support/processes';

/**
 * A store whose files are read-only when Debrief starts, and become writable while it runs.
 * SQLite opens a file it may not write read-only for good, so before the fix Debrief answered
 * 503 until restarted (while /healthz said 200). Here the real compiled server runs as a child
 * process on real files made read-only with chmod, and must heal by itself: webhooks accepted
 * again, processed by the inbox worker thread (whose connection was read-only too), same pid.
 *
 * Root ignores file modes (SQLite as root opens a 0444 file read-write), so when the tests run
 * as root the child runs as `nobody`, in a directory it owns.
 */

const API_TOKEN = 'read-only-admin-token-0123456789';
const AM_TOKEN = 'read-only-alertmanager-token-0123';
const NOBODY = 65534;

const children = childDebriefFile('debrief-read-only-');
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};

const webhook = (name: string) => JSON.stringify(alertmanagerBody([{ labels: { alertname: name, service: 'read-only' }, startsAt: '2026-11-26T14:00:00Z' }]));
const post = (url: string, name: string) => httpRequest(`${url}/webhooks/alertmanager`, {
  method: 'POST', body: webhook(name), timeoutMs: 10_000,
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
});
const get = (url: string, path: string) => httpRequest(`${url}${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` }, timeoutMs: 10_000 });

async function until<T>(what: string, deadlineMs: number, check: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(100);
  }
}

async function alertnames(url: string): Promise<Set<string>> {
  const page = JSON.parse((await get(url, '/api/v1/incidents?limit=100')).body.toString('utf8')) as { items: Array<{ id: string }> };
  const names = new Set<string>();
  for (const item of page.items) {
    const detail = JSON.parse((await get(url, `/api/v1/incidents/${item.id}`)).body.toString('utf8')) as { alerts: Array<{ labels: Record<string, string> }> };
    for (const alert of detail.alerts) names.add(alert.labels.alertname!);
  }
  return names;
}

describe('a store started read-only', () => {
  it('when the files become writable while Debrief runs, then it accepts and processes webhooks again without a restart, and /healthz stays 200 throughout', async () => {
    const dir = children.tempDir();
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    const file = join(dir, 'debrief.db');
    const start = () => startChildDebrief({
      build: children.build, cwd: dir, registry: children.registry, ...user,
      env: { DEBRIEF_STORE_URL: `sqlite:${file}`, DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN },
    });

    // A store with something in it, closed cleanly.
    let debrief: ChildDebrief = await start();
    expect((await post(debrief.url, 'BeforeReadOnly')).status).toBe(202);
    await until('the first webhook is processed', 10_000, async () => (await alertnames(debrief.url)).has('BeforeReadOnly'));
    await debrief.proc.stop();
    expect(debrief.proc.exitCode).toBe(0);

    const databases = readdirSync(dir).filter((name) => /^debrief\.(inbox\.)?db$/.test(name)).map((name) => join(dir, name));
    expect(databases).toHaveLength(2);
    for (const path of databases) chmodSync(path, 0o444);

    debrief = await start();
    const pid = debrief.pid;
    const refused = await post(debrief.url, 'WhileReadOnly');
    expect(refused.status).toBe(503);
    expect(refused.body.toString('utf8')).toMatch(/read-only/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(debrief.url, '/readyz')).status).toBe(503);
    expect((await get(debrief.url, '/healthz')).status).toBe(200);
    // SQLite made the WAL and shared-memory files it created as read-only as the database.
    const companions = readdirSync(dir).filter((name) => /-(wal|shm)$/.test(name));
    expect(companions.length).toBeGreaterThan(0);
    for (const name of companions) expect(statSync(join(dir, name)).mode & 0o200).toBe(0);

    // Writable again: the operator fixes the files they broke, nothing else, and restarts nothing.
    for (const path of databases) chmodSync(path, 0o644);
    const accepted = await until('a webhook is accepted again', 15_000, async () => {
      expect((await get(debrief.url, '/healthz')).status).toBe(200);
      const res = await post(debrief.url, 'AfterWritable');
      return res.status === 202 ? res : null;
    });
    expect(accepted.status).toBe(202);
    expect((await get(debrief.url, '/readyz')).status).toBe(200);
    await until('the inbox worker processes it', 15_000, async () => (await alertnames(debrief.url)).has('AfterWritable'));
    expect(await alertnames(debrief.url)).toEqual(new Set(['BeforeReadOnly', 'AfterWritable']));
    expect(debrief.pid).toBe(pid);
    expect(debrief.proc.exited).toBe(false);

    await debrief.proc.stop();
    expect(debrief.proc.exitCode).toBe(0);
  }, 120_000);
});
