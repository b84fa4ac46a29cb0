// The correlation audit trail of an incident: every decision and correction, newest first.

import { h } from '../dom.js';
import { timeEl } from '../format.js';
import { errorBanner } from '../layout.js';

/** @typedef {import('./review-api.js').ReviewApi} ReviewApi */

/** @param {ReviewApi} api */
export async function auditSection(api) {
  const section = h('section', { class: 'card', attrs: { 'aria-labelledby': 'audit-h' } }, h('h2', { text: 'Correlation audit trail', attrs: { id: 'audit-h' } }));
  try {
    const audit = await api.audit();
    section.appendChild(h('ol', { class: 'audit' }, audit.events.slice().reverse().map((e) => h('li', {},
      h('div', { class: 'tl-meta' }, timeEl(e.at), ' ', h('code', { text: e.kind }), e.actor ? h('span', { class: 'muted small', text: ` · ${e.actor}` }) : null),
      h('p', { class: 'small', text: e.text })))));
  } catch (err) {
    section.appendChild(errorBanner(err, 'Could not load the audit trail'));
  }
  return section;
}
