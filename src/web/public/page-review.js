// Correlation review for SREs: split selected alerts into a new incident, move one alert to
// another incident (searchable picker), merge other incidents into this one. Every change is
// confirmed first with what will change, and its result, with the recorded explanation
// ("moved by <user>"), is shown right after.
//
// This module lays out the page and wires the parts in review/; the page's state is the
// incident under review (`state.detail`), read again after each correction.

import { incidentIdFromPath, seg } from './api.js';
import { append, field, h, replace } from './dom.js';
import { badge, plural } from './format.js';
import { allowed, mainEl, mountHeader } from './layout.js';
import { alertsTable, selectedAlertIds, splitState } from './review/alerts-table.js';
import { auditSection } from './review/audit.js';
import { merge, move, split } from './review/corrections.js';
import { reviewApi } from './review/review-api.js';
import { sameOutageSection } from './review/same-outage.js';

/** @typedef {import('./api-types').IncidentDetail} IncidentDetail */

/** @param {HTMLElement} el @param {IncidentDetail} detail @param {string} pageUrl */
const renderHead = (el, detail, pageUrl) => replace(el,
  h('h1', {}, 'Correlation review: ', h('a', { text: detail.title, attrs: { href: pageUrl } })),
  h('p', { class: 'head-badges' }, badge(detail.status, detail.status), ` ${plural(detail.alerts.length, 'alert')} · ${detail.services.join(', ') || 'no services'}`));

/** @param {import('./api-types').User} user */
export async function render(user) {
  // The server serves this page only under /ui/incidents/:id.
  const id = /** @type {string} */ (incidentIdFromPath());
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident' }, { href: `${pageUrl}/review`, text: 'Correlation review', current: true }]);
  const api = reviewApi(id);
  const state = { detail: await api.detail() };
  const main = mainEl();
  const head = h('div', { class: 'page-head' });
  renderHead(head, state.detail, pageUrl);
  main.appendChild(head);
  if (!allowed(user, 'editor')) {
    append(main, h('p', { class: 'banner banner-info', text: `Correcting correlation needs the editor role; you are signed in as ${user.role}. The correlation audit trail is below.` }));
    append(main, await sameOutageSection(api, null));
    main.appendChild(await auditSection(api, state.detail));
    return;
  }

  const ui = {
    result: h('div', { class: 'results', attrs: { 'aria-live': 'polite' } }),
    alerts: h('div'),
    reason: h('input', { attrs: { type: 'text', maxlength: '1000', autocomplete: 'off', placeholder: 'e.g. different root cause' } }),
    split: h('button', { class: 'button button-primary', text: 'Split selected into a new incident', attrs: { type: 'button', disabled: true }, on: { click: () => void split(input) } }),
    selectedInfo: h('span', { class: 'muted', attrs: { 'aria-live': 'polite' } }),
    audit: h('div'),
    sameOutage: h('div'),
  };
  const syncSelection = () => {
    const { disabled, text } = splitState(selectedAlertIds(ui.alerts).length, state.detail.alerts.length);
    ui.split.disabled = disabled;
    ui.selectedInfo.textContent = text;
  };
  const drawAlerts = () => {
    replace(ui.alerts, alertsTable(state.detail, { onSelect: syncSelection, onMove: (a) => void move(input, a) }));
    syncSelection();
  };
  const redraw = () => { renderHead(head, state.detail, pageUrl); drawAlerts(); };
  /** A suggestion merged from its card: the other incident, read for its alert count. @param {import('./api-types').SameOutageSuggestion} s */
  const mergeSuggested = async (s) => {
    const other = await api.otherDetail(s.incidentId);
    await merge(input, [other]);
  };
  const drawSameOutage = async () => replace(ui.sameOutage, await sameOutageSection(api, (s) => void mergeSuggested(s)));
  const reload = async () => {
    state.detail = await api.detail();
    redraw();
    replace(ui.audit, await auditSection(api, state.detail));
    await drawSameOutage();
  };
  /** @type {import('./review/corrections.js').ReviewInput} */
  const input = { id, state, api, reason: ui.reason, result: ui.result, selected: () => selectedAlertIds(ui.alerts), reload, redraw };

  append(main, ui.result, ui.sameOutage, correctCard(ui), mergeCard(() => void merge(input)), ui.audit);
  drawAlerts();
  replace(ui.audit, await auditSection(api, state.detail));
  await drawSameOutage();
}

/** The alerts with the split controls. @param {{ alerts: HTMLElement, reason: HTMLInputElement, split: HTMLElement, selectedInfo: HTMLElement }} ui */
const correctCard = (ui) => h('section', { class: 'card', attrs: { 'aria-labelledby': 'alerts-h' } },
  h('h2', { text: 'Alerts in this incident', attrs: { id: 'alerts-h' } }),
  h('p', { class: 'muted', text: 'Select alerts to split them into a new incident, or move one alert to another incident. Rules never undo a person\'s correction.' }),
  ui.alerts,
  h('div', { class: 'toolbar' }, field('Reason (recorded in the timeline)', ui.reason), h('div', { class: 'actions' }, ui.split, ui.selectedInfo)));

/** @param {() => void} onMerge */
const mergeCard = (onMerge) => h('section', { class: 'card', attrs: { 'aria-labelledby': 'merge-h' } },
  h('h2', { text: 'Merge', attrs: { id: 'merge-h' } }),
  h('p', { class: 'muted', text: 'Merging moves every alert of the chosen incidents here; they are marked merged and point to this one.' }),
  h('button', { class: 'button', text: 'Merge other incidents into this one…', attrs: { type: 'button' }, on: { click: onMerge } }));
