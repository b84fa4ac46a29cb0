import { alertName, type AlertObservation, type CorrelationDecision } from '../alert';
import { ServiceCatalog, formatPath } from '../catalog/service-catalog';
import type { Incident } from '../incident';
import type { PagingEvent } from '../paging-event';
import { serviceOf } from '../service-of';
import {
  alertDedupKey, alertServiceKey, humanPlacementKey, keysForPagingEvent, pageIncidentKey, pageServiceKey, sha256Hex, type PagingKeys,
} from './correlation-keys';
import { allMatch, SERVICE_PSEUDO_LABEL } from './matchers';
import { compileRule, defaultCorrelationRules, type CompiledRule, type CorrelationRuleConfig } from './rule-config';

/**
 * Correlation: which incident a newly seen alert (or paging event) belongs to. Pure.
 *
 * Split in two steps so a store answers it with indexed lookups instead of scans:
 * `keysFor` names the keys the alert could link through (`lookup`) and the keys its incident
 * holds afterwards (`hold`); the store fetches the incidents holding any lookup key within
 * `lookbackMs` of the alert's start, with each key's activity span; `decide` picks one of
 * them or opens a new incident, and explains why.
 *
 * Order of precedence: explicit links (PagerDuty page dedup key, PagerDuty service mapping,
 * an earlier firing placed by a person), then the configured rules in order. The first that
 * finds an eligible incident wins; among several, the smallest gap, then the oldest incident.
 *
 * Decisions use event time only (alert `startsAt`/`endsAt`), so replaying the same history
 * gives the same incidents. An alert delivered late lands where it would have landed in order:
 * gaps are measured to the matching alerts' span on either side, and when a late alert links
 * incidents that opened after it started, they are merged (`absorb`), because in event-time
 * order they would have formed one incident.
 */
export interface Correlator {
  /** How far (ms) from a key's activity an alert may start and still link; bounds store lookups. */
  readonly lookbackMs: number;
  readonly quietPeriodMs: number;
  readonly reopenWindowMs: number;
  /** How long after its start a still-firing alert keeps its keys active (stores use it). */
  readonly firingHorizonMs: number;
  keysFor(alert: AlertObservation): AlertKeys;
  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement;
  pagingKeysFor(event: PagingEvent): PagingKeys;
  decidePaging(event: PagingEvent, candidates: IncidentCandidate[], decidedAt: string): PagingPlacement;
}

export interface AlertKeys {
  /** Keys to look candidates up by. */
  lookup: string[];
  /** Keys the alert's incident holds once it is placed. */
  hold: string[];
  /**
   * Keys fetched only for incidents the lookup found (by primary key, never a range): counts
   * that let a rule refuse to bridge two values of an optional label.
   */
  probe: string[];
}

/** When an incident's alerts holding one key were active, by event time. */
export interface KeyActivity {
  key: string;
  /** Earliest start among them. */
  firstAt: string;
  /** Latest start or end among them. */
  lastAt: string;
  /**
   * Until when they count as active: the latest end, or for an alert still firing its start
   * plus the firing horizon (so a chronic alert cannot absorb everything for days); null
   * while a page (PagerDuty incident) holding it is unresolved.
   */
  activeUntil: string | null;
  /** How many of them still fire (or pages are unresolved). */
  firing: number;
  /** How many alerts/pages of the incident hold it. */
  holders: number;
}

/** How an incident came to be. Only rule-opened incidents are merged automatically. */
export type IncidentOrigin = 'rule' | 'human' | 'paging';

/** An incident holding at least one of the alert's lookup keys within the lookback. */
export interface IncidentCandidate {
  incident: Incident;
  /** The shared keys with their activity in this incident. */
  keys: KeyActivity[];
  origin: IncidentOrigin;
  /** True once a person placed any alert in it (merge, split, move). */
  humanPlaced: boolean;
  /** Incidents a person split apart from this one: never merged with it automatically. */
  fencedWith: string[];
}

/** A later-opened incident a late alert links; merged into the chosen one. */
export interface Absorption {
  incidentId: string;
  rule: string;
  explanation: string;
}

export interface Reopening {
  /** The incident's end before this alert. */
  resolvedAt: string;
  text: string;
}

export type Placement =
  | { action: 'join'; incidentId: string; decision: CorrelationDecision; reopened: Reopening | null; absorb: Absorption[] }
  | { action: 'open'; decision: CorrelationDecision };

export type PagingPlacement =
  | { action: 'join'; incidentId: string; rule: string; explanation: string; matched: Record<string, string> }
  | { action: 'open'; rule: null; explanation: string; matched: Record<string, string> };

