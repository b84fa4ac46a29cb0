import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { INCOMPLETE_REQUEST_GRACE_MS } from '../../src/shutdown';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { inboxCountsOnDisk } from '../support/sqlite-inbox-files';
import { childDebriefFile, startChildDebrief } from '../support/child-debrief';
import { delay, httpRequest } from '../e2e/support/processes';

/**
 * SIGTERM while clients are still sending their requests (slowloris: headers or body trickled
 * a few bytes at a time, never finished). Before, the stop waited on them until the 10 s
 * deadline and exited 1 without draining the inbox or closing the store. Now connections whose
 * request is incomplete are cut after a short grace, and the stop finishes as it should: exit
 * 0, inbox drained, store closed (the last connection removes the WAL files).
 */

const API_TOKEN = 'slow-clients-admin-token-0123456789';
const AM_TOKEN = 'slow-clients-alertmanager-token-0123';

const children = childDebriefFile('debrief-slow-stop-');

/** A connection that sends `head` and then one more byte of `tail` every 200 ms, never all of it. */
function trickle(port: number, head: string, tail: string): { socket: Socket; closed: Promise<void>; stop(): void } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let i = 0;
  const timer = setInterval(() => {
    if (i < tail.length - 1 && !socket.destroyed) socket.write(tail[i++]!);
  }, 200);
  socket.once('connect', () => socket.write(head));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, stop: () => { clearInterval(timer); socket.destroy(); } };
}

describe('graceful stop with requests still being sent', () => {
  it('when SIGTERM arrives with 5 slowloris connections open, then they are cut after the grace and the process exits 0 within it, inbox drained and store closed', async () => {
    const dir = children.tempDir();
    const file = join(dir, 'debrief.db');
    const debrief = await startChildDebrief({
      build: children.build, cwd: dir, registry: children.registry,
      env: { DEBRIEF_STORE_URL: `sqlite:${file}`, DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN },
    });
    const body = JSON.stringify(alertmanagerBody([{ labels: { alertname: 'BeforeStop', service: 'slow' }, startsAt: '2026-11-26T14:00:00Z' }]));
    const accepted = await httpRequest(`${debrief.url}/webhooks/alertmanager`, {
      method: 'POST', body, timeoutMs: 10_000, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
    });
    expect(accepted.status).toBe(202);

    const slow = [
      // Headers never finished.
      ...[0, 1, 2].map(() => trickle(debrief.port, 'POST /webhooks/alertmanager HTTP/1.1\r\nHost: debrief\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n')),
      // Headers complete, body never finished.
      ...[0, 1].map(() => trickle(debrief.port,
        `POST /webhooks/alertmanager HTTP/1.1\r\nHost: debrief\r\nContent-Type: application/json\r\nAuthorization: Bearer ${AM_TOKEN}\r\nContent-Length: ${body.length}\r\n\r\n`,
        body)),
    ];
    try {
      await delay(500);
      expect(slow.every((s) => !s.socket.destroyed)).toBe(true);
      const signalled = Date.now();
      debrief.proc.child.kill('SIGTERM');
      await debrief.proc.exitPromise;
      const tookMs = Date.now() - signalled;

      expect(debrief.proc.exitCode).toBe(0);
      expect(tookMs).toBeGreaterThanOrEqual(INCOMPLETE_REQUEST_GRACE_MS - 100);
      expect(tookMs).toBeLessThan(INCOMPLETE_REQUEST_GRACE_MS + 3_000);
      expect(debrief.proc.logs()).not.toMatch(/took too long/);
      await Promise.all(slow.map((s) => s.closed));
      // The store was closed cleanly (the last connection checkpoints and removes the WAL), after the inbox was drained.
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(existsSync(`${inboxFileFor(file)}-wal`)).toBe(false);
      expect(inboxCountsOnDisk(file)).toEqual({ pending: 0, done: 1, dead: 0 });
    } finally {
      for (const s of slow) s.stop();
    }
  }, 120_000);
});
