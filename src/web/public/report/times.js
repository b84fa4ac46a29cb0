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

/** What Debrief drafted (mitigation only people set). @param {Report} report @param {TimeKey} key */
const machinePart = (report, key) => (key === 'mitigatedAt' ? null : key === 'impactStartedAt' ? report.impactWindow.startedAt : report.impactWindow.endedAt);

/**
 * @param {{ report: Report, baseValues: FormValues, canEdit: boolean, form: ReportForm, onInput: () => void }} opts
 */
export function timesCard({ report, baseValues, canEdit, form, onInput }) {
  const card = h('section', { class: 'card', attrs: { 'aria-labelledby': 'times-h' } },
    h('h2', { text: 'Times', attrs: { id: 'times-h' } }),
    h('p', { class: 'muted small', text: 'Debrief drafts these from the alerts, the page and the recorded mitigation. Set them when impact started or ended at another time, or when service was restored (time to mitigate).' }));
  const grid = h('div', { class: 'times-grid' });
  for (const key of TIME_KEYS) {
    const f = fieldDef(key);
    const part = machinePart(report, key);
    const machine = part?.machineAt ?? null;
    // Which signal set the drafted time: "ended at 14:32 UTC when the page was resolved".
    const why = part?.machineNote ? ` (${part.machineNote})` : '';
    if (canEdit) {
      const input = h('input', { attrs: { type: 'datetime-local', name: key }, props: { value: baseValues[key] }, on: { input: onInput } });
      form.controls.set(key, input);
      grid.appendChild(field(f.label, input, { hint: machine ? `Drafted: ${formatTime(machine)}${why}. Empty = use that.` : 'Empty = not set.' }));
    } else {
      const human = f.get(report);
      grid.appendChild(h('div', { class: 'field' }, h('span', { class: 'field-label', text: f.label }), h('p', {}, timeEl(human ?? machine), human || !why ? null : h('span', { class: 'muted small', text: why }))));
    }
  }
  card.appendChild(grid);
  return card;
}
