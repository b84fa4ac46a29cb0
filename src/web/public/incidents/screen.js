// Reading one screen of the incident list from the API, with each incident's report status.

import { getJson, qs } from '../api.js';
import { apiQuery } from './filters.js';
import { reportState } from './report-state.js';

/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('../api-types').IncidentPage} IncidentPage */
/** @typedef {import('../api-types').ReportStatusItem} ReportStatusItem */
/** @typedef {import('./filters.js').Filters} Filters */
/** @typedef {{ items: Incident[], statuses: Map<string, ReportStatusItem>, next: string | null }} Screen */

/** With a report-status filter the list is filtered here; this bounds the API pages read per screen. */
const MAX_SCAN_PAGES = 10;

/** @param {Record<string, unknown>} query @returns {Promise<IncidentPage>} */
const incidentPage = (query) => getJson(`/api/v1/incidents${qs(query)}`);

/** @param {string[]} ids @returns {Promise<Map<string, ReportStatusItem>>} */
export async function reportStatuses(ids) {
  if (ids.length === 0) return new Map();
  /** @type {{ items: ReportStatusItem[] }} */
  const res = await getJson(`/api/v1/report-statuses${qs({ incidentIds: ids.join(',') })}`);
  return new Map(res.items.map((s) => [s.incidentId, s]));
}

/**
 * Reads one screen from `cursor`: one API page, or with a report filter, API pages until the
 * screen is full.
 * @param {Filters} filters @param {string | null} cursor @returns {Promise<Screen>}
 */
export async function fetchScreen(filters, cursor) {
  const base = apiQuery(filters);
  const pageSize = Number(filters.size);
  if (!filters.report) {
    const page = await incidentPage({ ...base, limit: pageSize, cursor });
    const statuses = await reportStatuses(page.items.map((i) => i.id));
    return { items: page.items, statuses, next: page.nextCursor };
  }
  /** @type {Incident[]} */
  const items = [];
  /** @type {Map<string, ReportStatusItem>} */
  const statuses = new Map();
  let c = cursor;
  for (let i = 0; i < MAX_SCAN_PAGES && items.length < pageSize; i++) {
    const page = await incidentPage({ ...base, limit: pageSize, cursor: c });
    const st = await reportStatuses(page.items.map((x) => x.id));
    for (const inc of page.items) {
      const s = st.get(inc.id);
      if (s && reportState(s, inc).keys.some((k) => k === filters.report)) { items.push(inc); statuses.set(inc.id, s); }
    }
    c = page.nextCursor;
    if (!c) break;
  }
  return { items, statuses, next: c };
}
