// Incident list: full-text search, filters (status, service, severity, time range, report
// status), cursor paging, and polling so new incidents appear without a reload.
//
// This module holds the list's state (filters, where in the pages the user is, what was
// shown) and wires the parts in incidents/.

import { append, h, replace } from './dom.js';
import { clockTime } from './format.js';
import { allowed, announce, errorBanner, mainEl } from './layout.js';
import { filtersForm, filtersFromUrl, urlQuery } from './incidents/filters.js';
import { reportState } from './incidents/report-state.js';
import { fetchScreen, reportStatuses } from './incidents/screen.js';
import { fetchSearchScreen, searchForm, searchFromUrl, withSearch } from './incidents/search.js';
import { drawRows, incidentsTable } from './incidents/table.js';

/** @typedef {import('./incidents/filters.js').Filters} Filters */
/** @typedef {import('./incidents/screen.js').Screen} Screen */

const POLL_MS = 4000;

/**
 * What the list is showing and where: the filters, the cursors of the pages before this one
 * (for "Newer"), this page's and the next page's cursor, what was drawn last (to redraw only
 * on a change) and which incidents were seen (to mark new ones; not on a first draw).
 * @typedef {{
 *   filters: Filters, q: string, cursorStack: Array<string | null>, cursor: string | null, nextCursor: string | null,
 *   lastKey: string, knownIds: Set<string>, first: boolean, timer: number,
 * }} ListState
 */
/**
 * @typedef {{
 *   live: HTMLElement, errorSlot: HTMLElement, tbody: HTMLElement, services: HTMLDataListElement,
 *   newer: HTMLButtonElement, older: HTMLButtonElement, pageInfo: HTMLElement,
 * }} ListUi
 */

/** @param {{ name: string, role: string }} [user] */
export async function render(user) {
  const main = mainEl();
  /** @type {ListState} */
  const state = { filters: filtersFromUrl(), q: searchFromUrl(), cursorStack: [], cursor: null, nextCursor: null, lastKey: '', knownIds: new Set(), first: true, timer: 0 };
  const { form, services } = filtersForm({ filters: state.filters, onApply: (filters) => applyFilters(state, ui, filters) });
  const search = searchForm({ q: state.q, onSearch: (q) => { state.q = q.trim(); applyFilters(state, ui, state.filters); } });
  const table = incidentsTable();
  /** @type {ListUi} */
  const ui = {
    live: h('p', { class: 'muted small live-status', attrs: { id: 'live-status' } }),
    errorSlot: h('div'),
    tbody: table.tbody,
    services,
    newer: h('button', { class: 'button', text: '← Newer', attrs: { type: 'button' }, on: { click: () => turnPage(state, ui, 'newer') } }),
    older: h('button', { class: 'button', text: 'Older →', attrs: { type: 'button' }, on: { click: () => turnPage(state, ui, 'older') } }),
    pageInfo: h('span', { class: 'muted' }),
  };
  append(main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Incidents' }), ui.live,
      allowed(user ?? null, 'editor') ? h('a', { class: 'button', text: 'Declare an incident', attrs: { href: '/ui/declare' } }) : null),
    search, form, ui.errorSlot, table.wrap,
    h('nav', { class: 'pager', attrs: { 'aria-label': 'Pages' } }, ui.newer, ui.pageInfo, ui.older));
  await load(state, ui, true);
}

/** New filters start from the first page, with nothing marked new. @param {ListState} state @param {ListUi} ui @param {Filters} filters */
function applyFilters(state, ui, filters) {
  state.filters = filters;
  history.replaceState(null, '', `/ui/incidents${withSearch(urlQuery(filters), state.q)}`);
  state.cursor = null;
  state.cursorStack.length = 0;
  state.knownIds = new Set();
  state.first = true;
  void load(state, ui, true);
}

/** @param {ListState} state @param {ListUi} ui @param {'newer' | 'older'} direction */
function turnPage(state, ui, direction) {
  if (direction === 'newer') state.cursor = state.cursorStack.pop() ?? null;
  else { state.cursorStack.push(state.cursor); state.cursor = state.nextCursor; }
  state.first = true;
  void load(state, ui, true);
}

/** Polls while the tab is visible; a hidden tab skips its turns. @param {ListState} state @param {ListUi} ui */
function schedule(state, ui) {
  state.timer = window.setTimeout(() => (document.hidden ? schedule(state, ui) : void load(state, ui, false)), POLL_MS);
}

/** Reads the screen and redraws it when it changed (always after a user's action). @param {ListState} state @param {ListUi} ui @param {boolean} userAction */
async function load(state, ui, userAction) {
  window.clearTimeout(state.timer);
  try {
    /** @type {Screen & { matches?: Map<string, import('./api-types').SearchMatch[]> }} */
    const screen = state.q
      ? await fetchSearchScreen(state.filters, state.q, state.cursor, reportStatuses, (s, inc) => reportState(s, inc).keys.some((k) => k === state.filters.report))
      : await fetchScreen(state.filters, state.cursor);
    replace(ui.errorSlot);
    state.nextCursor = screen.next;
    // The minute is part of the key so durations of ongoing incidents keep counting.
    const key = JSON.stringify([screen.items, [...screen.statuses.entries()], [...(screen.matches?.entries() ?? [])], Math.floor(Date.now() / 60_000)]);
    if (key !== state.lastKey || userAction) {
      state.lastKey = key;
      show(state, ui, screen);
    }
    ui.live.textContent = `Live: checked at ${clockTime(new Date())}`;
  } catch (err) {
    replace(ui.errorSlot, errorBanner(err, 'Could not load incidents'));
  }
  ui.newer.disabled = state.cursor === null;
  ui.older.disabled = !state.nextCursor;
  ui.pageInfo.textContent = `Page ${state.cursorStack.length + 1}`;
  schedule(state, ui);
}

/**
 * Draws the screen, marking and announcing incidents not seen before.
 * @param {ListState} state @param {ListUi} ui @param {Screen & { matches?: Map<string, import('./api-types').SearchMatch[]> }} screen
 */
function show(state, ui, screen) {
  const added = state.first ? [] : screen.items.filter((i) => !state.knownIds.has(i.id));
  drawRows(ui.tbody, ui.services, screen.items, screen.statuses, new Set(added.map((i) => i.id)), screen.matches);
  if (added.length) announce(`${added.length} new incident${added.length === 1 ? '' : 's'}: ${added.map((i) => i.title).join('; ')}`);
  for (const i of screen.items) state.knownIds.add(i.id);
  state.first = false;
}
