// The report's editing surface: the controls holding the user's unsaved values, the slots
// where a 400/422 reason shows next to its field, the status badges of the sections, and the
// printed copies of Markdown fields. Panels register what they draw here; the page reads the
// user's values back from it.

import { h, uid } from '../dom.js';
import { badge, sectionStatusLabel } from '../format.js';
import { FIELDS, isFieldKey, sectionKey } from './fields.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').SectionStatus} SectionStatus */
/** @typedef {import('./fields.js').FieldKey} FieldKey */
/** @typedef {import('./fields.js').FormValues} FormValues */

/** A section's status badge. @param {SectionStatus} status */
export const statusBadge = (status) => badge(status, sectionStatusLabel(status));

export class ReportForm {
  /** @type {Map<FieldKey, HTMLInputElement | HTMLTextAreaElement>} */
  controls = new Map();
  /** Inline problem slots by field path (`actionItems` too). @type {Map<string, HTMLElement>} */
  problemSlots = new Map();
  /** @type {Map<FieldKey, HTMLElement>} */
  statusBadges = new Map();
  /** Redraws of the printed copies of Markdown fields (refreshed before printing). @type {Array<() => void>} */
  printCopies = [];

  /** What the user sees in a field: its control's value, or `base` where it has none. @param {FieldKey} key @param {FormValues} base */
  value(key, base) {
    const c = this.controls.get(key);
    return c ? c.value : base[key];
  }

  /** Fields the user changed from `base`. @param {FormValues} base @returns {FieldKey[]} */
  dirtyKeys(base) {
    return FIELDS.filter((f) => this.controls.has(f.key) && this.value(f.key, base) !== base[f.key]).map((f) => f.key);
  }

  /** @param {FieldKey} key @param {string} value */
  setValue(key, value) {
    const c = this.controls.get(key);
    if (c) c.value = value;
  }

  /** Puts these values into every control. @param {FormValues} values */
  setValues(values) {
    for (const [key, c] of this.controls) c.value = values[key];
  }

  /** Forgets what the sections grid registered: it is about to draw again. */
  resetSections() {
    for (const key of [...this.controls.keys()]) if (key.startsWith('sections.') || key === 'customerSummary' || key === 'preventionNoneNeeded') this.controls.delete(key);
    this.problemSlots.clear();
    this.printCopies = [];
  }

  /** An inline slot for a 400/422 reason next to its field. @param {string} path */
  problemSlot(path) {
    const slot = h('p', { class: 'field-error', attrs: { id: uid('problem'), 'data-problem-for': path } });
    slot.hidden = true;
    this.problemSlots.set(path, slot);
    return slot;
  }

  /** @param {string} path */
  clearProblem(path) {
    const slot = this.problemSlots.get(path);
    if (slot) { slot.hidden = true; slot.textContent = ''; }
    if (isFieldKey(path)) this.controls.get(path)?.removeAttribute('aria-invalid');
  }

  clearProblems() {
    for (const path of this.problemSlots.keys()) this.clearProblem(path);
  }

  /** Swaps the drawn status badges for the report's. @param {Report} report */
  refreshBadges(report) {
    /** @param {FieldKey} key @param {SectionStatus} status */
    const swap = (key, status) => {
      const old = this.statusBadges.get(key);
      if (!old) return;
      const next = statusBadge(status);
      old.replaceWith(next);
      this.statusBadges.set(key, next);
    };
    for (const s of report.sections) swap(sectionKey(s.id), s.status);
    swap('customerSummary', report.customerSummary.status);
  }
}
