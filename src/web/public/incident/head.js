// The incident's heading and facts: status and severity, times and duration, services, the
// report's status, and the response times (detect, acknowledge, mitigate, resolve).

import { seg } from '../api.js';
import { h, replace } from '../dom.js';
import { badge, formatDuration, incidentDuration, reportStatusLabel, timeEl } from '../format.js';
import { pagesList } from '../paged.js';

/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */
/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').Measures} Measures */
/** @typedef {import('../dom.js').Child} Child */

/**
 * @param {HTMLElement} slot
 * @param {{ detail: IncidentDetail, report: Report, measures: Measures | null, canEdit: boolean, pageUrl: string, live: HTMLElement, onDownload: () => void }} input
 */
export function renderHead(slot, { detail: d, report, measures, canEdit, pageUrl, live, onDownload }) {
  const facts = h('dl', { class: 'facts' },
    fact('Started', timeEl(d.startedAt)),
    fact('Ended', d.endedAt ? timeEl(d.endedAt) : h('span', { text: 'ongoing' })),
    fact('Duration', formatDuration(incidentDuration(d))),
    fact('Alerts', String(d.alertCount)),
    fact('Services', d.services.join(', ') || '—'),
    d.pages?.length ? fact('Paged', pagesList(d.pages), 'The pages (PagerDuty incidents) this incident holds') : null,
    fact('Report', h('span', {}, badge(report.status, reportStatusLabel(report.status)), ' ', h('a', { text: `version ${report.version}`, attrs: { href: `${pageUrl}/report` } }))),
    fact('Time to detect', measureText(measures?.timeToDetectMs), 'MTTD: impact start to first alert'),
    fact('Time to acknowledge', measureText(measures?.timeToAcknowledgeMs), 'MTTA: first alert to first page acknowledgement'),
    fact('Time to mitigate', measureText(measures?.timeToMitigateMs), 'MTTM: impact start to mitigation (set in the report)'),
    fact('Time to resolve', measureText(measures?.timeToResolveMs), 'MTTR: impact start to resolution'));
  const actions = h('div', { class: 'actions no-print' },
    h('a', { class: 'button button-primary', text: canEdit ? 'Edit report' : 'Read report', attrs: { href: `${pageUrl}/report` } }),
    canEdit ? h('a', { class: 'button', text: 'Review correlation', attrs: { href: `${pageUrl}/review` } }) : null,
    h('button', { class: 'button', text: 'Download report (HTML)', attrs: { type: 'button' }, on: { click: onDownload } }));
  replace(slot,
    h('div', { class: 'page-head' },
      h('h1', { text: d.title }),
      h('p', { class: 'head-badges' }, badge(d.status, d.status), ' ', d.severity ? badge(`sev-${d.severity}`, d.severity) : null,
        d.mergedInto ? h('span', {}, ' merged into ', h('a', { text: d.mergedInto, attrs: { href: `/ui/incidents/${seg(d.mergedInto)}` } })) : null),
      live),
    facts, actions);
}

/** @param {string} term @param {Child} value @param {string} [title] */
function fact(term, value, title) {
  return h('div', { class: 'fact' }, h('dt', { text: term, attrs: title ? { title } : {} }), h('dd', {}, value));
}

/** @param {number | null | undefined} ms */
const measureText = (ms) => (ms === null || ms === undefined ? h('span', { class: 'muted', text: 'not yet' }) : formatDuration(ms));
