import {
  LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, type Logger as SlackLogger, type WebAPICallResult,
} from '@slack/web-api';
import { RetryableError, type CallOptions, type ResilientClient } from '../resilient-http';

/**
 * Slack's Web API through the maintained client (`@slack/web-api`), with Debrief's resilient
 * policy in charge: the policy times out each attempt, retries with backoff and opens the
 * circuit; the WebClient makes exactly one request per attempt (its own retries are off,
 * `retryConfig: { retries: 0 }`, and a 429 is handed back at once, `rejectRateLimitedCalls`,
 * so the policy waits the `Retry-After` seconds rather than the client sleeping inside an
 * attempt's timeout). The token is sent as `Authorization: Bearer`, never logged.
 */

/** Slack answered `ok: false` with an error code (`channel_not_found`, `not_in_channel`, ...). */
export class SlackApiError extends Error {
  constructor(readonly method: string, readonly code: string) {
    super(`Slack ${method}: ${code}`);
    this.name = 'SlackApiError';
  }
}

/** Slack answered with an HTTP status other than 200/429/5xx (it should not); retrying cannot help. */
export class SlackHttpError extends Error {
  constructor(readonly method: string, readonly status: number) {
    super(`Slack ${method}: HTTP ${status}`);
    this.name = 'SlackHttpError';
  }
}

/** Platform errors that say "try again later" rather than "you asked for something wrong". */
const TRANSIENT_CODES = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** The WebClient logs nothing: its debug lines carry request bodies. */
const SILENT: SlackLogger = {
  debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined,
  setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined,
};

export interface SlackWebApiOptions {
  token: string;
  /** `https://slack.com/api/` in production. */
  apiUrl: string;
  /** The policy around every call (`slack` target). */
  client: ResilientClient;
}

export class SlackWebApi {
  constructor(private readonly options: SlackWebApiOptions) {}

  /** One method call under the policy; `ok: false` throws `SlackApiError`. */
  call<T extends WebAPICallResult>(method: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
    return this.options.client.call((signal) => this.attempt<T>(method, args, signal), options);
  }

  /**
   * One request, no retries, stopped by `signal`. Throws `RetryableError` for 429 (with its
   * Retry-After), 5xx and transient platform errors, `SlackApiError`/`SlackHttpError` for answers
   * retrying cannot change, and the network error itself otherwise (the policy judges it).
   */
  async attempt<T extends WebAPICallResult>(method: string, args: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    const web = new WebClient(this.options.token, {
      slackApiUrl: this.options.apiUrl.endsWith('/') ? this.options.apiUrl : `${this.options.apiUrl}/`,
      retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 0, logger: SILENT, allowAbsoluteUrls: false,
      // The attempt's signal reaches the request: the policy's timeout really cuts it.
      fetch: (url, init) => fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
    try {
      return await web.apiCall(method, args) as T;
    } catch (err) {
      throw translate(method, err);
    }
  }
}

function translate(method: string, err: unknown): unknown {
  if (err instanceof WebAPIRateLimitedError) return new RetryableError(`Slack ${method}: rate limited`, 429, err.retryAfter * 1000);
  if (err instanceof WebAPIHTTPError) {
    if (err.statusCode >= 500 || err.statusCode === 408) return new RetryableError(`Slack ${method}: HTTP ${err.statusCode}`, err.statusCode, null);
    return new SlackHttpError(method, err.statusCode);
  }
  if (err instanceof WebAPIPlatformError) {
    const code = typeof err.data.error === 'string' ? err.data.error : 'unknown_error';
    return TRANSIENT_CODES.has(code) ? new RetryableError(`Slack ${method}: ${code}`, null, null) : new SlackApiError(method, code);
  }
  if (err instanceof WebAPIRequestError) return err.original;
  return err;
}
