import type { DraftSuspect, ReportHint, ReportSection } from './report-draft';
import type { AuditChange, ReportContent, ReportSuspect, SuspectVerdict, SuspectVerdictKind } from './report-model';

/**
 * People's verdicts on suspects: "this was the cause" or "dismiss". Pure.
 *
 * Debrief ranks the suspects; a person decides. A marked cause leads the hints of "What
 * happened" (and the exports say it above the section's text); a dismissed suspect is no longer
 * named there, and the suspects after it move up. Verdicts are stored with the report's human
 * parts, so they survive refreshes of the draft and are frozen with a published version.
 */

/** Suspects named in "What happened" besides the marked causes: the rest stay on the timeline. */
export const SUSPECT_HINT_LIMIT = 5;

/**
 * The hints naming suspects (most suspect first): marked causes first, then the first
 * `SUSPECT_HINT_LIMIT` of those not dismissed, numbered.
 */
export function suspectHints(suspects: readonly DraftSuspect[], verdicts: ReadonlyMap<string, SuspectVerdict> = new Map()): ReportHint[] {
  const causes = suspects.filter((s) => verdicts.get(s.changeId)?.verdict === 'cause')
    .map((s): ReportHint => ({ source: `cause, marked by ${verdicts.get(s.changeId)!.by}`, text: s.text, url: s.url, changeId: s.changeId }));
  const open = suspects.filter((s) => !verdicts.has(s.changeId)).slice(0, SUSPECT_HINT_LIMIT)
    .map((s, index): ReportHint => ({ source: `suspect ${index + 1}: change`, text: s.text, url: s.url, changeId: s.changeId }));
  return [...causes, ...open];
}

/**
 * The draft's suspects with the stored verdicts, and the sections with "What happened"'s
 * suspect hints redone from them. Without suspects, the sections are returned as they are.
 */
export function composeSuspects(draft: { suspects?: DraftSuspect[]; sections: ReportSection[] }, stored: readonly SuspectVerdict[] | undefined): { suspects: ReportSuspect[]; sections: ReportSection[] } {
  const drafted = draft.suspects ?? [];
  if (drafted.length === 0) return { suspects: [], sections: draft.sections };
  const verdicts = new Map((stored ?? []).map((v) => [v.changeId, v]));
  const suspects = drafted.map((s, index): ReportSuspect => {
    const verdict = verdicts.get(s.changeId);
    return { ...s, rank: index + 1, verdict: verdict?.verdict ?? null, by: verdict?.by ?? null, at: verdict?.at ?? null };
  });
  const sections = draft.sections.map((section) => (section.id === 'what-happened'
    ? { ...section, hints: [...suspectHints(drafted, verdicts), ...section.hints.filter((h) => h.changeId === undefined)] }
    : section));
  return { suspects, sections };
}

/** The marked causes, most suspect first (what exports put above "What happened"'s text). */
export const markedCauses = (suspects: readonly ReportSuspect[] | undefined): ReportSuspect[] => (suspects ?? []).filter((s) => s.verdict === 'cause');

/**
 * Sets (or, with null, clears) a person's verdict on one suspect. The audit change's path is
 * `suspects.<changeId>`; no change when the verdict is already that.
 */
export function setSuspectVerdict(content: ReportContent, changeId: string, verdict: SuspectVerdictKind | null, ctx: { actor: string; now: string }): { content: ReportContent; changes: AuditChange[] } {
  const current = content.suspectVerdicts ?? [];
  const before = current.find((v) => v.changeId === changeId) ?? null;
  if ((before?.verdict ?? null) === verdict) return { content, changes: [] };
  const others = current.filter((v) => v.changeId !== changeId);
  const suspectVerdicts = verdict ? [...others, { changeId, verdict, by: ctx.actor, at: ctx.now }] : others;
  return {
    content: { ...content, suspectVerdicts },
    changes: [{ path: `suspects.${changeId}`, from: before?.verdict ?? null, to: verdict }],
  };
}
