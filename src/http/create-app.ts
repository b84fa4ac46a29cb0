import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import type { Metrics } from '../metrics';
import { ApiAuthenticator } from './api-auth';
import { errorMiddleware, requestId } from './error-middleware';
import type { RouteDef } from './route';
import { failedAuthLimiter } from './failed-auth-limiter';
import { apiJsonBody, DEFAULT_SECURITY, proxyHeaderWarning, securityHeaders, statusPageLimiter, type SecurityOptions } from './security';

export interface HttpAppDeps {
  routes: readonly RouteDef[];
  auth: ApiAuthenticator;
  metrics: Metrics;
  logger: Logger;
  webhookBodyLimitBytes: number;
  /** Rate and JSON limits (`security` config); defaults from `DEFAULT_SECURITY`. */
  security?: Partial<SecurityOptions> & { trustProxy?: boolean | number | string };
  /**
   * Awaited before an API read (a GET with API credentials) does its work: webhooks in flight are
   * answered first (`IngestPressure.giveWayToWebhooks`). Reads do synchronous store and render
   * work on this thread, and a page polling a large incident must not hold webhooks' answers.
   * Public routes (probes, `/metrics`, the status page, page shells) answer at once: a liveness
   * probe or a scrape must not queue behind a flood.
   */
  beforeRead?: () => Promise<void>;
}

/**
 * Builds the express app from declared routes (without listening, so tests run it on port 0).
 * API routes get JSON parsing and token checks; webhook routes get raw bytes (signatures
 * cover bytes) with the configured size limit.
 */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const security = { ...DEFAULT_SECURITY, ...deps.security };
  app.set('trust proxy', deps.security?.trustProxy ?? false);
  app.use(requestId);
  app.use(...securityHeaders());
  app.use(proxyHeaderWarning(deps.logger));
  app.use(statusPageLimiter(security, deps.logger));
  const authLimiter = failedAuthLimiter(security);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      deps.metrics.httpRequestSeconds.observe({ method: req.method, route, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });

  const json = apiJsonBody({ maxDepth: security.jsonMaxDepth, maxKeys: security.apiJsonMaxKeys });
  const raw = express.raw({ type: () => true, limit: deps.webhookBodyLimitBytes });
  const rawWithMetrics: RequestHandler = (req, res, next) => raw(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
      deps.metrics.webhooksReceived.inc({ instance: String(req.params.instance ?? '(unknown)'), outcome: 'too_large' });
      return next(new PayloadTooLargeError(`body is larger than the limit of ${deps.webhookBodyLimitBytes} bytes (server.webhookBodyLimitBytes)`));
    }
    next(err);
  });

  for (const route of deps.routes) {
    const handlers: RequestHandler[] = [];
    const accessKind = route.access.kind;
    handlers.push((_req, res, next) => { res.locals.accessKind = accessKind; next(); });
    if (accessKind !== 'public') handlers.push(authLimiter.gate);
    if (route.access.kind === 'api') {
      const needed = route.access.role;
      handlers.push((req, res, next) => {
        const principal = deps.auth.authenticate(req);
        ApiAuthenticator.authorize(principal, needed);
        res.locals.actor = principal.name;
        res.locals.role = principal.role;
        next();
      });
    }
    if (route.access.kind === 'webhook') handlers.push(rawWithMetrics);
    else if (route.method !== 'get') handlers.push(json);
    const givesWay = route.method === 'get' && accessKind === 'api' && deps.beforeRead;
    handlers.push(async (req, res) => {
      if (givesWay) await givesWay();
      const params = validate('path', route.params, req.params);
      const query = validate('query', route.query, req.query);
      const body = route.body ? validate('body', route.body, req.body ?? {}) : req.body;
      await route.handler({ req, res, params, query, body, actor: (res.locals.actor as string | undefined) ?? null });
    });
    app[route.method](route.path, ...handlers);
  }

  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(authLimiter.count);
  app.use(errorMiddleware(deps.logger));
  return app;
}

function validate<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new ValidationError(`invalid ${where}`, result.error.issues.map((issue) => ({
    path: [where === 'path' ? 'params' : where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  })));
}
