import { alertName, type AlertObservation, type CorrelationDecision, type CorrelationEvidence, type EvidenceStrength } from '../alert';
import { ServiceCatalog, formatPath } from '../catalog/service-catalog';
import type { PagingEvent } from '../paging-event';
import { attributeService, serviceOf, type ServiceLabels } from '../service-naming';
import {
  alertDedupKey, alertServiceKey, humanPlacementKey, pageIncidentKey, pageServiceKey, sha256Hex, type PagingKeys,
} from './correlation-keys';
import { depthText, evidenceText, formatGap, formatMinutes, listText, onsetText, relativeText } from './explain';
import { absorbable, gapToActivity, incidentEnd, linkScore, timeLimits, topologyDepth } from './link-evidence';
import { decidePaging, pagingKeys } from './paging-placement';
import { describeMiss, indexByKey } from './hits';
import {
  LINK_RULES, type Absorption, type AlertKeys, type Correlator, type EvaluateLimits, type Hit, type IncidentCandidate, type KeyActivity, type PagingPlacement, type Placement,
} from './correlation-types';
import { matchTarget, planRule, valuesText, type RelatedService, type RulePlan } from './rule-plan';
import { compileRule, defaultCorrelationRules, evidenceOf, type CompiledRule, type CorrelationRuleConfig } from './rule-config';

export * from './correlation-types';
export { describeMiss, indexByKey, pickBest } from './hits';

/**
 * Correlation: which incident a newly seen alert (or paging event) belongs to. Pure.
 *
 * Split in two steps so a store answers it with indexed lookups instead of scans:
 * `keysFor` names the keys the alert could link through (`lookup`) and the keys its incident
 * holds afterwards (`hold`); the store fetches the incidents holding any lookup key within
 * `lookbackMs` of the alert's start, with each key's activity; `decide` picks one of them or
 * opens a new incident, and explains why.
 *
 * **Evidence, not reachability.** Every candidate link is scored by its evidence — an explicit
 * link (PagerDuty dedup key, a person's earlier placement) over the same Alertmanager group over
 * the same service over a direct dependency failing before its callers — and by how close the
 * alert started to the *onsets* of the alerts it matched (never "while they still fire": a
 * chronic alert anchors nothing beyond its own start). A link counts only inside its rule's time
 * window and above `minScore`; otherwise the alert opens a new incident. The best-scoring link
 * wins (ties: rule order, then the nearer, then the older incident).
 *
 * **No transitive drift.** Each alert carries its depth: topology steps from the incident's root.
 * Topology links build only on members near the root (`topologyDepth`), and a hub (a service with
 * many callers or dependencies) anchors them only from the core, so a member that joined by
 * topology alone cannot bridge the next unrelated failure.
 *
 * Decisions use event time only, so replaying the same history gives the same incidents. An
 * alert delivered late lands where it would have landed in order: when it links incidents that
 * opened after it started, with evidence as strong as a fresh join, they are merged (`absorb`),
 * unless a person shaped them.
 */
export interface CorrelationSettings {
  /** Ordered rules; default `defaultCorrelationRules()`. */
  rules?: readonly CorrelationRuleConfig[];
  catalog?: ServiceCatalog;
  /** Label names naming the service (`impact.serviceLabels`). */
  serviceLabels: ServiceLabels;
  /** A re-fire within this time after the incident's last alert ended continues it quietly. */
  quietPeriodMinutes?: number;
  /** After the quiet period, a matching alert within this window reopens the incident; later ones open a new one. */
  reopenWindowMinutes?: number;
  /** Window of explicit links: PagerDuty dedup key, earlier human placement. */
  linkWindowMinutes?: number;
  /** Window of the PagerDuty-service-to-catalog-service link; 0 turns it off. */
  pagerDutyServiceWindowMinutes?: number;
  /** Topology links build on members at most this many steps from the incident's root, minus one. */
  maxTopologyDepth?: number;
  /**
   * A catalog service joined to at least this many others (callers plus dependencies) is a hub.
   * Default: four times the catalog's mean degree, at least 20 (a hub is relative to its estate).
   */
  hubDegree?: number;
  /** Links scoring below this open a new incident instead. */
  minScore?: number;
}

