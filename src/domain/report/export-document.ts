import type { ServiceLabels } from '../service-naming';
import type { IncidentDetail } from '../incident';
import { measureIncident, type IncidentMeasures, type MeasureOverrides } from '../incident-metrics';
import type { MetricSnapshot } from './metric-chart-svg';
import type { DeliveryView } from './report-to-html';
import type { ReportView } from './report-model';
import { buildTimelinePicture, type TimelinePicture } from './timeline-svg';

/**
 * The JSON export of a report: the composed report (hidden timeline entries left out, as in
 * every export), its response-time measures, the data of the timeline picture and metric
 * charts, and the outbound notification outcomes. Self-describing (`format`, `formatVersion`).
 */
export interface ExportDocument {
  format: 'debrief-report';
  formatVersion: 1;
  exportedAt: string;
  report: Omit<ReportView, 'hiddenTimeline'>;
  measures: IncidentMeasures;
  timelinePicture: TimelinePicture;
  metricSnapshots: MetricSnapshot[];
  deliveries: DeliveryView[];
}

export interface ExportInput {
  detail: IncidentDetail;
  report: ReportView;
  serviceLabels: ServiceLabels;
  now: string;
  metricSnapshots: readonly MetricSnapshot[];
  deliveries: readonly DeliveryView[];
}

/** Human-set times of a report, as the measures need them. */
export function measureOverrides(report: Pick<ReportView, 'impactWindow' | 'mitigatedAt'>): MeasureOverrides {
  const human = (part: ReportView['mitigatedAt']) => (part.origin === 'human-completed' ? part.at : null);
  return { impactStartedAt: human(report.impactWindow.startedAt), impactEndedAt: human(report.impactWindow.endedAt), mitigatedAt: report.mitigatedAt.at };
}

/** Builds the export document. Pure. */
export function buildExportDocument(input: ExportInput): ExportDocument {
  const { report } = input;
  const { hiddenTimeline: _hidden, ...visible } = report;
  const overrides = measureOverrides(report);
  return {
    format: 'debrief-report',
    formatVersion: 1,
    exportedAt: input.now,
    report: visible,
    measures: measureIncident(input.detail, overrides, input.serviceLabels),
    timelinePicture: buildTimelinePicture(input.detail, {
      serviceLabels: input.serviceLabels,
      now: input.now,
      // A drafted impact start is drawn only when a rule's wait moved it before the first alert.
      impactStartedAt: overrides.impactStartedAt ?? (report.impactWindow.startedAt.machineNote ? report.impactWindow.startedAt.at : null),
      mitigatedAt: overrides.mitigatedAt,
      resolvedAt: report.impactWindow.endedAt.at,
      humanEntries: report.timeline.filter((entry) => entry.source === 'human').map((entry) => ({ at: entry.at, text: entry.text })),
    }),
    metricSnapshots: [...input.metricSnapshots],
    deliveries: [...input.deliveries],
  };
}
