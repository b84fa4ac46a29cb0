// Why a save or a move was refused (400/422): each reason next to its field, and a summary
// at the top linking to them.

import { h, replace, uid } from '../dom.js';
import { isFieldKey } from './fields.js';

/** @typedef {import('./form.js').ReportForm} ReportForm */
/** @typedef {{ path: string, message: string }} Problem */

/**
 * @param {HTMLElement} summarySlot
 * @param {{ details: Problem[], title: string, form: ReportForm, labelOf: (path: string) => string }} input
 */
export function showProblems(summarySlot, { details, title, form, labelOf }) {
  form.clearProblems();
  const items = details.map((d) => problemItem(d, form, labelOf));
  const summary = h('div', { class: 'banner banner-error', attrs: { role: 'alert', tabindex: '-1' } },
    h('p', {}, h('strong', { text: title })), h('ul', {}, items));
  replace(summarySlot, summary);
  summary.focus();
}

/** Marks the field and returns its line in the summary. @param {Problem} d @param {ReportForm} form @param {(path: string) => string} labelOf */
function problemItem(d, form, labelOf) {
  // The prevention problem is about action items: say it there.
  const slot = (d.path === 'sections.prevention' ? form.problemSlots.get('actionItems') : undefined) ?? form.problemSlots.get(d.path);
  const control = isFieldKey(d.path) ? form.controls.get(d.path) : undefined;
  if (slot) {
    slot.textContent = d.message;
    slot.hidden = false;
  }
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    if (slot) control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
  }
  const target = control ?? slot;
  const text = `${labelOf(d.path)}: ${d.message}`;
  if (!target) return h('li', {}, text);
  const go = (/** @type {Event} */ ev) => { ev.preventDefault(); target.scrollIntoView({ block: 'center' }); target.focus(); };
  return h('li', {}, h('a', { text, attrs: { href: `#${target.id || (target.id = uid('t'))}` }, on: { click: go } }));
}
