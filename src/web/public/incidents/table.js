// The incident table: a row per incident (title, status, severity, services, start,
// duration, alerts, report status); rows new since the last look are marked.

import { h, replace } from '../dom.js';
import { badge, formatDuration, incidentDuration, timeEl } from '../format.js';
import { reportState } from './report-state.js';
import { matchLines } from './search.js';

/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('../api-types').ReportStatusItem} ReportStatusItem */

export function incidentsTable() {
  const tbody = h('tbody');
  const table = h('table', { class: 'data incidents-table' },
    h('caption', { class: 'visually-hidden', text: 'Incidents, newest first' }),
    h('thead', {}, h('tr', {}, ['Incident', 'Status', 'Severity', 'Services', 'Started', 'Duration', 'Alerts', 'Report'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
    tbody);
  return { wrap: h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Incident table' } }, table), tbody };
}

/**
 * Redraws the rows, keeping keyboard focus on the same row's link, and adds the services shown
 * to the service field's suggestions.
 * @param {HTMLElement} tbody @param {HTMLDataListElement} services
 * @param {Incident[]} items @param {Map<string, ReportStatusItem>} statuses @param {Set<string>} fresh
 * @param {Map<string, import('../api-types').SearchMatch[]>} [matches] what a search found in each (search results only)
 */
export function drawRows(tbody, services, items, statuses, fresh, matches) {
  const focusedId = document.activeElement?.closest('tr')?.getAttribute('data-id') ?? null;
  const now = Date.now();
  const rows = items.map((inc) => row(inc, statuses.get(inc.id), fresh.has(inc.id), now, matches?.get(inc.id)));
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { class: 'empty', text: 'No incidents match these filters.', attrs: { colspan: '8' } })));
  replace(tbody, rows);
  const known = new Set([...services.querySelectorAll('option')].map((o) => o.getAttribute('value')));
  for (const inc of items) for (const s of inc.services) if (!known.has(s)) { known.add(s); services.appendChild(h('option', { attrs: { value: s } })); }
  if (focusedId) tbody.querySelector(`tr[data-id="${CSS.escape(focusedId)}"]`)?.querySelector('a')?.focus();
}

/**
 * @param {Incident} inc @param {ReportStatusItem | undefined} st @param {boolean} fresh @param {number} now
 * @param {import('../api-types').SearchMatch[]} [matches]
 */
function row(inc, st, fresh, now, matches) {
  const href = `/ui/incidents/${encodeURIComponent(inc.id)}`;
  return h('tr', { class: fresh ? 'row-new' : null, attrs: { 'data-id': inc.id } },
    h('th', { attrs: { scope: 'row' } }, h('a', { text: inc.title, attrs: { href } }), fresh ? h('span', { class: 'badge badge-new', text: 'new' }) : null,
      matches ? matchLines(matches) : null),
    h('td', {}, badge(inc.status, inc.status)),
    h('td', {}, inc.severity ? badge(`sev-${inc.severity}`, inc.severity) : h('span', { class: 'muted', text: '—' })),
    h('td', { text: inc.services.join(', ') || '—' }),
    h('td', {}, timeEl(inc.startedAt)),
    h('td', {}, formatDuration(incidentDuration(inc, now)), inc.endedAt ? null : h('span', { class: 'muted', text: ' (ongoing)' })),
    h('td', { class: 'num', text: String(inc.alertCount) }),
    h('td', {}, st ? reportCell(`${href}/report`, reportState(st, inc)) : '—'));
}

/** @param {string} href @param {import('./report-state.js').ReportState} state */
function reportCell(href, state) {
  return h('a', { attrs: { href, 'data-report-state': state.kind } }, badge(state.kind, state.label));
}
