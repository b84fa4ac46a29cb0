import type { Alert, CorrelationDecision } from '../alert';
import { isFiringSpanKey, isOutagePageKey, outagePageKeysFor } from './correlation-keys';
import type { KeyActivity } from './correlation-types';
import type { PlacedPagingEvent } from './page-summary';

/**
 * The activity of the correlation keys an incident holds: what correlation measures a new
 * alert against. Pure; both stores keep the result as the incident's key rows/documents, and
 * keep it up to date incrementally (a placed alert adds its onset and depth, a resolution takes
 * one from the firing count), so these from-scratch functions serve full recomputes and tests.
 *
 * Alerts count by their **onset** (`startsAt`) only: how close a new alert starts to the
 * matching alerts' onsets is the evidence, not whether they still fire. A chronic or
 * slow-to-resolve alert therefore anchors links only around its own start, never for as long as
 * it fires.
 *
 * The one exception says so in its name: a **firing-span key** (`outage:crit:`, held by critical
 * alerts, `isFiringSpanKey`) spans its holders' firing, from the first onset to the latest end
 * (`lastAt`), and is active without an end (`activeUntil` null) while any of them fires. It
 * answers "was a critical alert on this service firing when this alert started?" by event time,
 * for the ongoing-outage links (`ongoing-outage.ts`), and is never a rule's onset evidence.
 */

/** How far from the incident's root an alert is in topology links (`CorrelationDecision.evidence.depth`; 0 when absent). */
export const depthOf = (decision: Pick<CorrelationDecision, 'evidence'>): number => decision.evidence?.depth ?? 0;

/** One new holder's contribution to each key it holds. */
export function holderActivity(alert: Pick<Alert, 'status' | 'startsAt' | 'decision'>): { onset: string; firing: number; depth: number } {
  return { onset: alert.startsAt, firing: alert.status === 'firing' ? 1 : 0, depth: depthOf(alert.decision) };
}

/** An alert with the correlation keys it holds. */
export interface KeyHoldingAlert {
  alert: SpanHolder;
  keys: readonly string[];
}

/** What an alert adds to the keys it holds; its end counts for firing-span keys only. */
type SpanHolder = Pick<Alert, 'status' | 'startsAt' | 'decision'> & { endsAt?: string | null };

/** A stored paging event with the correlation keys it holds. */
export type KeyHoldingPage = Pick<PlacedPagingEvent, 'kind' | 'occurredAt' | 'page'> & { keys: readonly string[] };

/**
 * The activity of every key an incident holds, from all its alerts and pages, in first-held
 * order. Alerts and pages never hold the same key (page keys are `page:`, `pagekey:`,
 * `pagesvc:`, `outage:page:`), so the two halves are computed apart (`alertKeyActivity`,
 * `pageKeyActivity`); the pages' `outage:page:` keys follow the services the alerts name.
 */
export function incidentKeyActivity(alerts: readonly KeyHoldingAlert[], pages: readonly KeyHoldingPage[]): KeyActivity[] {
  return [...alertKeyActivity(alerts), ...pageKeyActivity(pages, alerts.flatMap((a) => a.keys))];
}

/**
 * Keys held by alerts: the span of their onsets, how many still fire, the smallest depth;
 * firing-span keys the span of their firing (`withSpanHolder`).
 */
export function alertKeyActivity(alerts: readonly KeyHoldingAlert[]): KeyActivity[] {
  const activity = new Map<string, KeyActivity>();
  for (const { alert, keys } of alerts) {
    const h = holderActivity(alert);
    for (const key of keys) {
      const a = activity.get(key);
      if (isFiringSpanKey(key)) activity.set(key, withSpanHolder(a ?? null, key, alert));
      else if (!a) activity.set(key, { key, firstAt: h.onset, lastAt: h.onset, activeUntil: h.onset, firing: h.firing, holders: 1, depth: h.depth });
      else {
        if (h.onset < a.firstAt) a.firstAt = h.onset;
        if (h.onset > a.lastAt) a.lastAt = a.activeUntil = h.onset;
        a.firing += h.firing;
        a.holders += 1;
        a.depth = Math.min(a.depth, h.depth);
      }
    }
  }
  return [...activity.values()];
}

