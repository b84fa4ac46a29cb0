import { isUtf8 } from 'node:buffer';
import { MalformedBodyError, ValidationError } from './errors';

/**
 * Checks every JSON body passes, whoever received it: UTF-8 bytes and the shape limits (depth,
 * size, forbidden keys). Used by the API's JSON body parser (src/http/security.ts) and by
 * webhook intake (src/ingest/accept-webhook.ts); both answer 400 with the error thrown here.
 */

export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

/**
 * Keys refused in every JSON body. `JSON.parse` makes them harmless own properties, but code
 * that later copies or merges objects key by key (`target[key] = value`, naive deep merges)
 * turns `__proto__` into a prototype change and `constructor.prototype` into a global one.
 * No Debrief payload, and no label name a Prometheus or PagerDuty sender produces, uses them.
 */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `FORBIDDEN_JSON_KEYS.has(key)`, spelled out: a Set lookup hashes the key, and this runs for every key of every body. */
const isForbiddenJsonKey = (key: string) => key === '__proto__' || key === 'constructor' || key === 'prototype';

/**
 * Walks a parsed JSON value once (iteratively, so hostile nesting cannot exhaust the stack)
 * and throws a `ValidationError` naming the first problem: nesting deeper than `maxDepth`,
 * more than `maxKeys` object keys plus array items, or a forbidden key.
 */
export function assertJsonWithinLimits(value: unknown, limits: JsonLimits, where = 'body'): void {
  // Written for speed, since every webhook body passes here (50 alerts: about 10 microseconds,
  // against 37 when it built each container's path and key array and looked keys up in a
  // Set): containers wait in two parallel arrays, keys are read with for-in (a parsed JSON
  // object has no inherited enumerable keys), and a path is spelled out only for the error.
  if (value === null || typeof value !== 'object') return;
  let members = 0;
  const pending: object[] = [value];
  const depths: number[] = [1];
  const fail = (message: string, container: object, problem: string, key?: string) => {
    const path = pathOf(value, container);
    const full = key === undefined ? path : [...(path ?? []), key];
    throw new ValidationError(message, [{ path: full && full.length > 0 ? `${where}.${full.join('.')}` : `(${where})`, message: problem }]);
  };
  while (pending.length > 0) {
    const v = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > limits.maxDepth) fail(`JSON ${where} is nested deeper than ${limits.maxDepth} levels`, v, `nesting deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      members += v.length;
      // Only containers can break a limit: leaves (most members) are counted, not visited.
      for (let i = v.length - 1; i >= 0; i--) {
        const item: unknown = v[i];
        if (item !== null && typeof item === 'object') { pending.push(item); depths.push(depth + 1); }
      }
    } else {
      for (const k in v) {
        members += 1;
        if (isForbiddenJsonKey(k)) {
          fail(`JSON ${where} contains the forbidden key "${k}"`, v, `the key "${k}" is not accepted (${[...FORBIDDEN_JSON_KEYS].join(', ')} never are)`, k);
        }
        const member = (v as Record<string, unknown>)[k];
        if (member !== null && typeof member === 'object') { pending.push(member); depths.push(depth + 1); }
      }
    }
    if (members > limits.maxKeys) {
      fail(`JSON ${where} has more than ${limits.maxKeys} keys and array items`, v, `more than ${limits.maxKeys} keys and array items in one request`);
    }
  }
}

/** The keys leading from `root` to the container `target` (null when it is not inside). Only for error messages. */
function pathOf(root: object, target: object): string[] | null {
  const stack: Array<{ v: object; path: string[] }> = [{ v: root, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === target) return path;
    for (const k of Object.keys(v)) {
      const member = (v as Record<string, unknown>)[k];
      if (member !== null && typeof member === 'object') stack.push({ v: member, path: [...path, k] });
    }
  }
  return null;
}

/** Throws a 400 naming the first byte that is not valid UTF-8 (JSON text must be UTF-8, RFC 8259 section 8.1). */
export function assertUtf8(bytes: Buffer, where = 'body'): void {
  if (isUtf8(bytes)) return;
  const offset = firstInvalidUtf8Offset(bytes);
  throw new MalformedBodyError(`request ${where} is not valid UTF-8`, [
    { path: `(${where})`, message: `invalid UTF-8 byte sequence at byte offset ${offset}` },
  ]);
}

function firstInvalidUtf8Offset(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; } else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; } else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; } else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
