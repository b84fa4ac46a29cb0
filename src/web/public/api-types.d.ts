// The API answers the pages read, as the page scripts see them (JSDoc imports these types;
// the browser never loads this file). The server's zod schemas are the source of truth:
// src/http/api-schemas.ts, src/http/report-schemas.ts and the route files they name. Only the
// fields the pages use are listed; keep them in step when a page starts reading another.

/** GET /api/v1/me */
export interface User {
  name: string;
  role: string;
}

// ------------------------------------------------------------------- incidents

export type IncidentStatus = 'open' | 'resolved' | 'merged';

export interface Incident {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: string | null;
  services: string[];
  startedAt: string;
  endedAt: string | null;
  alertCount: number;
  mergedInto: string | null;
  /** Only on an incident declared by hand. */
  declaration?: { title: string; services: string[]; severity: string | null; startedAt: string; endedAt: string | null; missedByMonitoring: boolean; declaredBy: string; declaredAt: string };
  /** Whether a post-mortem is needed (policy, request or waiver); in lists. */
  postmortem?: { required: boolean; reason: string };
}

/** GET /api/v1/incidents */
export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

export type EvidenceStrength = 'explicit' | 'strong' | 'moderate' | 'weak';

export interface CorrelationEvidence {
  strength: EvidenceStrength | null;
  score: number;
  depth: number;
  via: string | null;
}

export interface CorrelationDecision {
  kind: 'rule' | 'new-incident' | 'human';
  rule: string | null;
  matched: Record<string, string>;
  gapMs: number | null;
  explanation: string;
  /** Debrief's own decisions; absent on human and older ones. */
  evidence?: CorrelationEvidence;
  /** Why each other link and rule did not place the alert (`<rule>: <reason>`). */
  others?: string[];
  /** A split's decision: the labels that set the split-off alerts apart (`pod=...`). */
  apart?: Record<string, string>;
  decidedBy: string;
  decidedAt: string;
}

export interface Alert {
  id: string;
  incidentId: string;
  instance: string;
  source: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  decision: CorrelationDecision;
  notificationCount: number;
}

export interface ImpactItem {
  service: string;
  clusters: string[];
  namespaces: string[];
  regions: string[];
  severity: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  durationMs: number;
  ongoing: boolean;
  alertCount: number;
  customerFacing: boolean | null;
}

/** A page (PagerDuty incident) an incident holds. */
export interface PageRef {
  instance: string;
  source: string;
  id: string;
  number: number | null;
  title: string | null;
  url: string | null;
  status: string | null;
  urgency: string | null;
  serviceName: string | null;
  firstEventAt: string;
  lastEventAt: string;
}

export interface LabelPair {
  name: string;
  value: string;
}

/** GET /api/v1/incidents/:id */
export interface IncidentDetail extends Incident {
  /** A sample when `alertsOmitted` > 0 (page through all with GET /api/v1/incidents/:id/alerts). */
  alerts: Alert[];
  alertsOmitted: number;
  eventsOmitted: number;
  impact: ImpactItem[];
  pages: PageRef[];
  /** By alert id: the labels telling same-named alerts apart. */
  distinguishingLabels: Record<string, LabelPair[]>;
}

export interface AuditEvent {
  id: string;
  at: string;
  kind: string;
  actor: string | null;
  text: string;
  data: Record<string, unknown>;
}

/** GET /api/v1/incidents/:id/audit (correlation decisions and corrections) */
export interface CorrelationAudit {
  events: AuditEvent[];
}

/** POST /api/v1/incidents/:id/split */
export interface SplitResult {
  incident: Incident;
  newIncident: Incident;
}

/** POST /api/v1/incidents/:id/merge */
export interface MergeResult {
  incident: Incident;
  movedAlertIds: string[];
  /** With `remember`: the service pairs recorded as linked. */
  remembered: { links: string[][]; failed: boolean } | null;
}

