// The parts a report needs before it moves on, as a checklist that follows the form while the
// user types: the cause and the fix before "Submit for review", prevention (an action item or
// the reason none are needed) and the customer summary before publishing. The server checks
// the same parts (422); this list only tells the user early.

import { h, replace } from '../dom.js';
import { sectionKey } from './fields.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('./fields.js').FieldKey} FieldKey */
/** @typedef {import('./fields.js').FormValues} FormValues */
/** @typedef {import('./form.js').ReportForm} ReportForm */
/**
 * One required part: its field path (as the server names it), what it asks for, when it is
 * needed, and whether the form holds it now.
 * @typedef {{ path: string, label: string, needed: 'review' | 'publish', done: boolean }} Requirement
 */

/** @param {string} text */
const filled = (text) => text.trim() !== '';

/**
 * The required parts and whether the user's current values (saved or not) hold them.
 * @param {Report} report @param {(key: FieldKey) => string} valueOf
 * @returns {Requirement[]}
 */
export function requirements(report, valueOf) {
  const title = (/** @type {import('../api-types').SectionId} */ id) => report.sections.find((s) => s.id === id)?.title ?? id;
  return [
    { path: 'sections.what-happened', label: `${title('what-happened')}: the cause`, needed: 'review', done: filled(valueOf(sectionKey('what-happened'))) },
    { path: 'sections.fix', label: `${title('fix')}`, needed: 'review', done: filled(valueOf(sectionKey('fix'))) },
    {
      path: 'sections.prevention', label: 'Prevention: at least one action item, or why none are needed', needed: 'publish',
      done: report.actionItems.length > 0 || filled(valueOf('preventionNoneNeeded')),
    },
    { path: 'customerSummary', label: 'Customer summary', needed: 'publish', done: filled(valueOf('customerSummary')) },
  ];
}

/** The control a part is written in (prevention: the reason none are needed, beside the action items). @param {string} path @returns {FieldKey} */
const controlOf = (path) => /** @type {FieldKey} */ (path === 'sections.prevention' ? 'preventionNoneNeeded' : path);

/**
 * Draws the checklist into `slot`. Each missing part links to its field.
 * @param {HTMLElement} slot @param {{ report: Report, form: ReportForm, baseValues: FormValues }} input
 */
export function renderChecklist(slot, { report, form, baseValues }) {
  if (report.status === 'published') { replace(slot); return; }
  const items = requirements(report, (key) => form.value(key, baseValues));
  const line = (/** @type {Requirement} */ r) => {
    const control = form.controls.get(controlOf(r.path));
    const text = `${r.label} (${r.needed === 'review' ? 'to submit for review' : 'to publish'})`;
    const go = (/** @type {Event} */ ev) => { ev.preventDefault(); control?.scrollIntoView({ block: 'center' }); control?.focus(); };
    return h('li', { class: r.done ? 'check-done' : 'check-missing', dataset: { requirement: r.path, done: String(r.done) } },
      h('span', { class: 'check-mark', text: r.done ? '✓ ' : '○ ', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'visually-hidden', text: r.done ? 'Done: ' : 'Missing: ' }),
      !r.done && control && control.id ? h('a', { text, attrs: { href: `#${control.id}` }, on: { click: go } }) : text);
  };
  const missingForReview = items.filter((r) => r.needed === 'review' && !r.done).length;
  replace(slot, h('section', { class: 'card checklist no-print', attrs: { 'aria-labelledby': 'checklist-h' } },
    h('h2', { text: 'Required parts', attrs: { id: 'checklist-h' } }),
    h('p', { class: 'muted small', text: missingForReview ? 'Write the cause and the fix before submitting for review.' : 'Ready to submit for review once saved.' }),
    h('ul', { class: 'checklist-items' }, items.map(line))));
}
