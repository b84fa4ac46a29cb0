import { alertName, type Alert } from './alert';
import type { AlertFacet, IncidentEvent } from './incident';
import { facetKey, facetOf, facetsOf } from './incident-facets';
import { serviceOf, type ServiceLabels } from './service-naming';

/** One row of an incident's timeline, at the source's event time. */
export interface TimelineEntry {
  at: string;
  /** `alert.fired`, `alert.resolved`, or an incident event kind (`correlation.moved`, `pagerduty.acknowledged`, ...). */
  kind: string;
  /** Where it came from: `alert`, `pagerduty`, `correlation`, `human`, ... */
  source: string;
  text: string;
  actor: string | null;
  alertId: string | null;
  eventId: string | null;
  /** For a line that stands for repeated firings of one alert on one service: how many. */
  count?: number;
  /** A link to what the line is about (a change's deployment log or pipeline run), when there is one. */
  url?: string | null;
}

/**
 * From this many firings of one alert on one service (one facet) the timeline says it once, as a
 * person would write it ("HighErrorRate fired 1,912 times on checkout between 14:02 and 14:40"),
 * instead of a line per firing: a flapping alert or a storm would bury everything else.
 */
export const REPEATS_SUMMED_FROM = 6;

/** What the store keeps about all of an incident's alerts, when `alerts` is only a sample of them. */
export interface AlertSummary {
  facets: readonly AlertFacet[];
  /** Alerts not in the sample: when some are missing, every facet is told as a sum. */
  alertsOmitted: number;
}

/**
 * Builds the timeline from alerts and stored events. Pure and derived on every read, so
 * re-sent notifications (one alert row) can never produce duplicate entries, and SRE
 * corrections are reflected at once. Sorted by time; ties keep fired before resolved.
 * Repeated firings are summed up per facet (`REPEATS_SUMMED_FROM`); with `summary`, the sums
 * come from the store's facets, so a sample of the alerts is enough.
 */
export function buildTimeline(alerts: readonly Alert[], events: readonly IncidentEvent[], serviceLabels: ServiceLabels, summary?: AlertSummary): TimelineEntry[] {
  const facets = summary?.facets ?? facetsOf(alerts, serviceLabels);
  const sampled = (summary?.alertsOmitted ?? 0) > 0;
  const summed = new Map(facets.filter((f) => sampled || f.alerts >= REPEATS_SUMMED_FROM).map((f) => [facetKey(f.alertname, f.service), f]));
  const sourceOf = new Map<string, string>();
  const entries: TimelineEntry[] = [];
  const listed: Alert[] = [];
  for (const alert of alerts) {
    const { alertname, service } = facetOf(alert, serviceLabels);
    const key = facetKey(alertname, service);
    if (summed.has(key)) {
      if (!sourceOf.has(key)) sourceOf.set(key, alert.source);
      continue;
    }
    listed.push(alert);
  }
  const apart = tellApart(listed, serviceLabels);
  for (const alert of listed) entries.push(...firingEntries(alert, serviceLabels, apart.get(alert.id) ?? ''));
  for (const [key, facet] of summed) entries.push(...summedEntries(facet, sourceOf.get(key) ?? 'alert'));
  for (const event of events) {
    entries.push({ at: event.at, kind: event.kind, source: event.kind.split('.')[0] ?? event.kind, text: event.text, actor: event.actor, alertId: null, eventId: event.id });
  }
  const order = (kind: string) => (kind === 'alert.fired' ? 0 : kind === 'alert.resolved' ? 2 : 1);
  return entries.sort((x, y) => x.at.localeCompare(y.at) || order(x.kind) - order(y.kind) || x.text.localeCompare(y.text));
}

/** Labels people tell one alert's instances apart by, tried before any other that differs. */
const TELLING_LABELS = ['pod', 'instance', 'container', 'node', 'host'];
const tellingRank = (label: string): number => {
  const rank = TELLING_LABELS.indexOf(label);
  return rank === -1 ? TELLING_LABELS.length : rank;
};