export const CORRELATION_DEFAULTS = {
  quietPeriodMinutes: 5,
  reopenWindowMinutes: 30,
  linkWindowMinutes: 30,
  pagerDutyServiceWindowMinutes: 15,
  groupWindowMinutes: 30,
  maxTopologyDepth: 3,
  minScore: 0.25,
} as const;

/** Four times the catalog's mean degree, at least 20: in a dense estate every service has many neighbours; a hub stands out among them. */
export function defaultHubDegree(catalog: ServiceCatalog): number {
  const names = catalog.services.map((s) => s.name);
  const mean = names.length === 0 ? 0 : names.reduce((sum, n) => sum + catalog.degree(n), 0) / names.length;
  return Math.max(20, Math.round(4 * mean));
}

const MINUTE = 60_000;

/**
 * The score a link needs for an alert to merge two incidents that had both begun before it: a
 * strong link, or a direct dependency within the first third of its window. One alert bridging
 * two running incidents is the chaining a false merge starts from.
 */
export const BRIDGE_SCORE = 0.5;

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

interface AlertPlan {
  service: string | null;
  links: LinkLookup[];
  rules: RulePlan[];
  extraHold: string[];
}

interface Stage {
  name: string;
  order: number;
  hits: Hit[];
  windowMs: number;
  notApplicable: string | null;
  describe: (hit: Hit) => string;
  decision: (hit: Hit) => CorrelationDecision;
  /** Why nothing was found, for the "opened a new incident" explanation; null to stay silent. */
  nothing: () => string | null;
}

class RuleCorrelator implements Correlator {
  readonly lookbackMs: number;
  readonly quietPeriodMs: number;
  readonly reopenWindowMs: number;
  private readonly rules: CompiledRule[];
  private readonly catalog: ServiceCatalog;
  private readonly serviceLabels: ServiceLabels;
  private readonly linkWindowMs: number;
  private readonly pdServiceWindowMs: number;
  private readonly maxDepth: number;
  private readonly hubDegree: number;
  private readonly minScore: number;

  constructor(settings: CorrelationSettings) {
    this.rules = (settings.rules ?? defaultCorrelationRules()).map(compileRule);
    this.catalog = settings.catalog ?? ServiceCatalog.empty();
    this.serviceLabels = settings.serviceLabels;
    this.quietPeriodMs = (settings.quietPeriodMinutes ?? CORRELATION_DEFAULTS.quietPeriodMinutes) * MINUTE;
    this.reopenWindowMs = (settings.reopenWindowMinutes ?? CORRELATION_DEFAULTS.reopenWindowMinutes) * MINUTE;
    this.linkWindowMs = (settings.linkWindowMinutes ?? CORRELATION_DEFAULTS.linkWindowMinutes) * MINUTE;
    this.pdServiceWindowMs = (settings.pagerDutyServiceWindowMinutes ?? CORRELATION_DEFAULTS.pagerDutyServiceWindowMinutes) * MINUTE;
    this.maxDepth = settings.maxTopologyDepth ?? CORRELATION_DEFAULTS.maxTopologyDepth;
    this.hubDegree = settings.hubDegree ?? defaultHubDegree(this.catalog);
    this.minScore = settings.minScore ?? CORRELATION_DEFAULTS.minScore;
    this.lookbackMs = Math.max(this.linkWindowMs, this.pdServiceWindowMs, ...this.rules.map((r) => Math.max(r.windowMs, r.leadMs)));
  }

  // ------------------------------------------------------------------ alerts

