import { randomBytes } from 'node:crypto';

/**
 * UUIDv7-shaped ids (RFC 9562): 48 bits of milliseconds, a 12-bit counter within the
 * millisecond, then random bits. Ids made by one process sort in the order they were made, so
 * the id indexes of alerts and events grow at their right edge: a random UUID put every new
 * alert and decision entry on a page of its own in those indexes, pages a run then wrote to the
 * WAL. Ids stay opaque: nothing reads the time back out of them.
 */
let lastMs = 0;
let counter = 0;
let pool = Buffer.alloc(0);
let poolAt = 0;

export function timeOrderedId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (++counter > 0xfff) {
    // More than 4,096 ids in one millisecond (or a clock step back): borrow the next millisecond.
    lastMs += 1;
    counter = 0;
  }
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(8 * 512);
    poolAt = 0;
  }
  const r = pool.subarray(poolAt, (poolAt += 8));
  const time = lastMs.toString(16).padStart(12, '0');
  const version = (0x7000 | counter).toString(16);
  const variant = ((r[0]! & 0x3f) | 0x80).toString(16) + hex(r, 1, 2);
  return `${time.slice(0, 8)}-${time.slice(8)}-${version}-${variant}-${hex(r, 2, 8)}`;
}

function hex(b: Buffer, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}
