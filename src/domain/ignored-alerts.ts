import type { AlertObservation } from './alert';
import { allMatch, parseMatcher, type Matcher } from './correlation/matchers';
import { serviceOf, type ServiceLabels } from './service-naming';

/**
 * Alerts that are not about an outage and so never become incidents: heartbeats that fire
 * forever on purpose (Prometheus' `Watchdog`, `DeadMansSwitch`), informational ones
 * (`InfoInhibitor`), and whatever the `ignore.matchers` configuration names. A heartbeat that
 * has fired for years is a working pipeline, not an open incident needing a post-mortem.
 * Their webhooks are still stored; only processing leaves them out, and says so. Pure.
 */
export interface IgnorePolicy {
  /** Alert names ignored as heartbeats or informational alerts. */
  alertnames: ReadonlySet<string>;
  /** Each entry a set of matchers that must all match (Alertmanager syntax, `@service` allowed). */
  matchers: ReadonlyArray<readonly Matcher[]>;
}

export const DEFAULT_IGNORED_ALERTNAMES = ['Watchdog', 'InfoInhibitor', 'DeadMansSwitch'] as const;

/** Why an alert was left out: a configured alert name (`heartbeat`) or a configured matcher set (`matcher`). */
export type IgnoreReason = 'heartbeat' | 'matcher';

export interface IgnoredAlert {
  alertname: string;
  reason: IgnoreReason;
}

/** The policy from configuration values (already validated: matchers parse). */
export function ignorePolicyOf(config: { alertnames: readonly string[]; matchers: ReadonlyArray<readonly string[]> }): IgnorePolicy {
  return { alertnames: new Set(config.alertnames), matchers: config.matchers.map((set) => set.map(parseMatcher)) };
}

export function ignoreReasonOf(observation: Pick<AlertObservation, 'labels'>, policy: IgnorePolicy, serviceLabels: ServiceLabels): IgnoreReason | null {
  if (policy.alertnames.has(observation.labels.alertname ?? '')) return 'heartbeat';
  if (policy.matchers.length === 0) return null;
  const service = serviceOf(observation.labels, serviceLabels);
  return policy.matchers.some((set) => allMatch(set, observation.labels, service)) ? 'matcher' : null;
}

/** Splits observations into those processed and those left out. */
export function partitionIgnored<T extends Pick<AlertObservation, 'labels'>>(
  observations: readonly T[], policy: IgnorePolicy, serviceLabels: ServiceLabels,
): { kept: T[]; ignored: IgnoredAlert[] } {
  const kept: T[] = [];
  const ignored: IgnoredAlert[] = [];
  for (const observation of observations) {
    const reason = ignoreReasonOf(observation, policy, serviceLabels);
    if (reason === null) kept.push(observation);
    else ignored.push({ alertname: observation.labels.alertname ?? '', reason });
  }
  return { kept, ignored };
}

/** The inbox entry's explanation, e.g. `2 alerts not made incidents: Watchdog (heartbeat), TestAlert (ignore matcher)`. */
export function describeIgnored(ignored: readonly IgnoredAlert[]): string {
  const names = new Map<string, number>();
  for (const { alertname, reason } of ignored) {
    const key = `${alertname || '(no alertname)'} (${reason === 'heartbeat' ? 'heartbeat or informational alert' : 'ignore matcher'})`;
    names.set(key, (names.get(key) ?? 0) + 1);
  }
  const listed = [...names].map(([key, count]) => (count > 1 ? `${key} x${count}` : key)).join(', ');
  return `${ignored.length} ${ignored.length === 1 ? 'alert' : 'alerts'} not made incidents (ignore configuration): ${listed}`;
}