  keysFor(alert: AlertObservation): AlertKeys {
    const plan = this.plan(alert);
    const lookup = new Set<string>(plan.links.map((l) => l.key));
    const hold = new Set<string>(plan.extraHold);
    const probe = new Set<string>();
    for (const rulePlan of plan.rules) {
      if (rulePlan.notApplicable !== null) continue;
      for (const target of rulePlan.targets) {
        for (const k of [target.exact, target.absent, target.any]) if (k) lookup.add(k);
        if (target.conflict) for (const k of [target.conflict.any, target.conflict.absent, target.conflict.same]) probe.add(k);
      }
      for (const k of rulePlan.hold) hold.add(k);
    }
    for (const k of lookup) probe.delete(k);
    return { lookup: [...lookup], hold: [...hold], probe: [...probe] };
  }

  /**
   * What the rules look for in this alert. The ledger asks `keysFor` and then `decide` about the
   * same observation, so the plan of the last few observations is kept (a pure function of the
   * observation and this correlator's fixed settings; observations are not changed once made).
   */
  private plan(alert: AlertObservation): AlertPlan {
    let plan = this.plans.get(alert);
    if (!plan) {
      plan = this.planOf(alert);
      this.plans.set(alert, plan);
    }
    return plan;
  }

  private readonly plans = new WeakMap<AlertObservation, AlertPlan>();

