// The correlation audit trail of an incident: every decision and correction, newest first,
// each led by the alert (or page) it is about, named with what tells it apart from same-named
// alerts.

import { h } from '../dom.js';
import { timeEl } from '../format.js';
import { errorBanner } from '../layout.js';
import { pageName } from '../paged.js';
import { alertName, alertNameIn } from './alerts-table.js';

/** @typedef {import('./review-api.js').ReviewApi} ReviewApi */
/** @typedef {import('../api-types').AuditEvent} AuditEvent */
/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */

/** Alerts no longer here (moved or split away) are read one by one; past this many, by id. */
const MAX_LOOKUPS = 50;

/** The alert ids an entry is about: a decision's or move's `alertId`, a split's or merge's `alertIds`. @param {AuditEvent} e */
function alertIdsOf(e) {
  const { alertId, alertIds } = e.data;
  if (typeof alertId === 'string') return [alertId];
  return Array.isArray(alertIds) ? alertIds.filter((x) => typeof x === 'string') : [];
}

/**
 * `PagerDuty #1234 "Checkout is down"` for a paging entry, else null: a timeline entry carries
 * the page; a decision only its id, named from the incident's pages when it is one of them.
 * @param {AuditEvent} e @param {IncidentDetail} detail
 */
function pageOf(e, detail) {
  const page = /** @type {{ id?: unknown, number?: unknown, title?: unknown } | undefined} */ (e.data.page);
  if (page && typeof page.id === 'string') {
    return pageName({ id: page.id, number: typeof page.number === 'number' ? page.number : null, title: typeof page.title === 'string' ? page.title : null });
  }
  const { pageId } = e.data;
  if (typeof pageId !== 'string') return null;
  return pageName(detail.pages?.find((p) => p.id === pageId) ?? { id: pageId, number: null, title: null });
}

/**
 * Names for every alert the entries are about: those in this incident from `detail`, the others
 * read from the API (at most MAX_LOOKUPS), falling back to their id.
 * @param {AuditEvent[]} events @param {IncidentDetail} detail @param {ReviewApi} api
 */
async function alertNames(events, detail, api) {
  /** @type {Map<string, string>} */
  const names = new Map(detail.alerts.map((a) => [a.id, alertNameIn(detail, a)]));
  const missing = [...new Set(events.flatMap(alertIdsOf))].filter((id) => !names.has(id)).slice(0, MAX_LOOKUPS);
  const found = await Promise.all(missing.map((id) => api.alert(id).catch(() => null)));
  found.forEach((a, i) => { if (a) names.set(missing[i] ?? a.id, `${alertName(a)} (now in another incident)`); });
  return names;
}

/** What the entry is about, in a few words. @param {AuditEvent} e @param {Map<string, string>} names @param {IncidentDetail} detail */
function subjectOf(e, names, detail) {
  const ids = alertIdsOf(e);
  if (ids.length > 0) {
    const named = ids.slice(0, 3).map((id) => names.get(id) ?? `alert ${id}`);
    return ids.length > 3 ? `${named.join(', ')} and ${ids.length - 3} more` : named.join(', ');
  }
  return pageOf(e, detail);
}

/** @param {ReviewApi} api @param {IncidentDetail} detail */
export async function auditSection(api, detail) {
  const section = h('section', { class: 'card', attrs: { 'aria-labelledby': 'audit-h' } }, h('h2', { text: 'Correlation audit trail', attrs: { id: 'audit-h' } }));
  try {
    const audit = await api.audit();
    const names = await alertNames(audit.events, detail, api);
    section.appendChild(h('ol', { class: 'audit' }, audit.events.slice().reverse().map((e) => {
      const subject = subjectOf(e, names, detail);
      return h('li', {},
        subject ? h('p', { class: 'audit-subject' }, h('strong', { text: subject })) : null,
        h('div', { class: 'tl-meta' }, timeEl(e.at), ' ', h('code', { text: e.kind }), e.actor ? h('span', { class: 'muted small', text: ` · ${e.actor}` }) : null),
        h('p', { class: 'small', text: e.text }));
    })));
  } catch (err) {
    section.appendChild(errorBanner(err, 'Could not load the audit trail'));
  }
  return section;
}