export interface CorrelationSettings {
  /** Ordered rules; default `defaultCorrelationRules()`. */
  rules?: readonly CorrelationRuleConfig[];
  catalog?: ServiceCatalog;
  /** Label names naming the service (`impact.serviceLabels`). */
  serviceLabels: readonly string[];
  /** A re-fire within this time after the incident's last alert ended continues it quietly. */
  quietPeriodMinutes?: number;
  /** After the quiet period, a matching alert within this window reopens the incident; later ones open a new one. */
  reopenWindowMinutes?: number;
  /** Window of explicit links: PagerDuty dedup key, earlier human placement. */
  linkWindowMinutes?: number;
  /** Window of the PagerDuty-service-to-catalog-service link; 0 turns it off. */
  pagerDutyServiceWindowMinutes?: number;
  /** A still-firing alert keeps linking others for this long after it started. */
  firingHorizonMinutes?: number;
}

export const CORRELATION_DEFAULTS = {
  quietPeriodMinutes: 5,
  reopenWindowMinutes: 30,
  linkWindowMinutes: 30,
  pagerDutyServiceWindowMinutes: 15,
  groupWindowMinutes: 30,
  firingHorizonMinutes: 60,
} as const;

/** Names of the explicit-link stages, as they appear in decisions. */
export const LINK_RULES = {
  pagerDutyDedupKey: 'pagerduty-dedup-key',
  pagerDutyService: 'pagerduty-service',
  pagerDutyIncident: 'pagerduty-incident',
  humanPlacement: 'earlier-human-placement',
  lateAlertMerge: 'late-alert-merge',
} as const;

const MINUTE = 60_000;

/** Builds the correlator for a rule set and catalog. */
export function createCorrelator(settings: CorrelationSettings): Correlator {
  return new RuleCorrelator(settings);
}

/**
 * The original single rule (same Alertmanager group within `windowMs`), kept for callers and
 * baselines that want only it.
 */
export function createGroupCorrelator(options: { windowMs: number }): Correlator {
  return createCorrelator({
    serviceLabels: ['service', 'app', 'job'],
    rules: [{ name: 'same-alertmanager-group', kind: 'group', match: [], sameLabels: [], windowMinutes: options.windowMs / MINUTE }],
  });
}

interface LinkLookup {
  key: string;
  rule: string;
  windowMs: number;
}

interface RuleLookupMeta {
  /** Topology: the related service this key stands for, and the path. */
  related?: { service: string; path: string[]; hops: number };
}

/**
 * What one rule looks for: the alert's own values (labels, group) or, for topology, one
 * related service. With an optional label (`name?`) in sameLabels, an absent value is
 * compatible with any value, but the rule never links two different present values: an
 * alert with value v links to alerts with v, or to alerts without the label as long as the
 * incident holds no other value (`any` holders = `absent` + `exact` holders).
 */
interface RuleTarget {
  meta: RuleLookupMeta;
  mode: 'exact' | 'with-value' | 'without-value';
  exact: string | null;
  absent: string | null;
  any: string | null;
  /** Rule-wide counts of the optional label's values in a candidate (with-value mode). */
  conflict: { any: string; absent: string; same: string } | null;
}

interface RulePlan {
  rule: CompiledRule;
  /** Why the rule does not apply to this alert; null when it does. */
  notApplicable: string | null;
  values: Array<[string, string | null]>;
  hold: string[];
  targets: RuleTarget[];
  /** Topology: the alert's service. */
  service: string | null;
}

interface AlertPlan {
  service: string | null;
  links: LinkLookup[];
  rules: RulePlan[];
  extraHold: string[];
}

interface Stage {
  name: string;
  hits: Hit[];
  maxSpanMs: number | null;
  windowMs: number;
  notApplicable: string | null;
  describe: (hit: Hit) => string;
  decision: (hit: Hit) => CorrelationDecision;
  /** Why nothing was found, for the "opened a new incident" explanation; null to stay silent. */
  nothing: () => string | null;
}

interface Hit {
  candidate: IncidentCandidate;
  activity: KeyActivity;
  gapMs: number;
  ok: boolean;
  /** Why not eligible. */
  miss: 'gap' | 'closed' | 'span' | null;
  /** The alert started before the matching activity (it arrived late). */
  before: boolean;
  reopened: Reopening | null;
}

class RuleCorrelator implements Correlator {
  readonly lookbackMs: number;
  readonly quietPeriodMs: number;
  readonly reopenWindowMs: number;
  readonly firingHorizonMs: number;
  private readonly rules: CompiledRule[];
  private readonly catalog: ServiceCatalog;
  private readonly serviceLabels: readonly string[];
  private readonly linkWindowMs: number;
  private readonly pdServiceWindowMs: number;

  constructor(settings: CorrelationSettings) {
    this.rules = (settings.rules ?? defaultCorrelationRules()).map(compileRule);
    this.catalog = settings.catalog ?? ServiceCatalog.empty();
    this.serviceLabels = settings.serviceLabels;
    this.quietPeriodMs = (settings.quietPeriodMinutes ?? CORRELATION_DEFAULTS.quietPeriodMinutes) * MINUTE;
    this.reopenWindowMs = (settings.reopenWindowMinutes ?? CORRELATION_DEFAULTS.reopenWindowMinutes) * MINUTE;
    this.linkWindowMs = (settings.linkWindowMinutes ?? CORRELATION_DEFAULTS.linkWindowMinutes) * MINUTE;
    this.pdServiceWindowMs = (settings.pagerDutyServiceWindowMinutes ?? CORRELATION_DEFAULTS.pagerDutyServiceWindowMinutes) * MINUTE;
    this.firingHorizonMs = (settings.firingHorizonMinutes ?? CORRELATION_DEFAULTS.firingHorizonMinutes) * MINUTE;
    this.lookbackMs = Math.max(this.linkWindowMs, this.pdServiceWindowMs, ...this.rules.map((r) => r.windowMs));
  }

