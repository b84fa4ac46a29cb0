import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import {
  ForbiddenError, MalformedBodyError, TooManyRequestsError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError,
} from '../errors';

/**
 * HTTP hardening that applies to every route, whoever declares it: security headers, rate
 * limits on failed authentication and on the public status page, and the shape limits every
 * JSON body must pass (API bodies here, webhook bodies in the webhook route after its raw-byte
 * checks). Routes never opt in or out: a route added later is covered by being registered.
 */

export interface SecurityOptions {
  /** Failed authentications per client and minute before every request of that client gets 429. */
  failedAuthPerMinute: number;
  /** Requests per client and minute to the public status page (`/status...`). */
  statusPagePerMinute: number;
  /** Deepest nesting of arrays/objects in any JSON body. */
  jsonMaxDepth: number;
  /** Most object keys plus array items in one API JSON body. */
  apiJsonMaxKeys: number;
  /** Most object keys plus array items in one webhook JSON body. */
  webhookJsonMaxKeys: number;
}

export const DEFAULT_SECURITY: SecurityOptions = {
  failedAuthPerMinute: 20,
  statusPagePerMinute: 120,
  jsonMaxDepth: 64,
  apiJsonMaxKeys: 10_000,
  // 10,000 Alertmanager alerts with ~10 labels and a few annotations fit; 5 MiB could hold more.
  webhookJsonMaxKeys: 250_000,
};

/** The API's own JSON body limit (webhooks have `server.webhookBodyLimitBytes`). */
export const API_JSON_LIMIT_BYTES = 1024 * 1024;

// ------------------------------------------------------------------ headers

/**
 * Helmet's headers on every response, with a Content-Security-Policy strict enough for the
 * pages: nothing loads from other origins, no inline script or style except elements carrying
 * the per-response nonce (`res.locals.cspNonce`), no framing, no plugins, forms post only here.
 * `upgrade-insecure-requests` is left out: a self-hosted Debrief is often reached over plain
 * HTTP on a private network, where it would break every stylesheet and script.
 */
export function securityHeaders(): RequestHandler[] {
  const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as unknown as Response).locals.cspNonce as string}'`;
  return [
    (_req, res, next) => {
      res.locals.cspNonce = randomBytes(16).toString('base64');
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'none'"],
          'script-src': ["'self'", nonce],
          'style-src': ["'self'", nonce],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'manifest-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'base-uri': ["'none'"],
          'object-src': ["'none'"],
        },
      },
      // Pages link to runbooks and dashboards; their URLs must not leak incident ids via Referer.
      referrerPolicy: { policy: 'no-referrer' },
    }),
    // API answers hold incident data: no shared or browser cache may keep them.
    (req, res, next) => {
      if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ];
}

// -------------------------------------------------------------- rate limits

const clientKey = (req: { ip?: string }) => ipKeyGenerator(req.ip ?? 'unknown');

export interface FailedAuthLimiter {
  /** First handler of every authenticated route: refuses clients over the failure limit. */
  gate: RequestHandler;
  /** Error handler (before the error middleware) that counts authentication failures. */
  count: ErrorRequestHandler;
}

/**
 * Failed-authentication throttling, per client IP. Only failures are counted (401 on any route;
 * 403 on webhook routes, where it means wrong credentials; a 403 for a too-weak API role is an
 * authenticated request and not counted), so busy legitimate senders are never throttled. Once a
 * client reaches the limit, every authenticated request from it gets 429 until the window ends,
 * including ones with the right credentials: otherwise 429 versus 2xx would still tell a
 * guesser when a guess was right.
 */
export function failedAuthLimiter(options: Pick<SecurityOptions, 'failedAuthPerMinute'>, logger: Logger): FailedAuthLimiter {
  const windowMs = 60_000;
  const limit = options.failedAuthPerMinute;
  const tooMany = (resetTime: Date | undefined) => new TooManyRequestsError(
    `too many failed authentication attempts from this client; try again later (limit ${limit} per minute)`,
    Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000)),
  );
  const limiter = rateLimit({
    windowMs,
    limit,
    keyGenerator: clientKey,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, _res, next) => next(tooMany((req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime)),
    logger: { error: (...args: unknown[]) => logger.error({ detail: args.map(String).join(' ') }, 'rate limiter'), warn: (...args: unknown[]) => logger.warn({ detail: args.map(String).join(' ') }, 'rate limiter') },
  });
  return {
    gate: async (req, _res, next) => {
      const info = await limiter.getKey(clientKey(req));
      if (info && info.totalHits >= limit && (info.resetTime === undefined || info.resetTime.getTime() > Date.now())) {
        return next(tooMany(info.resetTime));
      }
      next();
    },
    count: (err, req, res, next) => {
      const webhook = res.locals.accessKind === 'webhook';
      if (err instanceof UnauthorizedError || (webhook && err instanceof ForbiddenError)) {
        return limiter(req, res, (limited?: unknown) => next(limited ?? err));
      }
      next(err);
    },
  };
}

