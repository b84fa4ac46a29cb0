import axios, { type AxiosInstance } from 'axios';
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ReportView } from '../domain/report/report-model';
import { publicStatusEntry, type PublishedForPublic } from '../domain/status/public-status';
import type { DeliveryRecord, DeliveryStore, DeliveryUpdate } from '../store/delivery-store';

/** One configured receiver. `audience: customer` receives only what the status page shows. */
export interface OutboundTarget {
  name: string;
  url: string;
  secret: string;
  audience: 'internal' | 'customer';
}

export interface OutboundNotifierOptions {
  targets: readonly OutboundTarget[];
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
  /** Base URL of this Debrief (for links in internal notifications); optional. */
  publicUrl?: string | null;
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
export function publishedNotification(p: PublishedReport, audience: OutboundTarget['audience'], eventId: string, createdAt: string, publicUrl: string | null): Record<string, unknown> {
  const status = publicStatusEntry(p);
  const base = { event: 'report.published', eventId, createdAt, incidentId: p.incidentId, version: p.version, publishedAt: p.publishedAt, status };
  if (audience === 'customer') return base;
  const s = p.report.summary;
  return {
    ...base,
    incident: {
      title: s.title, severity: s.severity, affectedServices: s.affectedServices, startedAt: s.startedAt, endedAt: s.endedAt,
      publishedBy: p.publishedBy,
      reportUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/incidents/${encodeURIComponent(p.incidentId)}/report` : null,
    },
  };
}

/**
 * Sends signed JSON notifications when a report is published: one delivery per configured
 * target, retried with exponential backoff on network errors, timeouts, 408, 429 and 5xx;
 * other 4xx answers fail at once (retrying cannot help). Never blocks the caller: `notifyPublished`
 * records the pending deliveries and returns; attempts run in the background and every outcome
 * is stored (`DeliveryStore`), so it is visible on the report.
 */
export class OutboundNotifier {
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly http: AxiosInstance;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: OutboundNotifierOptions) {
    this.http = options.http ?? axios.create({ timeout: options.timeoutMs, validateStatus: () => true, maxRedirects: 0, transformRequest: [(d: unknown) => d] });
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
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
      this.track(this.deliver(record, target));
    }
    return records;
  }

  /** Resumes deliveries left pending by a previous process (their bytes were stored). */
  async resumePending(): Promise<number> {
    const pending = await this.options.store.listPending(1000);
    for (const record of pending) {
      const target = this.options.targets.find((t) => t.name === record.target);
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

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => {
      this.options.logger.error({ err: { message: (err as Error)?.message } }, 'outbound delivery bookkeeping failed');
    }).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async deliver(record: DeliveryRecord, target: OutboundTarget): Promise<void> {
    let state = progress(record);
    while (!this.stopping.signal.aborted) {
      const attempt = state.attempts + 1;
      const outcome = await this.attempt(record, target);
      const now = this.options.clock();
      if (outcome.ok) {
        state = { ...state, status: 'delivered', attempts: attempt, lastStatusCode: outcome.statusCode, lastError: null, nextAttemptAt: null, updatedAt: now.toISOString(), deliveredAt: now.toISOString() };
        await this.options.store.update(record.id, state);
        this.options.logger.info({ target: target.name, incidentId: record.incidentId, deliveryId: record.id, attempts: attempt }, 'outbound notification delivered');
        return;
      }
      const last = attempt >= this.options.maxAttempts || !outcome.retryable;
      const wait = last ? 0 : this.backoff(attempt, outcome.retryAfterMs);
      state = {
        ...state, status: last ? 'failed' : 'pending', attempts: attempt, lastStatusCode: outcome.statusCode, lastError: outcome.error,
        nextAttemptAt: last ? null : new Date(now.getTime() + wait).toISOString(), updatedAt: now.toISOString(), deliveredAt: null,
      };
      await this.options.store.update(record.id, state);
      if (last) {
        this.options.logger.warn({ target: target.name, incidentId: record.incidentId, deliveryId: record.id, attempts: attempt, error: outcome.error }, 'outbound notification failed');
        return;
      }
      try {
        await this.sleep(wait, this.stopping.signal);
      } catch {
        return; // shutting down: stays pending, resumed on next start
      }
    }
  }

  /** Exponential backoff with jitter (50–100 % of the step), at least what Retry-After asks, capped. */
  private backoff(attempt: number, retryAfterMs: number | null): number {
    const step = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(step * (0.5 + this.random() * 0.5));
    return Math.min(this.options.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  private async attempt(record: DeliveryRecord, target: OutboundTarget): Promise<AttemptOutcome> {
    const createdAtSeconds = Math.floor(Date.parse(record.createdAt) / 1000);
    try {
      const res = await this.http.post(target.url, record.body, {
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Debrief-Webhook/1',
          [SIGNATURE_HEADER]: signBody(target.secret, record.body),
          [TIMESTAMP_HEADER]: String(createdAtSeconds),
          [DELIVERY_HEADER]: record.id,
          [EVENT_HEADER]: record.event,
        },
        timeout: this.options.timeoutMs,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.stopping.signal]),
        responseType: 'text',
        transformRequest: [(d: unknown) => d],
      });
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, retryable, statusCode: res.status, error: `HTTP ${res.status}`, retryAfterMs: retryAfter(res.headers['retry-after']) };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { ok: false, retryable: true, statusCode: null, error: e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? 'request failed'), retryAfterMs: null };
    }
  }
}

type AttemptOutcome = { ok: true; statusCode: number } | { ok: false; retryable: boolean; statusCode: number | null; error: string; retryAfterMs: number | null };

const progress = (r: DeliveryRecord): DeliveryUpdate => ({
  status: r.status, attempts: r.attempts, lastStatusCode: r.lastStatusCode, lastError: r.lastError, nextAttemptAt: r.nextAttemptAt, updatedAt: r.updatedAt, deliveredAt: r.deliveredAt,
});

/** Retry-After in seconds (the HTTP-date form is rare from webhooks and is ignored). */
function retryAfter(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n * 1000 : null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