  // ------------------------------------------------------------------ alerts

  keysFor(alert: AlertObservation): AlertKeys {
    const plan = this.plan(alert);
    const lookup = new Set<string>(plan.links.map((l) => l.key));
    const hold = new Set<string>(plan.extraHold);
    const probe = new Set<string>();
    for (const rp of plan.rules) {
      if (rp.notApplicable !== null) continue;
      for (const t of rp.targets) {
        for (const k of [t.exact, t.absent, t.any]) if (k) lookup.add(k);
        if (t.conflict) for (const k of [t.conflict.any, t.conflict.absent, t.conflict.same]) probe.add(k);
      }
      for (const k of rp.hold) hold.add(k);
    }
    for (const k of lookup) probe.delete(k);
    return { lookup: [...lookup], hold: [...hold], probe: [...probe] };
  }

  private plan(alert: AlertObservation): AlertPlan {
    const service = serviceOf(alert.labels, this.serviceLabels);
    const links: LinkLookup[] = [];
    const extraHold: string[] = [];
    if (alert.sourceGroupKey !== null) {
      links.push({ key: pageIncidentKey(sha256Hex(alert.sourceGroupKey)), rule: LINK_RULES.pagerDutyDedupKey, windowMs: this.linkWindowMs });
      extraHold.push(alertDedupKey(alert.sourceGroupKey));
    }
    if (service && this.pdServiceWindowMs > 0 && this.catalog.isPaged(service)) {
      links.push({ key: pageServiceKey(service), rule: LINK_RULES.pagerDutyService, windowMs: this.pdServiceWindowMs });
      extraHold.push(alertServiceKey(service));
    }
    links.push({ key: humanPlacementKey(alert), rule: LINK_RULES.humanPlacement, windowMs: this.linkWindowMs });
    return { service, links, extraHold, rules: this.rules.map((r) => this.planRule(r, alert, service)) };
  }

