// The suspects panel of "What happened": the changes Debrief linked before the first alert,
// most suspect first, each with its sentence and link. Editors mark one as the cause or dismiss
// it (and can take that back); the verdict shows with who and when. Redraws itself from the
// report it is given, so the section's text being typed is never touched.

import { clear, h, link, uid } from '../dom.js';
import { timeEl } from '../format.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportSuspect} ReportSuspect */
/** @typedef {import('../api-types').SuspectVerdict} SuspectVerdict */
/**
 * @typedef {{
 *   canEdit: boolean,
 *   onVerdict: (changeId: string, verdict: SuspectVerdict | null) => Promise<void>,
 * }} SuspectsInput
 */

/**
 * Draws the panel into `slot`; empty when the report names no suspects (or was published
 * before verdicts existed: its hints then name the suspects).
 * @param {HTMLElement} slot @param {Report} report @param {SuspectsInput} input
 */
export function renderSuspects(slot, report, input) {
  clear(slot);
  const suspects = report.suspects ?? [];
  if (suspects.length === 0) return;
  const headingId = uid('suspects-h');
  slot.appendChild(h('div', { class: 'suspects', attrs: { role: 'group', 'aria-labelledby': headingId } },
    h('p', { class: 'machine-label', text: 'Suspects: changes before the first alert', attrs: { id: headingId } }),
    h('ol', { class: 'suspect-list' }, suspects.map((s) => suspectItem(s, input)))));
}

/** @param {ReportSuspect} s @param {SuspectsInput} input */
function suspectItem(s, input) {
  const textId = uid('suspect');
  const item = h('li', { class: ['suspect', s.verdict ? `suspect-${s.verdict}` : null], dataset: { changeId: s.changeId, verdict: s.verdict ?? 'none' } },
    h('span', { class: 'suspect-text', attrs: { id: textId } }, s.text), s.url ? [' (', link(s.url, 'link'), ')'] : null,
    verdictNote(s));
  if (!input.canEdit) return item;
  /** @param {string} label @param {SuspectVerdict | null} verdict @param {string} [cls] */
  const button = (label, verdict, cls = 'button-quiet') => h('button', {
    class: ['button', cls], text: label, attrs: { type: 'button', 'aria-describedby': textId },
    on: {
      click: (event) => {
        const el = /** @type {HTMLButtonElement} */ (event.currentTarget);
        el.disabled = true;
        void input.onVerdict(s.changeId, verdict).finally(() => { el.disabled = false; });
      },
    },
  });
  item.appendChild(h('div', { class: 'actions' },
    s.verdict !== 'cause' ? button('This was the cause', 'cause', 'button-primary') : null,
    s.verdict !== 'dismissed' ? button('Dismiss', 'dismissed') : null,
    s.verdict ? button(s.verdict === 'cause' ? 'Not the cause after all' : 'Undo dismiss', null) : null));
  return item;
}

/** "The cause, marked by alice 10:02" / "Dismissed by bob ...". @param {ReportSuspect} s */
function verdictNote(s) {
  if (!s.verdict) return null;
  const what = s.verdict === 'cause' ? 'The cause' : 'Dismissed';
  return h('p', { class: ['small', 'suspect-verdict'] },
    h('span', { class: ['badge', s.verdict === 'cause' ? 'badge-open' : null], text: what }), s.verdict === 'cause' ? ' marked by ' : ' by ',
    h('strong', { text: s.by ?? 'someone' }), ' ', s.at ? timeEl(s.at) : null);
}
