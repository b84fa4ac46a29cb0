import type { ReportDraft, SectionId, SummaryFacts } from './report-draft';
import {
  reportEtag, type ActionItem, type HumanText, type HumanTimestamp, type PostmortemStatus, type ReportSectionView,
  type ReportTimelineEntry, type ReportView, type StoredReport, type TextPart, type TimedPart,
} from './report-model';
import { timelineEntryId } from './timeline-entry-id';
import { readableTime } from './readable-time';
import { composeSuspects } from './suspect-verdicts';

export interface ComposeInput {
  /** The machine draft, derived from the incident as it is now. */
  draft: ReportDraft;
  stored: StoredReport;
  actionItems: readonly ActionItem[];
  postmortem: PostmortemStatus;
  generatedAt: string;
}

/**
 * Lays the stored human parts over the machine draft. Pure. The rule that makes Debrief
 * trustworthy lives here: a part a person set is taken from `stored` as written, whatever the
 * draft now says; every other part is the draft's, so it refreshes with the incident.
 */
export function composeReport(input: ComposeInput): ReportView {
  const { draft, stored } = input;
  const content = stored.content;
  const { timeline, hiddenTimeline } = composeTimeline(draft, stored);
  const { suspects, sections: draftSections } = composeSuspects(draft, content.suspectVerdicts);
  const preventionDone = !!content.sections.prevention || input.actionItems.length > 0 || !!content.preventionNoneNeeded;
  const sections: ReportSectionView[] = draftSections.map((section) => {
    const human = content.sections[section.id] ?? null;
    const machineText = section.id === 'summary' ? machineSummaryText(draft.summary, draft.impactStart?.note ?? null) : section.id === 'timeline' ? machineTimelineText(timeline) : null;
    let status = section.status;
    if (human || (section.id === 'prevention' && preventionDone)) status = 'human-completed';
    const by = human ?? (section.id === 'prevention' ? content.preventionNoneNeeded : null);
    return {
      id: section.id,
      title: section.title,
      status,
      text: human?.text ?? null,
      machineText,
      hints: section.hints,
      completedBy: by?.by ?? null,
      completedAt: by?.at ?? null,
    };
  });
  return {
    incidentId: draft.incidentId,
    version: stored.version,
    status: stored.status,
    etag: reportEtag(stored),
    generatedAt: input.generatedAt,
    postmortem: input.postmortem,
    summary: draft.summary,
    impact: draft.impact,
    impactWindow: {
      startedAt: timed(draft.impactStart?.at ?? draft.summary.startedAt, content.impactStartedAt, draft.impactStart?.note ?? null),
      endedAt: timed(draft.summary.endedAt, content.impactEndedAt, draft.summary.endNote ?? null),
    },
    mitigatedAt: timed(null, content.mitigatedAt),
    timeline,
    hiddenTimeline,
    sections,
    suspects,
    customerSummary: textPart(content.customerSummary),
    preventionNoneNeeded: textPart(content.preventionNoneNeeded),
    actionItems: [...input.actionItems],
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
    publishedAt: stored.publishedAt,
    publishedBy: stored.publishedBy,
  };
}

function composeTimeline(draft: ReportDraft, stored: StoredReport): { timeline: ReportTimelineEntry[]; hiddenTimeline: ReportTimelineEntry[] } {
  const edits = new Map(stored.content.timelineEdits.map((edit) => [edit.entryId, edit]));
  const visible: Array<{ entry: ReportTimelineEntry; order: number }> = [];
  const hidden: ReportTimelineEntry[] = [];
  draft.timeline.forEach((machineEntry, order) => {
    const id = timelineEntryId(machineEntry);
    const edit = edits.get(id);
    const corrected = !!edit && (edit.at !== null || edit.text !== null);
    const entry: ReportTimelineEntry = {
      ...machineEntry,
      id,
      at: edit?.at ?? machineEntry.at,
      text: edit?.text ?? machineEntry.text,
      origin: corrected ? 'human-completed' : 'machine-drafted',
      textFormat: edit?.text != null ? 'markdown' : 'plain',
      machine: corrected ? { at: machineEntry.at, text: machineEntry.text } : null,
      hidden: edit?.hiddenReason != null ? { reason: edit.hiddenReason, by: edit.by, at: edit.updatedAt } : null,
      editedBy: edit?.by ?? null,
      editedAt: edit?.updatedAt ?? null,
    };
    if (entry.hidden) hidden.push(entry);
    else visible.push({ entry, order });
  });
  const base = draft.timeline.length;
  stored.content.timelineEntries.forEach((humanEntry, index) => {
    visible.push({
      order: base + index,
      entry: {
        id: humanEntry.id, at: humanEntry.at, kind: 'human.note', source: 'human', text: humanEntry.text, actor: humanEntry.createdBy, alertId: null, eventId: null,
        origin: 'human-completed', textFormat: 'markdown', machine: null, hidden: null, editedBy: humanEntry.updatedBy, editedAt: humanEntry.updatedAt,
      },
    });
  });
  // Time order; among equal times the draft's order (fired before resolved), human entries last.
  visible.sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.order - b.order);
  return { timeline: visible.map((item) => item.entry), hiddenTimeline: hidden };
}

const timed = (machineAt: string | null, human: HumanTimestamp | null, machineNote: string | null = null): TimedPart => (human
  ? { at: human.time, origin: 'human-completed', machineAt, machineNote, setBy: human.by, setAt: human.at }
  : { at: machineAt, origin: 'machine-drafted', machineAt, machineNote, setBy: null, setAt: null });

const textPart = (human: HumanText | null): TextPart => (human
  ? { text: human.text, status: 'human-completed', by: human.by, at: human.at }
  : { text: null, status: 'needs-human', by: null, at: null });

/** Debrief's one-paragraph summary from the facts (plain text; renderers escape it). `impactNote`: the drafted impact start, if any. */
export function machineSummaryText(facts: SummaryFacts, impactNote: string | null = null): string {
  const services = facts.affectedServices.length ? `affecting ${facts.affectedServices.join(', ')}` : 'with no service identified';
  const sev = facts.severity ? `${facts.severity} ` : '';
  const why = facts.endNote ? ` (${facts.endNote})` : '';
  const span = facts.endedAt ? `from ${readableTime(facts.startedAt)} to ${readableTime(facts.endedAt)}${why}` : `since ${readableTime(facts.startedAt)}, still ongoing`;
  const customerFacingText = facts.customerFacing === true ? ' Customer-facing.' : facts.customerFacing === false ? ' Not customer-facing.' : '';
  const impact = impactNote ? ` ${impactNote.replace(/^./, (first) => first.toUpperCase())}.` : '';
  return `${sev}incident "${facts.title}" ${services}, ${span}; ${facts.alertCount} alert${facts.alertCount === 1 ? '' : 's'}.${impact}${customerFacingText}`.replace(/^./, (first) => first.toUpperCase());
}

function machineTimelineText(timeline: readonly ReportTimelineEntry[]): string {
  if (timeline.length === 0) return 'No events yet.';
  return `${timeline.length} event${timeline.length === 1 ? '' : 's'} from ${readableTime(timeline[0]!.at)} to ${readableTime(timeline.at(-1)!.at)}.`;
}

/** Sections a person may write text for through the completion API (all five). */
export const WRITABLE_SECTIONS: readonly SectionId[] = ['summary', 'timeline', 'what-happened', 'fix', 'prevention'];
