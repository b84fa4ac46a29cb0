// Incidents that may be the same outage as this one: their services depend on shared
// infrastructure the catalog names, or were merged before "and remember". Suggestions only:
// rules never merge on this evidence; an editor merges with one click (and a confirmation).

import { seg } from '../api.js';
import { h } from '../dom.js';
import { badge, timeEl } from '../format.js';
import { errorBanner } from '../layout.js';

/** @typedef {import('./review-api.js').ReviewApi} ReviewApi */
/** @typedef {import('../api-types').SameOutageSuggestion} SameOutageSuggestion */

/**
 * The card, or null when there is nothing to suggest. `onMerge` is given to editors.
 * @param {ReviewApi} api @param {((s: SameOutageSuggestion) => void) | null} onMerge
 * @returns {Promise<HTMLElement | null>}
 */
export async function sameOutageSection(api, onMerge) {
  let suggestions;
  try {
    suggestions = (await api.sameOutage()).suggestions;
  } catch (err) {
    return errorBanner(err, 'Could not load same-outage suggestions');
  }
  if (suggestions.length === 0) return null;
  return h('section', { class: 'card', attrs: { 'aria-labelledby': 'same-outage-h' } },
    h('h2', { text: 'Maybe the same outage', attrs: { id: 'same-outage-h' } }),
    h('p', { class: 'muted', text: 'Suggested, never merged automatically: check the timelines before merging.' }),
    h('ul', { class: 'same-outage' }, suggestions.map((s) => h('li', {},
      h('p', {}, h('a', { text: s.title, attrs: { href: `/ui/incidents/${seg(s.incidentId)}` } }), ' ', badge(s.status, s.status), ' started ', timeEl(s.startedAt)),
      h('p', { class: 'small', text: s.explanation }),
      onMerge ? h('button', { class: 'button', text: 'Merge into this incident…', attrs: { type: 'button' }, on: { click: () => onMerge(s) } }) : null))));
}
