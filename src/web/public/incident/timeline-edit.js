// Changing the timeline: editing a human note or correcting a machine entry in place, hiding
// a machine entry with a reason, adding a note. Each hands its change to `onPatch`, which
// saves it and resolves whether that worked.

import { append, field, h } from '../dom.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { announce, openDialog } from '../layout.js';

/** @typedef {import('../api-types').ReportTimelineEntry} ReportTimelineEntry */
/** @typedef {import('../api-types').TimelinePatch} TimelinePatch */
/** @typedef {(change: TimelinePatch) => Promise<boolean>} OnPatch */

/**
 * Edits a timeline entry in place: a human note, or a correction of a machine entry. Only what
 * changed is sent (PATCH merge semantics), so a correction never freezes the other field.
 * Cancel (or no change) redraws the list.
 * @param {HTMLElement} li @param {ReportTimelineEntry} entry @param {'human' | 'machine'} origin
 * @param {{ onPatch: OnPatch, onCancel: () => void }} input
 */
export function editEntry(li, entry, origin, { onPatch, onCancel }) {
  const machine = origin === 'machine';
  const at = h('input', { attrs: { type: 'datetime-local', required: true }, props: { value: toLocalInput(entry.at) } });
  const text = h('textarea', { attrs: { rows: machine ? '2' : '3', required: true }, props: { value: entry.text } });
  const submit = async () => {
    const iso = fromLocalInput(at.value);
    if (!iso || !text.value.trim()) return;
    /** @type {{ at?: string, text?: string }} */
    const change = {};
    if (at.value !== toLocalInput(entry.at)) change.at = iso;
    if (text.value !== entry.text) change.text = text.value;
    if (Object.keys(change).length === 0) { onCancel(); return; }
    if (await onPatch({ entries: { [entry.id]: change } })) announce(machine ? 'Timeline entry corrected' : 'Timeline note saved');
  };
  const form = h('form', { class: 'tl-edit', on: { submit: (ev) => { ev.preventDefault(); void submit(); } } },
    field('Time', at), field(machine ? 'Text (Markdown)' : 'Note (Markdown)', text),
    h('div', { class: 'actions' },
      h('button', { class: 'button button-primary', text: machine ? 'Save correction' : 'Save note', attrs: { type: 'submit' } }),
      h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => onCancel() } })));
  li.replaceWith(h('li', { class: `tl-entry ${machine ? 'tl-machine' : 'tl-human'}` }, form));
  text.focus();
}

/** Hides a machine entry from the report, with a reason asked in a dialog. @param {ReportTimelineEntry} entry @param {OnPatch} onPatch */
export async function hideEntry(entry, onPatch) {
  const reason = await openDialog({
    title: 'Hide this timeline entry?',
    /** @param {HTMLElement} body @param {(value: string | null) => void} close */
    build: (body, close) => {
      const input = h('input', { attrs: { type: 'text', required: true, maxlength: '1000' } });
      append(body,
        h('blockquote', { text: entry.text }),
        h('p', { class: 'small', text: 'It is left out of the report and its exports; editors still see it here with your reason.' }),
        h('form', {
          on: {
            submit: (ev) => {
              ev.preventDefault();
              if (input.value.trim()) close(input.value.trim()); else input.focus();
            },
          },
        }, field('Reason', input),
        h('div', { class: 'actions' },
          h('button', { class: 'button button-primary', text: 'Hide entry', attrs: { type: 'submit' } }),
          h('button', { class: 'button', text: 'Cancel', attrs: { type: 'button' }, on: { click: () => close(null) } }))));
      queueMicrotask(() => input.focus());
    },
  });
  if (typeof reason === 'string' && await onPatch({ entries: { [entry.id]: { hiddenReason: reason } } })) announce('Timeline entry hidden');
}

/** The "add a timeline note" form (editors). @param {OnPatch} onPatch */
export function addNoteForm(onPatch) {
  const at = h('input', { attrs: { type: 'datetime-local', required: true }, props: { value: toLocalInput(new Date().toISOString()) } });
  const text = h('textarea', { attrs: { rows: '2', required: true, placeholder: 'e.g. Rolled back release 2024.11.3' } });
  const submit = async () => {
    const iso = fromLocalInput(at.value);
    if (!iso || !text.value.trim()) { text.focus(); return; }
    if (await onPatch({ add: [{ at: iso, text: text.value }] })) {
      text.value = '';
      announce('Timeline note added');
    }
  };
  return h('details', { class: 'add-note no-print' },
    h('summary', { text: 'Add a timeline note' }),
    h('form', { on: { submit: (ev) => { ev.preventDefault(); void submit(); } } }, field('Time', at), field('Note (Markdown)', text),
      h('div', { class: 'actions' }, h('button', { class: 'button button-primary', text: 'Add note', attrs: { type: 'submit' } }))));
}
