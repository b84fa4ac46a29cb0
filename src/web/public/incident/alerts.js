// The incident's alerts, grouped by the service they belong to, each with the correlation
// decision that placed it here.

import { alertCard, serviceOfAlert } from '../alert-card.js';
import { h } from '../dom.js';
import { plural } from '../format.js';

/** @typedef {import('../api-types').Alert} Alert */
/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */

/** @param {IncidentDetail} detail */
export function alertsSection(detail) {
  /** @type {Map<string, Alert[]>} */
  const groups = new Map();
  for (const a of detail.alerts) {
    const s = serviceOfAlert(a, detail.services);
    const group = groups.get(s);
    if (group) group.push(a);
    else groups.set(s, [a]);
  }
  // A storm's incident is read as a sample: say so, and how many there are in all.
  const total = detail.alerts.length + (detail.alertsOmitted ?? 0);
  const sampled = total > detail.alerts.length
    ? h('p', { class: 'muted', text: `Showing ${detail.alerts.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} alerts: the earliest, the latest and the first of each alert name. The timeline and the impact list count every alert.` })
    : null;
  return h('section', { class: 'card', attrs: { 'aria-labelledby': 'alerts-h' } },
    h('h2', { text: `Alerts (${total.toLocaleString('en-US')})`, attrs: { id: 'alerts-h' } }),
    sampled,
    [...groups.entries()].map(([service, alerts]) => h('div', { class: 'alert-group' },
      h('h3', { text: `${service} · ${plural(alerts.length, 'alert')}` }),
      h('ul', { class: 'alert-list' }, alerts.map((a) => h('li', {}, alertCard(a, detail.distinguishingLabels?.[a.id])))))));
}
