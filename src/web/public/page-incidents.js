// Incident list: filters (status, service, severity, time range, report status), cursor
// paging, and polling so new incidents appear without a reload.

import { getJson, qs } from './api.js';
import { append, field, h, replace } from './dom.js';
import { badge, clockTime, formatDuration, incidentDuration, reportStatusLabel, timeEl } from './format.js';
import { announce, errorBanner, mainEl } from './layout.js';

const PAGE_SIZES = ['10', '25', '50', '100'];
const POLL_MS = 4000;
/** With a report-status filter the list is filtered here; this bounds the API pages read per screen. */
const MAX_SCAN_PAGES = 10;

const RANGES = [
  { value: '', label: 'Any time' },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
];

/**
 * @typedef {{ status: string, service: string, severity: string, range: string, since: string, until: string, report: string, size: string }} Filters
 */

/** @returns {Filters} */
function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  return {
    status: params.get('status') ?? '', service: params.get('service') ?? '', severity: params.get('severity') ?? '',
    range: params.get('range') ?? '', since: params.get('since') ?? '', until: params.get('until') ?? '', report: params.get('report') ?? '',
    size: PAGE_SIZES.includes(params.get('size') ?? '') ? /** @type {string} */ (params.get('size')) : '25',
  };
}

/** The API query of the filters (the report status is filtered here). @param {Filters} filters */
function apiQuery(filters) {
  const query = /** @type {Record<string, string>} */ ({ status: filters.status, service: filters.service.trim(), severity: filters.severity.trim() });
  const preset = RANGES.find((range) => range.value === filters.range);
  if (preset?.ms) query.since = new Date(Date.now() - preset.ms).toISOString();
  if (filters.range === 'custom') {
    if (filters.since) query.since = new Date(filters.since).toISOString();
    if (filters.until) query.until = new Date(filters.until).toISOString();
  }
  return query;
}

