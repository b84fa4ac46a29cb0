// Incident page: header facts with response times, the timeline picture and list (machine
// and human entries interleaved; human entries editable by editors), the impact list, and the
// alerts grouped by service, each with the correlation decision that placed it here.
//
// This module wires the panels in incident/. The page's state is one object: the incident,
// its report (the timeline lives there) with the ETag for writes, and the measures; the live
// refresh replaces it, the timeline panel's saves update the report part.

import { incidentIdFromPath, seg } from './api.js';
import { append, h, replace } from './dom.js';
import { allowed, mainEl, mountHeader } from './layout.js';
import { alertsSection } from './incident/alerts.js';
import { chatPanel } from './incident/chat.js';
import { renderHead } from './incident/head.js';
import { impactCard } from './incident/impact.js';
import { incidentApi } from './incident/incident-api.js';
import { startLiveRefresh } from './incident/live.js';
import { timelineBeingEdited, timelinePanel } from './incident/timeline.js';

/** @param {import('./api-types').User} user */
export async function render(user) {
  // The server serves this page only under /ui/incidents/:id.
  const id = /** @type {string} */ (incidentIdFromPath());
  const api = incidentApi(id);
  const first = await api.read();
  const state = { detail: first.detail, report: first.report, etag: first.etag, measures: first.measures };
  const canEdit = allowed(user, 'editor');
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident', current: true }]);

  const live = h('p', { class: 'muted small live-status', attrs: { id: 'live-status' } });
  const main = mainEl();
  const headSlot = h('div');
  const drawHead = () => renderHead(headSlot, { ...state, canEdit, pageUrl, live, onDownload: () => void api.downloadHtml() });
  main.appendChild(headSlot);
  drawHead();
  const timeline = timelinePanel({ state, canEdit, api, svg: first.svg });
  const impactSlot = h('div', {}, impactCard(state.detail.impact));
  const alertsSlot = h('div', {}, alertsSection(state.detail));
  /** @param {import('./incident/incident-api.js').Snapshot} next */
  const show = (next) => {
    Object.assign(state, { detail: next.detail, report: next.report, etag: next.etag, measures: next.measures });
    drawHead();
    timeline.draw();
    if (next.svg) timeline.drawPicture(next.svg);
    replace(impactSlot, impactCard(next.detail.impact));
    replace(alertsSlot, alertsSection(next.detail));
  };
  // Kept chat joins the timeline: read the incident again after each keep or import.
  const chat = chatPanel({ incidentId: id, canEdit, onKeptChanged: async () => show(await api.read()) });
  append(main, timeline.card, chat.card, impactSlot, alertsSlot);
  void chat.load().catch(() => undefined);

  startLiveRefresh({ live, first, load: api.read, isEditing: () => timelineBeingEdited(main), onChange: show });
}