/** One item of GET /api/v1/incidents/:id/same-outage */
export interface SameOutageSuggestion {
  incidentId: string;
  title: string;
  status: IncidentStatus;
  startedAt: string;
  evidence: 'shared-infrastructure' | 'remembered-merge';
  services: string[];
  via: string[];
  gapMinutes: number;
  explanation: string;
}

/** POST /api/v1/alerts/:id/move */
export interface MoveResult {
  alert: Alert;
  from: Incident;
  to: Incident;
}

/** GET /api/v1/report-statuses */
export interface ReportStatusItem {
  incidentId: string;
  status: ReportStatus;
  version: number;
  publishedVersion: number | null;
  postmortem: 'requested' | 'waived' | null;
}

/** The time measures of GET /api/v1/incidents/:id/report.json (null: not known yet). */
export interface Measures {
  timeToDetectMs?: number | null;
  timeToAcknowledgeMs?: number | null;
  timeToMitigateMs?: number | null;
  timeToResolveMs?: number | null;
}

// ---------------------------------------------------------------------- report

export type ReportStatus = 'draft' | 'in_review' | 'published';

/** GET/PUT /api/v1/incidents/:id/report/autosave: one person's unsaved text (field key -> what it held, what they typed). */
export interface ReportAutosave {
  incidentId: string;
  author: string;
  savedAt: string;
  baseEtag: string;
  fields: Partial<Record<string, { base: string; value: string }>>;
}
export type SectionId = 'summary' | 'timeline' | 'what-happened' | 'fix' | 'prevention';
export type SectionStatus = 'machine-drafted' | 'needs-human' | 'human-completed';
export type Origin = 'machine-drafted' | 'human-completed';
export type ActionItemStatus = 'open' | 'in_progress' | 'done' | 'wont_do';

/** A time Debrief takes from the alerts unless a person set it. */
export interface TimedPart {
  at: string | null;
  origin: Origin;
  machineAt: string | null;
  /** Which signal set the machine value ("ended at 14:32 UTC when the page was resolved"); absent in older published versions. */
  machineNote?: string | null;
}

export interface TextPart {
  text: string | null;
  status: SectionStatus;
}

export interface ReportTimelineEntry {
  id: string;
  at: string;
  kind: string;
  source: string;
  text: string;
  actor: string | null;
  /** A link to what the entry is about (a change's deployment log or pipeline run). */
  url?: string | null;
  origin: Origin;
  textFormat: 'plain' | 'markdown';
  hidden: { reason: string; by: string; at: string } | null;
  editedBy: string | null;
}

export interface ReportSection {
  id: SectionId;
  title: string;
  status: SectionStatus;
  text: string | null;
  machineText: string | null;
  /** `changeId` is set on a hint naming a suspect change. */
  hints: Array<{ source: string; text: string; url: string | null; changeId?: string }>;
  completedBy: string | null;
  completedAt: string | null;
}

export type SuspectVerdict = 'cause' | 'dismissed';

/** A change linked before the first alert, with a person's verdict on it. */
export interface ReportSuspect {
  changeId: string;
  /** 1 = most suspect, as Debrief ranked it. */
  rank: number;
  text: string;
  url: string | null;
  score: number;
  verdict: SuspectVerdict | null;
  by: string | null;
  at: string | null;
}

export interface ActionItem {
  id: string;
  title: string;
  owner: string | null;
  dueDate: string | null;
  status: ActionItemStatus;
  trackerUrl: string | null;
  /** The issue Debrief made in a tracker ("create in tracker"), with the tracker's last state; absent until then. */
  tracker?: { tracker: 'github' | 'jira'; key: string; url: string; state: string | null; category: string | null; changedAt: string | null };
}

/** What an action item form sends (POST creates, PATCH changes). */
export interface ActionItemBody {
  title: string;
  owner: string | null;
  dueDate: string | null;
  status: string;
  trackerUrl: string | null;
}

