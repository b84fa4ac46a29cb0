import type { PagingEvent } from './paging-event';

/*
 * One change, two channels. PagerDuty reports a change by webhook (id = `event.id`) and through
 * its REST API (`log_entry:<id>`, `note:<id>`), and the ids have nothing in common. Both
 * normalizers compute a `PagingChangeIdentity` instead, and the store skips an incoming event
 * whose twin from another channel is already stored for the same page (`recordPagingEvents`),
 * whichever channel came first. Pure.
 *
 * Whichever channel came first, the stored copy shows the webhook's time (`twinTimeToKeep`).
 *
 * Twins have the same page and kind, come from different channels, and
 * - when either carries an object id (a note: webhook `data.id`, REST note id): the same id;
 * - otherwise: times within `PAGING_TWIN_TOLERANCE_MS` (webhook `occurred_at` has milliseconds,
 *   REST `created_at` whole seconds) and the same actor when both name one (a webhook for an
 *   automated change may carry no agent where the log entry names the service).
 */

/** Webhook times have milliseconds, REST times seconds; the two clocks are PagerDuty's own. */
export const PAGING_TWIN_TOLERANCE_MS = 2_000;

/** What the store keeps of a paging event to recognise its twins. */
export interface StoredPagingChange {
  eventId: string;
  kind: string;
  occurredAt: string;
  actor: string | null;
  /** Null for events stored before identities existed: never matched. */
  channel: string | null;
  objectId: string | null;
}

/**
 * The stored event (of the same page, which the caller selects) that reports the same change as
 * `event` through another channel, or null. Of several, the closest in time, then the smallest id.
 * `taken`: stored events already claimed as the twin of another event of the same batch, so that
 * one webhook event stands for one REST event only (two escalations in one second stay two).
 */
export function findPagingTwin(event: PagingEvent, stored: readonly StoredPagingChange[], taken: ReadonlySet<string> = new Set()): StoredPagingChange | null {
  const identity = event.identity;
  if (!identity) return null;
  const at = Date.parse(event.occurredAt);
  let best: { twin: StoredPagingChange; gap: number } | null = null;
  for (const candidate of stored) {
    if (candidate.channel === null || candidate.channel === identity.channel || candidate.kind !== event.kind || candidate.eventId === event.eventId || taken.has(candidate.eventId)) continue;
    const gap = Math.abs(Date.parse(candidate.occurredAt) - at);
    if (identity.objectId !== null || candidate.objectId !== null) {
      if (identity.objectId !== candidate.objectId) continue;
    } else if (gap > PAGING_TWIN_TOLERANCE_MS || (event.actor !== null && candidate.actor !== null && event.actor !== candidate.actor)) {
      continue;
    }
    if (!best || gap < best.gap || (gap === best.gap && candidate.eventId < best.twin.eventId)) best = { twin: candidate, gap };
  }
  return best?.twin ?? null;
}

/**
 * The time the stored twin should show once `incoming` is known to report the same change, or
 * null to keep its own. The webhook's `occurred_at` has milliseconds and the REST copy's
 * `created_at` whole seconds, so whichever channel arrived first, the timeline keeps the
 * webhook's time: events within one second stay in the order they happened.
 */
export function twinTimeToKeep(incoming: PagingEvent, stored: StoredPagingChange): string | null {
  if (incoming.identity?.channel !== 'webhook' || stored.channel === 'webhook') return null;
  return incoming.occurredAt === stored.occurredAt ? null : incoming.occurredAt;
}
