// Searching the incident list: the search box (`q` in the page URL), one screen of search
// results read with the list's filters, and the lines saying what matched in each incident.

import { getJson, qs } from '../api.js';
import { field, h } from '../dom.js';
import { apiQuery } from './filters.js';

/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('../api-types').SearchMatch} SearchMatch */
/** @typedef {import('../api-types').SearchPage} SearchPage */
/** @typedef {import('../api-types').ReportStatusItem} ReportStatusItem */
/** @typedef {import('./filters.js').Filters} Filters */

/** The search in the page URL (`?q=`), or ''. */
export const searchFromUrl = () => new URLSearchParams(location.search).get('q') ?? '';

/** The page URL for `filtersQuery` (from `urlQuery`) with the search added. @param {string} filtersQuery @param {string} q */
export function withSearch(filtersQuery, q) {
  const params = new URLSearchParams(filtersQuery);
  if (q.trim()) params.set('q', q.trim());
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The search box; `onSearch` gets its words (empty when cleared: back to the plain list).
 * @param {{ q: string, onSearch: (q: string) => void }} input
 */
export function searchForm({ q, onSearch }) {
  const input = h('input', { attrs: { name: 'q', type: 'search', autocomplete: 'off', placeholder: 'a word of a cause, fix or action item' }, props: { value: q } });
  const clearButton = h('button', { class: 'button', text: 'Show all', attrs: { type: 'button' }, on: { click: () => { input.value = ''; onSearch(''); } } });
  return h('form', {
    class: 'incident-search', attrs: { role: 'search', 'aria-label': 'Full-text search' },
    on: { submit: (ev) => { ev.preventDefault(); onSearch(input.value); } },
  },
  field('Search incidents and post-mortems', input),
  h('div', { class: 'filter-actions' }, h('button', { class: 'button button-primary', text: 'Search', attrs: { type: 'submit' } }), clearButton));
}

/**
 * One screen of search results from `cursor`, with the list's filters (the report filter applied
 * to the screen read) and what matched in each incident.
 * @param {Filters} filters @param {string} q @param {string | null} cursor
 * @param {(ids: string[]) => Promise<Map<string, ReportStatusItem>>} reportStatuses
 * @param {(status: ReportStatusItem, incident: Incident) => boolean} reportFilter
 */
export async function fetchSearchScreen(filters, q, cursor, reportStatuses, reportFilter) {
  /** @type {SearchPage} */
  const page = await getJson(`/api/v1/search${qs({ ...apiQuery(filters), q, limit: Math.min(Number(filters.size), 100), cursor })}`);
  const statuses = await reportStatuses(page.items.map((item) => item.incident.id));
  const kept = page.items.filter((item) => { const s = statuses.get(item.incident.id); return !filters.report || (s !== undefined && reportFilter(s, item.incident)); });
  return {
    items: kept.map((item) => item.incident), statuses, next: page.nextCursor,
    matches: new Map(kept.map((item) => [item.incident.id, item.matches])),
  };
}

/** What matched in one incident: a line per text, the words found marked. @param {SearchMatch[]} matches */
export function matchLines(matches) {
  const shown = matches.filter((m) => m.part !== 'title');
  if (shown.length === 0) return null;
  return h('ul', { class: 'search-matches' }, shown.map((m) => h('li', {}, h('span', { class: 'muted', text: `${m.label}: ` }), ...marked(m))));
}

/** @param {SearchMatch} m @returns {Array<string | HTMLElement>} */
function marked(m) {
  /** @type {Array<string | HTMLElement>} */
  const out = [];
  let at = 0;
  for (const { start, end } of m.highlights) {
    if (start < at) continue;
    out.push(m.snippet.slice(at, start), h('mark', { text: m.snippet.slice(start, end) }));
    at = end;
  }
  out.push(m.snippet.slice(at));
  return out;
}
