import type { Alert } from '../alert';
import { CORRELATION_DEFAULTS, type Correlator, type KeyActivity } from './correlator';
import type { PlacedPagingEvent } from './page-summary';

/**
 * How long the alerts and pages of an incident keep its correlation keys active. Pure; both
 * stores keep the result as the incident's key rows/documents and look candidates up by it.
 */

/** The correlator's firing horizon (ms), or the default one when the caller has no correlator (`ResolveContext`). */
export const firingHorizonMsOf = (correlator: Pick<Correlator, 'firingHorizonMs'> | undefined): number => (
  correlator?.firingHorizonMs ?? CORRELATION_DEFAULTS.firingHorizonMinutes * 60_000
);

/**
 * An alert's latest event time (`last`), and until when it keeps its keys active (`until`):
 * its end once resolved, or for a still-firing alert its start plus `firingHorizonMs`.
 */
export function alertActivity(a: Pick<Alert, 'status' | 'startsAt' | 'endsAt'>, firingHorizonMs: number): { last: string; until: string } {
  if (a.status === 'firing') return { last: a.startsAt, until: new Date(Date.parse(a.startsAt) + firingHorizonMs).toISOString() };
  const last = a.endsAt && a.endsAt > a.startsAt ? a.endsAt : a.startsAt;
  return { last, until: last };
}

/** An alert with the correlation keys it holds. */
export interface KeyHoldingAlert {
  alert: Pick<Alert, 'status' | 'startsAt' | 'endsAt'>;
  keys: readonly string[];
}

/** A stored paging event with the correlation keys it holds. */
export type KeyHoldingPage = Pick<PlacedPagingEvent, 'kind' | 'occurredAt' | 'page'> & { keys: readonly string[] };

/**
 * The activity of every key an incident holds, from all its alerts and pages, in first-held
 * order. A page counts as active (`activeUntil` null) until it is resolved: PagerDuty dedups
 * into it until then.
 */
export function incidentKeyActivity(alerts: readonly KeyHoldingAlert[], pages: readonly KeyHoldingPage[], firingHorizonMs: number): KeyActivity[] {
  const activity = new Map<string, KeyActivity>();
  const add = (key: string, firstAt: string, lastAt: string, firing: number, activeUntil: string | null) => {
    const a = activity.get(key);
    if (!a) activity.set(key, { key, firstAt, lastAt, activeUntil, firing, holders: 1 });
    else {
      if (firstAt < a.firstAt) a.firstAt = firstAt;
      if (lastAt > a.lastAt) a.lastAt = lastAt;
      if (a.activeUntil !== null && (activeUntil === null || activeUntil > a.activeUntil)) a.activeUntil = activeUntil;
      a.firing += firing;
      a.holders += 1;
    }
  };
  for (const { alert, keys } of alerts) {
    const span = alertActivity(alert, firingHorizonMs);
    for (const key of keys) add(key, alert.startsAt, span.last, alert.status === 'firing' ? 1 : 0, span.until);
  }
  const byPage = new Map<string, KeyHoldingPage[]>();
  for (const p of pages) (byPage.get(p.page.id) ?? byPage.set(p.page.id, []).get(p.page.id)!).push(p);
  for (const list of byPage.values()) {
    list.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const first = list[0]!.occurredAt;
    const last = list.at(-1)!;
    const open = last.kind !== 'resolved' && last.page.status !== 'resolved';
    for (const key of new Set(list.flatMap((p) => p.keys))) add(key, first, last.occurredAt, open ? 1 : 0, open ? null : last.occurredAt);
  }
  return [...activity.values()];
}