/** The end of a holder's firing as far as it is known: its onset while it fires. */
const firingEnd = (alert: Pick<Alert, 'status' | 'startsAt'> & { endsAt?: string | null }): string =>
  alert.status === 'firing' ? alert.startsAt : later(alert.startsAt, alert.endsAt ?? alert.startsAt);

/** A firing-span key's activity with one more holder (`prior` null: its first). */
export function withSpanHolder(prior: KeyActivity | null, key: string, alert: SpanHolder): KeyActivity {
  const h = holderActivity(alert);
  const end = firingEnd(alert);
  const firing = (prior?.firing ?? 0) + h.firing;
  const lastAt = prior ? later(prior.lastAt, end) : end;
  return {
    key,
    firstAt: prior && prior.firstAt < h.onset ? prior.firstAt : h.onset,
    lastAt,
    activeUntil: firing > 0 ? null : lastAt,
    firing,
    holders: (prior?.holders ?? 0) + 1,
    depth: prior ? Math.min(prior.depth, h.depth) : h.depth,
  };
}

/**
 * A firing-span key's activity after a re-send turned holder `before` into `after`: a
 * resolution takes it off the firing count, an end extends the span. An end moved earlier is
 * left to the full recompute the incident gets then (its tally asks for one).
 */
export function spanAfterResend(prior: KeyActivity, before: Pick<Alert, 'status'>, after: Pick<Alert, 'status' | 'startsAt' | 'endsAt'>): KeyActivity {
  const firing = Math.max(0, prior.firing - (before.status === 'firing' && after.status !== 'firing' ? 1 : 0));
  const lastAt = later(prior.lastAt, firingEnd(after));
  return { ...prior, lastAt, firing, activeUntil: firing > 0 ? null : lastAt };
}

const later = (a: string, b: string): string => (b > a ? b : a);

/**
 * Keys held by pages. A page counts as active (`activeUntil` null) until it is resolved:
 * PagerDuty dedups into it until then, so it speaks for its incident however long that takes.
 * Each page of an incident also holds the `outage:page:` key of every service (and cluster) its
 * alerts name (`alertKeys`: the keys the incident's alerts hold): while one is unresolved, the
 * outage on those services is ongoing.
 */
export function pageKeyActivity(pages: readonly KeyHoldingPage[], alertKeys: Iterable<string> = []): KeyActivity[] {
  const activity = new Map<string, KeyActivity>();
  const byPage = new Map<string, KeyHoldingPage[]>();
  const outageKeys = pages.length > 0 ? outagePageKeysFor(alertKeys) : [];
  for (const p of pages) (byPage.get(p.page.id) ?? byPage.set(p.page.id, []).get(p.page.id)!).push(p);
  for (const list of byPage.values()) {
    list.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const first = list[0]!.occurredAt;
    const last = list.at(-1)!;
    const open = last.kind !== 'resolved' && last.page.status !== 'resolved';
    for (const key of new Set([...list.flatMap((p) => p.keys), ...outageKeys])) {
      const a = activity.get(key);
      const until = open ? null : last.occurredAt;
      if (!a) activity.set(key, { key, firstAt: first, lastAt: last.occurredAt, activeUntil: until, firing: open ? 1 : 0, holders: 1, depth: 0 });
      else {
        if (first < a.firstAt) a.firstAt = first;
        if (last.occurredAt > a.lastAt) a.lastAt = last.occurredAt;
        if (a.activeUntil !== null && (until === null || until > a.activeUntil)) a.activeUntil = until;
        a.firing += open ? 1 : 0;
        a.holders += 1;
      }
    }
  }
  return [...activity.values()];
}

/** True for keys that pages hold (recomputed from the incident's pages whenever a page changes). */
export const isPageKey = (key: string): boolean => key.startsWith('page:') || key.startsWith('pagekey:') || key.startsWith('pagesvc:') || isOutagePageKey(key);
