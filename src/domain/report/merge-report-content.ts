import { escapeMarkdownText } from './markdown-escape';
import type { AuditChange, HumanText, HumanTimestamp, ReportContent } from './report-model';
import { SECTION_IDS } from './report-draft';

/**
 * Carries what people wrote on a merged-away incident's report into the target's report, so a
 * merge never strands human work on the old id. Pure. Human text on the target is never
 * overwritten: an empty target part takes the source's as written (author kept); when both
 * have text, the source's is appended under a heading naming the merged incident.
 */
export interface MergeContentContext {
  sourceIncidentId: string;
  sourceTitle: string;
  /** Who merged (becomes the author of appended text). */
  actor: string;
  now: string;
  /** The target incident after the merge: a carried impact window only widens it. */
  target: { startedAt: string; endedAt: string | null };
}

export interface MergedContent {
  content: ReportContent;
  changes: AuditChange[];
}

/** The heading placed above a merged incident's text appended to existing text. */
export const mergedHeading = (title: string): string => `#### From merged incident ${escapeMarkdownText(title)}`;

export function mergeReportContent(target: ReportContent, source: ReportContent, ctx: MergeContentContext): MergedContent {
  const changes: AuditChange[] = [];
  const content: ReportContent = {
    ...target,
    sections: { ...target.sections },
    timelineEntries: [...target.timelineEntries],
    timelineEdits: [...target.timelineEdits],
  };

  const text = (path: string, mine: HumanText | null | undefined, theirs: HumanText | null | undefined): HumanText | null | undefined => {
    if (!theirs || theirs.text.trim() === '') return mine;
    const next: HumanText = mine && mine.text.trim() !== ''
      ? { text: `${mine.text.trimEnd()}\n\n${mergedHeading(ctx.sourceTitle)}\n\n${theirs.text}`, by: ctx.actor, at: ctx.now }
      : theirs;
    changes.push({ path, from: mine?.text ?? null, to: next.text });
    return next;
  };
  for (const id of SECTION_IDS) {
    const next = text(`sections.${id}`, content.sections[id], source.sections[id]);
    if (next) content.sections[id] = next;
  }
  content.customerSummary = text('customerSummary', content.customerSummary, source.customerSummary) ?? null;
  content.preventionNoneNeeded = text('preventionNoneNeeded', content.preventionNoneNeeded, source.preventionNoneNeeded) ?? null;

  // Times a person set are taken only where the target has none, and only when they widen the
  // merged incident's window (a later impact start would contradict the target's own alerts).
  const time = (path: 'impactStartedAt' | 'impactEndedAt' | 'mitigatedAt', widens: (at: string) => boolean) => {
    const theirs: HumanTimestamp | null = source[path];
    if (content[path] || !theirs || !widens(theirs.time)) return;
    content[path] = theirs;
    changes.push({ path, from: null, to: theirs.time });
  };
  time('impactStartedAt', (at) => Date.parse(at) < Date.parse(ctx.target.startedAt));
  time('impactEndedAt', (at) => ctx.target.endedAt !== null && Date.parse(at) > Date.parse(ctx.target.endedAt));
  time('mitigatedAt', () => true);

  // Human entries have unique ids; machine-entry corrections are keyed by alert/event ids,
  // which moved to the target with the merge, so they still apply there.
  const entryIds = new Set(content.timelineEntries.map((entry) => entry.id));
  for (const entry of source.timelineEntries) {
    if (entryIds.has(entry.id)) continue;
    content.timelineEntries.push(entry);
    changes.push({ path: `timeline.entries.${entry.id}`, from: null, to: { at: entry.at, text: entry.text } });
  }
  const edited = new Set(content.timelineEdits.map((edit) => edit.entryId));
  for (const edit of source.timelineEdits) {
    if (edited.has(edit.entryId)) continue;
    content.timelineEdits.push(edit);
    changes.push({ path: `timeline.entries.${edit.entryId}`, from: null, to: { at: edit.at, text: edit.text, hiddenReason: edit.hiddenReason } });
  }

  if (changes.length > 0) changes.unshift({ path: 'mergedFrom', from: null, to: { incidentId: ctx.sourceIncidentId, title: ctx.sourceTitle } });
  return { content, changes };
}
