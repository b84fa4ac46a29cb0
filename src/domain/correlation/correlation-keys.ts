import { createHash } from 'node:crypto';
import type { AlertObservation } from '../alert';
import type { PagingEvent } from '../paging-event';

/**
 * Correlation keys: opaque strings an incident "holds" because of its alerts and pages, with
 * the span of event times they were active. Placing an alert or a page is an indexed lookup of
 * the keys it could link through, never a scan of open incidents.
 *
 * Explicit links (checked before any rule):
 * - `page:<instance>:<page id>` — held by an incident once a paging event of that page (a
 *   PagerDuty incident) is in it; every later event of the page follows it.
 * - `pdkey:<sha256 hex>` — held by alerts that have an Alertmanager group key:
 *   sha256_hex(groupKey) is the `dedup_key` Alertmanager's PagerDuty notifier sends
 *   (notify/util.go `Key.Hash`), so a page with that incident key belongs with those alerts.
 * - `pagekey:<incident key>` — held by pages; alerts look it up with their own `pdkey` hash.
 *   Kept apart from `pdkey:` so that alerts of one group are linked to each other by the
 *   group rule (with its window), not by an explicit link no page has made.
 * - `pagesvc:<catalog service>` / `svc:<catalog service>` — a page whose PagerDuty service the
 *   catalog maps to a service, and alerts naming that service (`pagerdutyServices`).
 * - `hfp:<instance>:<fingerprint>` — an alert a person placed; its later firings follow it.
 *
 * Ongoing outages (`ongoing-outage.ts`), per service and cluster (`<service>@<cluster>`, the
 * cluster empty for alerts without one):
 * - `outage:svc:<service>@<cluster>` — held by every alert in its incident's core naming a
 *   service: which services an incident is about (fetched only for incidents a lookup found).
 *
 * Alerts that joined by a dependency or by weak evidence hold no `outage:` key (`outageHold`).
 * - `outage:crit:<service>@<cluster>` — held by critical alerts in the core; unlike every other alert key its
 *   activity spans their *firing*, from the first onset to the latest end, open while any fires.
 * - `outage:page:<service>@<cluster>` — held by the pages of an incident, one per
 *   `outage:svc:` key the incident holds: open while any of its pages is unresolved.
 *
 * Rule keys are scoped by rule name (`rule:<name>:...`), see `correlator.ts`.
 */

/**
 * SHA-256 in hex, remembered for the most recent inputs: every alert of a group hashes the same
 * group key (twice per placement), and a storm places thousands of them a second.
 */
export function sha256Hex(s: string): string {
  let hex = recentHashes.get(s);
  if (hex === undefined) {
    hex = createHash('sha256').update(s, 'utf8').digest('hex');
    // Group keys are few at any time; forgetting them all now and then keeps memory bounded.
    if (recentHashes.size >= RECENT_HASHES) recentHashes.clear();
    recentHashes.set(s, hex);
  }
  return hex;
}
const RECENT_HASHES = 4096;
const recentHashes = new Map<string, string>();

export const pageKey = (instance: string, pageId: string): string => `page:${instance}:${pageId}`;
export const alertDedupKey = (groupKey: string): string => `pdkey:${sha256Hex(groupKey)}`;
export const pageIncidentKey = (incidentKey: string): string => `pagekey:${incidentKey.toLowerCase()}`;
export const pageServiceKey = (service: string): string => `pagesvc:${service}`;
/** The catalog service a page maps to, read back from the keys it holds (`pagesvc:`); null when none. */
export const pageServiceOf = (hold: readonly string[]): string | null => hold.find((k) => k.startsWith('pagesvc:'))?.slice('pagesvc:'.length) ?? null;
export const alertServiceKey = (service: string): string => `svc:${service}`;
export const humanPlacementKey = (a: Pick<AlertObservation, 'instance' | 'fingerprint'>): string => `hfp:${a.instance}:${a.fingerprint}`;

const OUTAGE_SERVICE = 'outage:svc:';
const OUTAGE_CRITICAL = 'outage:crit:';
const OUTAGE_PAGE = 'outage:page:';
const serviceScope = (service: string, cluster: string | null): string => `${service}@${cluster ?? ''}`;
export const outageServiceKey = (service: string, cluster: string | null): string => `${OUTAGE_SERVICE}${serviceScope(service, cluster)}`;
export const outageCriticalKey = (service: string, cluster: string | null): string => `${OUTAGE_CRITICAL}${serviceScope(service, cluster)}`;
export const outagePageKey = (service: string, cluster: string | null): string => `${OUTAGE_PAGE}${serviceScope(service, cluster)}`;
/** Any ongoing-outage key (`outage:`): held only by alerts in their incident's core (`outageHold`). */
export const isOutageKey = (key: string): boolean => key.startsWith('outage:');
export const isOutageServiceKey = (key: string): boolean => key.startsWith(OUTAGE_SERVICE);
export const isOutagePageKey = (key: string): boolean => key.startsWith(OUTAGE_PAGE);
/** Keys whose activity spans their holders' firing, not only their onsets (see `key-activity.ts`). */
export const isFiringSpanKey = (key: string): boolean => key.startsWith(OUTAGE_CRITICAL);
/** The `outage:page:` keys an incident's pages hold, given the keys its alerts hold. */
export const outagePageKeysFor = (alertKeys: Iterable<string>): string[] => {
  const out = new Set<string>();
  for (const k of alertKeys) if (isOutageServiceKey(k)) out.add(OUTAGE_PAGE + k.slice(OUTAGE_SERVICE.length));
  return [...out].sort();
};

/** The keys a paging event links through, and those its incident holds afterwards. */
export interface PagingKeys {
  /** `page:<instance>:<id>`: the page itself. */
  page: string;
  /** Keys of alerts and pages with the same dedup key (incident key), when the page has one. */
  dedup: string[];
  /** `svc:`/`pagesvc:` keys of the catalog service its PagerDuty service maps to, if any. */
  service: string[];
  /** What the incident holds once the event is placed. */
  hold: string[];
}

/**
 * Pure key scheme for paging events. `mappedService` is the catalog service the page's
 * PagerDuty service maps to (`ServiceCatalog.serviceForPagerDuty`), or null.
 * Incident keys are compared lower-case: Alertmanager sends lower-case hex.
 */
export function keysForPagingEvent(event: PagingEvent, mappedService: string | null = null): PagingKeys {
  const page = pageKey(event.instance, event.page.id);
  const incidentKey = event.page.incidentKey?.trim() ? event.page.incidentKey.trim().toLowerCase() : null;
  const dedup = incidentKey ? [`pdkey:${incidentKey}`, pageIncidentKey(incidentKey)] : [];
  const service = mappedService ? [alertServiceKey(mappedService), pageServiceKey(mappedService)] : [];
  const hold = [page, ...(incidentKey ? [pageIncidentKey(incidentKey)] : []), ...(mappedService ? [pageServiceKey(mappedService)] : [])];
  return { page, dedup, service, hold };
}
