import type { AlertObservation, CorrelationDecision, EvidenceStrength } from '../alert';
import { CRITICAL_SEVERITIES, isCriticalSeverity } from '../incident';
import { isOutageKey, outageCriticalKey, outagePageKey, outageServiceKey } from './correlation-keys';
import { LINK_RULES, type Hit, type IncidentCandidate, type KeyActivity, type OutageFacet, type PageState, type Stage } from './correlation-types';
import { depthText, describePage, evidenceText, formatGap } from './explain';

/**
 * Ongoing outages: links that do not fade with time. Pure.
 *
 * Every rule measures how close an alert starts to the *onsets* it matches, so a chronic warning
 * anchors nothing beyond its own start. That is right for a warning nobody fixes, and wrong for
 * an outage people are still fighting: a new symptom on the same database 18 hours into a
 * day-long outage is part of it, however far it is from every onset. Two signals say an outage
 * is not over, by event time, when the new alert starts:
 *
 * - **an unresolved page** (`ongoing-outage-page`, strong evidence): the incident holds a
 *   PagerDuty page that is not resolved, so people are still working on it. A new alert on any
 *   service the incident's alerts name, in the same cluster, joins it.
 * - **critical alerts still firing** (`ongoing-outage-critical`, moderate evidence): critical
 *   alerts on the alert's service, in its cluster, fire in the incident, at least
 *   `MIN_CRITICAL_SYMPTOMS` different ones. Moderate, because a critical alert can be chronic
 *   too (a failing probe nobody silences); a lone one never counts.
 *
 * Both score as a link at the edge of its window would (`ONGOING_TIME_FACTOR`): they hold
 * whatever the time, so when the alert also links to fresh onsets elsewhere (a new failure whose
 * symptom it is), that link, closer in time, wins.
 * Neither ever stretches an incident beyond `maxSpanMs` from its start (a page left open for a
 * week, a critical alert that fires for days) nor merges other incidents into the one it joins.
 * Warnings without a page link as they always did: only around their onsets. And only the
 * incident's core speaks for it (`outageHold`): members that joined by a dependency or weak
 * evidence extend nothing, so an unrelated failure cannot chain in through them.
 *
 * The store finds such incidents whatever their age: the keys involved (`outage:page:`,
 * `outage:crit:`, see `correlation-keys.ts`) stay active, without an end, while the page is
 * unresolved or a critical alert fires (`key-activity.ts`).
 */

export interface OngoingOutageSettings {
  unresolvedPages: boolean;
  criticalAlerts: boolean;
  /** Lower-case severities that count as critical. */
  criticalSeverities: readonly string[];
  /** An ongoing-outage link never stretches an incident beyond this span from its start. */
  maxSpanMs: number;
}

/** `correlation.ongoingOutage` as configured; absent fields take the defaults. */
export interface OngoingOutageConfig {
  unresolvedPages?: boolean;
  criticalAlerts?: boolean;
  criticalSeverities?: readonly string[];
  maxSpanHours?: number;
}

export const ONGOING_OUTAGE_DEFAULTS = {
  unresolvedPages: true,
  criticalAlerts: true,
  criticalSeverities: CRITICAL_SEVERITIES as readonly string[],
  maxSpanHours: 48,
};

/**
 * The most `maxSpanHours` may be: a week. A page left open longer than that is forgotten, not an
 * outage, and an incident that kept taking alerts for weeks would no longer tell one story.
 */
export const MAX_ONGOING_SPAN_HOURS = 168;

export function ongoingOutageSettings(config: OngoingOutageConfig = {}): OngoingOutageSettings {
  return {
    unresolvedPages: config.unresolvedPages ?? ONGOING_OUTAGE_DEFAULTS.unresolvedPages,
    criticalAlerts: config.criticalAlerts ?? ONGOING_OUTAGE_DEFAULTS.criticalAlerts,
    criticalSeverities: (config.criticalSeverities ?? ONGOING_OUTAGE_DEFAULTS.criticalSeverities).map((s) => s.trim().toLowerCase()),
    maxSpanMs: Math.min(config.maxSpanHours ?? ONGOING_OUTAGE_DEFAULTS.maxSpanHours, MAX_ONGOING_SPAN_HOURS) * 3_600_000,
  };
}

