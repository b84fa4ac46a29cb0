// The incident list's filters: read from and written to the page URL, turned into the API
// query, and the form that edits them (selects apply at once, text fields on submit). Service
// and severity are picked from the values Debrief knows (the catalog's services and those seen
// on incidents), not typed to match exactly.

import { getJson, qs } from '../api.js';
import { field, h } from '../dom.js';
import { REPORT_FILTERS } from './report-state.js';

/**
 * @typedef {{ status: string, service: string, severity: string, range: string, since: string, until: string, report: string, size: string }} Filters
 */

export const PAGE_SIZES = ['10', '25', '50', '100'];
const DEFAULT_SIZE = '25';

/** @type {Array<{ value: string, label: string, ms?: number }>} */
const RANGES = [
  { value: '', label: 'Any time' },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
];

/** @returns {Filters} */
export function filtersFromUrl() {
  const p = new URLSearchParams(location.search);
  const size = p.get('size') ?? '';
  return {
    status: p.get('status') ?? '', service: p.get('service') ?? '', severity: p.get('severity') ?? '',
    range: p.get('range') ?? '', since: p.get('since') ?? '', until: p.get('until') ?? '', report: p.get('report') ?? '',
    size: PAGE_SIZES.includes(size) ? size : DEFAULT_SIZE,
  };
}

/** The page URL's query for the filters (the default page size left out). @param {Filters} f */
export const urlQuery = (f) => qs({ ...f, size: f.size === DEFAULT_SIZE ? '' : f.size });

/** The API query of the filters (the report status is filtered here). @param {Filters} f */
export function apiQuery(f) {
  /** @type {Record<string, string>} */
  const q = { status: f.status, service: f.service.trim(), severity: f.severity.trim() };
  const preset = RANGES.find((r) => r.value === f.range);
  if (preset?.ms) q.since = new Date(Date.now() - preset.ms).toISOString();
  if (f.range === 'custom') {
    if (f.since) q.since = new Date(f.since).toISOString();
    if (f.until) q.until = new Date(f.until).toISOString();
  }
  return q;
}

/** @param {string} name @param {Array<[string, string]>} options @param {string} value */
function select(name, options, value) {
  const s = h('select', { attrs: { name } }, options.map(([v, t]) => h('option', { text: t, attrs: { value: v } })));
  s.value = value;
  return s;
}

/** One control per filter, holding `filters`. @param {Filters} filters */
function filterControls(filters) {
  return {
    status: select('status', [['', 'Open and resolved'], ['open', 'Open'], ['resolved', 'Resolved'], ['merged', 'Merged into another']], filters.status),
    service: h('input', { attrs: { name: 'service', type: 'search', list: 'known-services', autocomplete: 'off' }, props: { value: filters.service } }),
    severity: select('severity', /** @type {Array<[string, string]>} */ ([['', 'Any severity'], ...(filters.severity ? [[filters.severity, filters.severity]] : [])]), filters.severity),
    report: select('report', REPORT_FILTERS, filters.report),
    size: select('size', PAGE_SIZES.map((n) => [n, n]), filters.size),
    range: select('range', RANGES.map((r) => [r.value, r.label]), filters.range),
    since: h('input', { attrs: { name: 'since', type: 'datetime-local' }, props: { value: filters.since } }),
    until: h('input', { attrs: { name: 'until', type: 'datetime-local' }, props: { value: filters.until } }),
  };
}

/**
 * Adds the values Debrief knows to the pickers: service names to the service field's list,
 * severities to the severity select (keeping what is there and selected). When they cannot be
 * read, the pickers offer what they hold and the list still filters.
 * @param {HTMLDataListElement} services @param {HTMLSelectElement} severity
 */
async function offerKnownValues(services, severity) {
  /** @type {{ services: string[], severities: string[] }} */
  let known;
  try {
    known = await getJson('/api/v1/incident-filters');
  } catch {
    return;
  }
  const listed = new Set([...services.querySelectorAll('option')].map((o) => o.getAttribute('value')));
  for (const name of known.services) if (!listed.has(name)) services.appendChild(h('option', { attrs: { value: name } }));
  const offered = new Set([...severity.options].map((o) => o.value));
  for (const value of known.severities) if (!offered.has(value)) severity.appendChild(h('option', { text: value, attrs: { value } }));
}

/**
 * The filter form; `onApply` gets the filters the form holds. `services` is the datalist of
 * service names the service field offers: the known ones, and the table adds those it shows.
 * @param {{ filters: Filters, onApply: (filters: Filters) => void }} input
 */
export function filtersForm({ filters, onApply }) {
  const c = filterControls(filters);
  const services = /** @type {HTMLDataListElement} */ (h('datalist', { attrs: { id: 'known-services' } }));
  void offerKnownValues(services, c.severity);
  const custom = h('div', { class: 'filter-custom' }, field('From', c.since), field('Until', c.until));
  const syncCustom = () => { custom.hidden = c.range.value !== 'custom'; };
  syncCustom();
  const apply = () => onApply({
    status: c.status.value, service: c.service.value, severity: c.severity.value, range: c.range.value,
    since: c.range.value === 'custom' ? c.since.value : '', until: c.range.value === 'custom' ? c.until.value : '', report: c.report.value, size: c.size.value,
  });
  const clearAll = () => {
    for (const control of [c.status, c.service, c.severity, c.report, c.range, c.since, c.until]) control.value = '';
    syncCustom();
    apply();
  };
  /** @param {Event} ev */
  const changed = (ev) => {
    syncCustom();
    // Text fields apply on submit or when left; selects apply at once.
    const target = /** @type {HTMLInputElement | HTMLSelectElement} */ (ev.target);
    if (target.tagName === 'SELECT' || target.type === 'datetime-local') apply();
  };
  const form = h('form', {
    class: 'filters', attrs: { role: 'search', 'aria-label': 'Filter incidents' },
    on: { submit: (ev) => { ev.preventDefault(); apply(); }, change: changed },
  },
  field('Status', c.status), field('Service', c.service), services, field('Severity', c.severity), field('Report', c.report), field('Time', c.range), custom, field('Per page', c.size),
  h('div', { class: 'filter-actions' },
    h('button', { class: 'button button-primary', text: 'Apply', attrs: { type: 'submit' } }),
    h('button', { class: 'button', text: 'Clear', attrs: { type: 'button' }, on: { click: clearAll } })));
  return { form, services };
}
