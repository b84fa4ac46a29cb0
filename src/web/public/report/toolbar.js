// The sticky bar of report actions: save (with how many fields are unsaved), the workflow
// moves the user's role allows, and the exports. Viewers get the exports only.

import { append, clear, h } from '../dom.js';

/** @typedef {import('../api-types').ReportStatus} ReportStatus */

/**
 * @param {HTMLElement} el
 * @param {{
 *   status: ReportStatus, dirtyCount: number, draftNote: string, role: string, canEdit: boolean, canPublish: boolean,
 *   onSave: () => void, onTransition: (to: ReportStatus) => void, onDownloadHtml: () => void, onDownloadMarkdown: () => void,
 * }} opts
 */
export function renderToolbar(el, opts) {
  clear(el);
  const dirty = opts.dirtyCount;
  const exports = h('div', { class: 'actions' },
    h('button', { class: 'button', text: 'Download HTML', attrs: { type: 'button' }, on: { click: opts.onDownloadHtml } }),
    h('button', { class: 'button', text: 'Download Markdown', attrs: { type: 'button' }, on: { click: opts.onDownloadMarkdown } }),
    h('button', { class: 'button', text: 'Print', attrs: { type: 'button' }, on: { click: () => window.print() } }));
  if (!opts.canEdit) {
    append(el, h('p', { class: 'muted', text: `Read only: you are signed in as ${opts.role}.` }), exports);
    return;
  }
  const transitions = h('div', { class: 'actions' }, movesFrom(opts.status, opts.canPublish).map(([to, label]) => h('button', {
    class: ['button', to === 'published' ? 'button-publish' : null], text: label, attrs: { type: 'button', 'data-transition': to }, on: { click: () => opts.onTransition(to) },
  })));
  // A published version is read only: its only move is starting the next one.
  append(el, opts.status === 'published' ? null : saveControls(opts), transitions, exports);
}

/**
 * The save button and what is unsaved (and whether it is kept as the user's draft): in the bar
 * at the top, and again at the bottom of a phone's screen, where the top bar has scrolled away.
 * @param {{ dirtyCount: number, draftNote: string, onSave: () => void }} opts
 */
function saveControls({ dirtyCount: dirty, draftNote, onSave }) {
  const saveButton = h('button', { class: 'button button-primary', text: 'Save changes', attrs: { type: 'button', disabled: dirty === 0, 'data-action': 'save' }, on: { click: onSave } });
  const state = h('span', { class: dirty ? 'dirty' : 'muted', attrs: { 'data-save-state': '' }, text: dirty ? `Unsaved changes (${dirty})` : 'All changes saved' },
    dirty && draftNote ? h('span', { class: 'draft-note', attrs: { 'data-autosave': '' }, text: ` · ${draftNote}` }) : null);
  return h('div', { class: 'actions' }, saveButton, state);
}

/**
 * The bar at the bottom (shown on phones only, by the style sheet): empty for viewers and for
 * a published version.
 * @param {HTMLElement} el @param {{ status: ReportStatus, canEdit: boolean, dirtyCount: number, draftNote: string, onSave: () => void }} opts
 */
export function renderSaveBar(el, opts) {
  clear(el);
  if (!opts.canEdit || opts.status === 'published') return;
  el.appendChild(saveControls(opts));
}

/**
 * The workflow moves from a status, as [to, button label]; publishing needs the publisher role.
 * @param {ReportStatus} status @param {boolean} canPublish @returns {Array<[ReportStatus, string]>}
 */
function movesFrom(status, canPublish) {
  if (status === 'draft') return [['in_review', 'Submit for review']];
  if (status === 'in_review') return canPublish ? [['draft', 'Back to draft'], ['published', 'Publish']] : [['draft', 'Back to draft']];
  return [['draft', 'Start a new version']];
}
