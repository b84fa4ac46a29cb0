import { SECTION_IDS } from './report-draft';

/**
 * The fields of the report editor an autosave may hold: the section texts, the customer
 * summary, the reason no action items are needed, and the human-set times.
 */
export const AUTOSAVE_FIELDS = [
  ...SECTION_IDS.map((id) => `sections.${id}` as const),
  'customerSummary', 'preventionNoneNeeded', 'impactStartedAt', 'impactEndedAt', 'mitigatedAt',
] as const;
export type AutosaveField = (typeof AUTOSAVE_FIELDS)[number];

/** One unsaved field: what it held when the author started changing it, and what they typed. */
export interface AutosaveValue {
  base: string;
  value: string;
}

/**
 * What one person typed into an incident's report and has not saved yet. It is theirs alone
 * and never a report revision: saving it is an ordinary PATCH with `If-Match`, so it cannot
 * overwrite a newer revision someone else saved. `baseEtag` names the revision the text was
 * typed on, and each field keeps its `base`, so a client restoring it onto a report that has
 * moved on can show the conflict field by field.
 */
export interface ReportAutosave {
  incidentId: string;
  author: string;
  savedAt: string;
  baseEtag: string;
  /** The changed fields only, as the editor's form holds them (times as its local input text). */
  fields: Partial<Record<AutosaveField, AutosaveValue>>;
}
