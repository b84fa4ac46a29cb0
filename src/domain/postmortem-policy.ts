import type { ImpactItem } from './impact';
import { severityRank, type Incident, type IncidentEvent } from './incident';

/**
 * Which incidents need a post-mortem (config `reports.policy`). Every condition that is set
 * must hold; an unset condition (null / false) does not restrict. With nothing set, every
 * incident needs one. People can still request a report for any incident or waive one.
 */
export interface PostmortemPolicy {
  /** Incident severity must be at least this (`SEVERITY_ORDER`); an incident without severity does not qualify. */
  minSeverity: string | null;
  /** Incident must have lasted at least this long (an ongoing one counts until now). */
  minDurationMinutes: number | null;
  /** Incident must affect a service the service catalog marks customer-facing. */
  customerFacing: boolean;
  /** Incident must have been paged through PagerDuty. */
  pagedOnly: boolean;
}

/** Facts about an incident the policy looks at, derived with `postmortemFacts`. */
export interface PostmortemFacts {
  durationMs: number;
  /** True when any affected service is customer-facing; null when no catalog says. */
  customerFacing: boolean | null;
  paged: boolean;
}

export interface PostmortemDecision {
  required: boolean;
  reason: string;
}

/**
 * Derives the policy's facts. Pure; `now` bounds the duration of an ongoing incident.
 * `customerFacing` (a service catalog lookup) wins over the impact list's flags when given.
 */
export function postmortemFacts(
  incident: Pick<Incident, 'startedAt' | 'endedAt'>,
  events: readonly Pick<IncidentEvent, 'kind'>[],
  impact: readonly Pick<ImpactItem, 'service' | 'customerFacing'>[],
  now: string,
  customerFacing: ((service: string) => boolean | null) | null = null,
): PostmortemFacts {
  const end = incident.endedAt ?? now;
  const flags = impact.map((item) => (customerFacing ? customerFacing(item.service) : item.customerFacing));
  return {
    durationMs: Math.max(0, Date.parse(end) - Date.parse(incident.startedAt)),
    customerFacing: flags.some((flag) => flag === true) ? true : flags.length > 0 && flags.every((flag) => flag === false) ? false : null,
    // PagerDuty lifecycle events are stored as `pagerduty.<kind>` incident events.
    paged: events.some((event) => event.kind.startsWith('pagerduty.')),
  };
}

/** Applies the policy. Pure; the reason names each condition met or the first one missed. */
export function needsPostmortem(
  incident: Pick<Incident, 'severity'>,
  facts: PostmortemFacts,
  policy: PostmortemPolicy,
): PostmortemDecision {
  const met: string[] = [];
  if (policy.minSeverity !== null) {
    const sev = incident.severity;
    if (!sev) return { required: false, reason: `not required: the incident has no severity (policy needs at least ${policy.minSeverity})` };
    if (severityRank(sev) > severityRank(policy.minSeverity)) {
      return { required: false, reason: `not required: severity ${sev} is below ${policy.minSeverity}` };
    }
    met.push(`severity ${sev} is at least ${policy.minSeverity}`);
  }
  if (policy.minDurationMinutes !== null) {
    const minutes = Math.floor(facts.durationMs / 60_000);
    if (facts.durationMs < policy.minDurationMinutes * 60_000) {
      return { required: false, reason: `not required: lasted ${minutes} min, less than ${policy.minDurationMinutes} min` };
    }
    met.push(`lasted ${minutes} min (at least ${policy.minDurationMinutes} min)`);
  }
  if (policy.customerFacing) {
    if (facts.customerFacing === null) return { required: false, reason: 'not required: no service catalog says whether an affected service is customer-facing' };
    if (!facts.customerFacing) return { required: false, reason: 'not required: no customer-facing service was affected' };
    met.push('a customer-facing service was affected');
  }
  if (policy.pagedOnly) {
    if (!facts.paged) return { required: false, reason: 'not required: nobody was paged through PagerDuty' };
    met.push('paged through PagerDuty');
  }
  if (met.length === 0) return { required: true, reason: 'required: the policy asks for a post-mortem of every incident' };
  return { required: true, reason: `required: ${met.join('; ')}` };
}
