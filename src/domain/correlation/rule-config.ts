import { z } from 'zod';
import { MatcherSyntaxError, parseMatcher, SERVICE_PSEUDO_LABEL, type Matcher } from './matchers';

/**
 * Correlation rules as configured (`correlation.rules`), validated here so every problem is
 * listed at start-up with its path, and compiled into the form the correlator runs.
 *
 * A rule links a new alert to an incident already holding alerts that satisfy the same rule:
 * - `labels`: equal values of `sameLabels`;
 * - `group`: the same source notification group (Alertmanager `groupKey`), plus `sameLabels`;
 * - `topology`: services related through the catalog's `dependsOn` in at most `hops` steps,
 *   plus equal `sameLabels` (e.g. the same cluster).
 * `match` (Alertmanager matchers) selects which alerts a rule applies to, on both sides: only
 * alerts matching it are linked by it. `sameLabels` entries must be present on the alert for
 * the rule to apply, except one that may be written with a trailing `?` (`cluster?`): an
 * alert without that label is compatible with any value of it, but the rule never links two
 * different values (an alert without `cluster` cannot bridge eu1 and us1). `@service` stands
 * for the service named by `impact.serviceLabels`.
 */

/** A dependency's rule may wait longer (`for:`) than its callers': callers may alert first by this much. */
export const DEFAULT_LEAD_MINUTES = 5;

const RULE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const LABEL_REF = /^(@service|[A-Za-z_][A-Za-z0-9_]*)\??$/;

const matcherString = z.string().min(1).superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof MatcherSyntaxError ? err.message : String(err) });
  }
});

const sameLabelsSchema = z.array(z.string().regex(LABEL_REF, 'a label name, `@service`, optionally ending in `?` (may be absent)'))
  .default([])
  .describe('Labels whose values must be equal; one may end in `?` (absent is compatible with any value, two values never link); `@service` is the service label.');

export const correlationRuleSchema = z.object({
  name: z.string().regex(RULE_NAME, 'lower-case letters, digits, dot, dash, underscore (shown in explanations)').describe('Rule name, shown in every decision it makes.'),
  kind: z.enum(['labels', 'group', 'topology', 'reference']).default('labels')
    .describe('`labels` (default), `group` (same Alertmanager group), `topology` (catalog dependsOn) or `reference` (a label names the service called, e.g. `upstream`).'),
  match: z.array(matcherString).default([]).describe('Alertmanager matchers selecting the alerts this rule applies to (all must match).'),
  sameLabels: sameLabelsSchema,
  windowMinutes: z.number().positive().describe('Largest gap, by event time, between the alert and the latest activity of the matching alerts in the incident.'),
  maxSpanHours: z.number().positive().optional().describe('The rule never stretches an incident beyond this span from its first alert.'),
  hops: z.number().int().min(0).max(5).optional()
    .describe('Topology only: dependsOn steps between related services (default 1); 0 links alerts of the same catalog service only (e.g. across clusters).'),
  leadMinutes: z.number().min(0).optional()
    .describe('Topology with hops 1 only: how long before its dependency\'s first alert a caller\'s alert may start and still link (a dependency\'s rule may wait longer, `for:`, than its callers\'); default 5. `windowMinutes` is how long after.'),
  referenceLabels: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name')).min(1).optional()
    .describe('Reference rules: labels whose value names a service the alert\'s service calls (e.g. `upstream`, `destination_service`).'),
  evidence: z.enum(['strong', 'moderate', 'weak']).optional()
    .describe('How strong a link by this rule is (default: strong for group, labels and same-service topology; moderate for a direct dependency; weak beyond).'),
}).strict().superRefine((rule, ctx) => {
  if (rule.kind === 'labels' && !rule.sameLabels.some((l) => !l.endsWith('?'))) {
    ctx.addIssue({ code: 'custom', path: ['sameLabels'], message: 'a labels rule needs at least one required label (without `?`) in sameLabels' });
  }
  if (rule.sameLabels.filter((l) => l.endsWith('?')).length > 1) {
    ctx.addIssue({ code: 'custom', path: ['sameLabels'], message: 'at most one label may be optional (`?`)' });
  }
  if (rule.kind !== 'topology' && rule.hops !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['hops'], message: 'hops applies to topology rules only' });
  }
  if (rule.leadMinutes !== undefined && !((rule.kind === 'topology' && (rule.hops ?? 1) === 1) || rule.kind === 'reference')) {
    ctx.addIssue({ code: 'custom', path: ['leadMinutes'], message: 'leadMinutes applies to topology rules with hops 1 and reference rules only' });
  }
  if ((rule.kind === 'reference') !== (rule.referenceLabels !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['referenceLabels'], message: rule.kind === 'reference' ? 'a reference rule needs referenceLabels' : 'referenceLabels applies to reference rules only' });
  }
  const names = rule.sameLabels.map((l) => l.replace(/\?$/, ''));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) ctx.addIssue({ code: 'custom', path: ['sameLabels'], message: `"${dup}" is listed twice` });
});

