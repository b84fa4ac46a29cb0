// The alerts of the incident under review: a row each with a checkbox (to split), its name
// with the labels that tell it from same-named alerts (pod, instance, ...), its service, status,
// start, why it is here (rule and evidence in one line, the other rules folded), and a button
// to move it.

import { serviceOfAlert } from '../alert-card.js';
import { apartLabels, decisionLine, decisionSentence, nameApart, whyNotOthers } from '../decision-view.js';
import { actionsHeader, h, uid } from '../dom.js';
import { badge, plural, timeEl } from '../format.js';

/** @typedef {import('../api-types').Alert} Alert */
/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */

/** @param {Alert} a */
export const alertName = (a) => a.labels?.alertname ?? a.fingerprint;

/** The alert's name with the labels telling it apart in `detail`: `HighErrorRate (pod=checkout-b)`. @param {IncidentDetail} detail @param {Alert} a */
export const alertNameIn = (detail, a) => nameApart(alertName(a), detail.distinguishingLabels?.[a.id]);

/**
 * @param {IncidentDetail} detail
 * @param {{ onSelect: () => void, onMove: (alert: Alert) => void }} input
 */
export function alertsTable(detail, { onSelect, onMove }) {
  const rows = detail.alerts.map((a) => {
    const name = alertNameIn(detail, a);
    const box = h('input', { attrs: { type: 'checkbox', name: 'alert', value: a.id, id: uid('sel'), 'aria-label': `Select ${name} (${a.status}, started ${a.startsAt})` }, on: { change: onSelect } });
    return h('tr', { dataset: { alertId: a.id } },
      h('td', { class: 'check' }, box),
      h('th', { attrs: { scope: 'row' } }, h('span', { text: alertName(a) }), apartLabels(detail.distinguishingLabels?.[a.id])),
      h('td', { text: serviceOfAlert(a, detail.services) }),
      h('td', {}, badge(a.status, a.status)),
      h('td', {}, timeEl(a.startsAt)),
      h('td', { class: 'explain' }, decisionLine(a.decision), h('p', { class: 'small decision-text', text: decisionSentence(a.decision) }), whyNotOthers(a.decision)),
      h('td', {}, h('button', { class: 'button', text: 'Move…', attrs: { type: 'button', 'aria-label': `Move ${name} to another incident` }, on: { click: () => onMove(a) } })));
  });
  return h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Alerts' } },
    h('table', { class: 'data review-table' },
      h('caption', { class: 'visually-hidden', text: 'Alerts in this incident' }),
      h('thead', {}, h('tr', {}, ['Select', 'Alert', 'Service', 'Status', 'Started', 'Why it is here'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })), actionsHeader())),
      h('tbody', {}, rows)));
}

/** The ids of the alerts checked in `root`. @param {HTMLElement} root */
export const selectedAlertIds = (root) => [...root.querySelectorAll('input[name="alert"]:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);

/** What the split button may do with `n` of `total` alerts selected: a split leaves at least one. @param {number} n @param {number} total */
export function splitState(n, total) {
  return {
    disabled: n === 0 || n >= total,
    text: n === 0 ? 'No alerts selected' : n >= total ? 'Leave at least one alert here' : `${plural(n, 'alert')} selected`,
  };
}