/** The public status page is unauthenticated and cacheable by nobody but us: bound its cost per client. */
export function statusPageLimiter(options: Pick<SecurityOptions, 'statusPagePerMinute'>): RequestHandler {
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.statusPagePerMinute,
    keyGenerator: clientKey,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, _res, next) => next(new TooManyRequestsError(
      `too many requests to the status page from this client (limit ${options.statusPagePerMinute} per minute)`,
      Math.max(1, Math.ceil((((req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000)),
    )),
  });
  return (req, res, next) => (req.path === '/status' || req.path.startsWith('/status/') || req.path.startsWith('/status.') ? limiter(req, res, next) : next());
}

// ------------------------------------------------------------ JSON bodies

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
    const container = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > limits.maxDepth) fail(`JSON ${where} is nested deeper than ${limits.maxDepth} levels`, container, `nesting deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(container)) {
      members += container.length;
      // Only containers can break a limit: leaves (most members) are counted, not visited.
      for (let i = container.length - 1; i >= 0; i--) {
        const item: unknown = container[i];
        if (item !== null && typeof item === 'object') { pending.push(item); depths.push(depth + 1); }
      }
    } else {
      for (const key in container) {
        members += 1;
        if (isForbiddenJsonKey(key)) {
          fail(`JSON ${where} contains the forbidden key "${key}"`, container, `the key "${key}" is not accepted (${[...FORBIDDEN_JSON_KEYS].join(', ')} never are)`, key);
        }
        const member = (container as Record<string, unknown>)[key];
        if (member !== null && typeof member === 'object') { pending.push(member); depths.push(depth + 1); }
      }
    }
    if (members > limits.maxKeys) {
      fail(`JSON ${where} has more than ${limits.maxKeys} keys and array items`, container, `more than ${limits.maxKeys} keys and array items in one request`);
    }
  }
}

/** The keys leading from `root` to the container `target` (null when it is not inside). Only for error messages. */
function pathOf(root: object, target: object): string[] | null {
  const stack: Array<{ container: object; path: string[] }> = [{ container: root, path: [] }];
  while (stack.length > 0) {
    const { container, path } = stack.pop()!;
    if (container === target) return path;
    for (const key of Object.keys(container)) {
      const member = (container as Record<string, unknown>)[key];
      if (member !== null && typeof member === 'object') stack.push({ container: member, path: [...path, key] });
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

function firstInvalidUtf8Offset(bytes: Buffer): number {
  let offset = 0;
  while (offset < bytes.length) {
    const lead = bytes[offset]!;
    let continuations = 0;
    let min = 0;
    if (lead < 0x80) { offset++; continue; }
    if (lead >= 0xc2 && lead <= 0xdf) { continuations = 1; min = 0x80; } else if (lead >= 0xe0 && lead <= 0xef) { continuations = 2; min = 0x800; } else if (lead >= 0xf0 && lead <= 0xf4) { continuations = 3; min = 0x10000; } else return offset;
    if (offset + continuations >= bytes.length) return offset;
    let codePoint = lead & (0x3f >> continuations);
    for (let step = 1; step <= continuations; step++) {
      const continuation = bytes[offset + step];
      if (continuation === undefined || (continuation & 0xc0) !== 0x80) return offset;
      codePoint = (codePoint << 6) | (continuation & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return offset;
    offset += continuations + 1;
  }
  return bytes.length;
}

/**
 * The JSON body parser of API (non-webhook) routes: bytes must be UTF-8 JSON of at most 1 MB
 * within the shape limits; a body in another content type is refused with 415 instead of being
 * silently read as "no body" (which a route with only optional fields would accept).
 */
export function apiJsonBody(limits: JsonLimits): RequestHandler {
  const parse = express.json({
    limit: API_JSON_LIMIT_BYTES,
    strict: true,
    // Every type `req.is('json')` accepts below, so none is silently left unparsed.
    type: ['application/json', 'application/*+json'],
    verify: (req, _res, buf, encoding) => {
      if (!encoding || /^utf-?8$/i.test(encoding)) assertUtf8(buf);
    },
  });
  return (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || length > 0;
    if (hasBody && !req.is('json')) {
      return next(new UnsupportedMediaTypeError(`expected a JSON body (Content-Type: application/json), got "${req.headers['content-type'] ?? 'none'}"`));
    }
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        if (req.body !== undefined) assertJsonWithinLimits(req.body, limits);
      } catch (parseError) {
        return next(parseError);
      }
      next();
    });
  };
}
