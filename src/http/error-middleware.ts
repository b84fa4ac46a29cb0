import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  AppError, ConflictError, PreconditionRequiredError, StaleVersionError, ForbiddenError, MalformedBodyError, NotFoundError, PayloadTooLargeError, UnauthorizedError,
  UnavailableError, UnprocessableError, UnsupportedMediaTypeError, ValidationError, TooManyRequestsError,
} from '../errors';

const STATUS = new Map<Function, number>([
  [ValidationError, 400], [MalformedBodyError, 400], [UnauthorizedError, 401], [ForbiddenError, 403], [NotFoundError, 404],
  [ConflictError, 409], [StaleVersionError, 409], [PreconditionRequiredError, 428], [PayloadTooLargeError, 413], [UnsupportedMediaTypeError, 415], [UnprocessableError, 422], [TooManyRequestsError, 429], [UnavailableError, 503],
]);

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
    if (status >= 500) logger.error({ requestId, err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, path: req.path }, 'request failed');
    // A stale write also gets the current state, beside the one error shape (see StaleVersionError).
    const extra = err instanceof StaleVersionError ? { current: err.current } : {};
    res.status(status).json({ error: { code, message, details, requestId }, ...extra });
  };
}
