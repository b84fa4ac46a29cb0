import { api } from '@pagerduty/pdjs';
import type { z } from 'zod';
import type { NormalizeContext } from '../connector';
import type { PageRef, PagingEvent } from '../../src/domain/paging-event';
import {
  pagerdutyChangeEventSchema,
  pagerdutyLogEntrySchema,
  pagerdutyNoteSchema,
  pagerdutyRestAlertSchema,
  pagerdutyRestIncidentSchema,
  type PagerDutyChangeEvent,
  type PagerDutyLogEntry,
  type PagerDutyNote,
  type PagerDutyRestAlert,
  type PagerDutyRestIncident,
} from './pagerduty.payload';
import { logEntryKind, logEntryToPagingEvent, noteToPagingEvent, pageRefFromRestIncident } from './pagerduty.normalize';

/*
 * A small read-only client for PagerDuty REST API v2 (enrichment and backfill), built on
 * `@pagerduty/pdjs` 2.2.4's `api({ token })` partial client. Only `pd.get(path, { url, data })` is
 * used; everything else pdjs offers is worked around, for these reasons (read in pdjs
 * `build/src/api.js` / `common.js` and checked against a loopback server):
 *
 * - `pd.all()` is not used. It picks the "resource" key with `/.+.com\/(\w+)/` on the URL:
 *   against a base URL without `.com/` (our loopback test server) the key is null, and for nested
 *   endpoints such as `/incidents/{id}/log_entries` it is `incidents`, which the body does not
 *   have (the list is under `log_entries`, which does not pluralise like the others;
 *   cf. PagerDuty/pdpyras#7). Either way the second page makes `repackResponses` call
 *   `null.concat` / `undefined.concat` and `all()` rejects with a TypeError. It also returns an
 *   array of page bodies, not a list. We page by hand: offset += limit (never += 1, n8n-io/n8n#35775).
 * - `requestTimeout` is not a timeout (it arms an empty timer, and leaks it when fetch rejects,
 *   which kept jest alive 30 s after a refused connection). We pass `requestTimeout: 0` and the
 *   abort signal of the caller's call policy (`PagerDutyCallPolicy`; Debrief passes its
 *   resilient client), which times out each attempt, retries timeouts, network errors, 429 and
 *   5xx with backoff, and opens the `pagerduty` circuit after repeated failures (shared by
 *   enrichment and backfill in one app).
 * - pdjs retries a 429 three times by itself, `retryTimeout` ms apart (default 20 s), ignoring
 *   `Retry-After`, and its retry count cannot be changed. We set `retryTimeout` small so those
 *   retries are quick, and when pdjs hands back the final 429 the call policy waits at least
 *   what the response asks (`Retry-After`, else `ratelimit-reset`), else backs off exponentially
 *   with jitter, a bounded number of times. So one rate-limit episode costs at most 3 quick extra
 *   requests before the real wait; a single transient 429 is absorbed by pdjs alone.
 * - `server` only builds `https://<host>/...`; the base URL (EU region, test server) goes in
 *   a full `url` per call.
 * - A non-JSON response (an HTML 502 from a proxy) makes pdjs reject with the Response object
 *   itself, not an Error; that is turned into a `PagerDutyApiError` here.
 */

export const PAGERDUTY_API_BASE_URL = 'https://api.pagerduty.com';

/**
 * PagerDuty object ids are upper-case letters and digits: seven for older objects (`PT4KHLK`),
 * fourteen for newer ones (`Q02JTSNZWHSEKV`), 26 for log entries. An id reaches a REST path from
 * a webhook, which its signer wrote: `..` made `/incidents/..` resolve to the API root, fetched
 * with the REST token. Every id is checked against this before a path is built from it.
 */
const PAGERDUTY_ID = /^[A-Z0-9]{1,64}$/;

/** True when `id` has the shape of a PagerDuty object id (and so is safe in a REST path). */
export const isPagerDutyId = (id: string): boolean => PAGERDUTY_ID.test(id);

/** PagerDuty answers 400 once offset + limit exceeds this (classic pagination). */
const MAX_OFFSET_PLUS_LIMIT = 10_000;
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How each REST call runs: timeouts, retries with backoff and circuit breaking are the caller's
 * (Debrief passes its `pagerduty` resilient client), so this client stays free of them.
 */