/**
 * Different critical alerts (by alert name) on one service and cluster an incident must have
 * firing before they make it an ongoing outage. One critical alert firing for hours is what a
 * chronic alert looks like (a standing disk-space or probe alert nobody silences), and so is
 * one that flaps, or fires on several pods: alone, it would take every unrelated failure of its
 * service for as long as it fires. A second, different symptom there says an outage is going on.
 */
export const MIN_CRITICAL_SYMPTOMS = 2;

/**
 * The names of the critical alerts of `facets` on the plan's service and cluster that fired
 * when the alert started (`t`): begun by then, and still firing or ended after it.
 */
export function criticalSymptomsAt(facets: readonly OutageFacet[], plan: Pick<OutagePlan, 'service' | 'cluster'>, t: number, critical: readonly string[]): string[] {
  const names = new Set<string>();
  for (const f of facets) {
    if (f.service !== plan.service || !isCriticalSeverity(f.severity, critical)) continue;
    if (plan.cluster !== null && !f.clusters.includes(plan.cluster)) continue;
    if (Date.parse(f.firstAt) > t) continue;
    if (f.firing === 0 && (f.lastEndAt === null || Date.parse(f.lastEndAt) < t)) continue;
    names.add(f.alertname);
  }
  return [...names].sort();
}

/** The evidence of each ongoing-outage link. */
export const OUTAGE_EVIDENCE = { page: 'strong', critical: 'moderate' } as const satisfies Record<string, EvidenceStrength>;

/** What the ongoing-outage links look for in one alert. */
export interface OutagePlan {
  service: string;
  cluster: string | null;
  /** Held by the alert when pages count; fetched (probe) for its depth and alerts there. */
  serviceKey: string | null;
  /** Looked up when pages count. */
  pageKey: string | null;
  /** Looked up when critical alerts count; held when the alert is critical itself. */
  criticalKey: string | null;
  critical: boolean;
}

/** Null when the alert names no service or both links are off. */
export function planOutage(alert: Pick<AlertObservation, 'labels'>, service: string | null, settings: OngoingOutageSettings): OutagePlan | null {
  if (service === null || (!settings.unresolvedPages && !settings.criticalAlerts)) return null;
  const cluster = alert.labels.cluster?.trim() ? alert.labels.cluster.trim() : null;
  return {
    service,
    cluster,
    serviceKey: settings.unresolvedPages ? outageServiceKey(service, cluster) : null,
    pageKey: settings.unresolvedPages ? outagePageKey(service, cluster) : null,
    criticalKey: settings.criticalAlerts ? outageCriticalKey(service, cluster) : null,
    critical: settings.criticalAlerts && isCriticalSeverity(alert.labels.severity, settings.criticalSeverities),
  };
}

export function outageKeys(plan: OutagePlan | null): { lookup: string[]; probe: string[]; hold: string[] } {
  if (!plan) return { lookup: [], probe: [], hold: [] };
  const present = (keys: Array<string | null>) => keys.filter((k): k is string => k !== null);
  return {
    lookup: present([plan.pageKey, plan.criticalKey]),
    probe: present([plan.serviceKey]),
    hold: present([plan.serviceKey, plan.critical ? plan.criticalKey : null]),
  };
}

/**
 * The keys an alert placed by `decision` holds: its ongoing-outage keys only when it is in the
 * incident's core, i.e. it opened the incident or joined it by explicit or strong evidence
 * through the core (depth 0), or by an ongoing outage on its own service. An alert that joined
 * by a dependency or by weak evidence may be unrelated noise: were its service to take part in
 * the outage, the next unrelated failure there would chain into it for as long as the page
 * stays open. Such an alert still holds every other key, so it links as it always did: only
 * around its onset.
 */
export function outageHold(hold: readonly string[], decision: Pick<CorrelationDecision, 'rule' | 'evidence'>): string[] {
  return inOutageCore(decision) ? [...hold] : hold.filter((k) => !isOutageKey(k));
}

function inOutageCore(decision: Pick<CorrelationDecision, 'rule' | 'evidence'>): boolean {
  const evidence = decision.evidence;
  if (!evidence) return true;
  if (evidence.depth > 0) return false;
  if (decision.rule === LINK_RULES.ongoingOutagePage || decision.rule === LINK_RULES.ongoingOutageCritical) return true;
  return evidence.strength === null || evidence.strength === 'explicit' || evidence.strength === 'strong';
}

