// A Markdown field of the report: for editors a textarea with a preview on demand and a
// rendered copy for paper; for viewers the rendered text.

import { append, field, h, replace, uid } from '../dom.js';
import { renderMarkdown } from '../markdown.js';

/** @typedef {import('./fields.js').FieldKey} FieldKey */
/** @typedef {import('./form.js').ReportForm} ReportForm */

/** @param {string} text @param {string} emptyText */
const rendered = (text, emptyText) => (text.trim() ? renderMarkdown(text) : h('p', { class: 'muted', text: emptyText }));

/**
 * @param {{ key: FieldKey, label: string, note: string, value: string, canEdit: boolean, form: ReportForm, onInput: () => void }} opts
 */
export function markdownField({ key, label, note, value, canEdit, form, onInput }) {
  const wrap = h('div', { class: 'md-field', dataset: { field: key } });
  if (!canEdit) {
    wrap.appendChild(value ? h('div', { class: 'md-rendered' }, renderMarkdown(value)) : h('p', { class: 'muted', text: 'Not written yet.' }));
    return wrap;
  }
  const area = h('textarea', { attrs: { rows: '6', name: key, spellcheck: 'true' }, props: { value } });
  form.controls.set(key, area);
  const preview = h('div', { class: 'md-preview', attrs: { id: uid('preview'), 'aria-live': 'off' } });
  preview.hidden = true;
  const toggle = h('button', { class: 'button-quiet', text: 'Show preview', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': preview.id } });
  const drawPreview = () => replace(preview, rendered(area.value, 'Nothing to preview.'));
  toggle.addEventListener('click', () => {
    const open = preview.hidden;
    preview.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Hide preview' : 'Show preview';
    if (open) drawPreview();
  });
  area.addEventListener('input', () => { onInput(); if (!preview.hidden) drawPreview(); form.clearProblem(key); });
  // Paper gets the rendered text, not a textarea cut at its height.
  const printCopy = h('div', { class: 'md-rendered print-only' });
  const drawPrintCopy = () => replace(printCopy, rendered(area.value, 'Not written yet.'));
  form.printCopies.push(drawPrintCopy);
  drawPrintCopy();
  append(wrap, h('div', { class: 'no-print' }, field(label, area, { hint: note }), form.problemSlot(key), h('div', { class: 'md-tools' }, toggle), preview), printCopy);
  return wrap;
}
