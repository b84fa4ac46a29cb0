// The timeline card: the picture, then machine and human entries interleaved by time (human
// notes editable, machine entries correctable and hideable by editors), the hidden entries
// with why (editors only), and the form to add a note.

import { staleReport } from '../api.js';
import { append, clear, h, replace } from '../dom.js';
import { badge, timeEl } from '../format.js';
import { announce, confirmChange, errorBanner } from '../layout.js';
import { renderMarkdown } from '../markdown.js';
import { addNoteForm, editEntry, hideEntry } from './timeline-edit.js';
import { timelinePicture } from './timeline-picture.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportTimelineEntry} ReportTimelineEntry */
/** @typedef {import('../api-types').TimelinePatch} TimelinePatch */
/** @typedef {import('./incident-api.js').IncidentApi} IncidentApi */
/** The report part of the page's state: the timeline lives in the report. @typedef {{ report: Report, etag: string }} ReportState */
/**
 * @typedef {{
 *   state: ReportState, canEdit: boolean, api: IncidentApi,
 *   picture: HTMLElement, message: HTMLElement, list: HTMLElement, hidden: HTMLElement,
 * }} Timeline
 */

/**
 * The card, drawn from `state` (which saving a change updates); returns it with its redraws.
 * @param {{ state: ReportState, canEdit: boolean, api: IncidentApi, svg: string | null }} input
 */
export function timelinePanel({ state, canEdit, api, svg }) {
  /** @type {Timeline} */
  const t = {
    state, canEdit, api,
    picture: h('div', {}, svg ? timelinePicture(svg) : null),
    message: h('div'),
    list: h('ol', { class: 'timeline' }),
    hidden: h('div'),
  };
  const card = h('section', { class: 'card', attrs: { 'aria-labelledby': 'timeline-h' } }, h('h2', { text: 'Timeline', attrs: { id: 'timeline-h' } }), t.picture);
  append(card, t.message, t.list, t.hidden);
  if (canEdit) card.appendChild(addNoteForm((change) => saveTimeline(t, change)));
  drawTimeline(t);
  return {
    card,
    draw: () => drawTimeline(t),
    /** @param {string} picture */
    drawPicture: (picture) => { replace(t.picture, timelinePicture(picture)); },
  };
}

/** Whether the user has a timeline edit open: a correction form, a dialog, a note being typed. @param {HTMLElement} main */
export const timelineBeingEdited = (main) => !!main.querySelector('.tl-edit') || !!document.querySelector('dialog[open]')
  || [...main.querySelectorAll('details.add-note textarea')].some((area) => /** @type {HTMLTextAreaElement} */ (area).value.trim() !== '');

/** Saves a timeline change with the report's ETag; a stale ETag reloads and says so. @param {Timeline} t @param {TimelinePatch} change */
async function saveTimeline(t, change) {
  try {
    Object.assign(t.state, await t.api.patchTimeline(change, t.state.etag));
    replace(t.message);
    drawTimeline(t);
    // The picture marks human entries too: redraw it.
    void t.api.timelineSvg().then((svg) => replace(t.picture, timelinePicture(svg))).catch(() => {});
    return true;
  } catch (err) {
    const current = staleReport(err);
    if (current) {
      Object.assign(t.state, { report: current.report, etag: current.etag });
      drawTimeline(t);
      const by = t.state.report.updatedBy;
      replace(t.message, h('div', { class: 'banner banner-warn', attrs: { role: 'alert' } },
        `The report changed meanwhile${by ? ` (by ${by})` : ''}; the timeline below is current. Your change was not saved: please make it again.`));
    } else {
      replace(t.message, errorBanner(err, 'Could not save the timeline'));
    }
    return false;
  }
}