export interface OutageContext {
  settings: OngoingOutageSettings;
  minScore: number;
  /**
   * Whether a candidate links through `activity` at the alert's start: only inside its span (no
   * window either side), within `maxSpanMs`. `whileUnresolved`: an incident whose alerts all
   * resolved is reopened, however long ago, instead of being closed (its page is still open).
   */
  evaluate: (candidate: IncidentCandidate, activity: KeyActivity, strength: EvidenceStrength, anchorDepth: number, whileUnresolved: boolean) => Hit;
}

/** The two ongoing-outage stages for one alert, ordered from `firstOrder` (after the rules: fresh onset evidence wins ties). */
export function outageStages(alert: AlertObservation, plan: OutagePlan | null, candidates: readonly IncidentCandidate[], firstOrder: number, decidedAt: string, ctx: OutageContext): Stage[] {
  if (!plan) return [];
  const t = Date.parse(alert.startsAt);
  const where = `${plan.service}${plan.cluster ? ` in ${plan.cluster}` : ''}`;
  const stages: Stage[] = [];
  const maxSpan = `${Math.round(ctx.settings.maxSpanMs / 3_600_000)} h`;
  if (plan.pageKey) {
    const hits: Hit[] = [];
    for (const c of candidates) {
      const activity = c.keys.find((k) => k.key === plan.pageKey);
      if (!activity) continue;
      const alerts = c.keys.find((k) => k.key === plan.serviceKey);
      hits.push(ctx.evaluate(c, activity, OUTAGE_EVIDENCE.page, alerts?.depth ?? 0, true));
    }
    stages.push({
      name: LINK_RULES.ongoingOutagePage, order: firstOrder, hits, windowMs: 0, notApplicable: null, absorbs: false,
      describe: () => `an unresolved PagerDuty page on ${where}`,
      decision: (hit) => pageDecision(hit, plan, where, t, maxSpan, decidedAt),
      nothing: () => null,
      missed: (missed) => missText(missed, 'its pages', 'were resolved', maxSpan, ctx.minScore),
    });
  }
  if (plan.criticalKey) {
    const hits: Hit[] = [];
    let lone: { activity: KeyActivity; names: string[] } | null = null;
    for (const c of candidates) {
      const activity = c.keys.find((k) => k.key === plan.criticalKey);
      if (!activity) continue;
      const names = criticalSymptomsAt(c.facets ?? [], plan, t, ctx.settings.criticalSeverities);
      if (names.length < MIN_CRITICAL_SYMPTOMS) lone ??= { activity, names };
      else hits.push(ctx.evaluate(c, activity, OUTAGE_EVIDENCE.critical, activity.depth, false));
    }
    stages.push({
      name: LINK_RULES.ongoingOutageCritical, order: firstOrder + 1, hits, windowMs: 0, notApplicable: null, absorbs: false,
      describe: () => `critical alerts still firing on ${where}`,
      decision: (hit) => criticalDecision(hit, plan, where, t, maxSpan, decidedAt),
      nothing: () => (lone
        ? `${lone.names.length === 0 ? 'no critical alert' : `only one critical alert (${lone.names[0]})`} fired on ${where} when this alert started: `
          + `one alone, flapping or on several pods, may be chronic; an ongoing outage takes ${MIN_CRITICAL_SYMPTOMS} different ones`
        : null),
      missed: (missed) => missText(missed, `its critical alerts on ${where}`, 'had all resolved', maxSpan, ctx.minScore),
    });
  }
  return stages;
}

const matchedOf = (plan: OutagePlan): Record<string, string> => ({ service: plan.service, ...(plan.cluster ? { cluster: plan.cluster } : {}) });

