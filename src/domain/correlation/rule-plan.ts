import { labelNames, type ServiceLabels } from '../service-naming';
import type { AlertObservation } from '../alert';
import type { ServiceCatalog } from '../catalog/service-catalog';
import { allMatch, SERVICE_PSEUDO_LABEL } from './matchers';
import type { CompiledRule } from './rule-config';

/**
 * What one rule looks for, for one alert: the keys it looks incidents up by, the keys the alert
 * holds once placed, and — for topology — which related service each key stands for and in which
 * direction failures would have travelled. Pure.
 *
 * Rule keys are scoped by rule name (`rule:<name>:...`): renaming a rule stops new alerts from
 * joining incidents made under the old name.
 *
 * With an optional label (`name?`) in sameLabels, an absent value is compatible with any value,
 * but the rule never links two different present values: an alert with value v links to alerts
 * with v, or to alerts without the label as long as the incident holds no other value (`any`
 * holders = `absent` + `exact` holders).
 */

/** How the matched service relates to the alert's own service. */
export type Relation =
  /** The same service (labels and group rules, topology `hops: 0`). */
  | 'same'
  /** The alert's service calls the matched one (it depends on it): the alert is a symptom of it. */
  | 'dependency'
  /** The matched service calls the alert's service: the alert may be the cause of its symptoms. */
  | 'caller'
  /** Related through more than one step (topology `hops` > 1). */
  | 'distant';

export interface RelatedService {
  service: string;
  /** In call direction: `[caller, ..., callee]`. */
  path: string[];
  hops: number;
  relation: Relation;
}

export interface RuleTarget {
  related: RelatedService | null;
  mode: 'exact' | 'with-value' | 'without-value';
  exact: string | null;
  absent: string | null;
  any: string | null;
  /** Rule-wide counts of the optional label's values in a candidate (with-value mode). */
  conflict: { any: string; absent: string; same: string } | null;
}

export interface RulePlan {
  rule: CompiledRule;
  /** Why the rule does not apply to this alert; null when it does. */
  notApplicable: string | null;
  values: Array<[string, string | null]>;
  hold: string[];
  targets: RuleTarget[];
  /** The alert's service. */
  service: string | null;
}

