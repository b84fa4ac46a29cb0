import { AsyncLocalStorage } from 'node:async_hooks';
import type { AxiosResponse } from 'axios';
import { HttpException, Version2Client, Version3Client } from 'jira.js';
import { RetryableError } from '../../resilient-http';
import type { JiraTrackerSettings } from '../../../domain/trackers/jira-settings';

/**
 * The few Jira REST calls the tracker client makes, through jira.js, for either deployment:
 * Cloud (`Version3Client`, `/rest/api/3`, the enhanced `/search/jql` with `nextPageToken`)
 * and Data Center (`Version2Client`, `/rest/api/2`, `/search` with `startAt`).
 *
 * jira.js itself never retries (it is a plain axios instance), so the outbound policy the
 * caller wraps around each call owns timeouts, retries on 429/5xx and the circuit. Two things
 * make that work:
 * - The policy's AbortSignal reaches axios. jira.js's typed methods take no per-call request
 *   options, so the signal travels in an async-local scope that an override of
 *   `sendRequestFullResponse` (the one place every typed method goes through) adds to the
 *   request.
 * - Failures are translated (`toPolicyError`) into what the policy judges: a `RetryableError`
 *   with Jira's `Retry-After` for 429/5xx/408, a `JiraRequestError` (not retried) for other
 *   answers, and network errors as axios raised them (their `code` tells the policy whether the
 *   request reached Jira).
 */

const callSignal = new AsyncLocalStorage<AbortSignal>();

type RequestConfig = Parameters<Version3Client['sendRequestFullResponse']>[0];

class SignalledVersion3Client extends Version3Client {
  override async sendRequestFullResponse<T>(requestConfig: RequestConfig): Promise<AxiosResponse<T>> {
    return super.sendRequestFullResponse<T>({ ...requestConfig, signal: callSignal.getStore() ?? requestConfig.signal });
  }
}

class SignalledVersion2Client extends Version2Client {
  override async sendRequestFullResponse<T>(requestConfig: RequestConfig): Promise<AxiosResponse<T>> {
    return super.sendRequestFullResponse<T>({ ...requestConfig, signal: callSignal.getStore() ?? requestConfig.signal });
  }
}

/** A Jira answer the policy must not retry (400 with Jira's messages, 401, 403, 404). */
export class JiraRequestError extends Error {
  constructor(message: string, public readonly status: number, public readonly jiraMessages: string[]) {
    super(message);
    this.name = 'JiraRequestError';
  }
}

/** What Debrief reads of an issue. `updated` and `created` are Jira's text (`2026-09-27T10:03:11.123+0200`). */
export interface JiraIssueSummary {
  id: string;
  key: string;
  labels: string[];
  created: string | null;
}

export interface JiraIssueStatus {
  key: string;
  statusName: string;
  statusCategoryKey: string | null;
  updated: string;
}

export interface JiraSearchPage {
  issues: JiraIssueSummary[];
  /** What to pass for the next page (a token on Cloud, an offset on Data Center); null on the last page. */
  next: string | number | null;
}

/** A create request's `fields`: the three Jira always requires, and any others. */
export interface JiraCreateFields {
  project: { key: string };
  summary: string;
  issuetype: { name: string };
  [field: string]: unknown;
}

/** The calls, each one attempt (`jiraAttempt` runs it with the policy's signal). */
export interface JiraRest {
  createIssue(fields: JiraCreateFields): Promise<{ id: string; key: string }>;
  searchPage(jql: string, next: string | number | null, pageSize: number): Promise<JiraSearchPage>;
  issueStatus(key: string): Promise<JiraIssueStatus>;
}

