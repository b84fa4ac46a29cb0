import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { TooManyRequestsError, UnsupportedMediaTypeError } from '../errors';
import { assertJsonWithinLimits, assertUtf8, type JsonLimits } from '../json-checks';

// The JSON checks are shared with webhook intake, outside HTTP; re-exported for HTTP-side callers.
export { assertJsonWithinLimits, assertUtf8, FORBIDDEN_JSON_KEYS, type JsonLimits } from '../json-checks';

/**
 * HTTP hardening that applies to every route, whoever declares it: security headers, the rate
 * limit on the public status page (failed authentication: failed-auth-limiter.ts), and the shape limits every
 * JSON body must pass (API bodies here; webhook bodies in webhook intake,
 * `src/ingest/accept-webhook.ts`, after its raw-byte checks). Routes never opt in or out: a
 * route added later is covered by being registered.
 */

export interface SecurityOptions {
  /** Failed authentications per client and credential and minute before that credential gets 429 from that client. */
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

/**
 * The public status page is unauthenticated and cacheable by nobody but us: bound its cost per
 * client. A client is its address as express resolves it (`security.trustProxy`; IPv6 by /56),
 * so one noisy client gets 429 and nobody else does. Behind a reverse proxy that is only true
 * with `trustProxy` set to that proxy: otherwise every request comes from the proxy's address
 * and one client's excess turns the page off for all of them, which `proxyHeaderWarning` logs.
 */
export function statusPageLimiter(options: Pick<SecurityOptions, 'statusPagePerMinute'>, logger: Logger): RequestHandler {
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.statusPagePerMinute,
    keyGenerator: clientKey,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Our own warning names the setting to change (proxyHeaderWarning).
    validate: { xForwardedForHeader: false },
    handler: (req, _res, next) => next(new TooManyRequestsError(
      `too many requests to the status page from this client (limit ${options.statusPagePerMinute} per minute)`,
      Math.max(1, Math.ceil((((req as unknown as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000)),
    )),
    logger: { error: (...a: unknown[]) => logger.error({ detail: a.map(String).join(' ') }, 'rate limiter'), warn: (...a: unknown[]) => logger.warn({ detail: a.map(String).join(' ') }, 'rate limiter') },
  });
  return (req, res, next) => (req.path === '/status' || req.path.startsWith('/status/') || req.path.startsWith('/status.') ? limiter(req, res, next) : next());
}

/**
 * Logs once when requests arrive through a proxy (they carry `X-Forwarded-For`) while
 * `security.trustProxy` is off: rate limits then see the proxy's address for every client.
 */
export function proxyHeaderWarning(logger: Logger): RequestHandler {
  let warned = false;
  return (req, _res, next) => {
    if (!warned && req.headers['x-forwarded-for'] !== undefined && req.app.get('trust proxy') === false) {
      warned = true;
      logger.warn({ from: req.socket.remoteAddress }, 'requests carry X-Forwarded-For but DEBRIEF_TRUST_PROXY (security.trustProxy) is off: rate limits see the proxy, not the clients behind it; set it to the proxy (README, Behind a reverse proxy)');
    }
    next();
  };
}

// ------------------------------------------------------------ JSON bodies

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
      } catch (e) {
        return next(e);
      }
      next();
    });
  };
}
