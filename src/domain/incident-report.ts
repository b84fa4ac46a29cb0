import type { ServiceLabels } from './service-naming';
import type { IncidentDetail } from './incident';
import { withChangeEntries, withChangeHints } from './changes/change-evidence';
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
    timeline: withChangeEntries(buildTimeline(detail.alerts, detail.events, options.serviceLabels, { facets, alertsOmitted: detail.alertsOmitted ?? 0 }), detail.changes),
    impact: buildImpact(detail.alerts, options.serviceLabels, options.customerFacing, facets),
  };
}

/** The post-mortem draft of an incident as it stands now. Pure; `generatedAt` is passed in. */
export function buildReport(detail: IncidentDetail, options: IncidentViewOptions, generatedAt: string): ReportDraft {
  const view = buildIncidentView(detail, options);
  const draft = draftReport({ incident: detail.incident, alerts: detail.alerts, events: detail.events, ...view, generatedAt });
  return withHistoryHints(withChangeHints(draft, detail.changes), detail.history);
}
