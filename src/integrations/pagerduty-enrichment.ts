import type { ServiceLabels } from '../domain/service-naming';
import type { Logger } from 'pino';
import { isPagerDutyId, type PagerDutyRestClient } from '../../connectors/pagerduty/pagerduty.rest';
import { changeEventToChange } from '../../connectors/pagerduty/pagerduty.normalize';
import type { PagerDutyReference } from '../../connectors/pagerduty/pagerduty.payload';
import type { Change } from '../domain/changes/change';
import { createPagerDutyRestClient } from './pagerduty-rest-client';
import type { Correlator } from '../domain/correlation/correlator';
import type { PagingEvent } from '../domain/paging-event';
import type { ChangeStore, PagingRecordResult, Store } from '../store/store';
import type { ResilientClient } from './resilient-http';

/*
 * PagerDuty enrichment: webhooks carry only what happened after the subscription was created,
 * and a delivery can be lost (PagerDuty drops a webhook after repeated failures, and disables
 * the subscription for a day after three). When a REST token is configured, every PagerDuty
 * incident is fetched through the REST API (log entries + notes, `getIncidentTimeline`) the
 * first time a webhook names it, and once more when it resolves (a final sweep for deliveries
 * missed while it was open). The events go through the same path as webhook events
 * (PagingEvent -> store), whose upsert by (instance, eventId) makes every run idempotent.
 *
 * It never blocks ingest: `notice` only queues, a bounded number of incidents are fetched at a
 * time, and a failure is logged and forgotten (the next webhook of that incident retries).
 *
 * The same change reaches Debrief twice when both channels saw it: the webhook event (id =
 * PagerDuty `event.id`) and the REST log entry (`log_entry:<id>`) or note (`note:<id>`) have
 * different ids. The store drops the second copy, whichever came first, by the identity both
 * normalizers compute (`PagingEvent.identity`, `findPagingTwin`), for every path alike:
 * webhooks, enrichment and `debrief pagerduty backfill`.
 *
 * Enrichment also reads the change events PagerDuty relates to the incident
 * (`related_change_events`) into the change store, where they are linked to incidents like any
 * other change (by the catalog service their PagerDuty service maps to, and time). An account
 * whose plan lacks that endpoint answers it with an error: the timeline is imported all the same.
 */

/** What the store did with a batch (`PagingRecordResult`, counted). */
export interface PagingRecordCounts {
  /** Newly placed events. */
  placed: number;
  /** Events already stored: nothing changed. */
  duplicates: number;
  /** REST copies of changes another channel (a webhook) had already recorded, or the reverse: skipped. */
  twins: number;
}

/** Where enriched events go; bound by the caller to the same store path webhooks use. */
export interface PagingEventSink {
  /** `store.recordPagingEvents` with the app's context; idempotent by (instance, eventId) and by change identity. */
  recordPagingEvents(events: PagingEvent[]): Promise<PagingRecordCounts>;
}

/** The REST calls enrichment makes. */
export type PagerDutyTimelineSource = Pick<PagerDutyRestClient, 'getIncidentTimeline'>;

/** Where the change events PagerDuty relates to an incident go (enrichment only). */
export interface PagerDutyChangeImport {
  source: Pick<PagerDutyRestClient, 'listIncidentRelatedChangeEvents'>;
  store: Pick<ChangeStore, 'recordChanges'>;
  /** The catalog service a PagerDuty service reference maps to, or null. */
  serviceOf: (service: PagerDutyReference) => string | null;
}

export interface EnrichResult {
  pageId: string;
  /** Related change events read (when a change import is configured), or why they could not be. */
  changes?: { fetched: number; recorded: number } | { error: string };
  /** Events the REST API returned. */
  fetched: number;
  /** Of those, REST copies of changes a webhook had already recorded (skipped by the store). */
  twins: number;
  /** Newly recorded. */
  recorded: number;
  /** Already stored (an earlier enrichment or backfill): nothing changed. */
  known: number;
}

/**
 * Fetches one PagerDuty incident's timeline and records what webhooks did not carry. Shared by
 * background enrichment and `debrief pagerduty backfill`, so both use one path.
 */
