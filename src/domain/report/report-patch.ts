import { ValidationError, type ErrorDetail } from '../../errors';
import type { SectionId } from './report-draft';
import type {
  AuditChange, HumanText, HumanTimestamp, HumanTimelineEntry, MachineTimelineEdit, ReportContent,
} from './report-model';
import { isHumanEntryId } from './timeline-entry-id';

/**
 * A completion request (`PATCH /api/v1/incidents/:id/report`), already validated for shape.
 * Merge semantics: an absent member leaves the part unchanged, `null` clears it (the machine
 * value, if any, shows again). Times are UTC ISO strings; texts are Markdown.
 */
export interface ReportPatch {
  sections?: Partial<Record<SectionId, string | null>>;
  customerSummary?: string | null;
  impactStartedAt?: string | null;
  impactEndedAt?: string | null;
  mitigatedAt?: string | null;
  /** Why no prevention action items are needed. */
  preventionNoneNeeded?: string | null;
  timeline?: {
    /** New human entries. */
    add?: Array<{ at: string; text: string }>;
    /**
     * Changes keyed by entry id. Human entry (`human:...`): `null` deletes it; `at`/`text` replace.
     * Machine entry: `at`/`text` correct it (null restores the machine value), `hiddenReason`
     * hides it (null shows it again), `null` drops every correction.
     */
    entries?: Record<string, TimelineEntryPatch | null>;
  };
}

export interface TimelineEntryPatch {
  at?: string | null;
  text?: string | null;
  hiddenReason?: string | null;
}

export interface PatchContext {
  actor: string;
  /** Processing time, recorded as when each part was written. */
  now: string;
  /** Ids of the machine timeline entries the incident has now (`timelineEntryId`). */
  machineEntryIds: ReadonlySet<string>;
  /** Id source for new human timeline entries (`human:` is prefixed here). */
  newId: () => string;
}

export interface PatchOutcome {
  content: ReportContent;
  /** What changed, for the audit trail; empty when the patch changed nothing. */
  changes: AuditChange[];
}

const TEXT_FIELDS = ['customerSummary', 'preventionNoneNeeded'] as const;
const TIME_FIELDS = ['impactStartedAt', 'impactEndedAt', 'mitigatedAt'] as const;

/**
 * Applies a completion patch to the stored human parts. Pure; never mutates its input. Throws
 * `ValidationError` listing every problem (unknown entry ids, impact end before start...),
 * so nothing is half-applied.
 */
