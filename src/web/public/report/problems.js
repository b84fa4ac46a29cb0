// Why a save or a move was refused (400/422): each reason next to its field, and a summary
// at the top linking to them.

import { ApiError } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { FIELDS, isFieldKey } from './fields.js';

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
    slot.textContent = inPageWords(d.message);
    slot.hidden = false;
  }
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    if (slot) control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
  }
  const target = control ?? slot;
  const text = `${labelOf(d.path)}: ${inPageWords(d.message)}`;
  if (!target) return h('li', {}, text);
  const go = (/** @type {Event} */ ev) => { ev.preventDefault(); target.scrollIntoView({ block: 'center' }); target.focus(); };
  return h('li', {}, h('a', { text, attrs: { href: `#${target.id || (target.id = uid('t'))}` }, on: { click: go } }));
}

/** API names in a server's message, said with the page's labels (`preventionNoneNeeded` is "No action items needed because"). */
const API_NAMES = new Map(FIELDS.filter((f) => f.label).map((f) => [f.key, `"${f.label}"`]));

/**
 * A server's reason in the page's words: API field names become the fields' labels.
 * @param {string} message
 */
export function inPageWords(message) {
  return message.replace(/\b(?:body\.)?([A-Za-z]+)\b/g, (whole, name) => API_NAMES.get(/** @type {any} */ (name)) ?? whole);
}

/**
 * A refused write of a small form (an action item): the reason and each invalid field by its
 * label, never by the API's path (`body.trackerUrl`).
 * @param {unknown} err @param {string} what @param {Record<string, string>} labels API field name -> label
 */
export function formErrorBanner(err, what, labels) {
  const apiError = err instanceof ApiError ? err : null;
  const message = apiError ? apiError.message : err instanceof Error ? err.message : String(err);
  const label = (/** @type {string} */ path) => labels[path.replace(/^body\.?/, '')] ?? (path.replace(/^body\.?/, '') || 'The form');
  return h('div', { class: 'banner banner-error', attrs: { role: 'alert' } },
    h('p', {}, h('strong', { text: `${what}: ` }), apiError?.details.length ? 'some fields are not valid.' : message),
    apiError?.details.length ? h('ul', {}, apiError.details.map((d) => h('li', { text: `${label(d.path)}: ${d.message}` }))) : null);
}
