import { createHash } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../errors';

/**
 * Failed-authentication throttling that never refuses the right credentials.
 *
 * Failures are counted per (client address, scope, credential presented): the scope is the
 * API or one webhook instance, the credential a digest of what the request authenticated with
 * (its `Authorization` header and any `*-signature` header; the credential itself is never
 * kept). A sender that keeps presenting the same wrong credential (a stale token in a config
 * file, a rotated secret) gets 429 for that credential once it reaches the limit, refused before
 * its body is read; the same client presenting a valid credential is served as always, because
 * a valid credential never fails and so never counts. A client behind a shared address (a NAT,
 * a proxy without `security.trustProxy`) therefore cannot lock out its neighbours, nor the real
 * Alertmanager out of its own webhook.
 *
 * What the limit does not do is slow down guessing: each new guess is a new credential with a
 * count of its own. Guessing is bounded by the credentials themselves (API tokens have at least
 * 16 characters; the generated ones 32 random bytes), checked in constant time.
 */

export interface FailedAuthLimiter {
  /** First handler of every authenticated route: refuses a credential that keeps failing from this client. */
  gate: RequestHandler;
  /** Error handler (before the error middleware) that counts authentication failures. */
  count: ErrorRequestHandler;
}

export interface FailedAuthOptions {
  /** Failures of one credential from one client within the window before it gets 429. */
  failedAuthPerMinute: number;
  windowMs?: number;
  /** Most (client, credential) pairs remembered; the oldest are forgotten first (they only start counting again). */
  maxKeys?: number;
  now?: () => number;
}

export function failedAuthLimiter(options: FailedAuthOptions): FailedAuthLimiter {
  const limit = options.failedAuthPerMinute;
  const counter = new FixedWindowCounter({ windowMs: options.windowMs ?? 60_000, maxKeys: options.maxKeys ?? 10_000, now: options.now });
  const tooMany = (resetAt: number) => new TooManyRequestsError(
    `too many failed authentication attempts with this credential from this client; try again later (limit ${limit} per minute)`,
    Math.max(1, Math.ceil((resetAt - counter.now()) / 1000)),
  );
  return {
    gate: (req, res, next) => {
      const seen = counter.peek(failureKey(req, res.locals.accessKind));
      if (seen && seen.hits >= limit) return next(tooMany(seen.resetAt));
      next();
    },
    count: (err, req, res, next) => {
      const webhook = res.locals.accessKind === 'webhook';
      // 401 anywhere; 403 only on webhooks, where it means wrong credentials (on the API it is a valid token lacking a role).
      if (err instanceof UnauthorizedError || (webhook && err instanceof ForbiddenError)) {
        const seen = counter.hit(failureKey(req, res.locals.accessKind));
        if (seen.hits > limit) return next(tooMany(seen.resetAt));
      }
      next(err);
    },
  };
}

/** What a request authenticated with: its Authorization header and signature headers, as a digest. */
export function credentialFingerprint(headers: Request['headers']): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(headers).sort()) {
    if (name !== 'authorization' && !name.endsWith('-signature')) continue;
    const value = headers[name];
    hash.update(`${name}\0${Array.isArray(value) ? value.join('\0') : String(value)}\0`);
  }
  return hash.digest('base64url').slice(0, 22);
}

function failureKey(req: Request, accessKind: unknown): string {
  // IPv6 clients are counted by /56, as one subscriber's addresses usually are.
  const client = ipKeyGenerator(req.ip ?? 'unknown');
  const scope = accessKind === 'webhook' ? `webhook:${String(req.params.instance ?? '')}` : 'api';
  return `${client} ${scope} ${credentialFingerprint(req.headers)}`;
}

/**
 * Hits per key in fixed windows, with a bounded number of keys: when full, expired keys are
 * dropped, then the oldest. Forgetting a key can only let a failing credential start counting
 * again; it can never refuse anyone.
 */
export class FixedWindowCounter {
  private readonly windows = new Map<string, { hits: number; resetAt: number }>();
  readonly now: () => number;

  constructor(private readonly options: { windowMs: number; maxKeys: number; now?: () => number }) {
    this.now = options.now ?? Date.now;
  }

  /** The key's current window, or null when it has none running. */
  peek(key: string): { hits: number; resetAt: number } | null {
    const window = this.windows.get(key);
    if (!window) return null;
    if (window.resetAt <= this.now()) {
      this.windows.delete(key);
      return null;
    }
    return window;
  }

  hit(key: string): { hits: number; resetAt: number } {
    const running = this.peek(key);
    if (running) {
      running.hits++;
      return running;
    }
    if (this.windows.size >= this.options.maxKeys) this.makeRoom();
    const fresh = { hits: 1, resetAt: this.now() + this.options.windowMs };
    this.windows.set(key, fresh);
    return fresh;
  }

  get size(): number {
    return this.windows.size;
  }

  private makeRoom(): void {
    // Windows are inserted as they start, so the Map (insertion order) is ordered by expiry:
    // the expired ones, then the oldest still running, are a prefix.
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (window.resetAt > now && this.windows.size < this.options.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
