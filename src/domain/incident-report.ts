import type { AlertingRule } from './alert-rule';
import type { ServiceLabels } from './service-naming';
import type { IncidentDetail } from './incident';
import { withChangeEntries, withChangeHints } from './changes/change-evidence';
import { withChatEntries } from './chat/chat-messages';
import { withHistoryHints } from './history/history-hints';
import { buildImpact, type ImpactItem } from './impact';
import { facetsOf } from './incident-facets';
import { draftReport, type ReportDraft } from './report/report-draft';
import { buildTimeline, type TimelineEntry } from './timeline';

export interface IncidentViewOptions {
  serviceLabels: ServiceLabels;
  customerFacing?: (service: string) => boolean | null;
}

export interface IncidentView {
  timeline: TimelineEntry[];
  impact: ImpactItem[];
}

/**
 * Timeline and impact list of an incident, derived from its alerts and events (and, for an
 * incident read bounded, the store's facets: `IncidentDetail`). Pure.
 */
export function buildIncidentView(detail: IncidentDetail, options: IncidentViewOptions): IncidentView {
  const facets = detail.facets ?? facetsOf(detail.alerts, options.serviceLabels);
  return {
    timeline: withChatEntries(withChangeEntries(buildTimeline(detail.alerts, detail.events, options.serviceLabels, { facets, alertsOmitted: detail.alertsOmitted ?? 0 }), detail.changes), detail.chat),
    impact: buildImpact(detail.alerts, options.serviceLabels, options.customerFacing, facets),
  };
}

/** What the draft builds on besides the incident: what people recorded on the report, what Prometheus says of the rules. */
export interface RecordedFacts {
  /** When a person recorded service as restored; it sets the drafted end (`report/drafted-end.ts`). */
  mitigatedAt?: string | null;
  /** The alerting rules behind the alerts (from Prometheus); they set the drafted impact start (`report/drafted-impact-start.ts`). */
  alertRules?: readonly AlertingRule[];
}

/** The post-mortem draft of an incident as it stands now. Pure; `generatedAt` is passed in. */
export function buildReport(detail: IncidentDetail, options: IncidentViewOptions, generatedAt: string, recorded: RecordedFacts = {}): ReportDraft {
  const view = buildIncidentView(detail, options);
  const draft = draftReport({ incident: detail.incident, alerts: detail.alerts, events: detail.events, ...view, generatedAt, mitigatedAt: recorded.mitigatedAt ?? null, alertRules: recorded.alertRules ?? [] });
  return withHistoryHints(withChangeHints(draft, detail.changes), detail.history);
}