export interface PagerDutyCallPolicy {
  /**
   * Runs `attempt` under the policy, once or more. The attempt gets an AbortSignal that fires
   * at the per-attempt timeout and must stop its work then.
   */
  call<T>(attempt: (signal: AbortSignal) => Promise<T>, options: { idempotent: boolean }): Promise<T>;
  /** The error an attempt throws to ask for another attempt (429, 5xx), at least `retryAfterMs` later. */
  retryable(message: string, status: number, retryAfterMs: number | null): Error;
  /**
   * What a failure thrown by `call` was when the policy gave up (retries exhausted, timeout,
   * network, open circuit); null for an error of the attempt's own, passed through as it is.
   */
  failure(err: unknown): { kind: 'timeout' | 'network' | 'http' | 'circuit_open' | 'aborted'; attempts: number; message: string } | null;
}

export interface PagerDutyRestOptions {
  /** REST API key (read-only is enough) or OAuth token. Never logged. */
  token: string;
  /** `token` sends `Authorization: Token token=<key>`; `bearer` sends `Bearer <token>`. Default `token`. */
  tokenType?: 'token' | 'bearer';
  /** Default `https://api.pagerduty.com`; `https://api.eu.pagerduty.com` for the EU service region. */
  baseUrl?: string;
  /** Timeouts, retries and circuit of every call. */
  policy: PagerDutyCallPolicy;
  /** The policy's per-attempt timeout, which must cover pdjs's own quick 429 retries. Default 10 000. */
  timeoutMs?: number;
  /** Longest single wait; a `Retry-After` beyond it fails at once instead of blocking. Default 60 000. */
  maxRetryWaitMs?: number;
  /** pdjs's fixed wait between its own 429 retries. Default 250 (pdjs's default is 20 000), at most a quarter of `timeoutMs`. */
  pdjsRetryTimeoutMs?: number;
  /** Page size for list endpoints (PagerDuty's maximum is 100). Default 100. */
  pageLimit?: number;
  /** `listIncidents` splits longer ranges into windows of at most this many days. Default 180. */
  maxWindowDays?: number;
}

export type PagerDutyIncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface ListIncidentsQuery {
  /** Inclusive start, ISO 8601. Required: PagerDuty silently limits `since`-only queries to a month. */
  since: string;
  /** End, ISO 8601. */
  until: string;
  statuses?: PagerDutyIncidentStatus[];
}

export interface LogEntriesQuery {
  since?: string;
  until?: string;
  /** `true`: only PagerDuty's "important changes"; default false (everything, notifications included). */
  isOverview?: boolean;
}

/** A REST call that failed for good: HTTP error, exhausted retries, timeout, network error, bad shape. */
export class PagerDutyApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; null for network errors and timeouts. */
    readonly status: number | null,
    /** PagerDuty's `error.code` (2020 = rate limited) when the body had one. */
    readonly code: number | null = null,
    /** Wait PagerDuty asked for on the last 429, when known. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PagerDutyApiError';
  }
}

/** An id that is not a PagerDuty id: refused before any request is made. */
export class InvalidPagerDutyIdError extends PagerDutyApiError {
  constructor(kind: string, id: string) {
    super(`Refused to call PagerDuty: ${kind} id ${JSON.stringify(id.slice(0, 80))} is not a PagerDuty id (upper-case letters and digits).`, null);
    this.name = 'InvalidPagerDutyIdError';
  }
}

/** `/incidents/<id><rest>`, or an InvalidPagerDutyIdError. */
function incidentPath(id: string, rest = ''): string {
  if (!isPagerDutyId(id)) throw new InvalidPagerDutyIdError('incident', id);
  return `/incidents/${id}${rest}`;
}

type PdClient = ReturnType<typeof api>;
type PdResponse = Awaited<ReturnType<PdClient['get']>>;
type Query = Record<string, string | string[]>;

/** Thrown inside a page loop when PagerDuty's offset cap is reached; `listIncidents` splits the window. */
class OffsetCapReached extends Error {}