export async function importPagerDutyIncident(
  source: PagerDutyTimelineSource,
  sink: PagingEventSink,
  page: { instance: string; pageId: string },
  receivedAt: string,
  changeImport?: PagerDutyChangeImport,
): Promise<EnrichResult> {
  const { events } = await source.getIncidentTimeline(page.pageId, { instance: page.instance, receivedAt });
  const counts = events.length > 0 ? await sink.recordPagingEvents(events) : { placed: 0, duplicates: 0, twins: 0 };
  const result: EnrichResult = { pageId: page.pageId, fetched: events.length, twins: counts.twins, recorded: counts.placed, known: counts.duplicates };
  return changeImport ? { ...result, changes: await importRelatedChanges(changeImport, page) } : result;
}

/** The incident's related change events into the change store; a failure is returned, never thrown. */
async function importRelatedChanges(changeImport: PagerDutyChangeImport, page: { instance: string; pageId: string }): Promise<NonNullable<EnrichResult['changes']>> {
  try {
    const events = await changeImport.source.listIncidentRelatedChangeEvents(page.pageId);
    const changes = events.map((event) => changeEventToChange(event, { instance: page.instance }, changeImport.serviceOf)).filter((change): change is Change => change !== null);
    const stored = changes.length > 0 ? await changeImport.store.recordChanges(changes) : { added: 0, updated: 0, unchanged: 0 };
    return { fetched: events.length, recorded: stored.added + stored.updated };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export interface PagerDutyEnrichmentDeps {
  source: PagerDutyTimelineSource;
  sink: PagingEventSink;
  logger: Logger;
  /** Incidents fetched at the same time. */
  concurrency: number;
  clock?: () => Date;
  /** Pages remembered as already enriched (oldest forgotten first). Default 10 000. */
  memory?: number;
  /** Called after each attempt (metrics, tests). */
  onResult?: (result: EnrichResult | { pageId: string; error: string }) => void;
  /** Also read each incident's related change events into the change store. */
  changes?: PagerDutyChangeImport;
}

interface Job {
  instance: string;
  pageId: string;
}

/** Background enrichment with a bounded worker pool. One instance per app; no module state. */
export class PagerDutyEnrichment {
  /** `instance|pageId` of pages already enriched at first sight (insertion-ordered, bounded). */
  private readonly seen = new Map<string, true>();
  private readonly queue: Job[] = [];
  private readonly active = new Set<string>();
  /** Pages noticed again while being fetched: fetched once more afterwards. */
  private readonly again = new Map<string, Job>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: PagerDutyEnrichmentDeps) {}

  /**
   * Called with every batch of webhook paging events after they are stored, with the store's
   * result. Queues the pages seen for the first time and the pages that just resolved. Returns
   * at once.
   */
  notice(events: readonly PagingEvent[], result?: PagingRecordResult): void {
    if (this.stopped) return;
    for (const event of events) {
      const key = `${event.instance}|${event.page.id}`;
      const first = !this.seen.has(key);
      if (!first && event.kind !== 'resolved') continue;
      const placed = (result?.placed ?? [])
        .filter((placement) => placement.instance === event.instance && events.some((other) => other.eventId === placement.eventId && other.page.id === event.page.id));
      // A pure redelivery (or a change the REST API already brought) adds nothing new: leave it.
      if (result && placed.length === 0) continue;
      this.remember(key);
      if (!isPagerDutyId(event.page.id)) {
        // The signed body named an id PagerDuty never issues (`..`): no REST path is built from it.
        this.deps.logger.warn({ instance: event.instance, pageId: event.page.id.slice(0, 80) }, 'PagerDuty incident id is not a PagerDuty id; not fetched from the REST API');
        continue;
      }
      this.enqueue({ instance: event.instance, pageId: event.page.id });
    }
  }

  /** Resolves once nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops taking work, drops the queue, and waits for running fetches. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.again.clear();
    await this.idle();
  }

  private remember(key: string): void {
    this.seen.delete(key);
    this.seen.set(key, true);
    const cap = this.deps.memory ?? 10_000;
    while (this.seen.size > cap) this.seen.delete(this.seen.keys().next().value!);
  }

  private enqueue(job: Job): void {
    const key = `${job.instance}|${job.pageId}`;
    if (this.active.has(key)) {
      this.again.set(key, job);
      return;
    }
    if (this.queue.some((queued) => queued.instance === job.instance && queued.pageId === job.pageId)) return;
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.deps.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const key = `${job.instance}|${job.pageId}`;
      this.active.add(key);
      const run = this.run(job).finally(() => {
        this.active.delete(key);
        this.inFlight.delete(run);
        const again = this.again.get(key);
        if (again) {
          this.again.delete(key);
          this.enqueue(again);
        }
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async run(job: Job): Promise<void> {
    const { logger } = this.deps;
    const receivedAt = (this.deps.clock?.() ?? new Date()).toISOString();
    try {
      const result = await importPagerDutyIncident(this.deps.source, this.deps.sink, job, receivedAt, this.deps.changes);
      logger.debug({ ...result, instance: job.instance }, 'PagerDuty incident enriched');
      if (result.changes && 'error' in result.changes) {
        logger.warn({ instance: job.instance, pageId: job.pageId, error: result.changes.error }, 'PagerDuty related change events could not be read; the timeline was enriched without them');
      }
      this.deps.onResult?.(result);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      // Forget it, so the incident's next webhook tries again.
      this.seen.delete(`${job.instance}|${job.pageId}`);
      logger.warn({ instance: job.instance, pageId: job.pageId, error }, 'PagerDuty enrichment failed; will retry on the next webhook of this incident');
      this.deps.onResult?.({ pageId: job.pageId, error });
    }
  }
}

// --- wiring --------------------------------------------------------------------------------

export interface PagerDutyIntegration {
  /** Null without `pagerduty.restToken`. */
  client: PagerDutyRestClient | null;
  /** The store path for paging events, with the app's correlator (webhooks use the same). */
  sink: PagingEventSink;
  /** Null without `pagerduty.restToken`. */
  enrichment: PagerDutyEnrichment | null;
}

export interface PagerDutyIntegrationDeps {
  settings: { restToken?: string | undefined; apiBaseUrl: string; enrichmentConcurrency: number; timeoutMs?: number };
  /** The app's `pagerduty` resilient client (timeouts, retries, circuit, metrics); the REST client builds its own without it. */
  http?: ResilientClient;
  store: Pick<Store, 'recordPagingEvents' | 'getIncident' | 'recordChanges'>;
  /** The catalog service a PagerDuty service maps to (`ServiceCatalog.serviceForPagerDuty`), for related change events. */
  serviceForPagerDuty?: (serviceId: string | null, serviceName: string | null) => string | null;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  logger: Logger;
  clock: () => Date;
}

/** Builds the REST client, the store sink and background enrichment from `pagerduty.*`. */
export function createPagerDutyIntegration(deps: PagerDutyIntegrationDeps): PagerDutyIntegration {
  const { store, correlator, serviceLabels, clock } = deps;
  const sink: PagingEventSink = {
    async recordPagingEvents(events) {
      const result = await store.recordPagingEvents(events, { correlator, serviceLabels, now: clock().toISOString(), inboxId: null });
      return { placed: result.placed.length, duplicates: result.duplicates, twins: result.twins };
    },
  };
  const token = deps.settings.restToken;
  if (!token) return { client: null, sink, enrichment: null };
  const client = createPagerDutyRestClient({
    token, baseUrl: deps.settings.apiBaseUrl,
    ...(deps.settings.timeoutMs !== undefined ? { timeoutMs: deps.settings.timeoutMs } : {}),
    ...(deps.http ? { http: deps.http } : {}),
  });
  const enrichment = new PagerDutyEnrichment({
    source: client, sink, logger: deps.logger.child({ component: 'pagerduty-enrichment' }), concurrency: deps.settings.enrichmentConcurrency, clock,
    ...(deps.serviceForPagerDuty ? { changes: { source: client, store, serviceOf: pagerDutyServiceOf(deps.serviceForPagerDuty) } } : {}),
  });
  return { client, sink, enrichment };
}

/** A PagerDuty service reference to the catalog's service: by id, else by its summary (name). */
const pagerDutyServiceOf = (map: NonNullable<PagerDutyIntegrationDeps['serviceForPagerDuty']>) => (service: PagerDutyReference): string | null =>
  map(service.id ?? null, service.summary ?? null);
