import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  AppError, ConflictError, PreconditionRequiredError, StaleVersionError, ForbiddenError, MalformedBodyError, NotFoundError, PayloadTooLargeError, UnauthorizedError,
  UnavailableError, UnprocessableError, UpstreamError, UnsupportedMediaTypeError, ValidationError, TooManyRequestsError,
} from '../errors';

const STATUS = new Map<Function, number>([
  [ValidationError, 400], [MalformedBodyError, 400], [UnauthorizedError, 401], [ForbiddenError, 403], [NotFoundError, 404],
  [ConflictError, 409], [StaleVersionError, 409], [PreconditionRequiredError, 428], [PayloadTooLargeError, 413], [UnsupportedMediaTypeError, 415], [UnprocessableError, 422], [TooManyRequestsError, 429], [UnavailableError, 503], [UpstreamError, 502],
]);

/**
 * Server-side failures, one line each and never a stack trace (README, Security). A 503 is an
 * expected state (the store is locked, full or read-only; senders retry): its cause at warn.
 * Anything else is a bug: at error, with where it was thrown (the first frame of its stack), so
 * the requestId a user quotes leads to the place without a multi-line trace in the log.
 */
function logFailure(logger: Logger, status: number, err: unknown, where: { requestId: string; path: string }): void {
  if (status < 500) return;
  const error = err as Error | undefined;
  if (err instanceof UnavailableError) {
    logger.warn({ ...where, cause: err.message, retryAfterSeconds: err.retryAfterSeconds }, 'request answered 503: unavailable');
    return;
  }
  const origin = /\n\s*(at [^\n]+)/.exec(error?.stack ?? '')?.[1];
  logger.error({ ...where, err: { name: error?.name, message: error?.message, ...(origin ? { origin } : {}) } }, 'request failed');
}

/** Every request gets an id the user can quote; it is in error bodies and logs. */
export const requestId: RequestHandler = (req, res, next) => {
  res.locals.requestId = randomUUID();
  res.setHeader('X-Request-Id', res.locals.requestId as string);
  next();
};

/**
 * The one place that knows HTTP status codes for errors, and the one error shape:
 * `{ error: { code, message, details: [{ path, message }], requestId } }`. Unknown errors are
 * logged and answered 500 without internals.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = (res.locals.requestId as string | undefined) ?? randomUUID();
    let status = 500;
    let code = 'internal';
    let message = 'internal error; quote the requestId when reporting it';
    let details: Array<{ path: string; message: string }> = [];
    const httpError = err as { type?: string; status?: number; message?: string };
    if (err instanceof AppError) {
      status = STATUS.get(err.constructor) ?? 500;
      code = err.code;
      message = err.message;
      details = err.details;
      if (err instanceof UnavailableError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err instanceof TooManyRequestsError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    } else if (httpError?.type === 'entity.too.large') {
      status = 413; code = 'payload_too_large'; message = 'request body is larger than the configured limit';
    } else if (httpError?.type === 'entity.parse.failed') {
      status = 400; code = 'malformed_body'; message = 'request body is not valid JSON';
    } else if (httpError?.type === 'encoding.unsupported' || httpError?.type === 'charset.unsupported') {
      status = 415; code = 'unsupported_media_type'; message = httpError.message ?? 'unsupported encoding';
    } else if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
      status = httpError.status; code = 'bad_request'; message = httpError.message ?? 'bad request';
    }
    logFailure(logger, status, err, { requestId, path: req.path });
    // A stale write also gets the current state, beside the one error shape (see StaleVersionError).
    const extra = err instanceof StaleVersionError ? { current: err.current } : {};
    res.status(status).json({ error: { code, message, details, requestId }, ...extra });
  };
}
