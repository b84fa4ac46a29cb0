import type { ImpactItem } from '../impact';
import type { ActionItemTrackerLink } from '../trackers/tracker-link';
import type { TimelineEntry } from '../timeline';
import type { ReportHint, SectionId, SectionStatus, SummaryFacts } from './report-draft';

/**
 * The stored post-mortem report model and the composed view every read returns.
 *
 * A report has two halves:
 * - **machine parts** (summary facts, timeline, impact, hints) are never stored for a live
 *   report: they are derived from the incident on every read (`draftReport`), so they refresh
 *   by themselves as alerts, PagerDuty events and SRE corrections arrive;
 * - **human parts** (`ReportContent`) are stored per incident and are only changed by people
 *   through the completion API. Composition (`composeReport`) lays the human parts over the
 *   machine parts; a part a human set always wins and is marked `human-completed`.
 *
 * A published version is frozen as a whole `ReportView` snapshot (machine parts included), so
 * what readers saw at publication stays readable exactly as it was.
 *
 * Times: every `*At` field is an ISO-8601 UTC string with milliseconds. `by` fields are actor
 * names (the API token's name). Due dates are calendar days `YYYY-MM-DD` (UTC).
 */

// ------------------------------------------------------------------ workflow

/** `draft -> in_review -> published`; a published report goes back to `draft` only as a new version. */
export const REPORT_STATUSES = ['draft', 'in_review', 'published'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Whether a part of a report came from Debrief's facts or from a person. */
export type PartOrigin = 'machine-drafted' | 'human-completed';

// ------------------------------------------------------- stored human parts

/** Text a person wrote. `text` is Markdown and is rendered as written (never escaped). */
export interface HumanText {
  text: string;
  /** Who wrote the current text. */
  by: string;
  /** When it was written (processing time). */
  at: string;
}

/** A time a person set (impact start/end, mitigation). */
export interface HumanTimestamp {
  /** The time the person says the thing happened (event time, UTC ISO). */
  time: string;
  by: string;
  /** When it was set (processing time). */
  at: string;
}

/** A timeline entry a person added. Ids are `human:<uuid>`. */
export interface HumanTimelineEntry {
  id: string;
  /** Event time of the entry (UTC ISO). */
  at: string;
  /** Markdown, rendered as written. */
  text: string;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/**
 * A person's correction of a machine timeline entry, keyed by the entry's stable id
 * (`timelineEntryId`). Fields left null keep the machine value, which keeps refreshing.
 * An edit whose entry no longer exists (its alert moved to another incident) is kept but
 * not shown.
 */
export interface MachineTimelineEdit {
  entryId: string;
  /** Corrected event time, or null to keep the machine time. */
  at: string | null;
  /** Replacement text (Markdown), or null to keep the machine text. */
  text: string | null;
  /** Non-null hides the entry from the report; the reason is required and shown to editors. */
  hiddenReason: string | null;
  by: string;
  updatedAt: string;
}

/** A person's decision about whether this incident needs a post-mortem, overriding the policy. */
export interface PostmortemOverride {
  kind: 'requested' | 'waived';
  /** Required for `waived`; optional for `requested`. */
  reason: string | null;
  by: string;
  at: string;
}

/** Everything people wrote on one report. Absent/null members mean "nothing written". */
export interface ReportContent {
  /** Human text per section; any of the five may be written (summary/timeline text is a note beside the facts). */
  sections: Partial<Record<SectionId, HumanText>>;
  /** The short text for customers and the public status page; required to publish. */
  customerSummary: HumanText | null;
  /** When impact began, when it differs from the first alert (impact can begin before it). */
  impactStartedAt: HumanTimestamp | null;
  /** When impact ended, when it differs from the last alert end. */
  impactEndedAt: HumanTimestamp | null;
  /** When service was restored (mitigated), for time-to-mitigate; only people set it. */
  mitigatedAt: HumanTimestamp | null;
  /** Why no prevention action items are needed; satisfies the prevention requirement to publish. */
  preventionNoneNeeded: HumanText | null;
  timelineEntries: HumanTimelineEntry[];
  timelineEdits: MachineTimelineEdit[];
  /** People's verdicts on suspects, one per change. Absent in records written before verdicts existed. */
  suspectVerdicts?: SuspectVerdict[];
}

export const SUSPECT_VERDICTS = ['cause', 'dismissed'] as const;
export type SuspectVerdictKind = (typeof SUSPECT_VERDICTS)[number];

/**
 * A person's verdict on a suspect (a change linked before the first alert): it was the cause, or
 * it was not. Keyed by the change's id; a verdict on a change no longer linked is kept, not shown.
 */
export interface SuspectVerdict {
  changeId: string;
  verdict: SuspectVerdictKind;
  by: string;
  at: string;
}

/**
 * One incident's stored report record: the human parts of the current version plus workflow
 * state. Created on the first human write; before that an incident's report is the pure draft
 * (`emptyStoredReport`).
 *
 * Invariants: `version` starts at 1 and grows by one each time a published version is
 * edited (the published one stays as a snapshot). `revision` grows by one on every write of
 * any kind and is what optimistic concurrency compares; the ETag is derived from both.
 */
export interface StoredReport {
  incidentId: string;
  version: number;
  revision: number;
  status: ReportStatus;
  content: ReportContent;
  postmortem: PostmortemOverride | null;
  createdAt: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Set while `status` is `published`: when and by whom this version was published. */
  publishedAt: string | null;
  publishedBy: string | null;
}

/** Strong ETag of a stored report's human state (quoted, as sent in the `ETag` header). */
export const reportEtag = (report: Pick<StoredReport, 'version' | 'revision'>): string => `"v${report.version}.r${report.revision}"`;

export const emptyContent = (): ReportContent => ({
  sections: {},
  customerSummary: null,
  impactStartedAt: null,
  impactEndedAt: null,
  mitigatedAt: null,
  preventionNoneNeeded: null,
  timelineEntries: [],
  timelineEdits: [],
});

/** The report of an incident nobody has touched yet: version 1, revision 0, draft. */
export const emptyStoredReport = (incidentId: string): StoredReport => ({
  incidentId,
  version: 1,
  revision: 0,
  status: 'draft',
  content: emptyContent(),
  postmortem: null,
  createdAt: null,
  updatedAt: null,
  updatedBy: null,
  publishedAt: null,
  publishedBy: null,
});

// ------------------------------------------------------------- action items

export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

/**
 * A prevention action item. Action items are tracked work with their own lifecycle: they can
 * change after the report is published without making a new report version; a published
 * snapshot keeps them as they were at publication.
 */
export interface ActionItem {
  /** `ai_<uuid>`-style opaque id. */
  id: string;
  incidentId: string;
  title: string;
  owner: string | null;
  /** Calendar day `YYYY-MM-DD` (UTC); overdue once today (UTC) is after it and the item is not done/won't do. */
  dueDate: string | null;
  status: ActionItemStatus;
  /** Link to the issue tracker; http(s) only. Set to the page when Debrief made the issue. */
  trackerUrl: string | null;
  /** The issue Debrief made for this item in a tracker, with the tracker's last state; absent until then. */
  tracker?: ActionItemTrackerLink;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

// -------------------------------------------------------------------- audit

export type ReportAuditAction =
  | 'report.updated'
  | 'report.transitioned'
  | 'report.version-created'
  | 'postmortem.requested'
  | 'postmortem.waived'
  | 'action-item.created'
  | 'action-item.updated'
  | 'action-item.deleted';

/** One changed field: its path in the PATCH body shape (`sections.fix`, `timeline.entries.<id>.text`, ...). */
export interface AuditChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Who changed what and when. Appended in the same transaction as the change; never edited. */
export interface ReportAuditEntry {
  id: string;
  incidentId: string;
  /** Processing time of the change. */
  at: string;
  actor: string;
  action: ReportAuditAction;
  /** The report version the change applied to (after the change). */
  version: number;
  /** Action item id for `action-item.*`, else null. */
  actionItemId: string | null;
  changes: AuditChange[];
}

// ---------------------------------------------------------- composed view

/** Provenance of one human-completable part. `needs-human` when nothing is written yet and a person must. */
export interface PartProvenance {
  status: SectionStatus;
  by: string | null;
  at: string | null;
}

/** A time that is machine-derived until a person sets it. */
export interface TimedPart {
  /** The effective time (human value if set, else the machine value; null when unknown/ongoing). */
  at: string | null;
  origin: PartOrigin;
  /** The machine value, kept so a UI can show what a person overrode. */
  machineAt: string | null;
  /**
   * Which signal set the machine value, as one sentence ("ended at 14:32 UTC when the page was
   * resolved"); null when there is nothing to say. Absent in versions published before Debrief drafted it.
   */
  machineNote?: string | null;
  setBy: string | null;
  setAt: string | null;
}

/** A text part with no machine draft (customer summary, "none needed" reason). */
export interface TextPart extends PartProvenance {
  /** Markdown as written, or null. */
  text: string | null;
}

/** A suspect as composed: the draft's sentence with a person's verdict, if any. */
export interface ReportSuspect {
  changeId: string;
  /** 1 = most suspect, as Debrief ranked it (verdicts do not change it). */
  rank: number;
  text: string;
  url: string | null;
  score: number;
  verdict: SuspectVerdictKind | null;
  /** Who gave the verdict and when; null without one. */
  by: string | null;
  at: string | null;
}

/** A report section as composed for readers (extends the draft's section shape). */
export interface ReportSectionView {
  id: SectionId;
  title: string;
  /** `human-completed` once a person wrote this section; never reverted by a machine refresh. */
  status: SectionStatus;
  /** Human-written Markdown, rendered as written; null when nobody wrote it. */
  text: string | null;
  /** Debrief's plain-text draft for this section (summary, timeline); must be escaped when rendered. */
  machineText: string | null;
  hints: ReportHint[];
  completedBy: string | null;
  completedAt: string | null;
}

/**
 * A timeline entry as composed: machine entries (with a stable `id`) with any human
 * correction applied, plus human entries. `origin` is `human-completed` when a person wrote or
 * corrected it. Human `text` is Markdown (`textFormat: 'markdown'`), machine text is plain.
 */
export interface ReportTimelineEntry extends TimelineEntry {
  /** Stable id: `alert:<alertId>:fired`, `alert:<alertId>:resolved`, `event:<eventId>`, `human:<uuid>`. */
  id: string;
  origin: PartOrigin;
  textFormat: 'plain' | 'markdown';
  /** For a corrected machine entry: the machine's own time and text; null otherwise. */
  machine: { at: string; text: string } | null;
  /** Set on entries a person hid (only in `hiddenTimeline`). */
  hidden: { reason: string; by: string; at: string } | null;
  editedBy: string | null;
  editedAt: string | null;
}

/** Whether this incident needs a post-mortem, and why. */
export interface PostmortemStatus {
  required: boolean;
  /** One sentence: the policy's reason, or the human request/waiver. */
  reason: string;
  /** What the configured policy alone says. */
  policy: { required: boolean; reason: string };
  requested: { reason: string | null; by: string; at: string } | null;
  waived: { reason: string | null; by: string; at: string } | null;
}

/**
 * What `GET /api/v1/incidents/:id/report` returns, what renderers take, and what a published
 * version freezes. A superset of the pure draft's shape (`ReportDraft`).
 */
export interface ReportView {
  incidentId: string;
  version: number;
  status: ReportStatus;
  /** Same value as the `ETag` header; send it back as `If-Match` to write. */
  etag: string;
  /** When this view was composed (or, for a published snapshot, when it was published). */
  generatedAt: string;
  postmortem: PostmortemStatus;
  /** Machine facts; they refresh with the incident. */
  summary: SummaryFacts;
  impact: ImpactItem[];
  /** Impact window: machine = first alert start (earlier when a rule's wait shows it) / the drafted end (`summary.endedAt`), unless a person set it. */
  impactWindow: { startedAt: TimedPart; endedAt: TimedPart };
  /** Only people set it; `at` null until they do. */
  mitigatedAt: TimedPart;
  /** Visible entries, by time. */
  timeline: ReportTimelineEntry[];
  /** Machine entries a person hid, with the reason. Never rendered in exports. */
  hiddenTimeline: ReportTimelineEntry[];
  /** The five sections, in order. */
  sections: ReportSectionView[];
  /**
   * Every suspect with its verdict, most suspect first. Marked causes lead the hints of "What
   * happened"; dismissed ones are left out of them. Absent in versions published before verdicts existed.
   */
  suspects?: ReportSuspect[];
  customerSummary: TextPart;
  preventionNoneNeeded: TextPart;
  actionItems: ActionItem[];
  updatedAt: string | null;
  updatedBy: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
}

// ---------------------------------------------------------------- versions

/** A row of `GET .../report/versions`. The current unpublished version is listed too. */
export interface ReportVersionSummary {
  version: number;
  status: ReportStatus;
  /** True for the version PATCH writes to (the newest). */
  current: boolean;
  publishedAt: string | null;
  publishedBy: string | null;
  etag: string;
}

/** A frozen published version. */
export interface PublishedReportVersion {
  incidentId: string;
  version: number;
  publishedAt: string;
  publishedBy: string;
  etag: string;
  /** The whole view as it was at publication (machine parts frozen too). */
  report: ReportView;
}

/** An action item's fields as its audit entries record them. */
export const actionItemFields = (item: ActionItem) => ({ title: item.title, owner: item.owner, dueDate: item.dueDate, status: item.status, trackerUrl: item.trackerUrl });