function pageDecision(hit: Hit, plan: OutagePlan, where: string, t: number, maxSpan: string, decidedAt: string): CorrelationDecision {
  const page = pageOpenAt(hit.candidate.pages ?? [], t);
  const stillOpen = hit.activity.activeUntil === null;
  let pageText: string;
  if (page) {
    pageText = page.resolved
      ? `its ${describePage(page)} was unresolved when this alert started (it was resolved at ${page.lastAt})`
      : `its ${describePage(page)} is unresolved (triggered at ${page.firstAt})`;
  } else {
    pageText = stillOpen
      ? `a PagerDuty page in it has been unresolved since ${hit.activity.firstAt}`
      : `a PagerDuty page in it was unresolved when this alert started (until ${hit.activity.lastAt})`;
  }
  const alerts = hit.candidate.keys.find((k) => k.key === plan.serviceKey);
  const members = alerts ? `${alerts.holders} alert${alerts.holders === 1 ? '' : 's'} on ${where}` : `alerts on ${where}`;
  let explanation = `Ongoing outage, ${evidenceText(hit.strength, hit.score)}: joined the ongoing outage on ${where}: ${pageText}, so people are still working on it. `
    + `An unresolved page takes every new alert on the services of its incident, however long after their onsets (this one holds ${members}; up to ${maxSpan} from the incident's start); this alert sits ${depthText(hit.depth)}.`;
  if (hit.reopened) explanation += ` ${hit.reopened.text}`;
  const pageId = page?.page.id ?? '';
  return {
    kind: 'rule', rule: LINK_RULES.ongoingOutagePage, matched: { ...matchedOf(plan), ...(pageId ? { pageId } : {}) }, gapMs: hit.gapMs, explanation,
    decidedBy: 'debrief', decidedAt,
    evidence: { strength: hit.strength, score: hit.score, depth: hit.depth, via: page ? `PagerDuty page ${page.page.id} (${page.resolved ? 'then unresolved' : 'unresolved'})` : 'an unresolved PagerDuty page' },
  };
}

function criticalDecision(hit: Hit, plan: OutagePlan, where: string, t: number, maxSpan: string, decidedAt: string): CorrelationDecision {
  const a = hit.activity;
  const firing = a.activeUntil === null
    ? `critical alerts on ${where} have been firing since ${a.firstAt} (${a.firing} still firing, ${a.holders} in all)`
    : `critical alerts on ${where} fired from ${a.firstAt} to ${a.lastAt}, and this alert started at ${new Date(t).toISOString()}, while they fired`;
  let explanation = `Ongoing outage, ${evidenceText(hit.strength, hit.score)}: joined the ongoing outage on ${where}: ${firing}. `
    + `While they fire the outage they report is not over, so a new alert there belongs to it however long after their onsets (up to ${maxSpan} from the incident's start); this alert sits ${depthText(hit.depth)}.`;
  if (hit.reopened) explanation += ` ${hit.reopened.text}`;
  return {
    kind: 'rule', rule: LINK_RULES.ongoingOutageCritical, matched: { ...matchedOf(plan), severity: 'critical' }, gapMs: hit.gapMs, explanation,
    decidedBy: 'debrief', decidedAt,
    evidence: { strength: hit.strength, score: hit.score, depth: hit.depth, via: `critical alerts on ${where} (${a.holders}, since ${a.firstAt})` },
  };
}

/** The page that was open when the alert started: an unresolved one first, then the latest resolved. */
function pageOpenAt(pages: readonly PageState[], t: number): PageState | null {
  const open = pages.filter((p) => Date.parse(p.firstAt) <= t && (!p.resolved || Date.parse(p.lastAt) >= t));
  return open.find((p) => !p.resolved) ?? [...open].sort((a, b) => b.lastAt.localeCompare(a.lastAt))[0] ?? null;
}

function missText(hits: readonly Hit[], what: string, ended: string, maxSpan: string, minScore: number): string {
  if (hits.some((h) => h.miss === 'span')) return `joining the incident it found would stretch it beyond ${maxSpan} (correlation.ongoingOutage.maxSpanHours)`;
  const score = hits.filter((h) => h.miss === 'score');
  if (score.length > 0) return `the best link scores ${Math.max(...score.map((h) => h.score)).toFixed(2)}, below the threshold ${minScore.toFixed(2)}`;
  const nearest = [...hits].sort((a, b) => a.gapMs - b.gapMs)[0]!;
  return nearest.before
    ? `${what} began ${formatGap(nearest.gapMs)} after this alert started`
    : `${what} ${ended} ${formatGap(nearest.gapMs)} before this alert started`;
}