/**
 * For alerts that would read the same ("HighErrorRate resolved on checkout" three times): the
 * label that tells them apart, as ` (pod checkout-2)`, by alert id. Alerts alone of their name
 * and service get nothing.
 */
function tellApart(alerts: readonly Alert[], serviceLabels: ServiceLabels): Map<string, string> {
  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const { alertname, service } = facetOf(alert, serviceLabels);
    const key = facetKey(alertname, service);
    groups.set(key, [...(groups.get(key) ?? []), alert]);
  }
  const out = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const names = [...new Set(group.flatMap((alert) => Object.keys(alert.labels)))].filter((name) => name !== 'alertname');
    const differing = names.filter((name) => new Set(group.map((alert) => alert.labels[name] ?? '')).size > 1);
    const label = differing.sort((x, y) => tellingRank(x) - tellingRank(y) || x.localeCompare(y))[0];
    if (!label) continue;
    for (const alert of group) {
      const value = alert.labels[label];
      if (value !== undefined && value !== '') out.set(alert.id, ` (${label} ${value})`);
    }
  }
  return out;
}

function firingEntries(alert: Alert, serviceLabels: ServiceLabels, apart: string): TimelineEntry[] {
  const service = serviceOf(alert.labels, serviceLabels);
  const where = `${service ? ` on ${service}` : ''}${apart}`;
  const summary = alert.annotations.summary ? `: ${alert.annotations.summary}` : '';
  const entries: TimelineEntry[] = [
    { at: alert.startsAt, kind: 'alert.fired', source: alert.source, text: `${alertName(alert)} fired${where}${summary}`, actor: null, alertId: alert.id, eventId: null },
  ];
  if (alert.status === 'resolved' && alert.endsAt) {
    entries.push({ at: alert.endsAt, kind: 'alert.resolved', source: alert.source, text: `${alertName(alert)} resolved${where}`, actor: null, alertId: alert.id, eventId: null });
  }
  return entries;
}

/** The one or two lines that stand for every firing of a facet. */
export function summedEntries(facet: AlertFacet, source: string): TimelineEntry[] {
  const where = facet.service ? ` on ${facet.service}` : '';
  const n = facet.alerts;
  const times = n === 1 ? 'once' : `${count(n)} times`;
  const when = n === 1 ? ` at ${clock(facet.firstAt)}` : ` between ${timeSpan(facet.firstAt, facet.lastStartAt)}`;
  const scope = facet.clusters.length > 1 ? `, in ${facet.clusters.length} clusters (${facet.clusters.join(', ')})` : '';
  const still = facet.firing > 0 ? `; ${count(facet.firing)} still firing` : '';
  const entries: TimelineEntry[] = [
    { at: facet.firstAt, kind: 'alert.fired', source, text: `${facet.alertname} fired ${times}${where}${when}${scope}${still}`, actor: null, alertId: null, eventId: null, count: n },
  ];
  if (facet.firing === 0 && facet.lastEndAt) {
    const last = n === 1 ? '' : `: the last of its ${count(n)} firings ended`;
    entries.push({ at: facet.lastEndAt, kind: 'alert.resolved', source, text: `${facet.alertname} resolved${where}${last}`, actor: null, alertId: null, eventId: null, count: n });
  }
  return entries;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `14:02 UTC` (the entry itself carries the date). */
const clock = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** `14:02 and 14:40 UTC` within a day; with dates (`2026-12-07 14:02 and 2026-12-08 09:10 UTC`) across days. */
function timeSpan(from: string, to: string): string {
  if (from.slice(0, 10) === to.slice(0, 10)) return `${from.slice(11, 16)} and ${to.slice(11, 16)} UTC`;
  return `${from.slice(0, 10)} ${from.slice(11, 16)} and ${to.slice(0, 10)} ${to.slice(11, 16)} UTC`;
}