export function applyReportPatch(current: ReportContent, patch: ReportPatch, ctx: PatchContext): PatchOutcome {
  const problems: ErrorDetail[] = [];
  const changes: AuditChange[] = [];
  const next: ReportContent = {
    ...current,
    sections: { ...current.sections },
    timelineEntries: [...current.timelineEntries],
    timelineEdits: [...current.timelineEdits],
  };

  for (const [id, value] of Object.entries(patch.sections ?? {}) as Array<[SectionId, string | null | undefined]>) {
    if (value === undefined) continue;
    const before = current.sections[id] ?? null;
    const after = setText(before, value, ctx);
    if (after !== before) {
      changes.push({ path: `sections.${id}`, from: before?.text ?? null, to: after?.text ?? null });
      if (after) next.sections[id] = after;
      else delete next.sections[id];
    }
  }
  for (const field of TEXT_FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    const before = current[field];
    const after = setText(before, value, ctx);
    if (after !== before) {
      changes.push({ path: field, from: before?.text ?? null, to: after?.text ?? null });
      next[field] = after;
    }
  }
  for (const field of TIME_FIELDS) {
    const value = patch[field];
    if (value === undefined) continue;
    const before = current[field];
    const after = setTime(before, value, ctx);
    if (after !== before) {
      changes.push({ path: field, from: before?.time ?? null, to: after?.time ?? null });
      next[field] = after;
    }
  }
  if (next.impactStartedAt && next.impactEndedAt && next.impactEndedAt.time < next.impactStartedAt.time) {
    problems.push({ path: 'impactEndedAt', message: `impact cannot end (${next.impactEndedAt.time}) before it started (${next.impactStartedAt.time})` });
  }

  for (const [index, add] of (patch.timeline?.add ?? []).entries()) {
    const entry: HumanTimelineEntry = {
      id: `human:${ctx.newId()}`, at: add.at, text: add.text,
      createdBy: ctx.actor, createdAt: ctx.now, updatedBy: ctx.actor, updatedAt: ctx.now,
    };
    next.timelineEntries.push(entry);
    changes.push({ path: `timeline.add.${index}`, from: null, to: { id: entry.id, at: entry.at, text: entry.text } });
  }

  for (const [id, value] of Object.entries(patch.timeline?.entries ?? {})) {
    const path = `timeline.entries.${id}`;
    if (isHumanEntryId(id)) {
      const idx = next.timelineEntries.findIndex((entry) => entry.id === id);
      if (idx < 0) { problems.push({ path, message: 'no human timeline entry with this id' }); continue; }
      const before = next.timelineEntries[idx]!;
      if (value === null) {
        next.timelineEntries.splice(idx, 1);
        changes.push({ path, from: { at: before.at, text: before.text }, to: null });
        continue;
      }
      if (value.at === null || value.text === null) problems.push({ path, message: 'a human entry needs a time and a text; send null for the whole entry to delete it' });
      if (value.hiddenReason !== undefined) problems.push({ path: `${path}.hiddenReason`, message: 'only machine entries can be hidden; delete a human entry instead' });
      const after = { ...before, at: value.at ?? before.at, text: value.text ?? before.text };
      if (after.at !== before.at || after.text !== before.text) {
        next.timelineEntries[idx] = { ...after, updatedBy: ctx.actor, updatedAt: ctx.now };
        changes.push({ path, from: { at: before.at, text: before.text }, to: { at: after.at, text: after.text } });
      }
      continue;
    }
    const idx = next.timelineEdits.findIndex((edit) => edit.entryId === id);
    const before: MachineTimelineEdit | null = idx >= 0 ? next.timelineEdits[idx]! : null;
    // An edit of an entry that left the incident can still be cleared, never created.
    if (!ctx.machineEntryIds.has(id) && !(before && value === null)) {
      problems.push({ path, message: 'no timeline entry with this id on this incident' });
      continue;
    }
    const merged = {
      at: value === null ? null : value.at === undefined ? before?.at ?? null : value.at,
      text: value === null ? null : value.text === undefined ? before?.text ?? null : value.text,
      hiddenReason: value === null ? null : value.hiddenReason === undefined ? before?.hiddenReason ?? null : value.hiddenReason,
    };
    const same = merged.at === (before?.at ?? null) && merged.text === (before?.text ?? null) && merged.hiddenReason === (before?.hiddenReason ?? null);
    if (same) continue;
    const empty = merged.at === null && merged.text === null && merged.hiddenReason === null;
    const after: MachineTimelineEdit | null = empty ? null : { entryId: id, ...merged, by: ctx.actor, updatedAt: ctx.now };
    if (idx >= 0) {
      if (after) next.timelineEdits[idx] = after;
      else next.timelineEdits.splice(idx, 1);
    } else if (after) {
      next.timelineEdits.push(after);
    }
    changes.push({ path, from: before ? pickEdit(before) : null, to: after ? pickEdit(after) : null });
  }

  if (problems.length) throw new ValidationError('the report patch cannot be applied', problems);
  return { content: changes.length ? next : current, changes };
}

const pickEdit = (edit: MachineTimelineEdit) => ({ at: edit.at, text: edit.text, hiddenReason: edit.hiddenReason });

/** Same text keeps the original author and time (and the same object: "no change"). */
function setText(before: HumanText | null, value: string | null, ctx: PatchContext): HumanText | null {
  if (value === null) return null;
  if (before && before.text === value) return before;
  return { text: value, by: ctx.actor, at: ctx.now };
}

function setTime(before: HumanTimestamp | null, value: string | null, ctx: PatchContext): HumanTimestamp | null {
  if (value === null) return null;
  if (before && before.time === value) return before;
  return { time: value, by: ctx.actor, at: ctx.now };
}
