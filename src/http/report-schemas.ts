import { TRACKER_KINDS } from '../domain/trackers/tracker';
import { z } from 'zod';
import { ACTION_ITEM_STATUSES, REPORT_STATUSES, SUSPECT_VERDICTS } from '../domain/report/report-model';
import { AUTOSAVE_FIELDS } from '../domain/report/report-autosave';
import { SECTION_IDS } from '../domain/report/report-draft';
import { END_SIGNALS } from '../domain/report/drafted-end';
import { errorSchema, impactItemSchema, incidentPageRefSchema, timelineEntrySchema } from './api-schemas';

/**
 * Schemas of the report and action-item API: they validate requests (strict: an unknown or
 * misspelt field is a 400, never a silent no-op) and document responses in OpenAPI.
 */

const isoTime = z.string().describe('ISO-8601 UTC time');
const inTime = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString())
  .describe('ISO-8601 time with offset; stored as UTC');
const humanText = z.string().max(100_000).refine((text) => text.trim() !== '', 'must not be blank; send null to clear')
  .describe('Markdown, kept as written');
const shortText = z.string().max(2_000).refine((text) => text.trim() !== '', 'must not be blank');

// ----------------------------------------------------------------- requests

const timelineEntryPatchSchema = z.object({
  at: inTime.nullable().optional().describe('Corrected time; null restores the machine time'),
  text: humanText.nullable().optional().describe('Replacement text; null restores the machine text'),
  hiddenReason: shortText.nullable().optional().describe('Hides a machine entry with this reason; null shows it again'),
}).strict();

export const reportPatchSchema = z.object({
  sections: z.object(Object.fromEntries(SECTION_IDS.map((id) => [id, humanText.nullable().optional()])) as Record<(typeof SECTION_IDS)[number], z.ZodOptional<z.ZodNullable<typeof humanText>>>)
    .strict().optional().describe('Human text per section (what-happened, fix, prevention; summary/timeline text is a note beside the facts)'),
  customerSummary: humanText.nullable().optional().describe('What customers and the public status page see'),
  impactStartedAt: inTime.nullable().optional().describe('When impact began, if before the first alert'),
  impactEndedAt: inTime.nullable().optional().describe('When impact ended, if not at the last alert end'),
  mitigatedAt: inTime.nullable().optional().describe('When service was restored (time to mitigate)'),
  preventionNoneNeeded: shortText.nullable().optional().describe('Why no prevention action items are needed'),
  timeline: z.object({
    add: z.array(z.object({ at: inTime, text: humanText }).strict()).max(100).optional().describe('New human timeline entries'),
    entries: z.record(z.string().min(1).max(300), timelineEntryPatchSchema.nullable()).optional()
      .describe('Changes by entry id; null deletes a human entry or drops every correction of a machine entry'),
  }).strict().optional(),
}).strict().meta({ id: 'ReportPatch', description: 'Merge semantics: an absent field is unchanged, null clears it. Send If-Match with the current ETag.' });

export const transitionBodySchema = z.object({
  to: z.enum(REPORT_STATUSES).describe('published needs the publisher role'),
}).strict().meta({ id: 'ReportTransition' });

export const suspectVerdictBodySchema = z.object({
  changeId: z.string().min(1).max(1000).describe('The suspect\'s change id (`suspects[].changeId` of the report)'),
  verdict: z.enum(SUSPECT_VERDICTS).nullable().describe('`cause`: this change caused the incident; `dismissed`: it did not; null takes the verdict back'),
}).strict().meta({ id: 'SuspectVerdictBody' });

export const requestBodySchema = z.object({ reason: shortText.nullable().optional() }).strict();
export const waiveBodySchema = z.object({ reason: shortText.describe('Why this incident needs no post-mortem') }).strict();

export const versionParamsSchema = z.object({
  id: z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/),
  n: z.coerce.number().int().min(1).describe('Version number'),
});

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Page size (1-500).'),
  cursor: z.string().max(1000).optional().describe('Opaque cursor from the previous page.'),
});

