// Overdue action items: how many each team (the catalog's owner of the incident's services) and
// each owner has past their due date, and the overdue items themselves with links to their
// reports and their tracker issues.

import { getJson, qs } from './api.js';
import { append, h, link, replace } from './dom.js';
import { badge, plural } from './format.js';
import { errorBanner, mainEl } from './layout.js';

/** @typedef {import('./api-types').User} User */
/** @typedef {import('./api-types').ActionItem} ActionItem */
/**
 * GET /api/v1/action-items/overdue
 * @typedef {{ today: string, total: number, byTeam: Array<{ team: string | null, count: number }>, byOwner: Array<{ owner: string | null, count: number }>, rows: Array<{ team: string | null, owner: string | null, count: number }> }} OverdueListing
 */

/** @param {User} _user */
export async function render(_user) {
  const main = mainEl();
  append(main, h('div', { class: 'page-head' }, h('h1', { text: 'Overdue action items' })));
  const summary = h('div');
  const items = h('div');
  append(main, summary, items);
  try {
    /** @type {OverdueListing} */
    const listing = await getJson('/api/v1/action-items/overdue');
    replace(summary, overdueSummary(listing));
    /** @type {{ items: Array<ActionItem & { incidentId: string }> }} */
    const page = await getJson(`/api/v1/action-items${qs({ overdue: 'true', limit: 200 })}`);
    replace(items, overdueItems(page.items));
  } catch (err) {
    replace(summary, errorBanner(err, 'Could not load the overdue action items'));
  }
}

/** @param {OverdueListing} listing */
function overdueSummary(listing) {
  if (listing.total === 0) return h('p', { class: 'muted', text: `No action item is overdue (due before ${listing.today}).` });
  const team = (/** @type {string | null} */ name) => name ?? 'no team in the catalog';
  const owner = (/** @type {string | null} */ name) => name ?? 'no owner';
  return h('section', {},
    h('p', { text: `${plural(listing.total, 'action item')} overdue (due before ${listing.today}, still open or in progress).` }),
    h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Overdue per team and owner' } },
      h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden', text: 'Overdue action items per team and owner' }),
        h('thead', {}, h('tr', {}, ['Team', 'Owner', 'Overdue'].map((text) => h('th', { text, attrs: { scope: 'col' } })))),
        h('tbody', {}, listing.rows.map((row) => h('tr', {}, h('td', { text: team(row.team) }), h('td', { text: owner(row.owner) }), h('td', { text: String(row.count) })))))));
}

/** @param {Array<ActionItem & { incidentId: string }>} items */
function overdueItems(items) {
  if (items.length === 0) return null;
  return h('section', { attrs: { 'aria-label': 'Overdue items' } },
    h('h2', { text: 'Items' }),
    h('ul', { class: 'ai-list' }, items.map((item) => h('li', {},
      link(`/ui/incidents/${encodeURIComponent(item.incidentId)}/report`, item.title), ' ', badge(`ai-${item.status}`, item.status.replace('_', ' ')),
      h('span', { class: 'muted small', text: ` · owner ${item.owner ?? 'none'} · due ${item.dueDate ?? 'no date'}` }),
      item.tracker ? [' · ', link(item.tracker.url, item.tracker.key)] : null))));
}