export async function render() {
  const main = mainEl();
  let filters = filtersFromUrl();
  /** Cursors of the pages before the current one (for "Newer"). @type {Array<string | null>} */
  const cursorStack = [];
  /** @type {string | null} */
  let cursor = null;
  /** @type {string | null} */
  let nextCursor = null;
  let lastKey = '';
  /** @type {Set<string>} */
  let knownIds = new Set();
  let first = true;
  let timer = 0;

  // ---- filters form
  const sel = (/** @type {string} */ name, /** @type {Array<[string, string]>} */ options, /** @type {string} */ value) => {
    const select = /** @type {HTMLSelectElement} */ (h('select', { attrs: { name } }, options.map(([optionValue, label]) => h('option', { text: label, attrs: { value: optionValue } }))));
    select.value = value;
    return select;
  };
  const status = sel('status', [['', 'Open and resolved'], ['open', 'Open'], ['resolved', 'Resolved'], ['merged', 'Merged into another']], filters.status);
  const service = /** @type {HTMLInputElement} */ (h('input', { attrs: { name: 'service', type: 'search', list: 'known-services', autocomplete: 'off' }, props: { value: filters.service } }));
  const services = h('datalist', { attrs: { id: 'known-services' } });
  const severity = /** @type {HTMLInputElement} */ (h('input', { attrs: { name: 'severity', type: 'search', autocomplete: 'off', size: '10' }, props: { value: filters.severity } }));
  const report = sel('report', [['', 'Any'], ['draft', 'Draft'], ['in_review', 'In review'], ['published', 'Published']], filters.report);
  const size = sel('size', PAGE_SIZES.map((count) => [count, count]), filters.size);
  const range = sel('range', RANGES.map((preset) => [preset.value, preset.label]), filters.range);
  const since = /** @type {HTMLInputElement} */ (h('input', { attrs: { name: 'since', type: 'datetime-local' }, props: { value: filters.since } }));
  const until = /** @type {HTMLInputElement} */ (h('input', { attrs: { name: 'until', type: 'datetime-local' }, props: { value: filters.until } }));
  const custom = h('div', { class: 'filter-custom' }, field('From', since), field('Until', until));
  const syncCustom = () => { custom.hidden = range.value !== 'custom'; };
  syncCustom();
  const form = h('form', {
    class: 'filters', attrs: { role: 'search', 'aria-label': 'Filter incidents' },
    on: {
      submit: (/** @type {Event} */ ev) => { ev.preventDefault(); applyFilters(); },
      change: (/** @type {Event} */ ev) => {
        syncCustom();
        // Text fields apply on submit or when left; selects apply at once.
        if (/** @type {HTMLElement} */ (ev.target).tagName === 'SELECT' || /** @type {HTMLInputElement} */ (ev.target).type === 'datetime-local') applyFilters();
      },
    },
  },
  field('Status', status), field('Service', service), services, field('Severity', severity), field('Report', report), field('Time', range), custom, field('Per page', size),
  h('div', { class: 'filter-actions' },
    h('button', { class: 'button button-primary', text: 'Apply', attrs: { type: 'submit' } }),
    h('button', { class: 'button', text: 'Clear', attrs: { type: 'button' }, on: { click: () => { status.value = ''; service.value = ''; severity.value = ''; report.value = ''; range.value = ''; since.value = ''; until.value = ''; syncCustom(); applyFilters(); } } })));

  const live = h('p', { class: 'muted small live-status', attrs: { id: 'live-status' } });
  const errorSlot = h('div');
  const tbody = h('tbody');
  const table = h('table', { class: 'data incidents-table' },
    h('caption', { class: 'visually-hidden', text: 'Incidents, newest first' }),
    h('thead', {}, h('tr', {}, ['Incident', 'Status', 'Severity', 'Services', 'Started', 'Duration', 'Alerts', 'Report'].map((title) => h('th', { text: title, attrs: { scope: 'col' } })))),
    tbody);
  const newer = h('button', { class: 'button', text: '← Newer', attrs: { type: 'button' }, on: { click: () => { cursor = cursorStack.pop() ?? null; first = true; void load(true); } } });
  const older = h('button', { class: 'button', text: 'Older →', attrs: { type: 'button' }, on: { click: () => { cursorStack.push(cursor); cursor = nextCursor; first = true; void load(true); } } });
  const pageInfo = h('span', { class: 'muted' });
  const pager = h('nav', { class: 'pager', attrs: { 'aria-label': 'Pages' } }, newer, pageInfo, older);

  append(main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Incidents' }), live),
    form, errorSlot,
    h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Incident table' } }, table),
    pager);

  function applyFilters() {
    filters = {
      status: status.value, service: service.value, severity: severity.value, range: range.value,
      since: range.value === 'custom' ? since.value : '', until: range.value === 'custom' ? until.value : '', report: report.value, size: size.value,
    };
    const params = qs({ ...filters, size: filters.size === '25' ? '' : filters.size });
    history.replaceState(null, '', `/ui/incidents${params}`);
    cursor = null;
    cursorStack.length = 0;
    knownIds = new Set();
    first = true;
    void load(true);
  }

  /** Reads one screen: one API page, or with a report filter, API pages until the screen is full. */
  async function fetchScreen() {
    const base = apiQuery(filters);
    const pageSize = Number(filters.size);
    if (!filters.report) {
      const page = await getJson(`/api/v1/incidents${qs({ ...base, limit: pageSize, cursor })}`);
      const statuses = await reportStatuses(page.items.map((/** @type {any} */ item) => item.id));
      return { items: page.items, statuses, next: page.nextCursor };
    }
    /** @type {any[]} */
    const items = [];
    const statuses = new Map();
    let pageCursor = cursor;
    for (let i = 0; i < MAX_SCAN_PAGES && items.length < pageSize; i++) {
      const page = await getJson(`/api/v1/incidents${qs({ ...base, limit: pageSize, cursor: pageCursor })}`);
      const pageStatuses = await reportStatuses(page.items.map((/** @type {any} */ item) => item.id));
      for (const inc of page.items) {
        if (pageStatuses.get(inc.id)?.status === filters.report) { items.push(inc); statuses.set(inc.id, pageStatuses.get(inc.id)); }
      }
      pageCursor = page.nextCursor;
      if (!pageCursor) break;
    }
    return { items, statuses, next: pageCursor };
  }

  // Polls while the tab is visible; a hidden tab skips its turns.
  const schedule = () => { timer = window.setTimeout(() => (document.hidden ? schedule() : void load(false)), POLL_MS); };

  /** @param {boolean} userAction */
  async function load(userAction) {
    window.clearTimeout(timer);
    try {
      const screen = await fetchScreen();
      replace(errorSlot);
      nextCursor = screen.next;
      // The minute is part of the key so durations of ongoing incidents keep counting.
      const key = JSON.stringify([screen.items, [...screen.statuses.entries()], Math.floor(Date.now() / 60_000)]);
      if (key !== lastKey || userAction) {
        lastKey = key;
        const added = first ? [] : screen.items.filter((/** @type {any} */ item) => !knownIds.has(item.id));
        draw(screen.items, screen.statuses, new Set(added.map((/** @type {any} */ item) => item.id)));
        if (added.length) announce(`${added.length} new incident${added.length === 1 ? '' : 's'}: ${added.map((/** @type {any} */ item) => item.title).join('; ')}`);
        for (const item of screen.items) knownIds.add(item.id);
        first = false;
      }
      live.textContent = `Live: checked at ${clockTime(new Date())}`;
    } catch (err) {
      replace(errorSlot, errorBanner(err, 'Could not load incidents'));
    }
    /** @type {HTMLButtonElement} */ (newer).disabled = cursor === null;
    /** @type {HTMLButtonElement} */ (older).disabled = !nextCursor;
    pageInfo.textContent = `Page ${cursorStack.length + 1}`;
    schedule();
  }

  /**
   * @param {any[]} items
   * @param {Map<string, any>} statuses
   * @param {Set<string>} fresh
   */
  function draw(items, statuses, fresh) {
    // Keep keyboard focus on the same row's link across a refresh.
    const focusedId = /** @type {HTMLElement | null} */ (document.activeElement)?.closest?.('tr')?.getAttribute('data-id') ?? null;
    const now = Date.now();
    const rows = items.map((inc) => {
      const reportStatus = statuses.get(inc.id);
      return h('tr', { class: fresh.has(inc.id) ? 'row-new' : null, attrs: { 'data-id': inc.id } },
        h('th', { attrs: { scope: 'row' } }, h('a', { text: inc.title, attrs: { href: `/ui/incidents/${encodeURIComponent(inc.id)}` } }), fresh.has(inc.id) ? h('span', { class: 'badge badge-new', text: 'new' }) : null),
        h('td', {}, badge(inc.status, inc.status)),
        h('td', {}, inc.severity ? badge(`sev-${inc.severity}`, inc.severity) : h('span', { class: 'muted', text: '—' })),
        h('td', { text: inc.services.join(', ') || '—' }),
        h('td', {}, timeEl(inc.startedAt)),
        h('td', {}, formatDuration(incidentDuration(inc, now)), inc.endedAt ? null : h('span', { class: 'muted', text: ' (ongoing)' })),
        h('td', { class: 'num', text: String(inc.alertCount) }),
        h('td', {}, reportStatus ? h('a', { attrs: { href: `/ui/incidents/${encodeURIComponent(inc.id)}/report` } }, badge(reportStatus.status, reportStatusLabel(reportStatus.status)), reportStatus.version > 1 ? ` v${reportStatus.version}` : '') : '—'));
    });
    if (rows.length === 0) rows.push(h('tr', {}, h('td', { class: 'empty', text: 'No incidents match these filters.', attrs: { colspan: '8' } })));
    replace(tbody, rows);
    const known = new Set([...services.querySelectorAll('option')].map((option) => option.getAttribute('value')));
    for (const inc of items) for (const serviceName of inc.services) if (!known.has(serviceName)) { known.add(serviceName); services.appendChild(h('option', { attrs: { value: serviceName } })); }
    if (focusedId) /** @type {HTMLElement | null} */ (tbody.querySelector(`tr[data-id="${CSS.escape(focusedId)}"] a`))?.focus();
  }

  await load(true);
}

/** @param {string[]} ids @returns {Promise<Map<string, any>>} */
async function reportStatuses(ids) {
  if (ids.length === 0) return new Map();
  const res = await getJson(`/api/v1/report-statuses${qs({ incidentIds: ids.join(',') })}`);
  return new Map(res.items.map((/** @type {any} */ item) => [item.incidentId, item]));
}
