// The action items of the prevention section: a form per item for editors (save, delete) and
// one to add an item; a plain list for viewers.

import { clear, field, h, link, replace } from '../dom.js';
import { badge } from '../format.js';
import { announce, confirmChange, errorBanner } from '../layout.js';
import { formErrorBanner } from './problems.js';

/** @typedef {import('../api-types').ActionItem} ActionItem */
/** @typedef {import('../api-types').ActionItemBody} ActionItemBody */
/** @typedef {import('./report-api.js').ReportApi} ReportApi */
/**
 * `reload` reads the items again and redraws this panel; `onSaved` runs after an item was
 * added or saved (it clears the "needs action items" problem).
 * `trackers`: the configured trackers, a "Create <name> issue" button each on a saved item.
 * @typedef {{ canEdit: boolean, api: ReportApi, reload: () => Promise<void>, onSaved: () => void, trackers: Array<{ kind: 'github' | 'jira', name: string }> }} ActionItemsInput
 */

const STATUSES = ['open', 'in_progress', 'done', 'wont_do'];
/** The form's labels by API field name, for the reasons a save is refused. */
const ITEM_LABELS = { title: 'Title', owner: 'Owner', dueDate: 'Due date', status: 'Status', trackerUrl: 'Tracker link' };

/** @param {HTMLElement} slot @param {ActionItem[]} items @param {ActionItemsInput} input */
export function renderActionItems(slot, items, input) {
  clear(slot);
  if (items.length === 0) slot.appendChild(h('p', { class: 'muted', text: 'No action items yet.' }));
  const list = h('ol', { class: 'ai-list' });
  for (const item of items) list.appendChild(h('li', {}, input.canEdit ? actionItemForm(item, input) : actionItemView(item)));
  if (items.length) slot.appendChild(list);
  if (input.canEdit) slot.appendChild(h('details', { class: 'ai-add' }, h('summary', { text: 'Add an action item' }), actionItemForm(null, input)));
}

/** @param {ActionItem} item */
function actionItemView(item) {
  return h('div', { class: 'ai-view' },
    h('strong', { text: item.title }), ' ', badge(`ai-${item.status}`, item.status.replace('_', ' ')),
    h('span', { class: 'muted small', text: ` · owner ${item.owner ?? 'none'} · due ${item.dueDate ?? 'no date'}` }),
    item.tracker ? [' · ', trackerIssue(item)] : item.trackerUrl ? [' · ', link(item.trackerUrl, 'tracker')] : null);
}

/** "acme/api#12 (closed)": the item's issue and the tracker's last state. @param {ActionItem} item */
function trackerIssue(item) {
  const issue = /** @type {NonNullable<ActionItem['tracker']>} */ (item.tracker);
  const state = issue.state ? ` (${issue.state}${issue.category ? `, ${issue.category.replace('_', ' ')}` : ''})` : '';
  return h('span', { class: 'ai-issue' }, link(issue.url, issue.key), h('span', { class: 'muted small', text: state }));
}

/**
 * "Create GitHub issue" (one button per configured tracker) for a saved item without an issue;
 * its issue once it has one. A retry is safe: the server returns the issue an earlier attempt made.
 * @param {ActionItem} item @param {ActionItemsInput} input @param {HTMLElement} err
 */
function trackerControl(item, { api, reload, trackers }, err) {
  if (item.tracker) return h('span', { class: 'small' }, 'Issue ', trackerIssue(item));
  return trackers.map((tracker) => h('button', {
    class: 'button', text: `Create ${tracker.name} issue`, attrs: { type: 'button' },
    on: {
      click: async (ev) => {
        const button = /** @type {HTMLButtonElement} */ (ev.currentTarget);
        button.disabled = true;
        try {
          await api.createTrackerIssue(item.id, tracker.kind);
          await reload();
          announce('Issue created');
        } catch (e) {
          button.disabled = false;
          replace(err, errorBanner(e, 'Could not create the issue'));
        }
      },
    },
  }));
}

/** An action item's fields; `item` null = the add form. @param {ActionItem | null} item @param {ActionItemsInput} input */
function actionItemForm(item, input) {
  const { api, reload, onSaved } = input;
  const title = h('input', { attrs: { type: 'text', required: true, maxlength: '500', name: 'title' }, props: { value: item?.title ?? '' } });
  const owner = h('input', { attrs: { type: 'text', maxlength: '200', name: 'owner' }, props: { value: item?.owner ?? '' } });
  const due = h('input', { attrs: { type: 'date', name: 'dueDate' }, props: { value: item?.dueDate ?? '' } });
  const status = h('select', { attrs: { name: 'status' } }, STATUSES.map((s) => h('option', { text: s.replace('_', ' '), attrs: { value: s } })));
  status.value = item?.status ?? 'open';
  const tracker = h('input', { attrs: { type: 'url', maxlength: '2000', name: 'trackerUrl', placeholder: 'https://…' }, props: { value: item?.trackerUrl ?? '' } });
  const err = h('div');
  /** @returns {ActionItemBody} */
  const body = () => ({
    title: title.value.trim(), owner: owner.value.trim() || null, dueDate: due.value || null, status: status.value, trackerUrl: tracker.value.trim() || null,
  });
  const submit = async () => {
    if (!title.value.trim()) { title.setAttribute('aria-invalid', 'true'); title.focus(); return; }
    try {
      if (item) await api.updateActionItem(item.id, body());
      else await api.addActionItem(body());
      await reload();
      onSaved();
      announce(item ? 'Action item saved' : 'Action item added');
    } catch (e) {
      replace(err, formErrorBanner(e, 'Could not save the action item', ITEM_LABELS));
    }
  };
  return h('form', {
    class: 'ai-form', attrs: { 'aria-label': item ? `Action item: ${item.title}` : 'New action item' },
    on: { submit: (ev) => { ev.preventDefault(); void submit(); } },
  },
  h('div', { class: 'ai-grid' }, field('Title', title, { class: 'ai-title' }), field('Owner', owner), field('Due date', due), field('Status', status), field('Tracker link', tracker, { class: 'ai-link' })),
  err,
  h('div', { class: 'actions' },
    h('button', { class: 'button button-primary', text: item ? 'Save item' : 'Add item', attrs: { type: 'submit' } }),
    item ? trackerControl(item, input, err) : null,
    item ? deleteButton(item, input, err) : null));
}

/** @param {ActionItem} item @param {ActionItemsInput} input @param {HTMLElement} err */
function deleteButton(item, { api, reload }, err) {
  return h('button', {
    class: 'button button-danger', text: 'Delete', attrs: { type: 'button' },
    on: {
      click: async () => {
        if (!await confirmChange({ title: 'Delete this action item?', summary: item.title, confirmLabel: 'Delete action item', danger: true })) return;
        try {
          await api.deleteActionItem(item.id);
          await reload();
          announce('Action item deleted');
        } catch (e) {
          replace(err, errorBanner(e, 'Could not delete the action item'));
        }
      },
    },
  });
}
