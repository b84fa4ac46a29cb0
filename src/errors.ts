/**
 * Errors named by meaning. Only the HTTP error middleware (`src/http/error-middleware.ts`)
 * turns them into status codes and the one JSON error shape.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(message: string, public readonly details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError { readonly code = 'validation_failed'; }
export class MalformedBodyError extends AppError { readonly code = 'malformed_body'; }
export class UnsupportedMediaTypeError extends AppError { readonly code = 'unsupported_media_type'; }
export class UnauthorizedError extends AppError { readonly code = 'unauthorized'; }
export class ForbiddenError extends AppError { readonly code = 'forbidden'; }
export class NotFoundError extends AppError { readonly code = 'not_found'; }
export class ConflictError extends AppError { readonly code = 'conflict'; }
export class PayloadTooLargeError extends AppError { readonly code = 'payload_too_large'; }
export class UnprocessableError extends AppError { readonly code = 'unprocessable'; }
/** A conditional write needs `If-Match` and the request has none. */
export class PreconditionRequiredError extends AppError { readonly code = 'precondition_required'; }
/**
 * A write based on a stale version (`If-Match` no longer current). `current` (the current
 * version, ETag and resource) is sent back beside the error so a UI can show the other change.
 */
export class StaleVersionError extends AppError {
  readonly code = 'stale_version';
  constructor(message: string, public readonly current: unknown) {
    super(message);
  }
}
/** The client sent too many requests (or too many failed authentications); retry after the given time. */
export class TooManyRequestsError extends AppError {
  readonly code = 'rate_limited';
  constructor(message: string, public readonly retryAfterSeconds = 60) {
    super(message);
  }
}
/** A service Debrief calls on the client's behalf (Slack) failed or refused: 502. */
export class UpstreamError extends AppError { readonly code = 'upstream_failed'; }
/** The store or another dependency cannot serve now; senders should retry. */
export class UnavailableError extends AppError {
  readonly code = 'unavailable';
  constructor(message: string, public readonly retryAfterSeconds = 5) {
    super(message);
  }
}