const trackerUrl = z.string().max(2_000).refine((url) => {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');
const dueDate = z.iso.date().describe('Calendar day YYYY-MM-DD (UTC)');

export const actionItemCreateSchema = z.object({
  title: shortText.pipe(z.string().max(500)),
  owner: z.string().min(1).max(200).nullable().optional(),
  dueDate: dueDate.nullable().optional(),
  status: z.enum(ACTION_ITEM_STATUSES).optional().describe('Defaults to open'),
  trackerUrl: trackerUrl.nullable().optional(),
}).strict().meta({ id: 'ActionItemCreate' });

export const actionItemPatchSchema = z.object({
  title: shortText.pipe(z.string().max(500)).optional(),
  owner: z.string().min(1).max(200).nullable().optional(),
  dueDate: dueDate.nullable().optional(),
  status: z.enum(ACTION_ITEM_STATUSES).optional(),
  trackerUrl: trackerUrl.nullable().optional(),
}).strict().meta({ id: 'ActionItemPatch', description: 'Merge semantics: absent unchanged, null clears (title and status cannot be cleared).' });

export const itemParamsSchema = z.object({ itemId: z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/) });

export const actionItemQuerySchema = z.object({
  status: z.enum(ACTION_ITEM_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).optional().transform((text) => text === 'true')
    .describe('true: only items due before today (UTC) that are open or in progress'),
  incidentId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Page size (1-500).'),
  cursor: z.string().max(1000).optional().describe('Opaque cursor from the previous page.'),
});

// ---------------------------------------------------------------- responses

const sectionStatus = z.enum(['machine-drafted', 'needs-human', 'human-completed']);
const origin = z.enum(['machine-drafted', 'human-completed']);

export const actionItemSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  owner: z.string().nullable(),
  dueDate: z.string().nullable(),
  status: z.enum(ACTION_ITEM_STATUSES),
  trackerUrl: z.string().nullable(),
  tracker: z.object({
    tracker: z.enum(TRACKER_KINDS),
    key: z.string().describe('`owner/repo#12` (GitHub), `OPS-12` (Jira)'),
    url: z.string().describe('The issue\'s page'),
    state: z.string().nullable().describe('The tracker\'s last state of the issue (GitHub `open`/`closed`); null until it said one'),
    category: z.string().nullable().describe('The tracker\'s coarse class (GitHub `state_reason`, Jira status category)'),
    changedAt: isoTime.nullable().describe('The tracker\'s time of that state'),
  }).optional().describe('The issue Debrief made for this item in a tracker ("create in tracker"); absent until then'),
  createdAt: isoTime,
  createdBy: z.string(),
  updatedAt: isoTime,
  updatedBy: z.string(),
}).meta({ id: 'ActionItem' });

export const trackerIssueCreateSchema = z.object({
  tracker: z.string().min(1).max(50).describe('Which configured tracker makes the issue: `github` or `jira`'),
}).strict().meta({ id: 'TrackerIssueCreate' });

export const trackerListSchema = z.object({
  items: z.array(z.object({
    kind: z.enum(TRACKER_KINDS).describe('What `POST .../tracker-issue` takes as `tracker`'),
    name: z.string().describe('For people: `GitHub`, `Jira`'),
  })),
}).meta({ id: 'TrackerList' });

export const overdueListingSchema = z.object({
  today: z.string().describe('Items due before this day (UTC) and still open or in progress are overdue'),
  total: z.number().int(),
  byTeam: z.array(z.object({ team: z.string().nullable().describe('Owning team of the incident\'s services in the catalog; null: none'), count: z.number().int() })),
  byOwner: z.array(z.object({ owner: z.string().nullable(), count: z.number().int() })),
  rows: z.array(z.object({ team: z.string().nullable(), owner: z.string().nullable(), count: z.number().int() })),
}).meta({ id: 'OverdueActionItems' });

export const actionItemPageSchema = z.object({ items: z.array(actionItemSchema), nextCursor: z.string().nullable() }).meta({ id: 'ActionItemPage' });

const timedPart = z.object({
  at: isoTime.nullable(), origin, machineAt: isoTime.nullable(),
  machineNote: z.string().nullable().optional().describe('Which signal set the machine value, as one sentence (absent in versions published before Debrief drafted it)'),
  setBy: z.string().nullable(), setAt: isoTime.nullable(),
});
const textPart = z.object({ text: z.string().nullable(), status: sectionStatus, by: z.string().nullable(), at: isoTime.nullable() });
const override = z.object({ reason: z.string().nullable(), by: z.string(), at: isoTime }).nullable();

export const reportTimelineEntrySchema = timelineEntrySchema.extend({
  id: z.string().describe('Stable id: alert:<alertId>:fired|resolved, event:<eventId>, human:<uuid>'),
  origin,
  textFormat: z.enum(['plain', 'markdown']),
  machine: z.object({ at: isoTime, text: z.string() }).nullable(),
  hidden: z.object({ reason: z.string(), by: z.string(), at: isoTime }).nullable(),
  editedBy: z.string().nullable(),
  editedAt: isoTime.nullable(),
}).meta({ id: 'ReportTimelineEntry' });

export const postmortemStatusSchema = z.object({
  required: z.boolean(),
  reason: z.string(),
  policy: z.object({ required: z.boolean(), reason: z.string() }),
  requested: override,
  waived: override,
}).meta({ id: 'PostmortemStatus' });

