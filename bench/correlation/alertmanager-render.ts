import type { HistoryLine } from '../../src/cli/backtest/history-file';
import type { Rng } from './rng';

/**
 * Renders alert firings as the webhook deliveries a Prometheus Alertmanager would make,
 * following its dispatcher and notification pipeline (prometheus/alertmanager
 * `dispatch/dispatch.go` aggregation groups, `notify/notify.go` DedupStage.needsUpdate,
 * `notify/webhook` message, `types.AlertSlice` order):
 *
 * - each alert is routed (first matching child route, else the root) and put in the
 *   aggregation group of its route and `group_by` label values;
 * - a new group flushes after `group_wait`, then every `group_interval`; a flush notifies
 *   only when there is a firing alert not in the last notification, a newly resolved one
 *   (send_resolved), all alerts resolved, or `repeat_interval` has passed since the last
 *   notification. Alerts are compared by fingerprint, so a series that resolved and fired
 *   again between two flushes is not "new";
 * - every body is a snapshot of the whole group: firing alerts with the zero `endsAt`,
 *   resolved ones with their `endsAt`. Resolved alerts leave the group after the flush that
 *   saw them; an empty group is removed at the next maintenance (every 30 s);
 * - a resolved alert that fires again before the next flush replaces its earlier episode
 *   in the group, so that resolution is never sent;
 * - a small share of deliveries is duplicated by the HA peer or retried late.
 */
