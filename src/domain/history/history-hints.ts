import type { ReportDraft, ReportHint } from '../report/report-draft';
import { firstParagraph, type EarlierIncident } from './earlier-incidents';

/** Earlier incidents named in a draft, most similar first. */
export const HISTORY_HINT_LIMIT = 3;

/**
 * The draft with the earlier incidents as hints: in "What happened" each with its published
 * cause, and in "How we will prevent this" every unfinished action item they left, overdue ones
 * first.
 */
export function withHistoryHints(draft: ReportDraft, earlier: readonly EarlierIncident[] | undefined): ReportDraft {
  if (!earlier || earlier.length === 0) return draft;
  const named = earlier.slice(0, HISTORY_HINT_LIMIT);
  const causeHints = named.map((incident): ReportHint => ({
    source: 'this happened before',
    text: `${incident.reason}. ${incident.cause ? `Its published cause: ${firstParagraph(incident.cause)}` : 'No published cause yet.'}`,
    url: null,
  }));
  const promises = named.flatMap((incident) => incident.unfinishedActionItems.map((item) => ({ incident, item })))
    .sort((a, b) => Number(b.item.overdue) - Number(a.item.overdue));
  const preventionHints = promises.map(({ incident, item }): ReportHint => ({
    source: item.overdue ? 'overdue promise from an earlier post-mortem' : 'unfinished promise from an earlier post-mortem',
    text: `"${item.title}" (${item.status.replace('_', ' ')}${item.dueDate ? `, due ${item.dueDate}` : ''}${item.owner ? `, ${item.owner}` : ''}) from the post-mortem of "${incident.title}" did not stop this one.`,
    url: item.trackerUrl,
  }));
  return {
    ...draft,
    sections: draft.sections.map((section) => {
      if (section.id === 'what-happened') return { ...section, hints: [...section.hints, ...causeHints] };
      if (section.id === 'prevention' && preventionHints.length > 0) return { ...section, hints: [...preventionHints, ...section.hints] };
      return section;
    }),
  };
}