export type CorrelationRuleConfig = z.output<typeof correlationRuleSchema>;
export type CorrelationRuleInput = z.input<typeof correlationRuleSchema>;

export const correlationRulesSchema = z.array(correlationRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `rule name "${r.name}" is used twice` });
    seen.add(r.name);
  });
});

/**
 * The default rule set. Explicit links (PagerDuty, earlier human placements) always come first;
 * among rules the best-scoring link wins (ties: the earlier rule). Chosen to err on the side of
 * splitting: a wrong merge mixes two stories in one post-mortem, a wrong split only costs an SRE
 * a merge click.
 */
export function defaultCorrelationRules(groupWindowMinutes = 30): CorrelationRuleConfig[] {
  return [
    {
      // Alertmanager groups are often coarse (group_by: [cluster, namespace] or [alertname]);
      // a shared group alone is no evidence that two services fail for one reason, so the
      // group only links alerts of the same service (or alerts naming none).
      name: 'same-alertmanager-group', kind: 'group', match: [], sameLabels: [`${SERVICE_PSEUDO_LABEL}?`],
      windowMinutes: groupWindowMinutes,
    },
    {
      // Different alerts on one service in one cluster starting at about the same time.
      name: 'same-service', kind: 'labels', match: [], sameLabels: [SERVICE_PSEUDO_LABEL, 'cluster?'],
      windowMinutes: 10, maxSpanHours: 12,
    },
    {
      // A dependency failing and its callers alerting minutes later: the cascade of one outage.
      // One dependsOn step, in the direction failures travel; longer chains build step by step
      // through services that alerted themselves, never through a silent one.
      name: 'service-dependencies', kind: 'topology', match: [], sameLabels: ['cluster?'],
      windowMinutes: 15, leadMinutes: DEFAULT_LEAD_MINUTES, hops: 1, maxSpanHours: 12,
    },
    {
      // An alert that names what it calls (a mesh's destination_service, an upstream label) and
      // that service's own alerts: direct evidence, with or without a catalog, in any cluster.
      name: 'named-dependency', kind: 'reference', match: [], sameLabels: [], referenceLabels: ['upstream', 'destination_service', 'peer_service'],
      windowMinutes: 15, leadMinutes: DEFAULT_LEAD_MINUTES, maxSpanHours: 12,
    },
    {
      // One service failing in several clusters within minutes: one failure (a release, a
      // config push, a shared dependency) seen from several places; symptoms may differ per
      // cluster, so alert names need not match. Exporters never name a service here
      // (service-naming.ts), so a fleet of node-exporter alerts is no one service.
      name: 'same-service-any-cluster', kind: 'labels', match: [], sameLabels: [SERVICE_PSEUDO_LABEL],
      windowMinutes: 10, maxSpanHours: 12,
    },
  ];
}

export interface LabelRef {
  name: string;
  optional: boolean;
}

export type RuleEvidence = 'strong' | 'moderate' | 'weak';

export interface CompiledRule {
  name: string;
  kind: 'labels' | 'group' | 'topology' | 'reference';
  /** Reference rules: labels naming a called service. */
  referenceLabels: readonly string[];
  selector: Matcher[];
  same: LabelRef[];
  windowMs: number;
  /** Topology, hops 1: how long before its dependency's alerts a caller's alert may start. */
  leadMs: number;
  maxSpanMs: number | null;
  hops: number;
  windowMinutes: number;
  /** As configured; null: by what a link shows (`evidenceOf`). */
  evidence: RuleEvidence | null;
}


export function compileRule(rule: CorrelationRuleConfig): CompiledRule {
  const hops = rule.hops ?? 1;
  return {
    name: rule.name,
    kind: rule.kind,
    selector: rule.match.map(parseMatcher),
    same: rule.sameLabels.map((l) => ({ name: l.replace(/\?$/, ''), optional: l.endsWith('?') })),
    windowMs: rule.windowMinutes * 60_000,
    leadMs: (rule.leadMinutes ?? DEFAULT_LEAD_MINUTES) * 60_000,
    maxSpanMs: rule.maxSpanHours === undefined ? null : rule.maxSpanHours * 3_600_000,
    hops,
    windowMinutes: rule.windowMinutes,
    evidence: rule.evidence ?? null,
    referenceLabels: rule.referenceLabels ?? [],
  };
}

/**
 * How strong a link by `rule` is: as configured, else by what it shows — the same group, labels
 * or catalog service are strong; a direct dependency moderate; services further apart weak.
 */
export function evidenceOf(rule: Pick<CompiledRule, 'kind' | 'evidence'>, hops: number | null): RuleEvidence {
  if (rule.evidence) return rule.evidence;
  if (rule.kind !== 'topology' || !hops) return 'strong';
  return hops === 1 ? 'moderate' : 'weak';
}
