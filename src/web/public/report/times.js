// The times people may set (impact start and end, mitigation): inputs for editors, beside
// what Debrief took from the alerts; the times alone for viewers.

import { field, h } from '../dom.js';
import { formatTime, timeEl } from '../format.js';
import { fieldDef } from './fields.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('./fields.js').TimeKey} TimeKey */
/** @typedef {import('./fields.js').FormValues} FormValues */
/** @typedef {import('./form.js').ReportForm} ReportForm */

/** @type {TimeKey[]} */
const TIME_KEYS = ['impactStartedAt', 'impactEndedAt', 'mitigatedAt'];

/** What Debrief took from the alerts (mitigation is never in them). @param {Report} report @param {TimeKey} key */
const machineTime = (report, key) => (key === 'mitigatedAt' ? null : key === 'impactStartedAt' ? report.impactWindow.startedAt.machineAt : report.impactWindow.endedAt.machineAt);

/**
 * @param {{ report: Report, baseValues: FormValues, canEdit: boolean, form: ReportForm, onInput: () => void }} opts
 */
export function timesCard({ report, baseValues, canEdit, form, onInput }) {
  // Drawn again when the report is published or a new version starts: forget the old inputs.
  for (const key of TIME_KEYS) form.controls.delete(key);
  const card = h('section', { class: 'card', attrs: { 'aria-labelledby': 'times-h' } },
    h('h2', { text: 'Times', attrs: { id: 'times-h' } }),
    h('p', { class: 'muted small', text: 'Debrief takes these from the alerts. Set them when impact started before the first alert, ended at another time, or when service was restored (time to mitigate).' }));
  const grid = h('div', { class: 'times-grid' });
  for (const key of TIME_KEYS) {
    const f = fieldDef(key);
    const machine = machineTime(report, key);
    if (canEdit) {
      const input = h('input', { attrs: { type: 'datetime-local', name: key }, props: { value: baseValues[key] }, on: { input: onInput } });
      form.controls.set(key, input);
      grid.appendChild(field(f.label, input, { hint: machine ? `From the alerts: ${formatTime(machine)}. Empty = use that.` : 'Empty = not set.' }));
    } else {
      grid.appendChild(h('div', { class: 'field' }, h('span', { class: 'field-label', text: f.label }), h('p', {}, timeEl(f.get(report) ?? machine))));
    }
  }
  card.appendChild(grid);
  return card;
}
