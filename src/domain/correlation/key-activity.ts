import type { Alert, CorrelationDecision } from '../alert';
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
 */

/** How far from the incident's root an alert is in topology links (`CorrelationDecision.evidence.depth`; 0 when absent). */
export const depthOf = (decision: Pick<CorrelationDecision, 'evidence'>): number => decision.evidence?.depth ?? 0;

/** One new holder's contribution to each key it holds. */
export function holderActivity(alert: Pick<Alert, 'status' | 'startsAt' | 'decision'>): { onset: string; firing: number; depth: number } {
  return { onset: alert.startsAt, firing: alert.status === 'firing' ? 1 : 0, depth: depthOf(alert.decision) };
}

/** An alert with the correlation keys it holds. */
export interface KeyHoldingAlert {
  alert: Pick<Alert, 'status' | 'startsAt' | 'decision'>;
  keys: readonly string[];
}

/** A stored paging event with the correlation keys it holds. */
export type KeyHoldingPage = Pick<PlacedPagingEvent, 'kind' | 'occurredAt' | 'page'> & { keys: readonly string[] };

/**
 * The activity of every key an incident holds, from all its alerts and pages, in first-held
 * order. Alerts and pages never hold the same key (page keys are `page:`, `pagekey:`,
 * `pagesvc:`), so the two halves are computed apart (`alertKeyActivity`, `pageKeyActivity`).
 */
export function incidentKeyActivity(alerts: readonly KeyHoldingAlert[], pages: readonly KeyHoldingPage[]): KeyActivity[] {
  return [...alertKeyActivity(alerts), ...pageKeyActivity(pages)];
}

/** Keys held by alerts: the span of their onsets, how many still fire, the smallest depth. */
export function alertKeyActivity(alerts: readonly KeyHoldingAlert[]): KeyActivity[] {
  const activity = new Map<string, KeyActivity>();
  for (const { alert, keys } of alerts) {
    const h = holderActivity(alert);
    for (const key of keys) {
      const a = activity.get(key);
      if (!a) activity.set(key, { key, firstAt: h.onset, lastAt: h.onset, activeUntil: h.onset, firing: h.firing, holders: 1, depth: h.depth });
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

/**
 * Keys held by pages. A page counts as active (`activeUntil` null) until it is resolved:
 * PagerDuty dedups into it until then, so it speaks for its incident however long that takes.
 */
export function pageKeyActivity(pages: readonly KeyHoldingPage[]): KeyActivity[] {
  const activity = new Map<string, KeyActivity>();
  const byPage = new Map<string, KeyHoldingPage[]>();
  for (const p of pages) (byPage.get(p.page.id) ?? byPage.set(p.page.id, []).get(p.page.id)!).push(p);
  for (const list of byPage.values()) {
    list.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const first = list[0]!.occurredAt;
    const last = list.at(-1)!;
    const open = last.kind !== 'resolved' && last.page.status !== 'resolved';
    for (const key of new Set(list.flatMap((p) => p.keys))) {
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
export const isPageKey = (key: string): boolean => key.startsWith('page:') || key.startsWith('pagekey:') || key.startsWith('pagesvc:');