/** GET /api/v1/incidents/:id/report (and a report version) */
export interface Report {
  incidentId: string;
  version: number;
  status: ReportStatus;
  etag: string;
  postmortem: { required: boolean; reason: string };
  summary: {
    title: string;
    severity: string | null;
    startedAt: string;
    endedAt: string | null;
    durationMs: number | null;
    /** Which signal set the end; absent in older published versions. */
    endNote?: string;
    affectedServices: string[];
    customerFacing: boolean | null;
    /** The pages the incident holds; absent in versions published before pages were named. */
    pages?: PageRef[];
  };
  impactWindow: { startedAt: TimedPart; endedAt: TimedPart };
  mitigatedAt: TimedPart;
  timeline: ReportTimelineEntry[];
  /** Machine entries hidden from the report, with why (the pages show them to editors). */
  hiddenTimeline: ReportTimelineEntry[];
  sections: ReportSection[];
  /** Absent in versions published before verdicts existed. */
  suspects?: ReportSuspect[];
  customerSummary: TextPart;
  preventionNoneNeeded: TextPart;
  actionItems: ActionItem[];
  updatedAt: string | null;
  updatedBy: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
}

/** The body of a 409 on a report write: the version someone else saved. */
export interface StaleReport {
  current: { version: number; etag: string; report: Report };
}

/** GET /api/v1/incidents/:id/report/versions */
export interface ReportVersion {
  version: number;
  status: ReportStatus;
  current: boolean;
  publishedAt: string | null;
  publishedBy: string | null;
}

/** GET /api/v1/incidents/:id/report/audit */
export interface ReportAuditEntry {
  at: string;
  actor: string;
  action: string;
  version: number;
  changes: Array<{ path: string }>;
}

/** A PATCH of the report: merge semantics, null clears. */
export interface ReportPatch {
  sections?: Partial<Record<SectionId, string | null>>;
  customerSummary?: string | null;
  preventionNoneNeeded?: string | null;
  impactStartedAt?: string | null;
  impactEndedAt?: string | null;
  mitigatedAt?: string | null;
  timeline?: TimelinePatch;
}

export interface TimelinePatch {
  add?: Array<{ at: string; text: string }>;
  entries?: Record<string, { at?: string; text?: string; hiddenReason?: string | null } | null>;
}

/** GET /api/v1/inbox (admin): one received webhook body, without the body. */
export interface InboxEntry {
  id: string;
  seq: number;
  instance: string;
  connector: string;
  receivedAt: string;
  state: 'pending' | 'done' | 'dead';
  attempts: number;
  lastError: string | null;
  processedAt: string | null;
  outcome: { alerts: number; ignoredReason: string | null } | null;
  bodyBytes: number;
  requeues: Array<{ at: string; actor: string }>;
}

export interface InboxPage {
  items: InboxEntry[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------------- search

/** One text of an incident holding a word searched for (GET /api/v1/search). */
export interface SearchMatch {
  part: 'title' | 'section' | 'customer-summary' | 'timeline-note' | 'action-item';
  ref: string;
  label: string;
  snippet: string;
  highlights: Array<{ start: number; end: number }>;
}

/** GET /api/v1/search */
export interface SearchPage {
  terms: string[];
  items: Array<{ incident: Incident; matches: SearchMatch[] }>;
  nextCursor: string | null;
}

// ------------------------------------------------------------------- chat on the timeline

/** GET /api/v1/incidents/:id/chat-candidates (items), PATCH .../chat-candidates/:messageId */
export interface ChatMessage {
  id: string;
  channel: string;
  ts: string;
  threadTs: string | null;
  at: string;
  author: string;
  text: string;
  permalink: string;
  preselected: boolean;
  kept: boolean;
}

/** POST /api/v1/incidents/:id/chat-imports */
export interface ChatImportResult {
  channel: string;
  threadTs: string | null;
  read: number;
  added: number;
  truncated: boolean;
  candidates: ChatMessage[];
}