export interface AmRoute {
  receiver: string;
  /** Equality matchers; the root route has none. */
  matchers: Record<string, string>;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

export interface AmConfig {
  externalUrl: string;
  /** The HA peer's URL, used on duplicated deliveries. */
  peerExternalUrl: string;
  root: AmRoute;
  /** Child routes of the root, first match wins (`continue: false`). */
  routes: AmRoute[];
  sendResolved: boolean;
  /** Share of notifications delivered twice (HA peers). */
  duplicateRate: number;
  /** Share of notifications delivered 10-90 s late (a retry after a failed attempt). */
  lateRate: number;
}

export const DEFAULT_AM_CONFIG: AmConfig = {
  externalUrl: 'http://alertmanager-0.monitoring.svc:9093',
  peerExternalUrl: 'http://alertmanager-1.monitoring.svc:9093',
  root: { receiver: 'debrief', matchers: {}, groupBy: ['alertname', 'cluster'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 },
  routes: [
    { receiver: 'debrief', matchers: { severity: 'critical' }, groupBy: ['cluster', 'namespace'], groupWaitMs: 10_000, groupIntervalMs: 120_000, repeatIntervalMs: 3_600_000 },
  ],
  sendResolved: true,
  duplicateRate: 0.01,
  lateRate: 0.005,
};

export interface AmFiring {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  fingerprint: string;
  /** Epoch ms. */
  startsAt: number;
  endsAt: number;
}

export interface AmAlertJson {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AmWebhookBody {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AmAlertJson[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's RFC3339Nano: UTC, trailing fractional zeros dropped (`…:13.36Z`, `…:13Z`). */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

/** Go `%q` of an ASCII string (what `LabelSet.String()` and matchers print). */
const goQuote = (s: string): string => JSON.stringify(s);

const sortedObject = (o: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));

/** A route's key: its ancestors' matchers joined by `/`, the root being `{}`. */
export function routeKey(route: AmRoute, isRoot: boolean): string {
  const matchers = `{${Object.entries(route.matchers).map(([k, v]) => `${k}=${goQuote(v)}`).join(',')}}`;
  return isRoot ? '{}' : `{}/${matchers}`;
}

/** Alertmanager's group key: `<route key>:<group labels>`, labels sorted, `, `-separated. */
export function groupKeyOf(routeKeyText: string, groupLabels: Record<string, string>): string {
  const labels = Object.keys(groupLabels).sort().map((k) => `${k}=${goQuote(groupLabels[k]!)}`).join(', ');
  return `${routeKeyText}:{${labels}}`;
}

/** `types.AlertSlice.Less`: by `job`, then `instance`, then the whole label set. */
function alertLess(a: Record<string, string>, b: Record<string, string>): number {
  for (const key of ['job', 'instance']) {
    const av = a[key];
    const bv = b[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return labelSetBefore(a, b) ? -1 : labelSetBefore(b, a) ? 1 : 0;
}

/** prometheus/common `LabelSet.Before`. */
function labelSetBefore(a: Record<string, string>, b: Record<string, string>): boolean {
  const la = Object.keys(a).length;
  const lb = Object.keys(b).length;
  if (la !== lb) return la < lb;
  const names = [...Object.keys(a), ...Object.keys(b)].sort();
  for (const n of names) {
    const av = a[n];
    if (av === undefined) return true;
    const bv = b[n];
    if (bv === undefined) return false;
    if (av < bv) return true;
    if (av > bv) return false;
  }
  return false;
}

function commonOf(maps: Array<Record<string, string>>): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return sortedObject(out);
}

interface GroupAlert {
  firing: AmFiring;
  /** Set once the resolution reached Alertmanager. */
  resolvedAt: number | null;
}

interface NflogEntry {
  firing: Set<string>;
  resolved: Set<string>;
  at: number;
}

interface GroupEvent {
  at: number;
  kind: 'fire' | 'resolve';
  firing: AmFiring;
  seq: number;
}

export interface RenderedNotification {
  /** When Alertmanager flushed the group (epoch ms). */
  flushedAt: number;
  line: HistoryLine;
}

function routeFor(config: AmConfig, labels: Record<string, string>): { route: AmRoute; isRoot: boolean } {
  for (const route of config.routes) {
    if (Object.entries(route.matchers).every(([k, v]) => labels[k] === v)) return { route, isRoot: false };
  }
  return { route: config.root, isRoot: true };
}

/** `DedupStage.needsUpdate`. */
function needsUpdate(entry: NflogEntry | undefined, firing: Set<string>, resolved: Set<string>, now: number, route: AmRoute, sendResolved: boolean): boolean {
  if (!entry) return firing.size > 0;
  for (const fp of firing) if (!entry.firing.has(fp)) return true;
  if (firing.size === 0) return entry.firing.size > 0;
  if (sendResolved) for (const fp of resolved) if (!entry.resolved.has(fp)) return true;
  return entry.at < now - route.repeatIntervalMs;
}

/**
 * Every webhook delivery for `firings`, sorted by receive time. `rng` supplies the small
 * delays (Prometheus -> Alertmanager, network) and the duplicated/late deliveries.
 */
export function renderAlertmanager(firings: readonly AmFiring[], config: AmConfig, rng: Rng, instance = 'alertmanager'): HistoryLine[] {
  const groups = new Map<string, { route: AmRoute; groupLabels: Record<string, string>; events: GroupEvent[] }>();
  let seq = 0;
  for (const f of firings) {
    const { route, isRoot } = routeFor(config, f.labels);
    const groupLabels: Record<string, string> = {};
    for (const name of route.groupBy) if (f.labels[name] !== undefined) groupLabels[name] = f.labels[name]!;
    const key = groupKeyOf(routeKey(route, isRoot), groupLabels);
    const g = groups.get(key) ?? groups.set(key, { route, groupLabels, events: [] }).get(key)!;
    // Prometheus sends a firing alert within an evaluation of it starting, a resolved one likewise.
    g.events.push({ at: f.startsAt + rng.int(50, 3000), kind: 'fire', firing: f, seq: seq++ });
    g.events.push({ at: f.endsAt + rng.int(50, 3000), kind: 'resolve', firing: f, seq: seq++ });
  }

  const out: Array<{ receivedAt: number; seq: number; line: HistoryLine }> = [];
  const deliver = (at: number, body: AmWebhookBody) => {
    let receivedAt = at + rng.int(2, 150);
    if (rng.chance(config.lateRate)) receivedAt += rng.int(10_000, 90_000);
    out.push({ receivedAt, seq: out.length, line: { receivedAt: new Date(receivedAt).toISOString(), instance, body } });
    if (rng.chance(config.duplicateRate)) {
      const dupAt = receivedAt + rng.int(20, 2000);
      out.push({ receivedAt: dupAt, seq: out.length, line: { receivedAt: new Date(dupAt).toISOString(), instance, body: { ...body, externalURL: config.peerExternalUrl } } });
    }
  };

  const nflog = new Map<string, NflogEntry>();
  for (const key of [...groups.keys()].sort()) {
    const { route, groupLabels, events } = groups.get(key)!;
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const alerts = new Map<string, GroupAlert>();
    let active = false;
    let hasFlushed = false;
    let nextFlush = 0;
    let i = 0;
    while (i < events.length || active) {
      const nextEventAt = i < events.length ? events[i]!.at : Infinity;
      if (active && nextFlush <= nextEventAt) {
        const now = nextFlush;
        hasFlushed = true;
        const all = [...alerts.values()];
        const firing = new Set(all.filter((a) => a.resolvedAt === null).map((a) => a.firing.fingerprint));
        const resolved = new Set(all.filter((a) => a.resolvedAt !== null).map((a) => a.firing.fingerprint));
        const entry = nflog.get(key);
        if (needsUpdate(entry, firing, resolved, now, route, config.sendResolved)) {
          const sent = all.filter((a) => config.sendResolved || a.resolvedAt === null);
          deliver(now, bodyOf(key, route, groupLabels, sent, config.externalUrl));
          nflog.set(key, { firing, resolved, at: now });
        }
        for (const [fp, a] of alerts) if (a.resolvedAt !== null) alerts.delete(fp);
        if (alerts.size === 0) {
          // Removed at the next maintenance run unless an alert arrives before it.
          const removedAt = now + rng.int(0, 30_000);
          if (nextEventAt < removedAt) nextFlush = now + route.groupIntervalMs;
          else active = false;
        } else {
          nextFlush = now + route.groupIntervalMs;
        }
        continue;
      }
      const ev = events[i++]!;
      const fp = ev.firing.fingerprint;
      if (ev.kind === 'fire') {
        if (!active) {
          active = true;
          hasFlushed = false;
          nextFlush = ev.at + route.groupWaitMs;
        }
        alerts.set(fp, { firing: ev.firing, resolvedAt: null });
        if (!hasFlushed && ev.firing.startsAt + route.groupWaitMs < ev.at) nextFlush = Math.min(nextFlush, ev.at);
      } else {
        const a = alerts.get(fp);
        if (a && a.firing.startsAt === ev.firing.startsAt) a.resolvedAt = ev.at;
      }
    }
  }
  out.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
  return out.map((o) => o.line);
}

function bodyOf(groupKey: string, route: AmRoute, groupLabels: Record<string, string>, alerts: GroupAlert[], externalURL: string): AmWebhookBody {
  const sorted = [...alerts].sort((a, b) => alertLess(a.firing.labels, b.firing.labels));
  const json: AmAlertJson[] = sorted.map((a) => ({
    status: a.resolvedAt === null ? 'firing' : 'resolved',
    labels: sortedObject(a.firing.labels),
    annotations: sortedObject(a.firing.annotations),
    startsAt: goTime(a.firing.startsAt),
    endsAt: a.resolvedAt === null ? GO_ZERO_TIME : goTime(a.firing.endsAt),
    generatorURL: a.firing.generatorURL,
    fingerprint: a.firing.fingerprint,
  }));
  return {
    receiver: route.receiver,
    status: json.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: json,
    groupLabels: sortedObject(groupLabels),
    commonLabels: commonOf(json.map((a) => a.labels)),
    commonAnnotations: commonOf(json.map((a) => a.annotations)),
    externalURL,
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

/** The firings (fingerprint + startsAt, epoch ms) that reached the receiver at least once. */
export function deliveredFirings(lines: readonly HistoryLine[]): Set<string> {
  const seen = new Set<string>();
  for (const line of lines) {
    for (const a of (line.body as AmWebhookBody).alerts) seen.add(`${a.fingerprint}@${new Date(Date.parse(a.startsAt)).toISOString()}`);
  }
  return seen;
}
