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
    d.declaration ? fact('Declared', h('span', {}, `by hand by ${d.declaration.declaredBy}`,
      d.declaration.missedByMonitoring ? h('span', { class: 'measure-definition', text: 'Monitoring missed this: no alert reported it.' }) : null)) : null,
    fact('Report', h('span', {}, badge(report.status, reportStatusLabel(report.status)), ' ', h('a', { text: `version ${report.version}`, attrs: { href: `${pageUrl}/report` } }))),
    measureFact('Time to detect', measures?.timeToDetectMs, 'unknown', 'From an impact start recorded in the report, earlier than the first alert, to the first alert.'),
    measureFact('Time to acknowledge', measures?.timeToAcknowledgeMs, 'unknown', 'From the first alert to the first page acknowledgement.'),
    measureFact('Time to mitigate', measures?.timeToMitigateMs, 'not yet', 'From the impact start to the mitigation set in the report.'),
    measureFact('Time to resolve', measures?.timeToResolveMs, 'not yet', 'From the impact start to the resolution.'));
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

/**
 * A response time with its definition shown beside it: an unknown measure says so rather than 0.
 * @param {string} term @param {number | null | undefined} ms @param {string} unknown @param {string} definition
 */
function measureFact(term, ms, unknown, definition) {
  return h('div', { class: 'fact' }, h('dt', { text: term }),
    h('dd', {}, ms === null || ms === undefined ? h('span', { class: 'muted', text: unknown }) : formatDuration(ms),
      h('small', { class: 'measure-definition', text: definition })));
}
