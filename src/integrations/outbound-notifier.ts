import axios, { type AxiosInstance } from 'axios';
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ReportView } from '../domain/report/report-model';
import { publicStatusEntry, type PublishedForPublic } from '../domain/status/public-status';
import type { DeliveryRecord, DeliveryStore, DeliveryUpdate } from '../store/delivery-store';
import { createResilientClient, OutboundError, RetryableError, type ResilientClient } from './resilient-http';
import { SlackApiError, SlackHttpError, type SlackWebApi } from './slack/slack-web-api';

/** One configured receiver. `audience: customer` receives only what the status page shows. */
export interface OutboundTarget {
  name: string;
  url: string;
  secret: string;
  audience: 'internal' | 'customer';
}

/**
 * A target of notices to people: a Slack incoming webhook (the URL is the secret; no signature),
 * the Slack app's bot token (`chat.postMessage`; the channel is in each delivery's body), or a
 * generic webhook signed with each of `secrets` (several while rotating).
 */
export interface PeopleTarget {
  name: string;
  type: 'slack' | 'slack-bot' | 'webhook';
  /** `slack` and `webhook`; none for `slack-bot`. */
  url?: string;
  /** `slack-bot`: channel when the owning team has none in the catalog. */
  channel?: string;
  secrets: readonly string[];
}

/** `chat.postMessage` carries the delivery id as message metadata, so a retry can see it was posted. */
export const SLACK_NOTICE_EVENT = 'debrief_notice';

/** One notice to one people target, its body already built; `id` is derived from what it is about. */
export interface PeopleDelivery {
  id: string;
  target: string;
  incidentId: string;
  version: number;
  event: string;
  body: string;
  createdAt: string;
}

type AnyTarget = { people: false; target: OutboundTarget } | { people: true; target: PeopleTarget };

