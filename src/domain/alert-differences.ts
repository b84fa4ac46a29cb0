import { alertName, type Alert } from './alert';

/**
 * Telling alerts apart: the labels whose values differ between alerts that share a name in one
 * incident (three `HighErrorRate` alerts on pods a, b and c differ in `pod`), and the labels that
 * set a group of alerts apart from others (what a split took away). People see these beside the
 * alert name on the review page, in the split dialog and in a split-off incident's title. Pure.
 */

/** Labels that name where an alert fired, most telling first; any other differing label follows, by name. */
const IDENTITY_LABELS = [
  'pod', 'instance', 'container', 'node', 'cluster', 'namespace', 'deployment', 'statefulset', 'daemonset', 'job_name',
  'job', 'region', 'zone', 'device', 'mountpoint', 'endpoint', 'route', 'queue', 'topic',
];

/** Never shown as a difference: the name is shown beside them anyway. */
const IGNORED = new Set(['alertname']);

/** Label names ordered for people: the identity labels first, in their order, then the rest by name. */
export function orderLabelNames(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = IDENTITY_LABELS.indexOf(n);
    return i === -1 ? IDENTITY_LABELS.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Names of the labels whose values are not all equal among `alerts` (absent counts as a value). */
export function differingLabelNames(alerts: readonly Pick<Alert, 'labels'>[]): string[] {
  if (alerts.length < 2) return [];
  const names = new Set(alerts.flatMap((a) => Object.keys(a.labels)));
  const differing: string[] = [];
  for (const name of names) {
    if (IGNORED.has(name)) continue;
    const first = alerts[0]!.labels[name];
    if (alerts.some((a) => a.labels[name] !== first)) differing.push(name);
  }
  return orderLabelNames(differing);
}

/**
 * For each alert that shares its name with another alert of `alerts`, the labels (name and its
 * value, `""` when absent) whose values differ among the alerts of that name, most telling first,
 * at most `max`. Alerts whose name is unique get none: the name tells them apart.
 */
export function distinguishingLabels(alerts: readonly Pick<Alert, 'id' | 'labels'>[], max = 4): Map<string, Array<[string, string]>> {
  const byName = new Map<string, Array<Pick<Alert, 'id' | 'labels'>>>();
  for (const a of alerts) (byName.get(alertName(a)) ?? byName.set(alertName(a), []).get(alertName(a))!).push(a);
  const out = new Map<string, Array<[string, string]>>();
  for (const same of byName.values()) {
    const names = differingLabelNames(same).slice(0, max);
    if (names.length === 0) continue;
    for (const a of same) out.set(a.id, names.map((n) => [n, a.labels[n] ?? '']));
  }
  return out;
}

/**
 * The labels that set `apart` from `rest`: each has one value on every alert of `apart` and that
 * value on no alert of `rest`. Most telling first, at most `max`; empty when nothing sets them apart.
 */
export function labelsSettingApart(apart: readonly Pick<Alert, 'labels'>[], rest: readonly Pick<Alert, 'labels'>[], max = 2): Record<string, string> {
  if (apart.length === 0 || rest.length === 0) return {};
  const found: Array<[string, string]> = [];
  for (const name of orderLabelNames(Object.keys(apart[0]!.labels))) {
    const value = apart[0]!.labels[name]!;
    if (IGNORED.has(name) || value === '' || apart.some((a) => a.labels[name] !== value)) continue;
    if (rest.some((r) => r.labels[name] === value)) continue;
    found.push([name, value]);
    if (found.length === max) break;
  }
  return Object.fromEntries(found);
}

/** `pod=checkout-b, instance=10.0.0.7:8080`. */
export const labelsText = (labels: Record<string, string> | ReadonlyArray<readonly [string, string]>): string =>
  (Array.isArray(labels) ? labels : Object.entries(labels)).map(([k, v]) => `${k}=${v}`).join(', ');