export const reportViewSchema = z.object({
  incidentId: z.string(),
  version: z.number().int(),
  status: z.enum(REPORT_STATUSES),
  etag: z.string(),
  generatedAt: isoTime,
  postmortem: postmortemStatusSchema,
  summary: z.object({
    title: z.string(),
    severity: z.string().nullable(),
    status: z.string().describe('Incident status (open, resolved, merged)'),
    startedAt: isoTime.describe('The first alert\'s start'),
    endedAt: isoTime.nullable().describe('The drafted end: a recorded mitigation, else the resolution of the page(s), else the last alert\'s resolution; null while ongoing'),
    durationMs: z.number().nullable(),
    endSignal: z.enum(END_SIGNALS).nullable().optional().describe('Which signal set endedAt (absent in versions published before Debrief drafted it)'),
    endNote: z.string().optional().describe('The sentence saying so, e.g. "ended at 14:32 UTC when the page was resolved"'),
    lastAlertEndedAt: isoTime.nullable().optional().describe('The last alert\'s resolution once every alert resolved'),
    affectedServices: z.array(z.string()),
    customerFacing: z.boolean().nullable(),
    alertCount: z.number().int(),
    pages: z.array(incidentPageRefSchema).optional().describe('The pages (PagerDuty incidents) the incident holds, by number, title and link; absent in versions published before pages were named.'),
  }),
  impact: z.array(impactItemSchema),
  impactWindow: z.object({ startedAt: timedPart, endedAt: timedPart }),
  mitigatedAt: timedPart,
  timeline: z.array(reportTimelineEntrySchema),
  hiddenTimeline: z.array(reportTimelineEntrySchema),
  sections: z.array(z.object({
    id: z.enum(SECTION_IDS),
    title: z.string(),
    status: sectionStatus,
    text: z.string().nullable().describe('Human Markdown'),
    machineText: z.string().nullable().describe('Debrief\'s plain-text draft'),
    hints: z.array(z.object({ source: z.string(), text: z.string(), url: z.string().nullable(), changeId: z.string().optional().describe('Set on a hint naming a suspect change') })),
    completedBy: z.string().nullable(),
    completedAt: isoTime.nullable(),
  })),
  suspects: z.array(z.object({
    changeId: z.string(),
    rank: z.number().int().describe('1 = most suspect, as Debrief ranked it'),
    text: z.string().describe('The sentence saying what the change was and why it is linked'),
    url: z.string().nullable(),
    score: z.number(),
    verdict: z.enum(SUSPECT_VERDICTS).nullable(),
    by: z.string().nullable(),
    at: isoTime.nullable(),
  }).meta({ id: 'ReportSuspect' })).optional()
    .describe('Changes linked before the first alert, with people\'s verdicts; marked causes lead "What happened", dismissed ones leave its hints. Absent in versions published before verdicts existed.'),
  customerSummary: textPart,
  preventionNoneNeeded: textPart,
  actionItems: z.array(actionItemSchema),
  updatedAt: isoTime.nullable(),
  updatedBy: z.string().nullable(),
  publishedAt: isoTime.nullable(),
  publishedBy: z.string().nullable(),
}).meta({ id: 'Report' });

export const staleReportSchema = errorSchema.extend({
  current: z.object({ version: z.number().int(), etag: z.string(), report: reportViewSchema }),
}).meta({ id: 'StaleReport' });

export const versionListSchema = z.object({
  items: z.array(z.object({
    version: z.number().int(),
    status: z.enum(REPORT_STATUSES),
    current: z.boolean(),
    publishedAt: isoTime.nullable(),
    publishedBy: z.string().nullable(),
    etag: z.string(),
  })),
}).meta({ id: 'ReportVersionList' });

export const auditPageSchema = z.object({
  items: z.array(z.object({
    id: z.string(),
    incidentId: z.string(),
    at: isoTime,
    actor: z.string(),
    action: z.string(),
    version: z.number().int(),
    actionItemId: z.string().nullable(),
    changes: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown() })),
  })),
  nextCursor: z.string().nullable(),
}).meta({ id: 'ReportAuditPage' });

// ---------------------------------------------------------------- autosave

const autosaveValue = z.object({
  base: z.string().max(100_000).describe('What the field held when the author started changing it'),
  value: z.string().max(100_000).describe('What the author typed'),
}).strict();
const autosaveFields = z.object(Object.fromEntries(AUTOSAVE_FIELDS.map((key) => [key, autosaveValue.optional()])) as Record<(typeof AUTOSAVE_FIELDS)[number], z.ZodOptional<typeof autosaveValue>>)
  .strict().describe('The changed fields only, by the editor\'s field names (`sections.<id>`, `customerSummary`, ...), as the editor holds them');

export const autosaveBodySchema = z.object({
  baseEtag: z.string().min(1).max(100).describe('The report\'s ETag the text was typed on'),
  fields: autosaveFields,
}).strict().meta({ id: 'ReportAutosaveBody', description: 'Replaces the caller\'s autosave of this report. Not a revision: the report is unchanged.' });

export const autosaveSchema = z.object({
  incidentId: z.string(),
  author: z.string(),
  savedAt: isoTime,
  baseEtag: z.string(),
  fields: autosaveFields,
}).meta({ id: 'ReportAutosave' });

export const autosaveAnswerSchema = z.object({
  autosave: autosaveSchema.nullable().describe('The caller\'s unsaved text on this report, or null'),
}).meta({ id: 'ReportAutosaveAnswer' });