export interface OutboundNotifierOptions {
  /** Receivers of `report.published` (signed with one secret each). */
  targets: readonly OutboundTarget[];
  /** Targets of notices to people (`notifyOnce`); their names never clash with `targets`'. */
  peopleTargets?: readonly PeopleTarget[];
  store: DeliveryStore;
  logger: Logger;
  clock: () => Date;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt (with jitter), capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt request timeout. */
  timeoutMs: number;
  /**
   * The app's resilient client per receiver (`outbound:<name>`: timeouts, retries with backoff,
   * circuit, metrics). Without it one is built per target from the four settings above.
   */
  clientFor?: (target: { name: string }) => ResilientClient;
  /** Base URL of this Debrief (for links in internal notifications); optional. */
  publicUrl?: string | null;
  /** Slack's Web API with the bot token (`slack-bot` targets); null without `slack.botToken`. */
  slack?: SlackWebApi | null;
  /** Tests inject these; production uses timers, Math.random and axios. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  http?: AxiosInstance;
}

export const SIGNATURE_HEADER = 'X-Debrief-Signature';
export const TIMESTAMP_HEADER = 'X-Debrief-Timestamp';
export const DELIVERY_HEADER = 'X-Debrief-Delivery';
export const EVENT_HEADER = 'X-Debrief-Event';

/** `v1=<hex HMAC-SHA256 of the raw body bytes>` — receivers recompute it over the bytes they got, before parsing. */
export function signBody(secret: string, body: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** One `v1=<hex>` per secret, comma-separated: a receiver holding any one of them can verify. */
export function signBodyWithEach(secrets: readonly string[], body: string | Buffer): string {
  return secrets.map((secret) => signBody(secret, body)).join(',');
}

/** A published report as the notifier needs it. */
export interface PublishedReport extends PublishedForPublic {
  publishedBy: string;
  report: PublishedForPublic['report'] & Pick<ReportView, 'summary' | 'status'>;
}

/**
 * The notification body for one audience. Customer receivers get exactly the public status
 * entry; internal ones also get the incident title, severity, all affected services and a link.
 * `createdAt` is signed with the body, so receivers can reject stale replays.
 */
export function publishedNotification(published: PublishedReport, audience: OutboundTarget['audience'], eventId: string, createdAt: string, publicUrl: string | null): Record<string, unknown> {
  const status = publicStatusEntry(published);
  const base = { event: 'report.published', eventId, createdAt, incidentId: published.incidentId, version: published.version, publishedAt: published.publishedAt, status };
  if (audience === 'customer') return base;
  const summary = published.report.summary;
  return {
    ...base,
    incident: {
      title: summary.title, severity: summary.severity, affectedServices: summary.affectedServices, startedAt: summary.startedAt, endedAt: summary.endedAt,
      publishedBy: published.publishedBy,
      reportUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/incidents/${encodeURIComponent(published.incidentId)}/report` : null,
    },
  };
}

/**
 * Sends signed JSON notifications when a report is published: one delivery per configured
 * target, retried by the target's resilient client (resilient-http.ts) with exponential backoff
 * on network errors, timeouts, 408, 429 (Retry-After honoured) and 5xx; other 4xx answers fail
 * at once (retrying cannot help). The POST is retried although it is not idempotent by itself:
 * every attempt carries the same `X-Debrief-Delivery` id and bytes, and receivers deduplicate
 * on it. After repeated failures the target's circuit opens; deliveries then wait for it
 * (pending) instead of calling. Never blocks the caller: `notifyPublished` records the pending
 * deliveries and returns; attempts run in the background and every attempt and outcome is
 * stored (`DeliveryStore`), so it is visible on the report.
 */
export class OutboundNotifier {
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly http: AxiosInstance;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly clientFor: (target: { name: string }) => ResilientClient;

  constructor(private readonly options: OutboundNotifierOptions) {
    // No axios timeout: the resilient client times out each attempt through the abort signal.
    this.http = options.http ?? axios.create({ validateStatus: () => true, maxRedirects: 0, transformRequest: [(data: unknown) => data] });
    this.sleep = options.sleep ?? abortableSleep;
    const own = new Map<string, ResilientClient>();
    const sleep = this.sleep;
    this.clientFor = options.clientFor ?? ((target) => {
      let client = own.get(target.name);
      if (!client) {
        client = createResilientClient({
          target: `outbound:${target.name}`, timeoutMs: options.timeoutMs, retries: options.maxAttempts - 1,
          backoff: { initialMs: options.baseDelayMs, maxMs: options.maxDelayMs },
          sleep: (ms, signal) => sleep(ms, signal ?? new AbortController().signal),
          ...(options.random ? { random: options.random } : {}),
        });
        own.set(target.name, client);
      }
      return client;
    });
  }

  get targetCount(): number {
    return this.options.targets.length;
  }

  /** Records one pending delivery per target and starts sending. Resolves once recorded, not when sent. */
  async notifyPublished(published: PublishedReport): Promise<DeliveryRecord[]> {
    const now = this.options.clock().toISOString();
    const eventId = randomUUID();
    const records: DeliveryRecord[] = [];
    for (const target of this.options.targets) {
      const body = JSON.stringify(publishedNotification(published, target.audience, eventId, now, this.options.publicUrl ?? null));
      const record: DeliveryRecord = {
        id: randomUUID(), incidentId: published.incidentId, version: published.version, event: 'report.published', target: target.name, body,
        status: 'pending', attempts: 0, lastStatusCode: null, lastError: null, nextAttemptAt: now, createdAt: now, updatedAt: now, deliveredAt: null,
      };
      await this.options.store.create(record);
      records.push(record);
      this.track(this.deliver(record, { people: false, target }));
    }
    return records;
  }

  /**
   * Records one notice to a people target unless a delivery with its id was ever recorded, and
   * starts sending it. Resolves once recorded; false when it already was (nothing is sent).
   */
  async notifyOnce(delivery: PeopleDelivery): Promise<boolean> {
    const target = this.targetNamed(delivery.target);
    if (!target?.people) throw new Error(`no people target "${delivery.target}"`);
    const record: DeliveryRecord = {
      ...delivery, status: 'pending', attempts: 0, lastStatusCode: null, lastError: null, nextAttemptAt: delivery.createdAt, updatedAt: delivery.createdAt, deliveredAt: null,
    };
    if (!await this.options.store.createOnce(record)) return false;
    this.track(this.deliver(record, target));
    return true;
  }

  /** Resumes deliveries left pending by a previous process (their bytes were stored). */
  async resumePending(): Promise<number> {
    const pending = await this.options.store.listPending(1000);
    for (const record of pending) {
      const target = this.targetNamed(record.target);
      if (!target) {
        await this.options.store.update(record.id, { ...progress(record), status: 'failed', lastError: `webhook "${record.target}" is no longer configured`, nextAttemptAt: null, updatedAt: this.options.clock().toISOString() });
        continue;
      }
      this.track(this.deliver(record, target));
    }
    return pending.length;
  }

  /** Resolves when no delivery is in flight (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Stops waiting between retries (pending deliveries stay pending and resume on next start). */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private targetNamed(name: string): AnyTarget | null {
    const outbound = this.options.targets.find((candidate) => candidate.name === name);
    if (outbound) return { people: false, target: outbound };
    const people = this.options.peopleTargets?.find((candidate) => candidate.name === name);
    return people ? { people: true, target: people } : null;
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.catch((err: unknown) => {
      this.options.logger.error({ err: { message: (err as Error)?.message } }, 'outbound delivery bookkeeping failed');
    }).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async deliver(record: DeliveryRecord, receiver: AnyTarget): Promise<void> {
    const client = this.clientFor(receiver.target);
    const log = { target: receiver.target.name, incidentId: record.incidentId, deliveryId: record.id };
    let state = progress(record);
    // Store writes in issue order: an attempt's record never lands after the final outcome.
    let writes = Promise.resolve();
    const save = (update: DeliveryUpdate): Promise<void> => {
      state = update;
      writes = writes.then(() => this.options.store.update(record.id, update));
      return writes;
    };
    let circuitWaits = 0;
    while (!this.stopping.signal.aborted) {
      const before = state.attempts;
      let sent = 0;
      let lastFailure: { statusCode: number | null; error: string } | null = null;
      try {
        const statusCode = await client.call(async (signal) => {
          sent += 1;
          if (sent > 1) {
            // The previous attempt failed; record it before sending again.
            const now = this.options.clock().toISOString();
            await save({
              ...state, status: 'pending', attempts: before + sent - 1, lastStatusCode: lastFailure?.statusCode ?? null,
              lastError: lastFailure?.error ?? 'no answer within the timeout', nextAttemptAt: now, updatedAt: now, deliveredAt: null,
            });
            if (signal.aborted) throw signal.reason;
          }
          const outcome = await this.post(record, receiver, signal, before + sent > 1);
          if (outcome.ok) return outcome.statusCode;
          lastFailure = { statusCode: outcome.statusCode, error: signal.aborted ? reasonText(signal.reason) : outcome.error };
          if (outcome.cause !== undefined) throw outcome.cause; // network error: judged by the client
          if (!outcome.retryable) throw new DeliveryRefused(outcome.error, outcome.statusCode);
          throw new RetryableError(outcome.error, outcome.statusCode, outcome.retryAfterMs);
        }, { idempotent: true, signal: this.stopping.signal, retries: Math.max(0, this.options.maxAttempts - before - 1) });
        const now = this.options.clock().toISOString();
        await save({ ...state, status: 'delivered', attempts: before + sent, lastStatusCode: statusCode, lastError: null, nextAttemptAt: null, updatedAt: now, deliveredAt: now });
        this.options.logger.info({ ...log, attempts: before + sent }, 'outbound notification delivered');
        return;
      } catch (err) {
        const now = this.options.clock();
        const failure = describeFailure(err, lastFailure);
        if (err instanceof OutboundError && err.kind === 'aborted') {
          // Shutting down: stays pending, resumed on next start.
          await save({ ...state, status: 'pending', attempts: before + sent, ...failure, nextAttemptAt: now.toISOString(), updatedAt: now.toISOString(), deliveredAt: null });
          return;
        }
        const used = before + sent;
        const openMs = client.openRemainingMs;
        if (err instanceof OutboundError && openMs !== null && circuitWaits < this.options.maxAttempts
          && (err.kind === 'circuit_open' || used < this.options.maxAttempts)) {
          // The receiver's circuit is open (now, or it opened during these attempts): wait, pending,
          // until it lets a trial call through, then go on with the attempts left.
          circuitWaits += 1;
          const wait = Math.max(250, openMs);
          await save({
            ...state, status: 'pending', attempts: used, ...(err.kind === 'circuit_open' ? { lastError: err.message } : failure),
            nextAttemptAt: new Date(now.getTime() + wait).toISOString(), updatedAt: now.toISOString(), deliveredAt: null,
          });
          try {
            await this.sleep(wait, this.stopping.signal);
          } catch {
            return; // shutting down: stays pending, resumed on next start
          }
          continue;
        }
        await save({ ...state, status: 'failed', attempts: before + sent, ...failure, nextAttemptAt: null, updatedAt: now.toISOString(), deliveredAt: null });
        this.options.logger.warn({ ...log, attempts: before + sent, error: failure.lastError }, 'outbound notification failed');
        return;
      }
    }
  }

  /** The headers of one attempt: Slack takes plain JSON; webhooks are signed. */
  private headersFor(record: DeliveryRecord, receiver: AnyTarget): Record<string, string> {
    if (receiver.people && receiver.target.type === 'slack') return { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'Debrief-Webhook/1' };
    const signature = receiver.people ? signBodyWithEach(receiver.target.secrets, record.body) : signBody(receiver.target.secret, record.body);
    return {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Debrief-Webhook/1',
      [SIGNATURE_HEADER]: signature,
      [TIMESTAMP_HEADER]: String(Math.floor(Date.parse(record.createdAt) / 1000)),
      [DELIVERY_HEADER]: record.id,
      [EVENT_HEADER]: record.event,
    };
  }

  /** One POST; never throws (a network error is returned as `cause`). */
  private async post(record: DeliveryRecord, receiver: AnyTarget, signal: AbortSignal, again: boolean): Promise<AttemptOutcome> {
    if (receiver.people && receiver.target.type === 'slack-bot') return this.postToSlack(record, signal, again);
    try {
      const res = await this.http.post(receiver.target.url ?? '', record.body, {
        headers: this.headersFor(record, receiver),
        signal,
        responseType: 'text',
        transformRequest: [(data: unknown) => data],
      });
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      // Slack names the problem in a short plain-text body (`invalid_payload`, `no_service`, ...).
      const slackSays = receiver.people && receiver.target.type === 'slack' ? slackError(res.data) : '';
      return { ok: false, retryable, statusCode: res.status, error: `HTTP ${res.status}${slackSays}`, retryAfterMs: retryAfter(res.headers['retry-after']) };
    } catch (err) {
      const networkError = err as { code?: string; message?: string };
      return { ok: false, retryable: true, statusCode: null, error: networkError.code ? `${networkError.code}: ${networkError.message ?? ''}`.trim() : (networkError.message ?? 'request failed'), retryAfterMs: null, cause: err };
    }
  }

  /**
   * One `chat.postMessage` with the bot token. Slack has no idempotency key, so an attempt after
   * one that may have reached Slack (a retry, or a delivery resumed after a restart) first looks
   * for the message carrying this delivery's id in its metadata and counts it as delivered.
   */
  private async postToSlack(record: DeliveryRecord, signal: AbortSignal, again: boolean): Promise<AttemptOutcome> {
    const slack = this.options.slack;
    if (!slack) return { ok: false, retryable: false, statusCode: null, error: 'slack.botToken is not configured', retryAfterMs: null };
    const message = JSON.parse(record.body) as { channel: string } & Record<string, unknown>;
    try {
      if (again && await this.alreadyPosted(slack, record, message.channel, signal)) return { ok: true, statusCode: 200 };
      await slack.attempt('chat.postMessage', { ...message, metadata: { event_type: SLACK_NOTICE_EVENT, event_payload: { delivery_id: record.id } } }, signal);
      return { ok: true, statusCode: 200 };
    } catch (err) {
      if (err instanceof RetryableError) return { ok: false, retryable: true, statusCode: err.status, error: err.message, retryAfterMs: err.retryAfterMs };
      if (err instanceof SlackApiError) return { ok: false, retryable: false, statusCode: 200, error: `Slack ${err.code}`, retryAfterMs: null };
      if (err instanceof SlackHttpError) return { ok: false, retryable: false, statusCode: err.status, error: err.message, retryAfterMs: null };
      const failure = err as { code?: string; message?: string };
      return { ok: false, retryable: true, statusCode: null, error: failure.code ? `${failure.code}: ${failure.message ?? ''}`.trim() : (failure.message ?? 'request failed'), retryAfterMs: null, cause: err };
    }
  }

  /**
   * True when the channel already holds the message of this delivery (found by its metadata),
   * looking from shortly before the delivery was recorded, at most `LOOKUP_PAGES` pages back.
   */
  private async alreadyPosted(slack: SlackWebApi, record: DeliveryRecord, channel: string, signal: AbortSignal): Promise<boolean> {
    const oldest = String(Math.floor(Date.parse(record.createdAt) / 1000) - 60);
    let cursor: string | undefined;
    try {
      for (let page = 0; page < LOOKUP_PAGES; page++) {
        const answer = await slack.attempt<HistoryPage>('conversations.history', { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) }, signal);
        if ((answer.messages ?? []).some((m) => m.metadata?.event_type === SLACK_NOTICE_EVENT && m.metadata.event_payload?.delivery_id === record.id)) return true;
        cursor = answer.response_metadata?.next_cursor || undefined;
        if (!cursor) return false;
      }
      return false;
    } catch (err) {
      // Without history access (scope, a channel given by name) the post goes ahead: at worst twice.
      if (err instanceof SlackApiError) return false;
      throw err;
    }
  }
}

/** Pages of channel history a retried Slack notice looks through for itself (200 messages each). */
const LOOKUP_PAGES = 5;

interface HistoryPage {
  ok: boolean;
  messages?: Array<{ metadata?: { event_type?: string; event_payload?: { delivery_id?: string } } }>;
  response_metadata?: { next_cursor?: string };
}

/** A 4xx other than 408/429: the receiver refused the notification; retrying cannot help. */
class DeliveryRefused extends Error {
  constructor(message: string, readonly statusCode: number | null) {
    super(message);
    this.name = 'DeliveryRefused';
  }
}

/** `lastStatusCode` and `lastError` of a delivery that ended without success. */
function describeFailure(err: unknown, last: { statusCode: number | null; error: string } | null): { lastStatusCode: number | null; lastError: string } {
  if (err instanceof DeliveryRefused) return { lastStatusCode: err.statusCode, lastError: err.message };
  if (err instanceof OutboundError) {
    if (err.kind === 'http') return { lastStatusCode: err.status, lastError: `HTTP ${err.status}` };
    if (err.kind === 'timeout') return { lastStatusCode: null, lastError: reasonText(err.cause) };
    if (err.kind === 'aborted' || err.kind === 'circuit_open') return { lastStatusCode: last?.statusCode ?? null, lastError: last?.error ?? err.message };
    return { lastStatusCode: null, lastError: last?.error ?? err.message };
  }
  return { lastStatusCode: last?.statusCode ?? null, lastError: err instanceof Error ? err.message : String(err) };
}

/** ` invalid_payload` from Slack's answer body; only a short token-like word, never arbitrary text. */
function slackError(data: unknown): string {
  const text = typeof data === 'string' ? data.trim() : '';
  return /^[a-z_]{1,64}$/.test(text) ? ` ${text}` : '';
}

const reasonText = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason));

type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; retryable: boolean; statusCode: number | null; error: string; retryAfterMs: number | null; cause?: unknown };

const progress = (record: DeliveryRecord): DeliveryUpdate => ({
  status: record.status, attempts: record.attempts, lastStatusCode: record.lastStatusCode, lastError: record.lastError, nextAttemptAt: record.nextAttemptAt, updatedAt: record.updatedAt, deliveredAt: record.deliveredAt,
});

/** Retry-After in seconds (the HTTP-date form is rare from webhooks and is ignored). */
function retryAfter(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? number * 1000 : null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