  private planOf(alert: AlertObservation): AlertPlan {
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
    return { service, links, extraHold, rules: this.rules.map((r) => planRule(r, alert, service, this.catalog, this.serviceLabels)) };
  }

  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement {
    const t = Date.parse(alert.startsAt);
    const plan = this.plan(alert);
    const stages = [...this.linkStages(alert, plan, candidates, t, decidedAt), ...this.ruleStages(alert, plan, candidates, t, decidedAt)];

    // In event-time order the alert would have met only incidents that had begun by its start:
    // those win first; incidents begun later are merged in (absorbed) below.
    const began = (h: Hit) => Date.parse(h.candidate.incident.startedAt) <= t;
    const winner = bestHit(stages, began) ?? bestHit(stages, () => true);
    if (!winner) return { action: 'open', decision: this.withAttribution(alert, this.newIncidentDecision(stages, t, decidedAt)) };

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
        // An incident that had begun by the alert's start is merged only when the alert links it
        // closely (`BRIDGE_SCORE`: never by weak evidence, never late in a window) and both began
        // within that link's window of each other: the same failure seen through two links at
        // once (e.g. one database in two clusters).
        if (began(hit) && (hit.score < BRIDGE_SCORE || Math.abs(Date.parse(c.incident.startedAt) - Date.parse(target.incident.startedAt)) > stage.windowMs)) continue;
        // Only what the rules made, or a page that only waits for its alerts: incidents a person
        // shaped stay as they are.
        const mergeable = absorbable(c) || (c.origin === 'paging' && !c.humanPlaced && stage.name === LINK_RULES.pagerDutyDedupKey);
        if (!mergeable) continue;
        if (c.fencedWith.includes(target.incident.id) || target.fencedWith.includes(id)) continue;
        const from = Math.min(spanFrom, Date.parse(c.incident.startedAt));
        const to = Math.max(spanTo, incidentEnd(c.incident));
        const maxSpanMs = this.rules.find((r) => r.name === stage.name)?.maxSpanMs ?? null;
        if (maxSpanMs !== null && to - from > maxSpanMs) continue;
        seen.add(id);
        spanFrom = from;
        spanTo = to;
        absorb.push({
          incidentId: id,
          rule: stage.name,
          explanation: `Merged incident "${c.incident.title}" into this one because ${alertName(alert)}, which started at ${alert.startsAt} but arrived after that incident opened, links both (${stage.describe(hit)}; ${evidenceText(hit.strength, hit.score)}); in event-time order they would have formed one incident.`,
        });
      }
    }
    const decision = { ...winner.stage.decision(winner.hit), others: this.otherStages(stages, winner, t) };
    return { action: 'join', incidentId: target.incident.id, decision: this.withAttribution(alert, decision), reopened: winner.hit.reopened, absorb };
  }

  /**
   * Why each explicit link and rule other than the winning one did not place the alert: it found
   * nothing, it does not apply, its links missed (and why), or it linked with less evidence.
   */
  private otherStages(stages: readonly Stage[], winner: { hit: Hit; stage: Stage }, t: number): string[] {
    const out: string[] = [];
    for (const stage of stages) {
      const rest = stage === winner.stage ? stage.hits.filter((h) => h !== winner.hit) : stage.hits;
      if (stage.notApplicable !== null) {
        out.push(`${stage.name}: not applicable, ${stage.notApplicable}`);
      } else if (rest.some((h) => h.ok)) {
        const best = rest.filter((h) => h.ok).sort((a, b) => b.score - a.score)[0]!;
        const where = best.candidate.incident.id === winner.hit.candidate.incident.id ? 'this incident' : `incident "${best.candidate.incident.title}"`;
        out.push(`${stage.name}: links ${where} too, with ${evidenceText(best.strength, best.score)}; the link above ${best.score < winner.hit.score ? 'scores higher' : 'comes first'}`);
      } else if (rest.length > 0) {
        out.push(`${stage.name}: ${describeMiss(rest, stage.windowMs, t, this.minScore)}`);
      } else if (stage !== winner.stage) {
        const nothing = stage.nothing();
        if (nothing !== null) out.push(`${stage.name}: ${nothing}`);
      }
    }
    return out;
  }

  /** Says which service the alert is about when its labels alone would suggest another (an exporter's alert, a catalog match). */
  private withAttribution(alert: AlertObservation, decision: CorrelationDecision): CorrelationDecision {
    const attribution = attributeService(alert.labels, this.serviceLabels);
    if (!attribution.notable || attribution.service === null) return decision;
    return { ...decision, explanation: `${decision.explanation} Its service is ${attribution.service} (${attribution.via}).` };
  }

  /** Explicit links first: a page's dedup key, a PagerDuty service mapping, a person's earlier placement. */
  private linkStages(alert: AlertObservation, plan: AlertPlan, candidates: IncidentCandidate[], t: number, decidedAt: string): Stage[] {
    const byKey = indexByKey(candidates);
    return plan.links.map((link, order) => {
      const limits = { beforeMs: link.windowMs, afterMs: link.windowMs, maxSpanMs: null };
      const hits = (byKey.get(link.key) ?? []).map((h) => this.evaluate(t, h.candidate, h.activity, limits, 'explicit', 0, null));
      return {
        name: link.rule, order, hits, windowMs: link.windowMs, notApplicable: null,
        describe: () => this.linkText(link, alert),
        decision: (hit: Hit) => this.linkDecision(link, alert, hit, decidedAt),
        nothing: () => null,
      };
    });
  }

  /** Then the configured rules. */
  private ruleStages(alert: AlertObservation, plan: AlertPlan, candidates: IncidentCandidate[], t: number, decidedAt: string): Stage[] {
    const keysByIncident = candidates.map((c) => ({ candidate: c, keys: new Map(c.keys.map((k) => [k.key, k])) }));
    return plan.rules.map((rulePlan, i) => {
      const rule = rulePlan.rule;
      const hitsByIncident = new Map<string, Hit>();
      for (const target of rulePlan.notApplicable === null ? rulePlan.targets : []) {
        const strength = evidenceOf(rule, target.related?.hops ?? null);
        const limits = { ...timeLimits(target.related?.relation ?? null, rule.windowMs, rule.leadMs), maxSpanMs: rule.maxSpanMs };
        for (const c of keysByIncident) {
          const activity = matchTarget(target, c.keys);
          if (!activity) continue;
          const hit = this.evaluate(t, c.candidate, activity, limits, strength, activity.depth, target.related, rule.hops);
          const prior = hitsByIncident.get(c.candidate.incident.id);
          if (!prior || better(hit, prior)) hitsByIncident.set(c.candidate.incident.id, hit);
        }
      }
      return {
        name: rule.name, order: plan.links.length + i, hits: [...hitsByIncident.values()], windowMs: rule.windowMs, notApplicable: rulePlan.notApplicable,
        describe: (hit: Hit) => ruleMatchText(rulePlan, hit),
        decision: (hit: Hit) => this.ruleDecision(rulePlan, hit, alert.sourceGroupKey, decidedAt),
        nothing: () => this.nothingFound(rulePlan, alert),
      };
    });
  }

  /** Whether (and how strongly) a candidate links through one key's activity. */
  private evaluate(
    t: number, candidate: IncidentCandidate, activity: KeyActivity, limits: EvaluateLimits, strength: EvidenceStrength, anchorDepth: number,
    related: RelatedService | null, hops = 0,
  ): Hit {
    const { gapMs, before } = gapToActivity(t, activity);
    const limit = before ? limits.beforeMs : limits.afterMs;
    // A dependency alerting after a caller already in the incident is the weaker direction: its
    // own failure may be unrelated, and only a dependency rule that waits longer explains it.
    if (related?.relation === 'caller' && !before && strength === 'moderate') strength = 'weak';
    const hit: Hit = {
      candidate, activity, gapMs, before, ok: false, miss: null, refused: null, reopened: null, score: linkScore(strength, gapMs, limit, anchorDepth), strength, depth: 0, related,
    };
    if (gapMs > limit) return { ...hit, miss: 'gap' };
    if (related) {
      const placed = topologyDepth(related.relation, anchorDepth, hops, this.catalog.degree(related.service) >= this.hubDegree, this.maxDepth, before);
      if ('refused' in placed) return { ...hit, miss: 'depth', refused: `${related.service}: ${placed.refused}` };
      hit.depth = placed.depth;
    } else {
      hit.depth = strength === 'explicit' ? 0 : anchorDepth;
    }
    const inc = candidate.incident;
    if (inc.status === 'resolved' && inc.endedAt) {
      const end = Date.parse(inc.endedAt);
      if (t > end + this.quietPeriodMs + this.reopenWindowMs) return { ...hit, miss: 'closed' };
      if (t > end + this.quietPeriodMs) {
        hit.reopened = { resolvedAt: inc.endedAt, text: `The incident had resolved ${formatGap(t - end)} earlier (at ${inc.endedAt}); this alert reopened it.` };
      }
    }
    if (limits.maxSpanMs !== null) {
      const span = Math.max(incidentEnd(inc), t) - Math.min(Date.parse(inc.startedAt), t);
      if (span > limits.maxSpanMs) return { ...hit, reopened: null, miss: 'span' };
    }
    if (strength !== 'explicit' && hit.score < this.minScore) return { ...hit, reopened: null, miss: 'score' };
    return { ...hit, ok: true };
  }

  private newIncidentDecision(stages: Stage[], t: number, decidedAt: string): CorrelationDecision {
    const misses: string[] = [];
    for (const stage of stages) {
      if (stage.notApplicable !== null) misses.push(`${stage.name}: not applicable, ${stage.notApplicable}`);
      else if (stage.hits.length > 0) misses.push(`${stage.name}: ${describeMiss(stage.hits, stage.windowMs, t, this.minScore)}`);
      else {
        const nothing = stage.nothing();
        if (nothing !== null) misses.push(`${stage.name}: ${nothing}`);
      }
    }
    return {
      kind: 'new-incident',
      rule: null,
      matched: {},
      gapMs: null,
      explanation: `Opened a new incident because no explicit link or rule found an open incident for it: ${misses.join('; ')}.`,
      decidedBy: 'debrief',
      decidedAt,
      evidence: { strength: null, score: 0, depth: 0, via: null },
      others: misses,
    };
  }

  private linkText(link: LinkLookup, alert: AlertObservation): string {
    if (link.rule === LINK_RULES.pagerDutyDedupKey) return `PagerDuty dedup key ${sha256Hex(alert.sourceGroupKey ?? '').slice(0, 12)}… = SHA-256 of its Alertmanager group key`;
    if (link.rule === LINK_RULES.pagerDutyService) return 'PagerDuty service mapped to its service in the catalog';
    return `an earlier firing of ${alertName(alert)} (fingerprint ${alert.fingerprint}) placed there by a person`;
  }

  private linkDecision(link: LinkLookup, alert: AlertObservation, hit: Hit, decidedAt: string): CorrelationDecision {
    const window = ` (window ${formatMinutes(link.windowMs)})`;
    const unresolved = hit.activity.activeUntil === null;
    let explanation: string;
    let matched: Record<string, string>;
    let via: string;
    if (link.rule === LINK_RULES.pagerDutyDedupKey) {
      const hex = sha256Hex(alert.sourceGroupKey ?? '');
      matched = { dedupKey: hex, groupKey: alert.sourceGroupKey ?? '' };
      via = `PagerDuty incident with dedup key ${hex.slice(0, 12)}…`;
      explanation = `Explicit link (strongest evidence): a PagerDuty incident in this incident has dedup key ${hex.slice(0, 12)}…, the SHA-256 of this alert's Alertmanager group key ${alert.sourceGroupKey} (Alertmanager's PagerDuty notifier keys its pages that way, and PagerDuty made one incident of the whole group); it started ${relativeText({ ...hit, unresolved }, 'that page')}${unresolved ? '' : window}.`;
    } else if (link.rule === LINK_RULES.pagerDutyService) {
      const service = serviceOf(alert.labels, this.serviceLabels) ?? '';
      matched = { service };
      via = `PagerDuty incident on ${service}`;
      explanation = `Explicit link (strongest evidence): a PagerDuty incident of a PagerDuty service the catalog maps to "${service}" is in this incident; it started ${relativeText({ ...hit, unresolved }, 'that page')}${unresolved ? '' : window}.`;
    } else {
      matched = { fingerprint: alert.fingerprint };
      via = `earlier firing of ${alertName(alert)}`;
      explanation = `Explicit link (strongest evidence): an earlier firing of this alert (fingerprint ${alert.fingerprint}) was placed in this incident by a person; it started ${onsetText(hit, hit.activity.holders)}${window}.`;
    }
    if (hit.reopened) explanation += ` ${hit.reopened.text}`;
    const evidence: CorrelationEvidence = { strength: 'explicit', score: hit.score, depth: 0, via };
    return { kind: 'rule', rule: link.rule, matched, gapMs: hit.gapMs, explanation, decidedBy: 'debrief', decidedAt, evidence };
  }

  private ruleDecision(rulePlan: RulePlan, hit: Hit, groupKey: string | null, decidedAt: string): CorrelationDecision {
    const rule = rulePlan.rule;
    const matched: Record<string, string> = {};
    for (const [name, v] of rulePlan.values) matched[name === '@service' ? 'service' : name] = v ?? '';
    const vals = valuesText(rulePlan.values);
    const directional = hit.related?.relation === 'dependency' || hit.related?.relation === 'caller';
    const window = `(window ${formatMinutes(rule.windowMs)}${directional ? `; a caller may alert up to ${formatMinutes(rule.leadMs)} before its dependency` : ''})`;
    const strength = evidenceText(hit.strength, hit.score);
    const members = `${hit.activity.holders} alert${hit.activity.holders === 1 ? '' : 's'}, ${depthText(hit.activity.depth)}`;
    let explanation: string;
    let via: string;
    if (rule.kind === 'group') {
      // The key embeds the group key, so the matched group is the alert's own.
      matched.groupKey = groupKey ?? '';
      via = `its Alertmanager group (${members})`;
      explanation = `Rule "${rule.name}", ${strength}: same Alertmanager group ${matched.groupKey}${vals ? ` and same ${vals}` : ''} as ${members}; started ${onsetText(hit, hit.activity.holders)} ${window}.`;
    } else if (rule.kind === 'topology') {
      const rel = hit.related!;
      matched.service = rulePlan.service ?? '';
      matched.relatedService = rel.service;
      matched.path = formatPath(rel.path);
      matched.hops = String(rel.hops);
      via = `${rel.service} (${members})`;
      if (rel.relation === 'same') {
        explanation = `Rule "${rule.name}", ${strength}: same catalog service ${rel.service}${vals ? `, same ${vals}` : ''}; it alerted in this incident (${members}) and this alert started ${onsetText(hit, hit.activity.holders)} ${window}.`;
      } else {
        const why = rel.relation === 'dependency'
          ? `${rulePlan.service} depends on ${rel.service} (catalog dependsOn), which alerted in this incident`
          : rel.relation === 'caller'
            ? `${rel.service} depends on ${rulePlan.service} (catalog dependsOn) and alerted in this incident`
            : `${formatPath(rel.path)} (${rel.hops} dependsOn steps) and ${rel.service} alerted in this incident`;
        explanation = `Rule "${rule.name}", ${strength}: ${why}; the link goes through ${rel.service} (${members})${vals ? `, same ${vals}` : ''}; this alert started ${onsetText(hit, hit.activity.holders)} ${window} and sits ${depthText(hit.depth)}.`;
      }
    } else if (rule.kind === 'reference') {
      const rel = hit.related!;
      matched.service = rulePlan.service ?? '';
      via = rel.relation === 'dependency' ? `${rel.service} (${members})` : `${rel.service} (${members})`;
      const why = rel.relation === 'dependency'
        ? `it names ${rel.service} in ${rule.referenceLabels.join('/')}, and ${rel.service} alerted in this incident (${members})`
        : `${members} of this incident name ${rulePlan.service} in ${rule.referenceLabels.join('/')}`;
      if (rel.relation === 'dependency') matched.relatedService = rel.service;
      explanation = `Rule "${rule.name}", ${strength}: ${why}${vals ? `, same ${vals}` : ''}; this alert started ${onsetText(hit, hit.activity.holders)} ${window} and sits ${depthText(hit.depth)}.`;
    } else {
      via = `${vals} (${members})`;
      explanation = `Rule "${rule.name}", ${strength}: same ${vals} as ${members}; started ${onsetText(hit, hit.activity.holders)} ${window}.`;
    }
    if (hit.reopened) explanation += ` ${hit.reopened.text}`;
    return { kind: 'rule', rule: rule.name, matched, gapMs: hit.gapMs, explanation, decidedBy: 'debrief', decidedAt, evidence: { strength: hit.strength, score: hit.score, depth: hit.depth, via } };
  }

  private nothingFound(rulePlan: RulePlan, alert: AlertObservation): string {
    const within = `within ${formatMinutes(rulePlan.rule.windowMs)}`;
    if (rulePlan.rule.kind === 'group') return `no incident holds alerts of its Alertmanager group (${alert.sourceGroupKey}) ${within}`;
    if (rulePlan.rule.kind === 'reference') {
      const named = rulePlan.targets.filter((tg) => tg.related?.relation === 'dependency').map((tg) => tg.related!.service);
      return `${named.length ? `no service it names (${listText(named)}) alerted` : 'it names no other service'}, and no alert naming ${rulePlan.service} came, ${within}`;
    }
    if (rulePlan.rule.kind === 'topology') {
      if (rulePlan.rule.hops === 0) return `no incident holds alerts of catalog service "${rulePlan.service}" ${within}${rulePlan.values.length ? ` with the same ${valuesText(rulePlan.values)}` : ''}`;
      const related = rulePlan.targets.map((tg) => tg.related!.service);
      if (related.length === 0) return `service "${rulePlan.service}" has no dependencies or dependents within ${rulePlan.rule.hops} hop(s) in the catalog`;
      return `no related service (${listText(related)}) alerted ${within}${rulePlan.values.length ? ` with the same ${valuesText(rulePlan.values)}` : ''}`;
    }
    return `no incident with the same ${valuesText(rulePlan.values)} ${within}`;
  }

  // ------------------------------------------------------------- paging events

  pagingKeysFor(event: PagingEvent): PagingKeys {
    return pagingKeys(event, this.catalog, this.pdServiceWindowMs);
  }

  decidePaging(event: PagingEvent, candidates: IncidentCandidate[], _decidedAt: string): PagingPlacement {
    return decidePaging(event, candidates, {
      catalog: this.catalog, linkWindowMs: this.linkWindowMs, pdServiceWindowMs: this.pdServiceWindowMs,
      evaluate: (t, candidate, activity, windowMs) => this.evaluate(t, candidate, activity, { beforeMs: windowMs, afterMs: windowMs, maxSpanMs: null }, 'explicit', 0, null),
    });
  }
}