export class PagerDutyRestClient {
  private readonly pd: PdClient;
  private readonly baseUrl: string;
  private readonly policy: PagerDutyCallPolicy;
  private readonly maxRetryWaitMs: number;
  private readonly pdjsRetryTimeoutMs: number;
  private readonly pageLimit: number;
  private readonly maxWindowMs: number;

  constructor(options: PagerDutyRestOptions) {
    if (!options.token) throw new TypeError('PagerDuty REST client needs an API token.');
    this.pd = api({ token: options.token, tokenType: options.tokenType ?? 'token' });
    this.baseUrl = (options.baseUrl ?? PAGERDUTY_API_BASE_URL).replace(/\/+$/, '');
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    this.pdjsRetryTimeoutMs = options.pdjsRetryTimeoutMs ?? Math.min(250, Math.floor(timeoutMs / 4));
    this.pageLimit = Math.min(Math.max(options.pageLimit ?? 100, 1), 100);
    this.maxWindowMs = (options.maxWindowDays ?? 180) * DAY_MS;
    if (timeoutMs <= 3 * this.pdjsRetryTimeoutMs) {
      // pdjs's three internal 429 retries run under the same abort signal.
      throw new RangeError('timeoutMs must be larger than 3 × pdjsRetryTimeoutMs.');
    }
    this.policy = options.policy;
  }

  /** `GET /incidents/{id}`. */
  async getIncident(id: string): Promise<PagerDutyRestIncident> {
    const path = incidentPath(id);
    const body = await this.getJson(path, {});
    return parseOne(body, 'incident', pagerdutyRestIncidentSchema, path);
  }

  /** `GET /incidents/{id}/log_entries`, every page, in PagerDuty's order (newest first), times in UTC. */
  async listIncidentLogEntries(id: string, query: LogEntriesQuery = {}): Promise<PagerDutyLogEntry[]> {
    const params: Query = { time_zone: 'UTC', is_overview: String(query.isOverview ?? false) };
    if (query.since !== undefined) params.since = query.since;
    if (query.until !== undefined) params.until = query.until;
    return this.paginate(incidentPath(id, '/log_entries'), 'log_entries', params, pagerdutyLogEntrySchema);
  }

  /** `GET /incidents/{id}/notes` (not paginated by PagerDuty). */
  async listIncidentNotes(id: string): Promise<PagerDutyNote[]> {
    const path = incidentPath(id, '/notes');
    const body = await this.getJson(path, {});
    return parseList(body, 'notes', pagerdutyNoteSchema, path).items;
  }

  /**
   * `GET /incidents/{id}/related_change_events`: the change events PagerDuty relates to the
   * incident, each with its `correlation_reason`. One request: PagerDuty returns the most
   * relevant ones, up to `limit`, and documents no further pages.
   */
  async listIncidentRelatedChangeEvents(id: string): Promise<PagerDutyChangeEvent[]> {
    const path = incidentPath(id, '/related_change_events');
    const body = await this.getJson(path, { limit: String(this.pageLimit) });
    return parseList(body, 'change_events', pagerdutyChangeEventSchema, path).items;
  }

  /**
   * `GET /incidents/{id}/alerts`, every page. Each alert's `alert_key` is its dedup key: when
   * PagerDuty grouped several Alertmanager groups into one incident, these are the
   * sha256(groupKey) values to correlate on (the incident's own `incident_key` names only one).
   */
  async listIncidentAlerts(id: string): Promise<PagerDutyRestAlert[]> {
    return this.paginate(incidentPath(id, '/alerts'), 'alerts', {}, pagerdutyRestAlertSchema);
  }

  /**
   * `GET /incidents` for [since, until], every page of every window. Both ends are always sent
   * (with `since` alone PagerDuty silently caps the range at one month, PagerDuty/pdpyras#46),
   * ranges longer than `maxWindowDays` are split, and a window that hits PagerDuty's
   * offset + limit ≤ 10 000 cap is halved and fetched again. Incidents are de-duplicated by id.
   */
  async listIncidents(query: ListIncidentsQuery): Promise<PagerDutyRestIncident[]> {
    const since = Date.parse(query.since);
    const until = Date.parse(query.until);
    if (Number.isNaN(since) || Number.isNaN(until)) throw new RangeError('listIncidents needs ISO 8601 since and until.');
    if (since >= until) throw new RangeError('listIncidents needs since < until.');

    const seen = new Set<string>();
    const out: PagerDutyRestIncident[] = [];
    for (const window of splitTimeRange(since, until, this.maxWindowMs)) {
      for (const incident of await this.listIncidentsWindow(window.since, window.until, query.statuses)) {
        if (seen.has(incident.id)) continue;
        seen.add(incident.id);
        out.push(incident);
      }
    }
    return out;
  }