/** @param {Timeline} t */
function drawTimeline(t) {
  const { report } = t.state;
  clear(t.list);
  for (const entry of report.timeline) t.list.appendChild(timelineItem(t, entry));
  if (report.timeline.length === 0) t.list.appendChild(h('li', { class: 'muted', text: 'No entries.' }));
  // Hidden machine entries, with why: only editors see them (they are left out of the report).
  const hidden = t.canEdit ? (report.hiddenTimeline ?? []) : [];
  replace(t.hidden, hidden.length ? h('details', { class: 'hidden-entries no-print' },
    h('summary', { text: `Hidden entries (${hidden.length})` }),
    h('ul', {}, hidden.map((e) => h('li', { class: 'tl-hidden', dataset: { entryId: e.id } },
      timeEl(e.at), ' ', h('span', { text: e.text }),
      h('span', { class: 'muted small', text: ` · hidden by ${e.hidden?.by ?? '?'}: ${e.hidden?.reason ?? ''}` }), ' ',
      h('button', {
        class: 'button-quiet', text: 'Show again', attrs: { type: 'button', 'aria-label': `Show again the entry at ${e.at}` },
        on: { click: async () => { if (await saveTimeline(t, { entries: { [e.id]: { hiddenReason: null } } })) announce('Entry shown again'); } },
      }))))) : null);
}

/** @param {Timeline} t @param {ReportTimelineEntry} entry */
function timelineItem(t, entry) {
  const human = entry.origin === 'human-completed' && String(entry.id).startsWith('human:');
  const body = h('div', { class: 'tl-text' });
  if (entry.textFormat === 'markdown') body.appendChild(renderMarkdown(entry.text)); else body.textContent = entry.text;
  const li = h('li', { class: ['tl-entry', human ? 'tl-human' : 'tl-machine'], dataset: { entryId: entry.id } },
    h('div', { class: 'tl-meta' }, timeEl(entry.at), ' ', badge(`src-${entry.source}`, human ? 'human note' : entry.source), ' ',
      h('span', { class: 'muted small', text: entry.kind }),
      entry.actor ? h('span', { class: 'muted small', text: ` · ${entry.actor}` }) : null,
      entry.url ? h('a', { class: 'small', text: ' · link', attrs: { href: entry.url, rel: 'noopener noreferrer' } }) : null,
      entry.editedBy && !human ? h('span', { class: 'muted small', text: ` · corrected by ${entry.editedBy}` }) : null),
    body);
  if (t.canEdit) li.appendChild(human ? noteActions(t, li, entry) : machineActions(t, li, entry));
  return li;
}

/** Edit or delete a human note. @param {Timeline} t @param {HTMLElement} li @param {ReportTimelineEntry} entry */
function noteActions(t, li, entry) {
  const onPatch = (/** @type {TimelinePatch} */ change) => saveTimeline(t, change);
  return h('div', { class: 'tl-actions no-print' },
    h('button', { class: 'button-quiet', text: 'Edit', attrs: { type: 'button', 'aria-label': `Edit note at ${entry.at}` }, on: { click: () => editEntry(li, entry, 'human', { onPatch, onCancel: () => drawTimeline(t) }) } }),
    h('button', {
      class: 'button-quiet danger', text: 'Delete', attrs: { type: 'button', 'aria-label': `Delete note at ${entry.at}` },
      on: {
        click: async () => {
          const ok = await confirmChange({ title: 'Delete this timeline note?', summary: h('blockquote', { text: entry.text }), confirmLabel: 'Delete note', danger: true });
          if (ok && await onPatch({ entries: { [entry.id]: null } })) announce('Timeline note deleted');
        },
      },
    }));
}

/** Correct, hide, or undo the correction of a machine entry. @param {Timeline} t @param {HTMLElement} li @param {ReportTimelineEntry} entry */
function machineActions(t, li, entry) {
  const onPatch = (/** @type {TimelinePatch} */ change) => saveTimeline(t, change);
  return h('div', { class: 'tl-actions no-print' },
    h('button', { class: 'button-quiet', text: 'Correct', attrs: { type: 'button', 'aria-label': `Correct entry at ${entry.at}` }, on: { click: () => editEntry(li, entry, 'machine', { onPatch, onCancel: () => drawTimeline(t) }) } }),
    h('button', { class: 'button-quiet', text: 'Hide', attrs: { type: 'button', 'aria-label': `Hide entry at ${entry.at}` }, on: { click: () => void hideEntry(entry, onPatch) } }),
    entry.editedBy ? h('button', {
      class: 'button-quiet', text: 'Undo correction', attrs: { type: 'button', 'aria-label': `Undo the correction of the entry at ${entry.at}` },
      on: { click: async () => { if (await onPatch({ entries: { [entry.id]: null } })) announce('Correction undone'); } },
    }) : null);
}