  private planRule(rule: CompiledRule, alert: AlertObservation, service: string | null): RulePlan {
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
        out.notApplicable = ref.name === SERVICE_PSEUDO_LABEL
          ? `it names no service (labels ${this.serviceLabels.join(', ')})`
          : `it has no ${ref.name} label`;
        return out;
      }
      out.values.push([ref.name, v]);
      if (ref.optional) optional = { value: v };
      else required.push(v);
    }
    const req = JSON.stringify(required);
    // `scope`: what must be equal besides the optional label; topology keys add the service.
    let scope: string;
    let bases: Array<{ base: string; meta: RuleLookupMeta }>;
    let own: string;
    if (rule.kind === 'labels') {
      scope = own = `rule:${rule.name}:${req}`;
      bases = [{ base: own, meta: {} }];
    } else if (rule.kind === 'group') {
      if (alert.sourceGroupKey === null) {
        out.notApplicable = 'it came without a notification group key';
        return out;
      }
      scope = own = `rule:${rule.name}:${alert.instance}:${alert.sourceGroupKey}:${req}`;
      bases = [{ base: own, meta: {} }];
    } else {
      if (service === null) {
        out.notApplicable = `it names no service (labels ${this.serviceLabels.join(', ')})`;
        return out;
      }
      if (!this.catalog.has(service)) {
        out.notApplicable = `service "${service}" is not in the service catalog`;
        return out;
      }
      scope = `rule:${rule.name}:${req}`;
      own = `${scope}:${service}`;
      bases = rule.hops === 0
        ? [{ base: own, meta: { related: { service, path: [service], hops: 0 } } }]
        : this.catalog.related(service, rule.hops).map((rel) => ({ base: `${scope}:${rel.service}`, meta: { related: rel } }));
    }
    const perService = rule.kind === 'topology';
    if (optional === null) {
      out.hold = [own];
      out.targets = bases.map(({ base, meta }) => ({ meta, mode: 'exact', exact: base, absent: null, any: null, conflict: null }));
    } else if (optional.value !== null) {
      const tag = `=${JSON.stringify(optional.value)}`;
      out.hold = [`${own}|${tag}`, `${own}|*`, ...(perService ? [`${scope}#${tag}`, `${scope}#*`] : [])];
      const conflict = perService
        ? { any: `${scope}#*`, absent: `${scope}#-`, same: `${scope}#${tag}` }
        : { any: `${own}|*`, absent: `${own}|-`, same: `${own}|${tag}` };
      out.targets = bases.map(({ base, meta }) => ({ meta, mode: 'with-value', exact: `${base}|${tag}`, absent: `${base}|-`, any: `${base}|*`, conflict }));
    } else {
      out.hold = [`${own}|-`, `${own}|*`, ...(perService ? [`${scope}#-`, `${scope}#*`] : [])];
      out.targets = bases.map(({ base, meta }) => ({ meta, mode: 'without-value', exact: null, absent: null, any: `${base}|*`, conflict: null }));
    }
    return out;
  }

  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement {
    const t = Date.parse(alert.startsAt);
    const plan = this.plan(alert);
    const byKey = indexByKey(candidates);
    const keysByIncident = new Map(candidates.map((c) => [c.incident.id, { candidate: c, keys: new Map(c.keys.map((k) => [k.key, k])) }]));
    const stages: Stage[] = [];

    // Explicit links first.
    for (const link of plan.links) {
      const hits = (byKey.get(link.key) ?? []).map((h) => this.evaluate(t, h.candidate, h.activity, link.windowMs, null));
      stages.push({
        name: link.rule, hits, maxSpanMs: null, windowMs: link.windowMs, notApplicable: null,
        describe: () => this.linkText(link, alert),
        decision: (hit) => this.linkDecision(link, alert, hit, decidedAt),
        nothing: () => null,
      });
    }
    // Then the rules, in order.
    for (const rp of plan.rules) {
      const hitsByIncident = new Map<string, Hit & { meta: RuleLookupMeta }>();
      for (const target of rp.notApplicable === null ? rp.targets : []) {
        for (const c of keysByIncident.values()) {
          const activity = matchTarget(target, c.keys);
          if (!activity) continue;
          const hit = { ...this.evaluate(t, c.candidate, activity, rp.rule.windowMs, rp.rule.maxSpanMs), meta: target.meta };
          const prior = hitsByIncident.get(c.candidate.incident.id);
          if (!prior || better(hit, prior)) hitsByIncident.set(c.candidate.incident.id, hit);
        }
      }
      stages.push({
        name: rp.rule.name, hits: [...hitsByIncident.values()], maxSpanMs: rp.rule.maxSpanMs, windowMs: rp.rule.windowMs, notApplicable: rp.notApplicable,
        describe: (hit) => this.ruleMatchText(rp, (hit as Hit & { meta: RuleLookupMeta }).meta),
        decision: (hit) => this.ruleDecision(rp, hit, (hit as Hit & { meta: RuleLookupMeta }).meta, alert.sourceGroupKey, decidedAt),
        nothing: () => this.nothingFound(rp, alert),
      });
    }

    // In event-time order the alert would have met only incidents that had begun by its start:
    // those win first (by stage order); incidents begun later are merged in (absorbed) below.
    const began = (h: Hit) => Date.parse(h.candidate.incident.startedAt) <= t;
    let winner: { hit: Hit; stage: Stage } | null = null;
    for (const pass of [began, () => true]) {
      for (const stage of stages) {
        const best = pickBest(stage.hits.filter((h) => h.ok && pass(h)));
        if (best) {
          winner = { hit: best, stage };
          break;
        }
      }
      if (winner) break;
    }

    if (!winner) {
      const misses: string[] = [];
      for (const stage of stages) {
        if (stage.notApplicable !== null) misses.push(`${stage.name}: not applicable, ${stage.notApplicable}`);
        else if (stage.hits.length > 0) misses.push(`${stage.name}: ${describeMiss(stage.hits, stage.windowMs, t)}`);
        else {
          const nothing = stage.nothing();
          if (nothing !== null) misses.push(`${stage.name}: ${nothing}`);
        }
      }
      return {
        action: 'open',
        decision: {
          kind: 'new-incident',
          rule: null,
          matched: {},
          gapMs: null,
          explanation: `Opened a new incident because no explicit link or rule found an open incident for it: ${misses.join('; ')}.`,
          decidedBy: 'debrief',
          decidedAt,
        },
      };
    }

    const target = winner.hit.candidate;
    const absorb: Absorption[] = [];
    const seen = new Set<string>([target.incident.id]);
    let spanFrom = Math.min(t, Date.parse(target.incident.startedAt));
    let spanTo = Math.max(t, incidentEnd(target.incident));
    for (const stage of stages) {
      for (const hit of [...stage.hits].sort((a, b) => a.candidate.incident.id.localeCompare(b.candidate.incident.id))) {
        const c = hit.candidate;
        const id = c.incident.id;
        if (!hit.ok || seen.has(id)) continue;
        // An incident that had begun by the alert's start is merged only when the alert overlaps
        // it (still firing there) and both began within that link's window of each other: the
        // same failure seen through two links at once (e.g. one database in two clusters).
        const bridge = began(hit);
        if (bridge && (hit.gapMs > 0 || Math.abs(Date.parse(c.incident.startedAt) - Date.parse(target.incident.startedAt)) > stage.windowMs)) continue;
        // Only what the rules made, or a page that only waits for its alerts: incidents a
        // person shaped stay as they are.
        const absorbable = !c.humanPlaced && (c.origin === 'rule' || (c.origin === 'paging' && stage.name === LINK_RULES.pagerDutyDedupKey));
        if (!absorbable) continue;
        if (c.fencedWith.includes(target.incident.id) || target.fencedWith.includes(id)) continue;
        const from = Math.min(spanFrom, Date.parse(c.incident.startedAt));
        const to = Math.max(spanTo, incidentEnd(c.incident));
        if (stage.maxSpanMs !== null && to - from > stage.maxSpanMs) continue;
        seen.add(id);
        spanFrom = from;
        spanTo = to;
        absorb.push({
          incidentId: id,
          rule: stage.name,
          explanation: `Merged incident "${c.incident.title}" into this one because ${alertName(alert)}, which started at ${alert.startsAt} but arrived after that incident opened, links both (${stage.describe(hit)}); in event-time order they would have formed one incident.`,
        });
      }
    }
    return { action: 'join', incidentId: target.incident.id, decision: winner.stage.decision(winner.hit), reopened: winner.hit.reopened, absorb };
  }

  private evaluate(t: number, candidate: IncidentCandidate, activity: KeyActivity, windowMs: number, maxSpanMs: number | null): Hit {
    const gapMs = gapToActivity(t, activity);
    const hit: Hit = { candidate, activity, gapMs, ok: false, miss: null, reopened: null, before: t < Date.parse(activity.firstAt) };
    if (gapMs > windowMs) return { ...hit, miss: 'gap' };
    const inc = candidate.incident;
    if (inc.status === 'resolved' && inc.endedAt) {
      const end = Date.parse(inc.endedAt);
      if (t > end + this.quietPeriodMs + this.reopenWindowMs) return { ...hit, miss: 'closed' };
      if (t > end + this.quietPeriodMs) {
        hit.reopened = { resolvedAt: inc.endedAt, text: `The incident had resolved ${formatGap(t - end)} earlier (at ${inc.endedAt}); this alert reopened it.` };
      }
    }
    if (maxSpanMs !== null) {
      const span = Math.max(incidentEnd(inc), t) - Math.min(Date.parse(inc.startedAt), t);
      if (span > maxSpanMs) return { ...hit, reopened: null, miss: 'span' };
    }
    return { ...hit, ok: true };
  }

  private linkText(link: LinkLookup, alert: AlertObservation): string {
    if (link.rule === LINK_RULES.pagerDutyDedupKey) return `PagerDuty dedup key ${sha256Hex(alert.sourceGroupKey ?? '').slice(0, 12)}… = SHA-256 of its Alertmanager group key`;
    if (link.rule === LINK_RULES.pagerDutyService) return 'PagerDuty service mapped to its service in the catalog';
    return `an earlier firing of ${alertName(alert)} (fingerprint ${alert.fingerprint}) placed there by a person`;
  }

  private linkDecision(link: LinkLookup, alert: AlertObservation, hit: Hit, decidedAt: string): CorrelationDecision {
    const when = relativeText(hit, 'the linked activity');
    const window = ` (window ${formatMinutes(link.windowMs)})`;
    let explanation: string;
    let matched: Record<string, string>;
    if (link.rule === LINK_RULES.pagerDutyDedupKey) {
      const hex = sha256Hex(alert.sourceGroupKey ?? '');
      matched = { dedupKey: hex, groupKey: alert.sourceGroupKey ?? '' };
      explanation = `Explicit link: a PagerDuty incident in this incident has dedup key ${hex.slice(0, 12)}…, the SHA-256 of this alert's Alertmanager group key ${alert.sourceGroupKey} (Alertmanager's PagerDuty notifier keys its pages that way); it started ${when}${window}.`;
    } else if (link.rule === LINK_RULES.pagerDutyService) {
      const service = serviceOf(alert.labels, this.serviceLabels) ?? '';
      matched = { service };
      explanation = `Explicit link: a PagerDuty incident of a PagerDuty service the catalog maps to "${service}" is in this incident; it started ${when}${window}.`;
    } else {
      matched = { fingerprint: alert.fingerprint };
      explanation = `Explicit link: an earlier firing of this alert (fingerprint ${alert.fingerprint}) was placed in this incident by a person; it started ${when}${window}.`;
    }
    if (hit.reopened) explanation += ` ${hit.reopened.text}`;
    return { kind: 'rule', rule: link.rule, matched, gapMs: hit.gapMs, explanation, decidedBy: 'debrief', decidedAt };
  }

  private ruleMatchText(rp: RulePlan, meta: RuleLookupMeta): string {
    const vals = valuesText(rp.values);
    if (rp.rule.kind === 'topology') {
      const what = meta.related?.hops === 0 ? `same catalog service ${meta.related.service}` : formatPath(meta.related?.path ?? []);
      return `rule ${rp.rule.name}: ${what}${vals ? `, same ${vals}` : ''}`;
    }
    if (rp.rule.kind === 'group') return `rule ${rp.rule.name}: same Alertmanager group${vals ? `, same ${vals}` : ''}`;
    return `rule ${rp.rule.name}: same ${vals}`;
  }

  private ruleDecision(rp: RulePlan, hit: Hit, meta: RuleLookupMeta, groupKey: string | null, decidedAt: string): CorrelationDecision {
    const rule = rp.rule;
    const matched: Record<string, string> = {};
    for (const [name, v] of rp.values) matched[name === SERVICE_PSEUDO_LABEL ? 'service' : name] = v ?? '';
    const vals = valuesText(rp.values);
    const window = `(window ${formatMinutes(rule.windowMs)})`;
    let explanation: string;
    if (rule.kind === 'group') {
      // The key embeds the group key, so the matched group is the alert's own.
      matched.groupKey = groupKey ?? '';
      explanation = `Rule "${rule.name}": same Alertmanager group ${matched.groupKey}${vals ? ` and same ${vals}` : ''} as alerts of this incident; started ${relativeText(hit, 'the latest of them')} ${window}.`;
    } else if (rule.kind === 'topology') {
      const rel = meta.related!;
      matched.service = rp.service ?? '';
      matched.relatedService = rel.service;
      matched.path = formatPath(rel.path);
      matched.hops = String(rel.hops);
      explanation = rel.hops === 0
        ? `Rule "${rule.name}": same catalog service ${rel.service}${vals ? `, same ${vals}` : ''}; it alerted in this incident and this alert started ${relativeText(hit, 'its latest alert there')} ${window}.`
        : `Rule "${rule.name}": ${formatPath(rel.path)} (catalog dependsOn, ${rel.hops} hop${rel.hops === 1 ? '' : 's'})${vals ? `, same ${vals}` : ''}; ${rel.service} alerted in this incident and this alert started ${relativeText(hit, `${rel.service}'s latest alert`)} ${window}.`;
    } else {
      explanation = `Rule "${rule.name}": same ${vals} as alerts of this incident; started ${relativeText(hit, 'the latest of them')} ${window}.`;
    }
    if (hit.reopened) explanation += ` ${hit.reopened.text}`;
    return { kind: 'rule', rule: rule.name, matched, gapMs: hit.gapMs, explanation, decidedBy: 'debrief', decidedAt };
  }

  private nothingFound(rp: RulePlan, alert: AlertObservation): string {
    const within = `within ${formatMinutes(rp.rule.windowMs)}`;
    if (rp.rule.kind === 'group') return `no incident holds alerts of its Alertmanager group (${alert.sourceGroupKey}) ${within}`;
    if (rp.rule.kind === 'topology') {
      if (rp.rule.hops === 0) return `no incident holds alerts of catalog service "${rp.service}" ${within}${rp.values.length ? ` with the same ${valuesText(rp.values)}` : ''}`;
      const related = rp.targets.map((tg) => tg.meta.related!.service);
      if (related.length === 0) return `service "${rp.service}" has no dependencies or dependents within ${rp.rule.hops} hop(s) in the catalog`;
      const shown = related.length <= 5 ? related.join(', ') : `${related.slice(0, 5).join(', ')} and ${related.length - 5} more`;
      return `no related service (${shown}) alerted ${within}${rp.values.length ? ` with the same ${valuesText(rp.values)}` : ''}`;
    }
    return `no incident with the same ${valuesText(rp.values)} ${within}`;
  }

  // ------------------------------------------------------------- paging events

  pagingKeysFor(event: PagingEvent): PagingKeys {
    const mapped = this.pdServiceWindowMs > 0 ? this.catalog.serviceForPagerDuty(event.page.serviceId, event.page.serviceName) : null;
    return keysForPagingEvent(event, mapped);
  }

  decidePaging(event: PagingEvent, candidates: IncidentCandidate[], _decidedAt: string): PagingPlacement {
    const keys = this.pagingKeysFor(event);
    const byKey = indexByKey(candidates);
    const t = Date.parse(event.occurredAt);
    const page = describePage(event);
    const same = (byKey.get(keys.page) ?? []).map((h) => h.candidate).sort((a, b) => a.incident.startedAt.localeCompare(b.incident.startedAt))[0];
    if (same) {
      return { action: 'join', incidentId: same.incident.id, rule: LINK_RULES.pagerDutyIncident, matched: { pageId: event.page.id }, explanation: `Follows ${page}, which is already in this incident.` };
    }
    const misses: string[] = [];
    const incidentKey = event.page.incidentKey?.trim().toLowerCase() ?? null;
    const dedupHits = keys.dedup.flatMap((k) => byKey.get(k) ?? []).map((h) => this.evaluate(t, h.candidate, h.activity, this.linkWindowMs, null));
    const choice = incidentKey ? this.chooseByDedupKey(event, incidentKey, dedupHits.filter((h) => h.ok)) : null;
    if (choice && incidentKey) {
      const { hit: dedup, why } = choice;
      const viaAlerts = dedup.activity.key.startsWith('pdkey:');
      return {
        action: 'join', incidentId: dedup.candidate.incident.id, rule: LINK_RULES.pagerDutyDedupKey, matched: { incidentKey },
        explanation: (viaAlerts
          ? `Explicit link: its incident key ${incidentKey.slice(0, 12)}… is the SHA-256 of the Alertmanager group key of alerts in this incident (Alertmanager's PagerDuty notifier sends it as dedup_key); ${page} came ${relativeText(dedup, 'their latest activity')}.`
          : `Explicit link: another PagerDuty incident with the same incident key ${incidentKey.slice(0, 12)}… is in this incident; ${page} came ${relativeText(dedup, 'its latest event')}.`) + why,
      };
    }
    if (incidentKey) misses.push(dedupHits.length ? describeMiss(dedupHits, this.linkWindowMs, t) : `no incident holds alerts or pages with its incident key ${incidentKey.slice(0, 12)}…`);
    else misses.push('it carries no incident key (dedup key)');
    const mapped = keys.service.length > 0 ? keys.service[0]!.slice('svc:'.length) : null;
    if (mapped) {
      const svcHits = keys.service.flatMap((k) => byKey.get(k) ?? []).map((h) => this.evaluate(t, h.candidate, h.activity, this.pdServiceWindowMs, null));
      const svc = pickBest(svcHits.filter((h) => h.ok));
      if (svc) {
        return {
          action: 'join', incidentId: svc.candidate.incident.id, rule: LINK_RULES.pagerDutyService, matched: { service: mapped, pagerDutyService: event.page.serviceName ?? event.page.serviceId ?? '' },
          explanation: `Explicit link: PagerDuty service "${event.page.serviceName ?? event.page.serviceId}" maps to catalog service "${mapped}", which is in this incident; ${page} came ${relativeText(svc, 'its latest activity')} (window ${formatMinutes(this.pdServiceWindowMs)}).`,
        };
      }
      misses.push(svcHits.length ? describeMiss(svcHits, this.pdServiceWindowMs, t) : `catalog service "${mapped}" (its PagerDuty service) has no incident within ${formatMinutes(this.pdServiceWindowMs)}`);
    } else {
      misses.push('its PagerDuty service is not mapped to a catalog service');
    }
    return { action: 'open', rule: null, matched: {}, explanation: `Opened a new incident for ${page} because ${misses.join('; ')}.` };
  }

  /**
   * Several incidents can hold one dedup key: the correlation rules split one Alertmanager group
   * (e.g. by service). The page belongs with the part it is about, so of the eligible incidents:
   * 1. the one whose services include the catalog service the page's PagerDuty service maps to
   *    (`pagerdutyServices`; used here even when the service link itself is off);
   * 2. else the one holding the most alerts of the group (the bulk of what paged);
   * 3. else the nearest, then the earliest started (`pickBest`).
   * `why` explains the choice when there was one to make (empty otherwise).
   */
  private chooseByDedupKey(event: PagingEvent, incidentKey: string, hits: Hit[]): { hit: Hit; why: string } | null {
    const perIncident = new Map<string, Hit[]>();
    for (const h of hits) (perIncident.get(h.candidate.incident.id) ?? perIncident.set(h.candidate.incident.id, []).get(h.candidate.incident.id)!).push(h);
    if (perIncident.size === 0) return null;
    const service = this.catalog.serviceForPagerDuty(event.page.serviceId, event.page.serviceName);
    const groupKey = `pdkey:${incidentKey}`;
    const options = [...perIncident.values()].map((own) => {
      const candidate = own[0]!.candidate;
      return {
        hit: pickBest(own)!,
        onService: service !== null && candidate.incident.services.includes(service),
        groupAlerts: candidate.keys.find((k) => k.key === groupKey)?.holders ?? 0,
      };
    });
    if (options.length === 1) return { hit: options[0]!.hit, why: '' };
    const onService = options.filter((o) => o.onService);
    const pool1 = onService.length > 0 ? onService : options;
    const most = Math.max(...pool1.map((o) => o.groupAlerts));
    const pool2 = pool1.filter((o) => o.groupAlerts === most);
    const chosen = pickBest(pool2.map((o) => o.hit))!;
    const pdService = event.page.serviceName ?? event.page.serviceId ?? '';
    const reasons = [`${options.length} incidents hold this key (the correlation rules split the group)`];
    if (onService.length > 0 && onService.length < options.length) {
      reasons.push(`this one is on catalog service "${service}", which its PagerDuty service "${pdService}" maps to`);
    } else if (service === null) {
      reasons.push('its PagerDuty service maps to no catalog service');
    } else {
      reasons.push(`${onService.length === 0 ? 'none' : 'each'} of them is on catalog service "${service}", which its PagerDuty service "${pdService}" maps to`);
    }
    if (pool2.length < pool1.length) {
      const next = Math.max(...pool1.filter((o) => o.groupAlerts < most).map((o) => o.groupAlerts));
      reasons.push(`${pool1.length < options.length ? 'of those, ' : ''}this one holds the most alerts of the group (${most}, the next ${next})`);
    } else if (pool2.length > 1) {
      reasons.push(`${pool2.length} hold as many alerts of the group (${most}), so it joined the nearest in time, then the earliest started`);
    }
    return { hit: chosen, why: ` ${reasons.join('; ')}.` };
  }
}

