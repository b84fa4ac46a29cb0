import type { DraftSuspect, ReportDraft, ReportHint } from '../report/report-draft';
import { suspectHints } from '../report/suspect-verdicts';
import type { TimelineEntry } from '../timeline';
import type { LinkedChange } from './link-changes';

/**
 * Where linked changes show on an incident: a timeline line each, and hints in the draft (the
 * suspects, ranked, in "What happened"; changes made during the incident in "What was done to
 * fix it"). Pure.
 */

/** The timeline with a line per linked change, in time order (the timeline's own order is kept). */
export function withChangeEntries(timeline: TimelineEntry[], linked: readonly LinkedChange[] | undefined): TimelineEntry[] {
  if (!linked || linked.length === 0) return timeline;
  const entries = linked.map(changeEntry);
  // A stable merge: at equal times a change goes before what it may have caused.
  const out: TimelineEntry[] = [];
  let i = 0;
  for (const entry of [...entries].sort((a, b) => a.at.localeCompare(b.at))) {
    while (i < timeline.length && timeline[i]!.at < entry.at) out.push(timeline[i++]!);
    out.push(entry);
  }
  return out.concat(timeline.slice(i));
}

function changeEntry(link: LinkedChange): TimelineEntry {
  const { change } = link;
  const status = change.status ? ` [${change.status}]` : '';
  return {
    at: change.at,
    kind: `change.${change.kind}`,
    source: 'change',
    text: `${change.summary}${change.environment ? ` (${change.environment})` : ''}${status}`,
    actor: change.author,
    alertId: null,
    // The change's own key: a stable id for the report's timeline (`timeline-entry-id.ts`).
    eventId: `change:${change.id}`,
    url: change.url,
  };
}

/** The draft with the linked changes as hints: suspects first in "What happened", changes during the incident in "fix". */
export function withChangeHints(draft: ReportDraft, linked: readonly LinkedChange[] | undefined): ReportDraft {
  if (!linked || linked.length === 0) return draft;
  const all = linked.filter((link) => link.timing === 'before')
    .map((link): DraftSuspect => ({ changeId: link.change.id, text: link.reason, url: link.change.url, score: link.score }));
  const suspects = suspectHints(all);
  const during = linked.filter((link) => link.timing === 'during')
    .map((link): ReportHint => ({ source: 'change during the incident', text: link.reason, url: link.change.url }));
  return {
    ...draft,
    ...(all.length > 0 ? { suspects: all } : {}),
    sections: draft.sections.map((section) => {
      if (section.id === 'what-happened' && suspects.length > 0) return { ...section, hints: [...suspects, ...section.hints] };
      if (section.id === 'fix' && during.length > 0) return { ...section, hints: [...section.hints, ...during] };
      return section;
    }),
  };
}

