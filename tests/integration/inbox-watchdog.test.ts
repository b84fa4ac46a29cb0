import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { childDebriefFile, startChildDebrief, type ChildDebrief } from '../support/child-debrief';
import { delay, httpRequest } from '../e2e/support/processes';

/**
 * The bad-input corpus's stuck entry, end to end: an inbox entry whose processing outlasts
 * `inbox.entryTimeoutSeconds` is stopped by the watchdog on the HTTP thread, kept as a dead
 * letter with its reason and its body, and processing carries on with the entries behind it, in
 * the real compiled server with its worker thread (ts-jest cannot run the worker). And a restart
 * never meets the stuck entry again.
 *
 * Rule regexes, the input that used to stall processing, now run in linear time (RE2), so the
 * stuck entry here is simply one too large for a one-second limit: 18,000 alerts in one body
 * take several seconds to correlate, far beyond the limit even on a fast machine, while the small
 * webhooks around it take milliseconds.
 */

const API_TOKEN = 'watchdog-admin-token-0123456789';
const AM_TOKEN = 'watchdog-alertmanager-token-0123';
const LIMIT_SECONDS = 1;
const HEAVY_ALERTS = 18_000;
const BASE = Date.UTC(2026, 5, 1);

const children = childDebriefFile('debrief-watchdog-');

interface Entry { id: string; state: string; lastError: string | null; body: string }

async function start(dir: string): Promise<ChildDebrief> {
  const configFile = join(dir, 'debrief.yaml');
  writeFileSync(configFile, [
    'server:', '  webhookBodyLimitBytes: 20971520',
    'inbox:', '  worker: true', `  entryTimeoutSeconds: ${LIMIT_SECONDS}`, '  leaseSeconds: 2', '  pollIntervalMs: 50', '',
  ].join('\n'));
  return startChildDebrief({
    build: children.build, cwd: dir, registry: children.registry,
    env: {
      DEBRIEF_CONFIG: configFile, DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`,
      DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN,
    },
  });
}

const webhook = (name: string, alerts: number, hoursFromBase: number) => JSON.stringify(alertmanagerBody(Array.from({ length: alerts }, (_, k) => ({
  labels: { alertname: name, instance: `host-${k}`, service: `svc-${name}`, severity: 'critical' },
  startsAt: new Date(BASE + hoursFromBase * 3600_000).toISOString(),
}))));

async function post(debrief: ChildDebrief, body: string): Promise<string> {
  const res = await httpRequest(`${debrief.url}/webhooks/alertmanager`, {
    method: 'POST', body, timeoutMs: 60_000,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
  });
  if (res.status !== 202) throw new Error(`webhook: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return (JSON.parse(res.body.toString('utf8')) as { inboxId: string }).inboxId;
}

async function entry(debrief: ChildDebrief, id: string): Promise<Entry> {
  const res = await httpRequest(`${debrief.url}/api/v1/inbox/${id}`, { headers: { Authorization: `Bearer ${API_TOKEN}` }, timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`inbox ${id}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(res.body.toString('utf8')) as Entry;
}

async function until(what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > deadlineMs) throw new Error(`timed out after ${deadlineMs} ms waiting until ${what}`);
    await delay(50);
  }
  return Date.now() - started;
}

const overLimitLines = (debrief: ChildDebrief) => debrief.proc.logs().split('\n').filter((line) => line.includes('inbox step over its time limit'));

describe('inbox watchdog (a stuck entry, in the worker thread of the compiled server)', () => {
  it('when an entry outlasts inbox.entryTimeoutSeconds, then it is dead-lettered with its reason within the limit, the entries behind it are processed, and a restart never meets it again', async () => {
    const dir = children.tempDir();
    let debrief = await start(dir);
    const heavyBody = webhook('Heavy', HEAVY_ALERTS, 0);
    const heavy = await post(debrief, heavyBody);
    const accepted = Date.now();
    const behind = await post(debrief, webhook('Behind', 3, 24));

    // Dead within the limit, plus the watchdog's look interval and the time to stop a worker.
    await until('the heavy entry is a dead letter', 15_000, async () => (await entry(debrief, heavy)).state === 'dead');
    const deadAfterMs = Date.now() - accepted;
    expect(deadAfterMs).toBeGreaterThanOrEqual(LIMIT_SECONDS * 1000);
    expect(deadAfterMs).toBeLessThan(LIMIT_SECONDS * 1000 + 5000);
    const dead = await entry(debrief, heavy);
    expect(dead.lastError).toMatch(/^InboxStall: processing this entry took longer than 1 s \(inbox.entryTimeoutSeconds\) and was stopped/);
    // Nothing accepted is lost: the body is kept, byte for byte, for an admin to read or requeue.
    expect(dead.body).toBe(heavyBody);
    expect(overLimitLines(debrief)).toHaveLength(1);

    // A new worker takes the entry behind it (after the stopped worker's lease).
    await until('the entry behind it is processed', 15_000, async () => (await entry(debrief, behind)).state === 'done');
    const listed = await httpRequest(`${debrief.url}/api/v1/incidents?limit=50`, { headers: { Authorization: `Bearer ${API_TOKEN}` }, timeoutMs: 10_000 });
    const titles = (JSON.parse(listed.body.toString('utf8')) as { items: Array<{ title: string; alertCount: number }> }).items;
    expect(titles.map((i) => i.alertCount)).toEqual([3]);

    // Restarted on the same files: the dead letter stays dead and new webhooks flow.
    await debrief.proc.stop();
    debrief = await start(dir);
    const afterRestart = await post(debrief, webhook('AfterRestart', 2, 48));
    await until('a webhook after the restart is processed', 15_000, async () => (await entry(debrief, afterRestart)).state === 'done');
    expect((await entry(debrief, heavy)).state).toBe('dead');
    expect(overLimitLines(debrief)).toEqual([]);
  }, 120_000);
});
