// The editable fields of a report and their form values. Values are compared in their form
// representation (datetime-local for times), so a save sends only what the user changed.

import { fromLocalInput, toLocalInput } from '../format.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportPatch} ReportPatch */
/** @typedef {import('../api-types').SectionId} SectionId */
/** @typedef {import('../api-types').TimedPart} TimedPart */

/**
 * @typedef {'customerSummary' | 'preventionNoneNeeded' | 'impactStartedAt' | 'impactEndedAt' | 'mitigatedAt'} TopKey
 * @typedef {`sections.${SectionId}`} SectionKey
 * @typedef {SectionKey | TopKey} FieldKey
 * @typedef {'impactStartedAt' | 'impactEndedAt' | 'mitigatedAt'} TimeKey
 */

/** Every field's value as its control holds it. @typedef {Record<FieldKey, string>} FormValues */

/**
 * A field, with how to read it from a report view; section fields name their section.
 * @typedef {{ label: string, kind: 'markdown' | 'text' | 'time', get: (r: Report) => string | null }} FieldCommon
 * @typedef {FieldCommon & ({ key: SectionKey, section: SectionId } | { key: TopKey, section: null })} FieldDef
 */

/** @type {SectionId[]} */
const SECTION_IDS = ['summary', 'timeline', 'what-happened', 'fix', 'prevention'];

/** @param {SectionId} id @returns {SectionKey} */
export const sectionKey = (id) => `sections.${id}`;

/** @param {SectionId} id @returns {FieldDef} */
const sectionField = (id) => ({
  key: sectionKey(id), section: id, label: '', kind: 'markdown', get: (r) => r.sections.find((s) => s.id === id)?.text ?? null,
});

/** @param {TimedPart} part */
const humanTime = (part) => (part.origin === 'human-completed' ? part.at : null);

/** @type {FieldDef[]} */
export const FIELDS = [
  ...SECTION_IDS.map(sectionField),
  { key: 'customerSummary', section: null, label: 'Customer summary', kind: 'markdown', get: (r) => r.customerSummary.text },
  { key: 'preventionNoneNeeded', section: null, label: 'No action items needed because', kind: 'text', get: (r) => r.preventionNoneNeeded.text },
  { key: 'impactStartedAt', section: null, label: 'Impact started', kind: 'time', get: (r) => humanTime(r.impactWindow.startedAt) },
  { key: 'impactEndedAt', section: null, label: 'Impact ended', kind: 'time', get: (r) => humanTime(r.impactWindow.endedAt) },
  { key: 'mitigatedAt', section: null, label: 'Mitigated (service restored)', kind: 'time', get: (r) => humanTime(r.mitigatedAt) },
];

/** FIELDS lists every key, so a key always finds its field. @param {FieldKey} key */
export const fieldDef = (key) => /** @type {FieldDef} */ (FIELDS.find((f) => f.key === key));

/** Whether a path the server names (a 400/422 detail) is one of the form's fields. @param {string} path @returns {path is FieldKey} */
export const isFieldKey = (path) => FIELDS.some((f) => f.key === path);

/** @param {FieldDef} f @param {Report} report */
const formValue = (f, report) => (f.kind === 'time' ? toLocalInput(f.get(report)) : f.get(report) ?? '');

/** The form values a report gives. @param {Report} report @returns {FormValues} */
export function valuesOf(report) {
  // Object.fromEntries cannot know the keys; FIELDS holds every FieldKey once.
  return /** @type {FormValues} */ (Object.fromEntries(FIELDS.map((f) => [f.key, formValue(f, report)])));
}

/**
 * The PATCH body for these fields ('' clears).
 * @param {FieldKey[]} keys @param {(key: FieldKey) => string} valueOf @returns {ReportPatch}
 */
export function patchOf(keys, valueOf) {
  /** @type {ReportPatch} */
  const patch = {};
  for (const key of keys) {
    const f = fieldDef(key);
    const raw = valueOf(key);
    const value = f.kind === 'time' ? fromLocalInput(raw) : raw.trim() === '' ? null : raw;
    if (f.section !== null) (patch.sections ??= {})[f.section] = value;
    else patch[f.key] = value;
  }
  return patch;
}

/** A field path's name for people (sections by their title). @param {Report} report @param {string} path */
export function labelOf(report, path) {
  const sec = /^sections\.([a-z-]+)/.exec(path);
  if (sec) return report.sections.find((s) => s.id === sec[1])?.title ?? 'A section';
  if (path === 'actionItems') return 'Action items';
  if (/^timeline\b/.test(path)) return 'Timeline';
  // Never an API name on the page: a path the page has no label for is about the report as a whole.
  return FIELDS.find((f) => f.key === path)?.label || 'The report';
}
