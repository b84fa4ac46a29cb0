// The impact list: one row per affected service, with where, when, how long and how bad.

import { h } from '../dom.js';
import { badge, formatDuration, timeEl } from '../format.js';

/** @typedef {import('../api-types').ImpactItem} ImpactItem */

/** @param {ImpactItem[]} impact */
export const impactCard = (impact) => h('section', { class: 'card', attrs: { 'aria-labelledby': 'impact-h' } },
  h('h2', { text: 'Impact', attrs: { id: 'impact-h' } }), impactTable(impact));

/** @param {ImpactItem[]} impact */
function impactTable(impact) {
  if (!impact.length) return h('p', { class: 'muted', text: 'No affected services recorded.' });
  return h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Impact table' } },
    h('table', { class: 'data impact-table' },
      h('caption', { class: 'visually-hidden', text: 'Affected services' }),
      h('thead', {}, h('tr', {}, ['Service', 'Severity', 'Where', 'First seen', 'Last seen', 'Duration', 'Alerts', 'Customer-facing'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
      h('tbody', {}, impact.map((i) => h('tr', {},
        h('th', { text: i.service, attrs: { scope: 'row' } }),
        h('td', {}, i.severity ? badge(`sev-${i.severity}`, i.severity) : '—'),
        h('td', { text: [...i.clusters, ...i.namespaces, ...(i.regions ?? [])].join(', ') || '—' }),
        h('td', {}, timeEl(i.firstSeenAt)),
        h('td', {}, timeEl(i.lastSeenAt)),
        h('td', {}, formatDuration(i.durationMs), i.ongoing ? ' (ongoing)' : ''),
        h('td', { class: 'num', text: String(i.alertCount) }),
        h('td', { text: i.customerFacing === null ? 'unknown' : i.customerFacing ? 'yes' : 'no' }))))));
}
