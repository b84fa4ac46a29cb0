import pino from 'pino';
import { Worker } from 'node:worker_threads';
import { InboxWatchdog, STALL_REASON_PREFIX, stalledBefore, StepBeacon } from '../../src/ingest/inbox-watchdog';

/**
 * The inbox watchdog's mechanics (inbox-watchdog.ts): the beacon the worker writes and the main
 * thread reads, and what the watchdog does with a step over its limit. The whole path, with the
 * real worker thread of the compiled server, is in tests/integration/inbox-watchdog.test.ts.
 */

interface Failed { id: string; owner: string; reason: string; dead: boolean }

function setup(options: { limitMs?: number; failInbox?: (id: string) => void } = {}) {
  let now = 1_000_000;
  const beacon = new StepBeacon();
  const failed: Failed[] = [];
  const outcomes: string[] = [];
  let stops = 0;
  const watchdog = new InboxWatchdog({
    beacon, limitMs: options.limitMs ?? 1000,
    store: { failInbox: async (id, owner, reason, dead) => { options.failInbox?.(id); failed.push({ id, owner, reason, dead }); } },
    metrics: { inboxFailures: { inc: ({ outcome }: { outcome: string }) => outcomes.push(outcome) } } as never,
    logger: pino({ level: 'silent' }),
    stopWorker: async () => { stops++; },
    clock: () => now,
  });
  return { beacon, watchdog, failed, outcomes, stops: () => stops, advance: (ms: number) => { now += ms; }, now: () => now };
}

describe('inbox step beacon', () => {
  it('when no step runs, then it reads idle; while one runs, its owner, ids and start; after it, idle again', () => {
    const beacon = new StepBeacon();
    expect(beacon.read()).toBeNull();
    beacon.begin('debrief-1-abc', ['e1'], 42);
    expect(beacon.read()).toEqual({ seq: 1, owner: 'debrief-1-abc', ids: ['e1'], startedAt: 42 });
    beacon.end();
    expect(beacon.read()).toBeNull();
    beacon.begin('debrief-1-abc', ['e2', 'e3'], 43);
    expect(beacon.read()).toEqual({ seq: 3, owner: 'debrief-1-abc', ids: ['e2', 'e3'], startedAt: 43 });
  });

  it('when a step names more ids than the buffer holds, then the ids that fit are kept', () => {
    const beacon = new StepBeacon();
    const ids = Array.from({ length: 2000 }, (_, i) => `entry-${i}-${'x'.repeat(20)}`);
    beacon.begin('owner', ids, 1);
    const read = beacon.read()!;
    expect(read.ids.length).toBeGreaterThan(100);
    expect(read.ids.length).toBeLessThan(ids.length);
    expect(read.ids).toEqual(ids.slice(0, read.ids.length));
  });

  it('when another thread writes it, then this thread reads the same step (a shared buffer)', async () => {
    const beacon = new StepBeacon();
    // The writer side through a second view on the same memory, in a real worker thread.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const seq = new Int32Array(workerData, 0, 2); const startedAt = new Float64Array(workerData, 8, 1);
      const bytes = Buffer.from(JSON.stringify({ owner: 'w', ids: ['from-worker'] }));
      new Uint8Array(workerData, 16).set(bytes); Atomics.store(seq, 1, bytes.length); startedAt[0] = 7; Atomics.store(seq, 0, 1);
      parentPort.postMessage('written');
      for (;;) {}
    `;
    const worker = new Worker(code, { eval: true, workerData: beacon.buffer });
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      expect(beacon.read()).toEqual({ seq: 1, owner: 'w', ids: ['from-worker'], startedAt: 7 });
    } finally {
      await worker.terminate();
    }
  });
});

describe('inbox watchdog', () => {
  it('when a step is within its limit, then nothing is stopped', async () => {
    const t = setup();
    t.beacon.begin('owner-1', ['e1'], t.now());
    t.advance(1000);
    await t.watchdog.check();
    expect(t.stops()).toBe(0);
    expect(t.failed).toEqual([]);
  });

  it('when a step of one entry runs past the limit, then the worker is stopped and the entry kept as a dead letter with the reason', async () => {
    const t = setup({ limitMs: 2500 });
    t.beacon.begin('owner-1', ['e1'], t.now());
    t.advance(2501);
    await t.watchdog.check();
    expect(t.stops()).toBe(1);
    expect(t.failed).toEqual([{ id: 'e1', owner: 'owner-1', dead: true, reason: expect.stringMatching(/^InboxStall: processing this entry took longer than 2.5 s \(inbox.entryTimeoutSeconds\) and was stopped/) }]);
    expect(t.outcomes).toEqual(['dead']);
    // The next worker starts from an idle beacon: no second stop for the same step.
    expect(t.beacon.read()).toBeNull();
    t.advance(5000);
    await t.watchdog.check();
    expect(t.stops()).toBe(1);
  });

  it('when a step of several entries runs past the limit, then each goes back to pending to be retried on its own', async () => {
    const t = setup();
    t.beacon.begin('owner-1', ['e1', 'e2', 'e3'], t.now());
    t.advance(1001);
    await t.watchdog.check();
    expect(t.stops()).toBe(1);
    expect(t.failed.map((f) => [f.id, f.dead])).toEqual([['e1', false], ['e2', false], ['e3', false]]);
    expect(t.failed.every((f) => f.reason.startsWith(STALL_REASON_PREFIX) && /3 entries together .* each is retried on its own/.test(f.reason))).toBe(true);
    expect(stalledBefore({ lastError: t.failed[0]!.reason })).toBe(true);
    expect(stalledBefore({ lastError: 'SyntaxError: Unexpected token' })).toBe(false);
    expect(stalledBefore({ lastError: null })).toBe(false);
    expect(t.outcomes).toEqual(['retry', 'retry', 'retry']);
  });

  it('when the store cannot record a stalled entry, then the others are still recorded and nothing throws', async () => {
    const t = setup({ failInbox: (id) => { if (id === 'e1') throw new Error('SQLITE_BUSY'); } });
    t.beacon.begin('owner-1', ['e1', 'e2'], t.now());
    t.advance(1001);
    await expect(t.watchdog.check()).resolves.toBeUndefined();
    expect(t.failed.map((f) => f.id)).toEqual(['e2']);
  });

  it('when the step ends while the watchdog looks, then nothing is stopped', async () => {
    const t = setup();
    t.beacon.begin('owner-1', ['e1'], t.now());
    t.advance(1001);
    t.beacon.end();
    t.beacon.begin('owner-1', ['e2'], t.now());
    await t.watchdog.check();
    expect(t.stops()).toBe(0);
  });

  it('when checks overlap while a stuck step is being handled, then it is handled once', async () => {
    const t = setup();
    t.beacon.begin('owner-1', ['e1'], t.now());
    t.advance(1001);
    await Promise.all([t.watchdog.check(), t.watchdog.check(), t.watchdog.check()]);
    expect(t.stops()).toBe(1);
    expect(t.failed).toHaveLength(1);
  });
});