  /**
   * Everything PagerDuty knows about one incident as paging events, oldest first: log entries
   * plus notes. `annotate_log_entry` is dropped in favour of the note itself (full text, and the
   * note id is the one the `incident.annotated` webhook carries). Requests are made one after
   * the other, as PagerDuty asks per token.
   */
  async getIncidentTimeline(id: string, ctx: NormalizeContext): Promise<{ page: PageRef; events: PagingEvent[] }> {
    const page = pageRefFromRestIncident(await this.getIncident(id));
    const entries = await this.listIncidentLogEntries(id);
    const notes = await this.listIncidentNotes(id);
    const events = [
      ...entries.filter((entry) => logEntryKind(entry.type) !== 'annotated').map((entry) => logEntryToPagingEvent(entry, ctx, page)),
      ...notes.map((note) => noteToPagingEvent(note, page, ctx)),
    ].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
    return { page, events };
  }

  private async listIncidentsWindow(
    since: number,
    until: number,
    statuses: PagerDutyIncidentStatus[] | undefined,
  ): Promise<PagerDutyRestIncident[]> {
    const params: Query = { since: new Date(since).toISOString(), until: new Date(until).toISOString(), time_zone: 'UTC' };
    if (statuses && statuses.length > 0) params['statuses[]'] = statuses;
    try {
      return await this.paginate('/incidents', 'incidents', params, pagerdutyRestIncidentSchema);
    } catch (err) {
      if (!(err instanceof OffsetCapReached)) throw err;
      if (until - since < 2 * 60_000) {
        throw new PagerDutyApiError(
          `More than ${MAX_OFFSET_PLUS_LIMIT} incidents between ${params.since} and ${params.until}; PagerDuty cannot page that far.`,
          null,
        );
      }
      const mid = since + Math.floor((until - since) / 2);
      return [
        ...(await this.listIncidentsWindow(since, mid, statuses)),
        ...(await this.listIncidentsWindow(mid, until, statuses)),
      ];
    }
  }

  /** Classic offset pagination: follow `more`, advancing by the limit the server applied. */
  private async paginate<S extends z.ZodType>(path: string, key: string, query: Query, schema: S): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    let offset = 0;
    for (;;) {
      const body = await this.getJson(path, { ...query, limit: String(this.pageLimit), offset: String(offset) });
      const page = parseList(body, key, schema, path);
      items.push(...page.items);
      if (!page.more) return items;
      // PagerDuty echoes the limit it applied (it may clamp ours); step by that, from the offset it served.
      const step = page.limit !== null && page.limit > 0 ? page.limit : this.pageLimit;
      offset = (page.offset ?? offset) + step;
      if (offset + this.pageLimit > MAX_OFFSET_PLUS_LIMIT) {
        if (path === '/incidents') throw new OffsetCapReached();
        throw new PagerDutyApiError(`GET ${path}: more than ${MAX_OFFSET_PLUS_LIMIT} items; narrow since/until.`, null);
      }
    }
  }

  /**
   * One GET through pdjs under the call policy: each attempt gets its abort signal (a real
   * timeout), a 429 / 5xx is retried after at least the wait PagerDuty asks for, and a
   * `Retry-After` longer than `maxRetryWaitMs` fails at once instead of blocking.
   */
  private async getJson(path: string, query: Query): Promise<unknown> {
    let last: PagerDutyApiError | null = null;
    try {
      return await this.policy.call(async (signal) => {
        let response: PdResponse;
        try {
          response = await this.pd.get(path, {
            url: `${this.baseUrl}${path}`,
            data: query,
            requestTimeout: 0,
            retryTimeout: this.pdjsRetryTimeoutMs,
            signal,
          });
        } catch (err) {
          // Network errors and aborts go to the policy as they are (it judges them).
          if (!isResponseLike(err)) throw err;
          // pdjs rejects with the Response itself when the body is not JSON.
          if (err.ok) throw new PagerDutyApiError(`GET ${path}: response is not JSON (HTTP ${err.status}).`, err.status);
          response = err as PdResponse;
        }
        if (response.ok) return response.data as unknown;
        const retryAfterMs = retryAfterFromHeaders(response.headers, Date.now());
        last = httpError(path, response, retryAfterMs, 0);
        if (!RETRYABLE_STATUSES.has(response.status)) throw last;
        if (retryAfterMs !== null && retryAfterMs > this.maxRetryWaitMs) throw last;
        throw this.policy.retryable(last.message, response.status, retryAfterMs);
      }, { idempotent: true });
    } catch (err) {
      const gaveUp = this.policy.failure(err);
      if (!gaveUp) throw err;
      const retries = Math.max(0, gaveUp.attempts - 1);
      const failed = last as PagerDutyApiError | null;
      if (gaveUp.kind === 'http' && failed) {
        const after = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
        throw new PagerDutyApiError(`${failed.message.replace(/\.$/, '')}${after}.`, failed.status, failed.code, failed.retryAfterMs, { cause: err });
      }
      throw new PagerDutyApiError(`GET ${path} failed: ${gaveUp.message}`, null, null, null, { cause: err });
    }
  }
}

