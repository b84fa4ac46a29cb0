import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';

/**
 * Realistic Alertmanager webhook bodies (version "4", as `notify/webhook` sends them) built
 * from a few alerts, so tests say only what matters to them. Shapes follow docs/payloads.md
 * §1 and the captured Alertmanager 0.25 bodies in connectors/alertmanager/fixtures.
 */

export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export interface AlertSpec {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  /** Resolution time; the alert is resolved when set (unless `status` says otherwise). */
  endsAt?: string | null;
  status?: 'firing' | 'resolved';
  generatorURL?: string;
  /** Sender fingerprint; computed like Alertmanager when omitted, left out of the body when null. */
  fingerprint?: string | null;
}

export interface BodyOptions {
  /** Labels of the route's `group_by`; default `alertname`. */
  groupBy?: string[];
  /** Route part of the group key; default `{}`. */
  route?: string;
  groupKey?: string;
  receiver?: string;
  externalURL?: string;
  truncatedAlerts?: number;
  /** Extra top-level fields (as newer senders add). */
  extra?: Record<string, unknown>;
}

export interface AlertmanagerWebhookBody {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** Labels equal in every map (Alertmanager's commonLabels/commonAnnotations). */
function common(maps: Array<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** Alertmanager's group key: `<route>:{name="value", ...}` over the group labels, sorted. */
export function groupKeyFor(groupLabels: Record<string, string>, route = '{}'): string {
  const pairs = Object.keys(groupLabels).sort().map((k) => `${k}=${JSON.stringify(groupLabels[k])}`);
  return `${route}:{${pairs.join(', ')}}`;
}

export function alertmanagerBody(alerts: AlertSpec[], options: BodyOptions = {}): AlertmanagerWebhookBody {
  const built = alerts.map((a) => {
    const status = a.status ?? (a.endsAt ? 'resolved' : 'firing');
    const alert: Record<string, unknown> = {
      status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? GO_ZERO_TIME,
      generatorURL: a.generatorURL ?? `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(a.labels.alertname ?? 'up')}&g0.tab=1`,
    };
    if (a.fingerprint !== null) alert.fingerprint = a.fingerprint ?? alertmanagerFingerprint(a.labels);
    return alert;
  });
  const groupBy = options.groupBy ?? ['alertname'];
  const commonLabels = common(alerts.map((a) => a.labels));
  const groupLabels = Object.fromEntries(groupBy.filter((k) => commonLabels[k] !== undefined).map((k) => [k, commonLabels[k]!]));
  return {
    receiver: options.receiver ?? 'debrief',
    status: built.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: built,
    groupLabels,
    commonLabels,
    commonAnnotations: common(alerts.map((a) => a.annotations ?? {})),
    externalURL: options.externalURL ?? 'http://alertmanager-0:9093',
    version: '4',
    groupKey: options.groupKey ?? groupKeyFor(groupLabels, options.route),
    truncatedAlerts: options.truncatedAlerts ?? 0,
    ...options.extra,
  };
}

/** `base` shifted by `minutes` (may be fractional or negative), as an RFC 3339 UTC string. */
export const minutesAfter = (base: string, minutes: number): string => new Date(Date.parse(base) + minutes * 60_000).toISOString();

const fixturesDir = join(__dirname, '../../connectors/alertmanager/fixtures');

/** A connector fixture body (`connectors/alertmanager/fixtures/<name>.json`), freshly parsed. */
export const readFixture = <T = AlertmanagerWebhookBody>(name: string): T =>
  JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')) as T;

export const fixturesDirectory = fixturesDir;
