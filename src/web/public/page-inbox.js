// The inbox for admins: the webhook bodies Debrief received, waiting (pending), processed
// (done) or dead letters with the error that stopped them, who requeued each and when; a dead
// letter is requeued from here (after the configuration or Debrief was fixed), confirmed first.

import { getJson, qs, request, seg } from './api.js';
import { actionsHeader, append, field, h, replace } from './dom.js';
import { badge, plural, timeEl } from './format.js';
import { allowed, announce, confirmChange, errorBanner, mainEl } from './layout.js';

/** @typedef {import('./api-types').InboxEntry} InboxEntry */
/** @typedef {import('./api-types').InboxPage} InboxPage */
/** @typedef {import('./api-types').User} User */

const PAGE_SIZE = 50;
/** @type {Array<[string, string]>} */
const STATES = [['dead', 'Dead letters'], ['pending', 'Waiting'], ['done', 'Processed'], ['', 'All']];
const STATE_LABELS = { pending: 'waiting', done: 'processed', dead: 'dead letter' };
const EMPTY = { dead: 'No dead letters.', pending: 'Nothing is waiting.', done: 'Nothing processed yet.', '': 'The inbox is empty.' };

/** @param {User} user */
export async function render(user) {
  const main = mainEl();
  append(main, h('div', { class: 'page-head' }, h('h1', { text: 'Inbox' })));
  if (!allowed(user, 'admin')) {
    append(main, h('p', { class: 'banner banner-info', text: `The inbox needs the admin role; you are signed in as ${user.role}.` }));
    return;
  }
  // The URL names the list shown (`?state=pending`, `?state=all`); dead letters without it.
  const asked = new URLSearchParams(location.search).get('state');
  const initial = asked === 'all' ? '' : asked ?? 'dead';
  const stateSelect = h('select', { attrs: { name: 'state' } }, STATES.map(([v, t]) => h('option', { text: t, attrs: { value: v } })));
  stateSelect.value = STATES.some(([v]) => v === initial) ? initial : 'dead';
  const result = h('div', { attrs: { tabindex: '-1' } });
  const list = h('div');
  const more = h('button', { class: 'button', text: 'More', attrs: { type: 'button' } });
  // Holds the More button while there is a next page (a `.button` shows even when hidden).
  const pager = h('nav', { class: 'pager', attrs: { 'aria-label': 'Pages' } });
  /** @type {string | null} */
  let cursor = null;
  /** @type {InboxEntry[]} */
  let shown = [];
  // Only the latest load draws: an answer to an older one (another list asked for since) is dropped.
  let loads = 0;

  const draw = () => replace(list, shown.length ? inboxTable(shown, requeue) : h('p', { class: 'muted', text: EMPTY[/** @type {keyof typeof EMPTY} */ (stateSelect.value)] ?? EMPTY[''] }));
  /** @param {boolean} fresh */
  const load = async (fresh) => {
    const mine = ++loads;
    try {
      /** @type {InboxPage} */
      const page = await getJson(`/api/v1/inbox${qs({ state: stateSelect.value, limit: PAGE_SIZE, cursor: fresh ? '' : cursor ?? '' })}`);
      if (mine !== loads) return;
      shown = fresh ? page.items : [...shown, ...page.items];
      cursor = page.nextCursor;
      replace(pager, cursor ? more : null);
      draw();
    } catch (err) {
      if (mine === loads) replace(list, errorBanner(err, 'Could not load the inbox'));
    }
  };
  /** @param {InboxEntry} entry */
  async function requeue(entry) {
    const ok = await confirmChange({
      title: 'Requeue this dead letter?',
      confirmLabel: 'Requeue',
      summary: h('div', { class: 'change-summary' },
        h('p', {}, 'The ', h('strong', { text: entry.connector }), ` body received through "${entry.instance}" `, timeEl(entry.receivedAt), ' is processed again.'),
        entry.lastError ? h('p', {}, 'It failed with: ', h('code', { text: entry.lastError })) : null,
        h('p', { class: 'muted small', text: 'Fix what made it fail first (configuration, an upgrade), or it becomes a dead letter again. The requeue is recorded with your name.' })),
    });
    if (!ok) return;
    try {
      await request(`/api/v1/inbox/${seg(entry.id)}/requeue`, { method: 'POST' });
      replace(result, h('p', { class: 'banner banner-ok', attrs: { role: 'status' }, text: `Requeued entry ${entry.seq}: it is waiting to be processed again.` }));
      announce(`Requeued entry ${entry.seq}`);
      await load(true);
    } catch (err) {
      replace(result, errorBanner(err, 'Could not requeue'));
    }
    result.focus();
  }

  stateSelect.addEventListener('change', () => {
    history.replaceState(null, '', `${location.pathname}${qs({ state: stateSelect.value === 'dead' ? '' : stateSelect.value || 'all' })}`);
    void load(true);
  });
  more.addEventListener('click', () => void load(false));
  append(main,
    h('p', { class: 'muted', text: 'Webhook bodies as received, newest first. A dead letter could not be processed; requeue it once what failed is fixed.' }),
    h('form', { class: 'filters', attrs: { role: 'search', 'aria-label': 'Filter the inbox' }, on: { submit: (ev) => ev.preventDefault() } }, field('Show', stateSelect)),
    result, list, pager);
  await load(true);
}

/** @param {InboxEntry[]} entries @param {(entry: InboxEntry) => void} onRequeue */
function inboxTable(entries, onRequeue) {
  const rows = entries.map((e) => h('tr', { dataset: { entryId: e.id } },
    h('th', { attrs: { scope: 'row' } }, `#${e.seq} `, h('span', { class: 'muted small', text: `${e.connector} via ${e.instance}` })),
    h('td', {}, timeEl(e.receivedAt)),
    h('td', {}, badge(`inbox-${e.state}`, STATE_LABELS[e.state] ?? e.state), h('div', { class: 'muted small', text: plural(e.attempts, 'attempt') })),
    h('td', { class: 'inbox-error' }, e.lastError ? h('code', { text: e.lastError }) : outcomeText(e)),
    h('td', {}, e.requeues.length
      ? h('ul', { class: 'plain small' }, e.requeues.map((r) => h('li', {}, `by ${r.actor} `, timeEl(r.at))))
      : h('span', { class: 'muted', text: 'never' })),
    h('td', {}, e.state === 'dead'
      ? h('button', { class: 'button', text: 'Requeue', attrs: { type: 'button', 'aria-label': `Requeue entry ${e.seq}` }, on: { click: () => onRequeue(e) } })
      : null)));
  return h('div', { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Inbox entries' } },
    h('table', { class: 'data inbox-table' },
      h('thead', {}, h('tr', {}, ['Entry', 'Received', 'State', 'Error or outcome', 'Requeued'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })), actionsHeader())),
      h('tbody', {}, rows)));
}

/** What processing made of the body. @param {InboxEntry} e */
function outcomeText(e) {
  if (!e.outcome) return h('span', { class: 'muted', text: e.state === 'pending' ? 'not processed yet' : '—' });
  return h('span', { text: e.outcome.ignoredReason ? `ignored: ${e.outcome.ignoredReason}` : plural(e.outcome.alerts, 'alert') });
}
