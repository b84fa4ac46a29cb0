import { alertName, type Alert } from '../alert';
import type { Incident, IncidentEvent } from '../incident';
import { pagesOf, type IncidentPage } from '../incident-pages';
import type { ImpactItem } from '../impact';
import type { TimelineEntry } from '../timeline';
import type { AlertingRule } from '../alert-rule';
import { draftEnd, type EndSignal } from './drafted-end';
import { draftImpactStart, type DraftedImpactStart } from './drafted-impact-start';
import { readableTime } from './readable-time';

/** The five sections of a post-mortem, in order (docs/architecture.md, "The report"). */
export const SECTION_IDS = ['summary', 'timeline', 'what-happened', 'fix', 'prevention'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export const SECTION_TITLES: Record<SectionId, string> = {
  summary: 'Incident summary',
  timeline: 'Incident timeline',
  'what-happened': 'What happened',
  fix: 'What was done to fix it',
  prevention: 'How we will prevent this',
};

/** `machine-drafted`: Debrief wrote it from the facts; `needs-human`: waiting for a person. */
export type SectionStatus = 'machine-drafted' | 'needs-human' | 'human-completed';

export interface ReportHint {
  /** Where the hint comes from, e.g. `first alert`, `annotation runbook_url`. */
  source: string;
  text: string;
  url: string | null;
  /** Set on a hint that names a linked change (a suspect): its `Change.id`, for a person's verdict on it. */
  changeId?: string;
}

/**
 * A change linked before the incident's first alert, as the draft names it: a suspect for the
 * cause, most suspect first (`changes/change-evidence.ts`). A person may mark it as the cause
 * or dismiss it (`suspect-verdicts.ts`).
 */
export interface DraftSuspect {
  changeId: string;
  /** The sentence saying what the change was and why it is linked. */
  text: string;
  url: string | null;
  score: number;
}

export interface ReportSection {
  id: SectionId;
  title: string;
  status: SectionStatus;
  /** Human-written text (Markdown) once completed; null in a fresh draft. */
  text: string | null;
  hints: ReportHint[];
}

export interface SummaryFacts {
  title: string;
  severity: string | null;
  status: Incident['status'];
  /** The first alert's start. */
  startedAt: string;
  /**
   * The drafted end: a recorded mitigation, else the page's resolution, else the last alert's
   * resolution (`drafted-end.ts`); null while ongoing.
   */
  endedAt: string | null;
  /** From `startedAt` to `endedAt`. */
  durationMs: number | null;
  /** Which signal set `endedAt`; null while ongoing. Absent in versions published before Debrief drafted it. */
  endSignal?: EndSignal | null;
  /** The sentence saying so ("ended at 14:32 UTC when the page was resolved"). Absent in versions published before Debrief drafted it. */
  endNote?: string;
  /** The last alert's resolution once every alert resolved (the incident's own end). Absent in versions published before Debrief drafted it. */
  lastAlertEndedAt?: string | null;
  affectedServices: string[];
  customerFacing: boolean | null;
  alertCount: number;
  /**
   * The pages (PagerDuty incidents) the incident holds, by number, title and link. Always set in
   * a draft; versions published before pages were named lack it.
   */
  pages?: IncidentPage[];
}

export interface ReportDraft {
  incidentId: string;
  generatedAt: string;
  summary: SummaryFacts;
  /** When impact began at the latest, when the rules behind the alerts show it began before the first alert; else null. */
  impactStart: DraftedImpactStart | null;
  timeline: TimelineEntry[];
  impact: ImpactItem[];
  sections: ReportSection[];
  /** Every suspect, most suspect first (the hints name the first few); absent when no change is linked. */
  suspects?: DraftSuspect[];
}

export interface DraftInput {
  incident: Incident;
  alerts: readonly Alert[];
  events: readonly IncidentEvent[];
  timeline: TimelineEntry[];
  impact: ImpactItem[];
  generatedAt: string;
  /** The mitigation time a person recorded on the report (it sets the drafted end). */
  mitigatedAt?: string | null;
  /** The alerting rules behind the alerts, when Prometheus told (they set the drafted impact start). */
  alertRules?: readonly AlertingRule[];
}

/**
 * Drafts the post-mortem: summary, timeline and impact pre-filled from facts; cause, fix
 * and prevention left for a human, with hints drawn from the alerts. Pure.
 */
export function draftReport(input: DraftInput): ReportDraft {
  const { incident, alerts, impact } = input;
  const flags = impact.map((item) => item.customerFacing);
  const customerFacing = flags.some((flag) => flag === true) ? true : flags.every((flag) => flag === false) && flags.length > 0 ? false : null;
  const end = draftEnd({
    startedAt: incident.startedAt,
    lastAlertEndedAt: incident.endedAt,
    lastAlertStartedAt: alerts.map((alert) => alert.startsAt).sort().at(-1) ?? null,
    events: input.events,
    mitigatedAt: input.mitigatedAt ?? null,
  });
  const summary: SummaryFacts = {
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    startedAt: incident.startedAt,
    endedAt: end.at,
    durationMs: end.at ? Date.parse(end.at) - Date.parse(incident.startedAt) : null,
    endSignal: end.signal,
    endNote: end.note,
    lastAlertEndedAt: incident.endedAt,
    affectedServices: incident.services,
    customerFacing,
    alertCount: incident.alertCount,
    pages: pagesOf(input.events),
  };
  const sections: ReportSection[] = [
    { id: 'summary', title: SECTION_TITLES.summary, status: 'machine-drafted', text: null, hints: [] },
    { id: 'timeline', title: SECTION_TITLES.timeline, status: 'machine-drafted', text: null, hints: [] },
    { id: 'what-happened', title: SECTION_TITLES['what-happened'], status: 'needs-human', text: null, hints: causeHints(alerts, impact) },
    { id: 'fix', title: SECTION_TITLES.fix, status: 'needs-human', text: null, hints: fixHints(alerts, input.events) },
    { id: 'prevention', title: SECTION_TITLES.prevention, status: 'needs-human', text: null, hints: preventionHints(alerts) },
  ];
  const impactStart = draftImpactStart(alerts, input.alertRules ?? []);
  return { incidentId: incident.id, generatedAt: input.generatedAt, summary, impactStart, timeline: input.timeline, impact, sections };
}

function firstAlert(alerts: readonly Alert[]): Alert | undefined {
  return [...alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id))[0];
}

