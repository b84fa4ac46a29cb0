// A dialog with a searchable list of incidents to move an alert to or merge from.

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
      const count = h('p', { class: 'muted small', attrs: { 'aria-live': 'polite' } });
      const list = h('fieldset', { class: 'picker', attrs: { id: uid('pick') } }, h('legend', { class: 'visually-hidden', text: 'Incidents' }));
      const error = h('div');
      /** @type {Incident[]} */
      let incidents = [];
      const chosen = () => [...list.querySelectorAll('input:checked')]
        .map((i) => incidents.find((x) => x.id === /** @type {HTMLInputElement} */ (i).value))
        .filter((x) => x !== undefined);
      const draw = () => drawList(list, count, matching(incidents, search.value), new Set(chosen().map((i) => i.id)), opts.multiple);
      const load = async () => {
        try {
          incidents = (await api.incidents(status.value)).items.filter((i) => i.id !== opts.excludeId);
          replace(error);
          draw();
        } catch (err) {
          replace(error, errorBanner(err, 'Could not load incidents'));
        }
      };
      search.addEventListener('input', draw);
      status.addEventListener('change', () => void load());
      /** @param {Event} ev */
      const submit = (ev) => {
        ev.preventDefault();
        const picked = chosen();
        if (picked.length === 0) { count.textContent = 'Choose an incident first.'; return; }
        close(picked);
      };
      append(body, h('form', { on: { submit } },
        h('div', { class: 'picker-filters' }, field('Find incident', search), field('Status', status)),
        count, error, list,
        h('div', { class: 'actions' },
          h('button', { class: 'button button-primary', text: opts.actionLabel, attrs: { type: 'submit' } }),
          h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(null) } }))));
      void load();
      setTimeout(() => search.focus(), 0);
    },
  });
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