// ---------------------------------------------------------------- helpers

/** Of two hits on one incident, the eligible one, then the higher score, then the nearer, then the older incident. */
const better = (a: Hit, b: Hit): boolean =>
  a.ok !== b.ok ? a.ok : a.score !== b.score ? a.score > b.score : a.gapMs !== b.gapMs ? a.gapMs < b.gapMs : a.candidate.incident.startedAt < b.candidate.incident.startedAt;

/** The best eligible hit across stages: highest score, then stage order, then nearest, then oldest incident and smallest id. */
function bestHit(stages: readonly Stage[], pass: (h: Hit) => boolean): { hit: Hit; stage: Stage } | null {
  let best: { hit: Hit; stage: Stage } | null = null;
  for (const stage of stages) {
    for (const hit of stage.hits) {
      if (!hit.ok || !pass(hit)) continue;
      if (!best || rank(hit, stage, best.hit, best.stage) < 0) best = { hit, stage };
    }
  }
  return best;
}

function rank(a: Hit, as: Stage, b: Hit, bs: Stage): number {
  if (a.score !== b.score) return b.score - a.score;
  if (as.order !== bs.order) return as.order - bs.order;
  if (a.gapMs !== b.gapMs) return a.gapMs - b.gapMs;
  const ai = a.candidate.incident;
  const bi = b.candidate.incident;
  return ai.startedAt.localeCompare(bi.startedAt) || ai.id.localeCompare(bi.id);
}

function ruleMatchText(rulePlan: RulePlan, hit: Hit): string {
  const vals = valuesText(rulePlan.values);
  if (rulePlan.rule.kind === 'topology') {
    const what = hit.related?.hops === 0 ? `same catalog service ${hit.related.service}` : formatPath(hit.related?.path ?? []);
    return `rule ${rulePlan.rule.name}: ${what}${vals ? `, same ${vals}` : ''}`;
  }
  if (rulePlan.rule.kind === 'group') return `rule ${rulePlan.rule.name}: same Alertmanager group${vals ? `, same ${vals}` : ''}`;
  if (rulePlan.rule.kind === 'reference') return `rule ${rulePlan.rule.name}: ${hit.related?.relation === 'dependency' ? `it names ${hit.related.service}` : `${hit.related?.service ?? ''}`}`;
  return `rule ${rulePlan.rule.name}: same ${vals}`;
}

export { formatGap, formatMinutes } from './explain';

export const groupKeyOf = (alert: Pick<AlertObservation, 'instance' | 'sourceGroupKey'>): string | null =>
  alert.sourceGroupKey === null ? null : `group:${alert.instance}:${alert.sourceGroupKey}`;
