import type { Alert } from '../../src/domain/alert';
import type { IncidentDetail, IncidentEvent } from '../../src/domain/incident';
import { summarizeIncident } from '../../src/domain/incident-summary';
import { buildReport } from '../../src/domain/incident-report';
import { composeReport } from '../../src/domain/report/compose-report';
import { emptyStoredReport, type ActionItem, type ReportContent, type ReportView, type StoredReport } from '../../src/domain/report/report-model';

/**
 * Incidents, alerts and composed reports built in memory for renderer tests, so each test says
 * only what matters to it. Shapes are the real domain types; the report is composed by the
 * real `composeReport`.
 */

export const SERVICE_LABELS = ['service', 'app', 'job'] as const;

let seq = 0;

export interface AlertInput {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string | null;
  generatorUrl?: string | null;
  id?: string;
}

export function alert(input: AlertInput, incidentId = 'inc-1'): Alert {
  const id = input.id ?? `alert-${++seq}`;
  const resolved = !!input.endsAt;
  return {
    id,
    incidentId,
    instance: 'alertmanager',
    source: 'alertmanager',
    fingerprint: `fp-${id}`,
    fingerprintComputed: false,
    status: resolved ? 'resolved' : 'firing',
    startsAt: input.startsAt,
    endsAt: input.endsAt ?? null,
    labels: input.labels,
    annotations: input.annotations ?? {},
    generatorUrl: input.generatorUrl === undefined ? null : input.generatorUrl,
    sourceGroupKey: '{}:{alertname="x"}',
    sourceGroupLabels: {},
    decision: { kind: 'new-incident', rule: null, matched: {}, gapMs: null, explanation: 'first alert', decidedBy: 'debrief', decidedAt: input.startsAt },
    firstSeenAt: input.startsAt,
    lastSeenAt: input.endsAt ?? input.startsAt,
    notificationCount: 1,
  };
}

export function event(kind: string, at: string, text: string, incidentId = 'inc-1', actor: string | null = null): IncidentEvent {
  return { id: `ev-${++seq}`, incidentId, at, kind, actor, text, data: {} };
}

export function incidentDetail(alerts: Alert[], events: IncidentEvent[] = [], id = 'inc-1'): IncidentDetail {
  const summary = summarizeIncident(alerts, SERVICE_LABELS);
  return {
    incident: { id, ...summary, createdAt: summary.startedAt, updatedAt: summary.lastActivityAt, mergedInto: null },
    alerts: alerts.map((a) => ({ ...a, incidentId: id })),
    events: events.map((e) => ({ ...e, incidentId: id })),
  };
}

const human = (text: string, by = 'alice', at = '2026-03-01T12:00:00.000Z') => ({ text, by, at });
const stamp = (time: string, by = 'alice', at = '2026-03-01T12:00:00.000Z') => ({ time, by, at });

export interface ViewOptions {
  content?: Partial<ReportContent>;
  actionItems?: ActionItem[];
  status?: StoredReport['status'];
  customerFacing?: (service: string) => boolean | null;
  now?: string;
}

/** The composed report of `detail`, with the human parts given. */
export function reportView(detail: IncidentDetail, options: ViewOptions = {}): ReportView {
  const now = options.now ?? '2026-03-01T12:00:00.000Z';
  const draft = buildReport(detail, { serviceLabels: SERVICE_LABELS, customerFacing: options.customerFacing }, now);
  const base = emptyStoredReport(detail.incident.id);
  const stored: StoredReport = { ...base, status: options.status ?? 'draft', content: { ...base.content, ...options.content } };
  return composeReport({
    draft,
    stored,
    actionItems: options.actionItems ?? [],
    postmortem: { required: true, reason: 'test', policy: { required: true, reason: 'test' }, requested: null, waived: null },
    generatedAt: now,
  });
}

export const h = { text: human, time: stamp };

export function actionItem(partial: Partial<ActionItem> & { title: string }): ActionItem {
  return {
    id: `ai-${++seq}`, incidentId: 'inc-1', owner: null, dueDate: null, status: 'open', trackerUrl: null,
    createdAt: '2026-03-01T12:00:00.000Z', createdBy: 'alice', updatedAt: '2026-03-01T12:00:00.000Z', updatedBy: 'alice', ...partial,
  };
}

/** Text that must stay inert in every format: markup, attribute breakouts, Markdown links, control characters. */
export const HOSTILE = {
  script: '<script>alert("x")</script>',
  attrBreak: '"><img src=x onerror=alert(1)>',
  mdLink: '[click me](javascript:alert(1))',
  control: 'bell\u0007 nul\u0000 esc\u001b rtl\u202e end',
};
export const HOSTILE_TEXT = `${HOSTILE.script} ${HOSTILE.attrBreak} ${HOSTILE.mdLink} ${HOSTILE.control}`;