// ---------------------------------------------------------------- helpers

function indexByKey(candidates: readonly IncidentCandidate[]): Map<string, Array<{ candidate: IncidentCandidate; activity: KeyActivity }>> {
  const out = new Map<string, Array<{ candidate: IncidentCandidate; activity: KeyActivity }>>();
  for (const c of candidates) {
    for (const a of c.keys) (out.get(a.key) ?? out.set(a.key, []).get(a.key)!).push({ candidate: c, activity: a });
  }
  return out;
}

/** The activity through which a candidate satisfies a rule target, or null. */
function matchTarget(target: RuleTarget, keys: ReadonlyMap<string, KeyActivity>): KeyActivity | null {
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

const better = (a: Hit, b: Hit): boolean =>
  a.ok !== b.ok ? a.ok : a.gapMs !== b.gapMs ? a.gapMs < b.gapMs : a.candidate.incident.startedAt < b.candidate.incident.startedAt;

/** Smallest gap; ties go to the older incident, then the smaller id, so replays agree. */
function pickBest<T extends Hit>(hits: T[]): T | null {
  let best: T | null = null;
  for (const h of hits) {
    if (!best || h.gapMs < best.gapMs || (h.gapMs === best.gapMs && (h.candidate.incident.startedAt < best.candidate.incident.startedAt
      || (h.candidate.incident.startedAt === best.candidate.incident.startedAt && h.candidate.incident.id < best.candidate.incident.id)))) best = h;
  }
  return best;
}

function describeMiss(hits: Hit[], windowMs: number, t: number): string {
  const closed = hits.filter((h) => h.miss === 'closed');
  const span = hits.filter((h) => h.miss === 'span');
  const nearest = [...hits].sort((a, b) => a.gapMs - b.gapMs)[0]!;
  if (closed.length > 0 && closed.length === hits.filter((h) => h.miss !== 'gap').length) {
    const c = closed[0]!.candidate.incident;
    return `the matching incident "${c.title}" resolved ${formatGap(t - Date.parse(c.endedAt!))} before it, beyond the quiet period and reopen window`;
  }
  if (span.length > 0) return 'joining the matching incident would stretch it beyond the rule\'s maxSpanHours';
  return `the nearest matching alerts are ${formatGap(nearest.gapMs)} away (window ${formatMinutes(windowMs)})`;
}

/** 0 when the start lies inside the activity span (an unresolved page spans "until now"). */
export function gapToActivity(startMs: number, activity: Pick<KeyActivity, 'firstAt' | 'activeUntil'>): number {
  const from = Date.parse(activity.firstAt);
  if (startMs < from) return from - startMs;
  if (activity.activeUntil === null) return 0;
  const to = Date.parse(activity.activeUntil);
  return startMs > to ? startMs - to : 0;
}

/** 0 when the start lies inside the incident's span, else the distance to the nearer edge. */
export function gapToIncident(startMs: number, incident: Pick<Incident, 'startedAt' | 'lastActivityAt'>): number {
  const from = Date.parse(incident.startedAt);
  const to = Date.parse(incident.lastActivityAt);
  if (startMs < from) return from - startMs;
  if (startMs > to) return startMs - to;
  return 0;
}

const incidentEnd = (i: Pick<Incident, 'lastActivityAt' | 'endedAt'>): number =>
  Math.max(Date.parse(i.lastActivityAt), i.endedAt ? Date.parse(i.endedAt) : 0);

function relativeText(hit: Hit, what: string): string {
  if (hit.gapMs === 0) return hit.activity.activeUntil === null || hit.activity.firing > 0 ? `while ${what} still fired` : `within the span of ${what}`;
  return `${formatGap(hit.gapMs)} ${hit.before ? 'before' : 'after'} ${what}`;
}

function valuesText(values: Array<[string, string | null]>): string {
  return values.map(([n, v]) => (n === SERVICE_PSEUDO_LABEL ? `service=${JSON.stringify(v ?? '')}` : v === null ? `no ${n}` : `${n}=${JSON.stringify(v)}`)).join(', ');
}

function describePage(event: PagingEvent): string {
  const num = event.page.number !== null ? `#${event.page.number} ` : '';
  const title = event.page.title ? `"${event.page.title}" ` : '';
  return `PagerDuty incident ${num}${title}(${event.page.id})`.replace(/\s+\(/, ' (');
}

export function formatMinutes(ms: number): string {
  const m = ms / MINUTE;
  return Number.isInteger(m) ? `${m} min` : `${m.toFixed(1)} min`;
}

export function formatGap(ms: number): string {
  if (ms === 0) return 'within its span';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}

export const groupKeyOf = (alert: Pick<AlertObservation, 'instance' | 'sourceGroupKey'>): string | null =>
  alert.sourceGroupKey === null ? null : `group:${alert.instance}:${alert.sourceGroupKey}`;