export function createJiraRest(settings: JiraTrackerSettings): JiraRest {
  const host = settings.baseUrl;
  // No default timeout in axios (0): the policy's per-attempt timeout aborts through the signal.
  const baseRequestConfig = { timeout: 0, headers: { Accept: 'application/json' } };
  if (settings.deployment === 'cloud') {
    const client = new SignalledVersion3Client({
      host, baseRequestConfig, authentication: { basic: { email: settings.auth.email ?? '', apiToken: settings.auth.token } },
    });
    return {
      async createIssue(fields) {
        const created = await client.issues.createIssue({ fields });
        return { id: String(created.id), key: String(created.key) };
      },
      async searchPage(jql, next, pageSize) {
        const page = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
          jql, fields: ['labels', 'created'], maxResults: pageSize, nextPageToken: typeof next === 'string' ? next : undefined,
        });
        const issues = (page.issues ?? []).map(summaryOf);
        // The last page has no token (Jira documents it as null, and omits it); `isLast` is not in jira.js's model.
        const isLast = (page as { isLast?: boolean }).isLast === true;
        return { issues, next: !isLast && page.nextPageToken ? page.nextPageToken : null };
      },
      async issueStatus(key) {
        return statusOf(await client.issues.getIssue({ issueIdOrKey: key, fields: ['status', 'updated'] }));
      },
    };
  }
  // Data Center: a personal access token is a bearer token, which jira.js sends for `oauth2.accessToken`.
  const client = new SignalledVersion2Client({ host, baseRequestConfig, authentication: { oauth2: { accessToken: settings.auth.token } } });
  return {
    async createIssue(fields) {
      const created = await client.issues.createIssue({ fields });
      return { id: String(created.id), key: String(created.key) };
    },
    async searchPage(jql, next, pageSize) {
      const startAt = typeof next === 'number' ? next : 0;
      const page = await client.issueSearch.searchForIssuesUsingJql({ jql, fields: ['labels', 'created'], startAt, maxResults: pageSize });
      const issues = (page.issues ?? []).map(summaryOf);
      const reached = (page.startAt ?? startAt) + issues.length;
      return { issues, next: issues.length > 0 && reached < (page.total ?? 0) ? reached : null };
    },
    async issueStatus(key) {
      return statusOf(await client.issues.getIssue({ issueIdOrKey: key, fields: ['status', 'updated'] }));
    },
  };
}

interface IssueLike { id?: string | number; key?: string; fields?: Record<string, unknown> }

function summaryOf(issue: IssueLike): JiraIssueSummary {
  const fields = issue.fields ?? {};
  return {
    id: String(issue.id ?? ''),
    key: String(issue.key ?? ''),
    labels: Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [],
    created: typeof fields.created === 'string' ? fields.created : null,
  };
}

function statusOf(issue: IssueLike): JiraIssueStatus {
  const fields = issue.fields ?? {};
  const status = fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  if (typeof status?.name !== 'string') throw new Error(`Jira issue ${issue.key ?? '?'}: answer has no fields.status.name`);
  if (typeof fields.updated !== 'string') throw new Error(`Jira issue ${issue.key ?? '?'}: answer has no fields.updated`);
  const category = status.statusCategory?.key;
  return { key: String(issue.key ?? ''), statusName: status.name, statusCategoryKey: typeof category === 'string' ? category : null, updated: fields.updated };
}

/** Runs one attempt with the policy's signal and translates its failure for the policy. */
export async function jiraAttempt<T>(signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
  try {
    return await callSignal.run(signal, attempt);
  } catch (err) {
    throw toPolicyError(err);
  }
}

interface AxiosLikeError { response?: { status?: number; headers?: unknown; data?: unknown }; config?: { method?: string; url?: string } }

export function toPolicyError(err: unknown): unknown {
  if (!(err instanceof HttpException)) return err;
  // jira.js wraps an axios error that has a response; anything else it wraps is not an answer.
  const cause = err.cause as AxiosLikeError | undefined;
  const response = cause?.response;
  if (typeof response?.status !== 'number') return err.cause instanceof Error ? err.cause : err;
  const status = response.status;
  const where = `${(cause?.config?.method ?? '').toUpperCase()} ${cause?.config?.url ?? ''}`.trim();
  if (status >= 500 || status === 429 || status === 408) {
    return new RetryableError(`Jira answered ${status} to ${where}`, status, retryAfterMs(headerOf(response.headers, 'retry-after')));
  }
  const messages = jiraMessages(response.data);
  return new JiraRequestError(`Jira answered ${status} to ${where}${messages.length ? `: ${messages.join('; ')}` : ''}`, status, messages);
}

function headerOf(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const getter = (headers as { get?: (name: string) => unknown }).get;
  const value = typeof getter === 'function' ? getter.call(headers, name) : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/** `Retry-After` in seconds or as an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Jira's ErrorCollection: `errorMessages` and per-field `errors`. */
function jiraMessages(data: unknown): string[] {
  if (!data || typeof data !== 'object') return [];
  const body = data as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  if (body.errors && typeof body.errors === 'object') {
    for (const [field, message] of Object.entries(body.errors as Record<string, unknown>)) {
      if (typeof message === 'string') messages.push(`${field}: ${message}`);
    }
  }
  return messages;
}
