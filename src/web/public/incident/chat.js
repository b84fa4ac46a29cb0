// Chat on the timeline: import a Slack channel (over the incident's span) or a thread, then
// tick the messages that belong on the timeline. Pinned messages and ones with the configured
// reaction come ticked. Kept ones join the timeline (and the report) at once.

import { ApiError, getJson, request, seg } from '../api.js';
import { h, link, replace } from '../dom.js';
import { timeEl } from '../format.js';

/** @typedef {import('../api-types').ChatMessage} ChatMessage */
/** @typedef {import('../api-types').ChatImportResult} ChatImportResult */

/**
 * @param {{ incidentId: string, canEdit: boolean, onKeptChanged: () => Promise<void> }} options
 * @returns {{ card: HTMLElement, load: () => Promise<void> }}
 */
export function chatPanel({ incidentId, canEdit, onKeptChanged }) {
  const base = `/api/v1/incidents/${seg(incidentId)}`;
  const status = h('p', { class: 'muted small', attrs: { role: 'status', id: 'chat-status' } });
  const listSlot = h('div');
  /** @param {ChatMessage[]} items */
  const draw = (items) => replace(listSlot, candidateList(items, canEdit, keep));

  /** @param {ChatMessage} message @param {boolean} kept @param {HTMLInputElement} box */
  async function keep(message, kept, box) {
    box.disabled = true;
    try {
      await request(`${base}/chat-candidates/${seg(message.id)}`, { method: 'PATCH', body: { kept } });
      status.textContent = kept ? 'Kept on the timeline.' : 'Removed from the timeline.';
      await onKeptChanged();
    } catch (err) {
      box.checked = !kept;
      status.textContent = `Could not save: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      box.disabled = false;
    }
  }

  const load = async () => {
    const body = /** @type {{ items: ChatMessage[], importEnabled: boolean }} */ (await getJson(`${base}/chat-candidates`));
    // Without Slack set up and nothing imported earlier, the panel has nothing to offer.
    card.hidden = !body.importEnabled && body.items.length === 0;
    draw(body.items);
  };

  const card = h('section', { class: 'card chat-card', attrs: { 'aria-labelledby': 'chat-h' }, props: { hidden: true } },
    h('h2', { text: 'Chat on the timeline', attrs: { id: 'chat-h' } }),
    canEdit ? importForm(base, status, async (result) => { draw(result.candidates); await onKeptChanged(); }) : null,
    status, listSlot);
  return { card, load };
}

/**
 * @param {string} base
 * @param {HTMLElement} status
 * @param {(result: ChatImportResult) => Promise<void>} onImported
 */
function importForm(base, status, onImported) {
  const channel = h('input', { attrs: { name: 'channel', placeholder: 'C0123ABCD', autocomplete: 'off', id: 'chat-channel' } });
  const thread = h('input', { attrs: { name: 'thread', placeholder: 'thread ts or message link (optional)', autocomplete: 'off', id: 'chat-thread' } });
  const button = h('button', { class: 'button', text: 'Import from Slack', attrs: { type: 'submit' } });
  const form = h('form', { class: 'chat-import', attrs: { 'aria-label': 'Import chat from Slack' } },
    h('div', { class: 'field' }, h('label', { text: 'Slack channel id', attrs: { for: 'chat-channel' } }), channel),
    h('div', { class: 'field' }, h('label', { text: 'Thread (optional)', attrs: { for: 'chat-thread' } }), thread),
    button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const threadText = thread.value.trim();
    /** @type {Record<string, string>} */
    const body = {};
    if (channel.value.trim()) body.channel = channel.value.trim();
    if (/^https:\/\//.test(threadText)) body.permalink = threadText;
    else if (threadText) body.threadTs = threadText;
    button.disabled = true;
    status.textContent = 'Reading Slack…';
    void request(`${base}/chat-imports`, { method: 'POST', body }).then(async (res) => {
      const result = /** @type {ChatImportResult} */ (res.data);
      status.textContent = `Read ${result.read} message${result.read === 1 ? '' : 's'}, ${result.added} new${result.truncated ? ' (stopped at the import limit)' : ''}.`;
      await onImported(result);
    }).catch((err) => {
      const details = err instanceof ApiError && err.details.length ? ` (${err.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : '';
      status.textContent = `Import failed: ${err instanceof Error ? err.message : String(err)}${details}`;
    }).finally(() => { button.disabled = false; });
  });
  return form;
}

/**
 * @param {ChatMessage[]} items
 * @param {boolean} canEdit
 * @param {(message: ChatMessage, kept: boolean, box: HTMLInputElement) => Promise<void>} keep
 */
function candidateList(items, canEdit, keep) {
  if (!items.length) return h('p', { class: 'muted', text: 'No chat imported yet.' });
  return h('ul', { class: 'chat-candidates' }, items.map((message) => {
    const box = h('input', { attrs: { type: 'checkbox', 'aria-label': `Keep on the timeline: ${message.author} at ${message.at}` }, props: { checked: message.kept, disabled: !canEdit } });
    box.addEventListener('change', () => void keep(message, box.checked, box));
    return h('li', { class: ['chat-candidate', message.kept ? 'kept' : ''], dataset: { id: message.id } },
      h('label', {}, box, ' ', timeEl(message.at), ' ', h('strong', { text: message.author }), ': ', h('span', { text: message.text })),
      ' ', link(message.permalink, 'in Slack'), message.preselected ? h('span', { class: 'muted small', text: ' (pre-selected)' }) : null);
  }));
}