/** Consecutive [since, until) windows no longer than `maxMs` covering the range. */
export function splitTimeRange(since: number, until: number, maxMs: number): Array<{ since: number; until: number }> {
  const windows: Array<{ since: number; until: number }> = [];
  for (let start = since; start < until; start += maxMs) {
    windows.push({ since: start, until: Math.min(start + maxMs, until) });
  }
  return windows;
}

/**
 * Milliseconds to wait from `Retry-After` (seconds or an HTTP date) or, failing that,
 * PagerDuty's `ratelimit-reset` (seconds until the budget resets); null when neither is usable.
 */
export function retryAfterFromHeaders(headers: { get(name: string): string | null }, nowMs: number): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.ceil(Number(reset) * 1000);
  return null;
}

function parseOne<S extends z.ZodType>(body: unknown, key: string, schema: S, path: string): z.output<S> {
  const value = isRecord(body) ? body[key] : undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw shapeError(path, key, parsed.error);
  return parsed.data;
}

function parseList<S extends z.ZodType>(
  body: unknown,
  key: string,
  schema: S,
  path: string,
): { items: z.output<S>[]; more: boolean; limit: number | null; offset: number | null } {
  if (!isRecord(body) || !Array.isArray(body[key])) {
    throw new PagerDutyApiError(`GET ${path}: response has no "${key}" list.`, null);
  }
  const items = (body[key] as unknown[]).map((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw shapeError(path, `${key}[${index}]`, parsed.error);
    return parsed.data;
  });
  return {
    items,
    // Absent `more` (e.g. the notes endpoint, or the api-schema log_entries example) means one page.
    more: body.more === true,
    limit: typeof body.limit === 'number' ? body.limit : null,
    offset: typeof body.offset === 'number' ? body.offset : null,
  };
}

function shapeError(path: string, where: string, error: z.ZodError): PagerDutyApiError {
  const first = error.issues[0];
  const at = first ? [where, ...first.path.map(String)].join('.') : where;
  return new PagerDutyApiError(`GET ${path}: unexpected response shape at ${at}: ${first?.message ?? 'invalid'}.`, null);
}

function httpError(path: string, response: PdResponse, retryAfterMs: number | null, retries: number): PagerDutyApiError {
  const data: unknown = response.data;
  const error = isRecord(data) && isRecord(data.error) ? data.error : null;
  const code = error && typeof error.code === 'number' ? error.code : null;
  const message = error && typeof error.message === 'string' ? error.message : response.statusText || 'error';
  const after = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  return new PagerDutyApiError(`GET ${path}: HTTP ${response.status} ${message}${after}.`, response.status, code, retryAfterMs);
}

function isResponseLike(value: unknown): value is { ok: boolean; status: number; headers: { get(name: string): string | null } } {
  return isRecord(value) && typeof value.status === 'number' && typeof value.ok === 'boolean';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
