// A dialog with a searchable list of incidents to move an alert to or merge from, narrowed by
// status, service and severity (pickers of the values seen on the incidents listed so far).

import { append, clear, field, h, replace, uid } from '../dom.js';
import { formatDuration, incidentDuration, plural, timeEl } from '../format.js';
import { errorBanner, openDialog } from '../layout.js';

/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('./review-api.js').ReviewApi} ReviewApi */

/** How many matches the list shows; more asks for a narrower search. */
const SHOWN = 50;

/**
 * Resolves with the chosen incidents, or null when cancelled.
 * @param {{ title: string, excludeId: string, multiple: boolean, actionLabel: string }} opts @param {ReviewApi} api
 * @returns {Promise<Incident[] | null>}
 */
export function pickIncidents(opts, api) {
  return openDialog({
    title: opts.title,
    wide: true,
    /** @param {HTMLElement} body @param {(value: Incident[] | null) => void} close */
    build: (body, close) => {
      const search = h('input', { attrs: { type: 'search', autocomplete: 'off', placeholder: 'Title, service or id' } });
      const status = h('select', {}, h('option', { text: 'Open and resolved', attrs: { value: '' } }), h('option', { text: 'Open', attrs: { value: 'open' } }), h('option', { text: 'Resolved', attrs: { value: 'resolved' } }));
      const service = h('select', {}, h('option', { text: 'Any service', attrs: { value: '' } }));
      const severity = h('select', {}, h('option', { text: 'Any severity', attrs: { value: '' } }));
      /** Values seen so far, kept when a narrower list no longer shows them. @type {{ services: Set<string>, severities: Set<string> }} */
      const seen = { services: new Set(), severities: new Set() };
      const count = h('p', { class: 'muted small', attrs: { 'aria-live': 'polite' } });
      const list = h('fieldset', { class: 'picker', attrs: { id: uid('pick') } }, h('legend', { class: 'visually-hidden', text: 'Incidents' }));
      const error = h('div');
      /** @type {Incident[]} */
      let incidents = [];
      const chosen = () => [...list.querySelectorAll('input:checked')]
        .map((i) => incidents.find((x) => x.id === /** @type {HTMLInputElement} */ (i).value))
        .filter((x) => x !== undefined);
      const draw = () => drawList(list, count, matching(incidents, search.value), new Set(chosen().map((i) => i.id)), opts.multiple);
      // Only the latest load draws: an answer to an older choice of filters is dropped.
      let loads = 0;
      const load = async () => {
        const mine = ++loads;
        try {
          const page = await api.incidents({ status: status.value, service: service.value, severity: severity.value });
          if (mine !== loads) return;
          incidents = page.items.filter((i) => i.id !== opts.excludeId);
          for (const i of incidents) {
            i.services.forEach((s) => seen.services.add(s));
            if (i.severity) seen.severities.add(i.severity);
          }
          fillOptions(service, seen.services, 'Any service');
          fillOptions(severity, seen.severities, 'Any severity');
          replace(error);
          draw();
        } catch (err) {
          if (mine === loads) replace(error, errorBanner(err, 'Could not load incidents'));
        }
      };
      search.addEventListener('input', draw);
      for (const select of [status, service, severity]) select.addEventListener('change', () => void load());
      /** @param {Event} ev */
      const submit = (ev) => {
        ev.preventDefault();
        const picked = chosen();
        if (picked.length === 0) { count.textContent = 'Choose an incident first.'; return; }
        close(picked);
      };
      append(body, h('form', { on: { submit } },
        h('div', { class: 'picker-filters' }, field('Find incident', search), field('Status', status), field('Service', service), field('Severity', severity)),
        count, error, list,
        h('div', { class: 'actions' },
          h('button', { class: 'button button-primary', text: opts.actionLabel, attrs: { type: 'submit' } }),
          h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(null) } }))));
      void load();
      setTimeout(() => search.focus(), 0);
    },
  });
}

/**
 * The select's options: "any", then `values` sorted, keeping the chosen value.
 * @param {HTMLSelectElement} select @param {Set<string>} values @param {string} any
 */
function fillOptions(select, values, any) {
  const chosen = select.value;
  replace(select, h('option', { text: any, attrs: { value: '' } }), [...values].sort().map((v) => h('option', { text: v, attrs: { value: v } })));
  select.value = chosen;
}

/** Incidents whose title, id or a service contains the search term. @param {Incident[]} incidents @param {string} search */
function matching(incidents, search) {
  const term = search.trim().toLowerCase();
  return incidents.filter((i) => !term || i.title.toLowerCase().includes(term) || i.id.toLowerCase().includes(term) || i.services.some((s) => s.toLowerCase().includes(term)));
}

/**
 * The choices (the first SHOWN), keeping what was ticked, and how many matched.
 * @param {HTMLElement} list @param {HTMLElement} count @param {Incident[]} shown @param {Set<string>} keep @param {boolean} multiple
 */
function drawList(list, count, shown, keep, multiple) {
  clear(list);
  list.appendChild(h('legend', { class: 'visually-hidden', text: 'Incidents' }));
  for (const inc of shown.slice(0, SHOWN)) {
    const input = h('input', { attrs: { type: multiple ? 'checkbox' : 'radio', name: 'incident', value: inc.id, id: uid('inc') }, props: { checked: keep.has(inc.id) } });
    list.appendChild(h('div', { class: 'pick-row' }, input,
      h('label', { attrs: { for: input.id } },
        h('span', { class: 'pick-title', text: inc.title }),
        h('span', { class: 'muted small' }, ` ${inc.status} · ${inc.services.join(', ')} · started `, timeEl(inc.startedAt), ` · ${formatDuration(incidentDuration(inc))} · ${plural(inc.alertCount, 'alert')}`))));
  }
  count.textContent = shown.length === 0 ? 'No incidents match.' : `${plural(Math.min(shown.length, SHOWN), 'incident')} shown${shown.length > SHOWN ? ` of ${shown.length}; narrow the search` : ''}`;
}