function causeHints(alerts: readonly Alert[], impact: ImpactItem[]): ReportHint[] {
  const hints: ReportHint[] = [];
  const first = firstAlert(alerts);
  if (first) {
    hints.push({ source: 'first alert', text: `${alertName(first)} fired first, at ${readableTime(first.startsAt)}${first.annotations.summary ? `: ${first.annotations.summary}` : ''}`, url: first.generatorUrl });
  }
  const firstService = impact[0];
  if (firstService && firstService.service !== '(unlabelled)') {
    hints.push({ source: 'first service affected', text: `${firstService.service} was affected first, at ${readableTime(firstService.firstSeenAt)}`, url: null });
  }
  for (const alert of uniqueByName(alerts)) {
    if (alert.annotations.description) hints.push({ source: `annotation description of ${alertName(alert)}`, text: alert.annotations.description, url: null });
  }
  return hints;
}

function fixHints(alerts: readonly Alert[], events: readonly IncidentEvent[]): ReportHint[] {
  const hints: ReportHint[] = [];
  for (const alert of uniqueByName(alerts)) {
    const runbook = alert.annotations.runbook_url ?? alert.annotations.runbook;
    if (runbook) hints.push({ source: `runbook of ${alertName(alert)}`, text: `Runbook for ${alertName(alert)}`, url: runbook });
  }
  for (const event of events) {
    if (event.kind === 'pagerduty.annotated' || event.kind === 'pagerduty.resolved') {
      hints.push({ source: event.kind === 'pagerduty.annotated' ? `PagerDuty note${event.actor ? ` by ${event.actor}` : ''}` : 'PagerDuty resolution', text: event.text, url: null });
    }
  }
  return hints;
}

function preventionHints(alerts: readonly Alert[]): ReportHint[] {
  const names = [...new Set(alerts.map(alertName))];
  return names.length === 0 ? [] : [{ source: 'alerts', text: `Consider whether ${names.join(', ')} could have warned earlier, and what would stop it recurring.`, url: null }];
}

function uniqueByName(alerts: readonly Alert[]): Alert[] {
  const seen = new Set<string>();
  return [...alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt)).filter((alert) => {
    const name = alertName(alert);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}
