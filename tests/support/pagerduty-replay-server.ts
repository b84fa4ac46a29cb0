import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/*
 * A loopback stand-in for PagerDuty's REST API v2 that replays the RECORDED example responses in
 * connectors/pagerduty/fixtures/rest/ (api-schema examples; see SOURCES.md there). It only adds
 * what a recording cannot show:
 *
 * - Paging. A recorded list body that has `more` (incidents, alerts) is served as a data set,
 *   sliced by the request's `limit`/`offset` the way PagerDuty does (limit clamped to 100,
 *   `limit`/`offset` echoed, `more` computed, 400 beyond offset + limit = 10 000).
 * - A second page of incidents. The recording holds one incident, so `derivedIncidents` copies of
 *   it are appended, each with a different id, number, summary and URLs (`PT4KHLK` -> `PT4KHLKD1`,
 *   #1234 -> #1235, ...). Everything else in them is the recorded incident. They are DERIVED
 *   data, not recordings.
 *   Their log entries and notes are the recorded ones with ids suffixed the same way.
 * - Related change events: the recording for every incident, or an error status on request.
 * - A scripted rate limit: the first `rateLimit.count` requests get PagerDuty's documented 429
 *   body (`{"error":{"message":"Rate Limit Exceeded","code":2020}}`) with the given headers.
 *
 * Every request is recorded (method, path, query, headers, time) for assertions.
 */

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures', 'rest');
const MAX_LIMIT = 100;
const MAX_OFFSET_PLUS_LIMIT = 10_000;

export interface PagerDutyReplayOptions {
  /** The first `count` requests, whatever their path, are answered 429. */
  rateLimit?: { count: number; retryAfter?: string; rateLimitReset?: string };
  /** Copies of the recorded incident appended to `GET /incidents` (default 1: two incidents). */
  derivedIncidents?: number;
  /** Delay before every answer, to exercise client timeouts. */
  delayMs?: number;
  /** When set, requests without `Authorization: Token token=<value>` get PagerDuty's 401. */
  requireToken?: string;
  /**
   * How `GET /incidents/{id}/related_change_events` answers: the recording (default), or this
   * HTTP status with PagerDuty's error shape (an account whose plan lacks the endpoint).
   */
  relatedChangeEventsStatus?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface PagerDutyReplayServer {
  /** `http://127.0.0.1:<port>`, to pass as the REST client's base URL. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Ids served by `GET /incidents`: the recorded one first, then the derived ones. */
  incidentIds: string[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const load = (name: string): Json => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;

export async function startPagerDutyReplayServer(options: PagerDutyReplayOptions = {}): Promise<PagerDutyReplayServer> {
  const incidentList = load('pd-api-schema-GET-incidents.json');
  const incidentOne = load('pd-api-schema-GET-incidents-id.json');
  const logEntries = load('pd-api-schema-GET-incidents-id-log_entries.json');
  const notes = load('pd-api-schema-GET-incidents-id-notes.json');
  const alerts = load('pd-api-schema-GET-incidents-id-alerts.json');
  const logEntry = load('pd-api-schema-GET-log_entries-id.json');
  const relatedChangeEvents = load('pd-api-schema-GET-incidents-id-related_change_events.json');

  const recordedIncident = (incidentList.incidents as Json[])[0]!;
  const incidents = [recordedIncident, ...range(options.derivedIncidents ?? 1).map((n) => deriveIncident(recordedIncident, n + 1))];
  const knownIds = new Set(incidents.map((i) => i.id as string));

  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let rateLimited = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: queryOf(url), headers: req.headers, at: performance.now() });

    const answer = (): void => {
      if (options.rateLimit && rateLimited < options.rateLimit.count) {
        rateLimited++;
        const headers: Record<string, string> = {};
        if (options.rateLimit.retryAfter !== undefined) headers['retry-after'] = options.rateLimit.retryAfter;
        if (options.rateLimit.rateLimitReset !== undefined) headers['ratelimit-reset'] = options.rateLimit.rateLimitReset;
        return send(res, 429, { error: { message: 'Rate Limit Exceeded', code: 2020 } }, headers);
      }
      if (options.requireToken !== undefined && req.headers.authorization !== `Token token=${options.requireToken}`) {
        return send(res, 401, { error: { message: 'Unauthorized', code: 2006 } });
      }
      if (req.method !== 'GET') return send(res, 405, { error: { message: 'Method Not Allowed', code: 2000 } });

      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (parts.length === 1 && parts[0] === 'incidents') return sendPage(res, url, incidentList, 'incidents', incidents);
      if (parts[0] === 'incidents' && parts[1] !== undefined && parts.length <= 3) {
        if (!knownIds.has(parts[1])) return send(res, 404, { error: { message: 'Not Found', code: 2100 } });
        if (parts.length === 2) {
          return send(res, 200, { ...incidentOne, incident: withIncidentId(incidentOne.incident as Json, parts[1], incidents) });
        }
        if (parts[2] === 'log_entries') return send(res, 200, forDerived(logEntries, 'log_entries', parts[1], incidents));
        if (parts[2] === 'notes') return send(res, 200, forDerived(notes, 'notes', parts[1], incidents));
        if (parts[2] === 'alerts') return sendPage(res, url, alerts, 'alerts', alerts.alerts as Json[]);
        if (parts[2] === 'related_change_events') {
          const status = options.relatedChangeEventsStatus;
          // The recording is the same for every incident (PagerDuty's example names none).
          return status ? send(res, status, { error: { message: status === 403 ? 'Forbidden' : 'Error', code: 2010 } }) : send(res, 200, relatedChangeEvents);
        }
      }
      if (parts.length === 2 && parts[0] === 'log_entries') return send(res, 200, logEntry);
      return send(res, 404, { error: { message: 'Not Found', code: 2100 } });
    };

    if (options.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, options.delayMs);
      timers.add(t);
    } else {
      answer();
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    incidentIds: incidents.map((i) => i.id as string),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Serves `items` like PagerDuty's classic pagination, keeping the recorded body's other keys. */
function sendPage(res: ServerResponse, url: URL, recorded: Json, key: string, items: Json[]): void {
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 25) || 25, 1), MAX_LIMIT);
  const offset = Math.max(Number(url.searchParams.get('offset') ?? 0) || 0, 0);
  if (offset + limit > MAX_OFFSET_PLUS_LIMIT) {
    return send(res, 400, { error: { message: 'Invalid Input Provided', code: 2001, errors: ['Offset must be less than 10000.'] } });
  }
  send(res, 200, {
    ...recorded,
    [key]: items.slice(offset, offset + limit),
    limit,
    offset,
    more: offset + limit < items.length,
    total: null,
  });
}