export function planRule(rule: CompiledRule, alert: AlertObservation, service: string | null, catalog: ServiceCatalog, serviceLabels: ServiceLabels): RulePlan {
  const out: RulePlan = { rule, notApplicable: null, values: [], hold: [], targets: [], service };
  if (!allMatch(rule.selector, alert.labels, service)) {
    out.notApplicable = `its labels do not match ${rule.selector.map((m) => m.text).join(', ')}`;
    return out;
  }
  const required: Array<string | null> = [];
  let optional: { value: string | null } | null = null;
  for (const ref of rule.same) {
    const raw = ref.name === SERVICE_PSEUDO_LABEL ? service : alert.labels[ref.name];
    const v = raw === undefined || raw === null || raw === '' ? null : raw;
    if (v === null && !ref.optional) {
      out.notApplicable = ref.name === SERVICE_PSEUDO_LABEL ? `it names no service (labels ${labelNames(serviceLabels).join(', ')})` : `it has no ${ref.name} label`;
      return out;
    }
    out.values.push([ref.name, v]);
    if (ref.optional) optional = { value: v };
    else required.push(v);
  }
  const req = JSON.stringify(required);
  // `scope`: what must be equal besides the optional label; topology keys add the service.
  let scope: string;
  let bases: Array<{ base: string; related: RelatedService | null }>;
  let own: string;
  /** More keys the alert holds besides `own` (a reference rule: the services it names). */
  let ownExtra: string[] = [];
  if (rule.kind === 'labels') {
    scope = own = `rule:${rule.name}:${req}`;
    bases = [{ base: own, related: null }];
  } else if (rule.kind === 'group') {
    if (alert.sourceGroupKey === null) {
      out.notApplicable = 'it came without a notification group key';
      return out;
    }
    scope = own = `rule:${rule.name}:${alert.instance}:${alert.sourceGroupKey}:${req}`;
    bases = [{ base: own, related: null }];
  } else if (rule.kind === 'reference') {
    if (service === null) {
      out.notApplicable = `it names no service (labels ${labelNames(serviceLabels).join(', ')})`;
      return out;
    }
    // The alert names the services it calls in a label (a mesh's `destination_service`, an
    // `upstream`): those services' alerts are its cause; alerts naming its service, its symptoms.
    scope = `rule:${rule.name}:${req}`;
    own = `${scope}:svc:${service}`;
    const referenced = [...new Set(rule.referenceLabels.map((l) => alert.labels[l]).filter((v): v is string => !!v && v !== service))].sort();
    ownExtra = referenced.map((r) => `${scope}:ref:${r}`);
    bases = [
      ...referenced.map((r) => ({ base: `${scope}:svc:${r}`, related: { service: r, path: [service, r], hops: 1, relation: 'dependency' as const } })),
      { base: `${scope}:ref:${service}`, related: { service: `alerts naming ${service}`, path: [`(caller)`, service], hops: 1, relation: 'caller' as const } },
    ];
  } else {
    if (service === null) {
      out.notApplicable = `it names no service (labels ${labelNames(serviceLabels).join(', ')})`;
      return out;
    }
    if (!catalog.has(service)) {
      out.notApplicable = `service "${service}" is not in the service catalog`;
      return out;
    }
    scope = `rule:${rule.name}:${req}`;
    own = `${scope}:${service}`;
    bases = rule.hops === 0
      ? [{ base: own, related: { service, path: [service], hops: 0, relation: 'same' } }]
      : catalog.related(service, rule.hops).map((rel) => ({
        base: `${scope}:${rel.service}`,
        related: { ...rel, relation: rel.hops > 1 ? 'distant' : rel.path[0] === service ? 'dependency' : 'caller' },
      }));
  }
  const perService = rule.kind === 'topology' || rule.kind === 'reference';
  const owned = [own, ...ownExtra];
  if (optional === null) {
    out.hold = owned;
    out.targets = bases.map(({ base, related }) => ({ related, mode: 'exact', exact: base, absent: null, any: null, conflict: null }));
  } else if (optional.value !== null) {
    const tag = `=${JSON.stringify(optional.value)}`;
    out.hold = [...owned.flatMap((o) => [`${o}|${tag}`, `${o}|*`]), ...(perService ? [`${scope}#${tag}`, `${scope}#*`] : [])];
    const conflict = perService
      ? { any: `${scope}#*`, absent: `${scope}#-`, same: `${scope}#${tag}` }
      : { any: `${own}|*`, absent: `${own}|-`, same: `${own}|${tag}` };
    out.targets = bases.map(({ base, related }) => ({ related, mode: 'with-value', exact: `${base}|${tag}`, absent: `${base}|-`, any: `${base}|*`, conflict }));
  } else {
    out.hold = [...owned.flatMap((o) => [`${o}|-`, `${o}|*`]), ...(perService ? [`${scope}#-`, `${scope}#*`] : [])];
    out.targets = bases.map(({ base, related }) => ({ related, mode: 'without-value', exact: null, absent: null, any: `${base}|*`, conflict: null }));
  }
  return out;
}

/** The activity through which a candidate satisfies a rule target, or null. */
export function matchTarget<A extends { holders: number }>(target: RuleTarget, keys: ReadonlyMap<string, A>): A | null {
  if (target.mode === 'exact') return keys.get(target.exact!) ?? null;
  if (target.mode === 'without-value') return keys.get(target.any!) ?? null;
  const exact = keys.get(target.exact!);
  if (exact) return exact;
  const absent = keys.get(target.absent!);
  if (!absent) return null;
  // Alerts without the label link only while the incident holds no other value of it
  // (every holder of the rule is either without the label or has this value).
  const c = target.conflict!;
  const holders = (k: string) => keys.get(k)?.holders ?? 0;
  return holders(c.any) > holders(c.absent) + holders(c.same) ? null : absent;
}

/** `cluster="eu1", service="api"`, or `no cluster` for an absent optional value. */
export function valuesText(values: Array<[string, string | null]>): string {
  return values.map(([n, v]) => (n === SERVICE_PSEUDO_LABEL ? `service=${JSON.stringify(v ?? '')}` : v === null ? `no ${n}` : `${n}=${JSON.stringify(v)}`)).join(', ');
}