/** A copy of the recorded incident with new identity fields (see the header comment). */
function deriveIncident(recorded: Json, n: number): Json {
  const id = `${recorded.id as string}D${n}`;
  const number = (recorded.incident_number as number) + n;
  return {
    ...recorded,
    id,
    incident_number: number,
    summary: `[#${number}] ${recorded.title as string}`,
    self: (recorded.self as string).replace(recorded.id as string, id),
    html_url: (recorded.html_url as string).replace(recorded.id as string, id),
  };
}

/** The recorded single-incident body, re-keyed to the requested (possibly derived) incident. */
function withIncidentId(recorded: Json, id: string, listed: Json[]): Json {
  const fromList = listed.find((i) => i.id === id);
  if (!fromList || id === recorded.id) return recorded;
  return { ...recorded, id, incident_number: fromList.incident_number, summary: fromList.summary, self: fromList.self, html_url: fromList.html_url };
}

/**
 * Log entries and notes of a derived incident: the recorded ones with ids suffixed like the
 * incident's (`Q02JTSNZWHSEKV` -> `Q02JTSNZWHSEKVD1`) and the incident reference re-keyed, as
 * PagerDuty ids are unique across incidents. The recorded incident gets the recording as is.
 */
function forDerived(recorded: Json, key: 'log_entries' | 'notes', id: string, listed: Json[]): Json {
  const original = listed[0]!;
  if (id === original.id) return recorded;
  const suffix = id.slice((original.id as string).length);
  const incident = listed.find((i) => i.id === id)!;
  const items = (recorded[key] as Json[]).map((item) => ({
    ...item,
    id: `${item.id as string}${suffix}`,
    ...(item.incident ? { incident: { ...(item.incident as Json), id, summary: incident.summary, self: incident.self, html_url: incident.html_url } } : {}),
  }));
  return { ...recorded, [key]: items };
}

function queryOf(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
