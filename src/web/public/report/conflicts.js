// A save or move refused because someone else saved the report meanwhile (409). Fields only
// they changed are taken; fields only this user changed are kept; fields both changed
// differently are shown side by side to choose. Saving then goes against their version's ETag.

import { h, replace, uid } from '../dom.js';
import { timeEl } from '../format.js';
import { announce } from '../layout.js';
import { FIELDS, labelOf, valuesOf } from './fields.js';
import { diffView } from './text-diff.js';

/** @typedef {import('../api-types').StaleReport['current']} Current */
/** @typedef {import('./fields.js').FieldKey} FieldKey */
/** @typedef {import('./fields.js').FormValues} FormValues */
/** @typedef {import('./form.js').ReportForm} ReportForm */
/** @typedef {import('./store.js').ReportStore} ReportStore */
/**
 * @typedef {{
 *   store: ReportStore, form: ReportForm, messages: HTMLElement,
 *   onFormChanged: () => void, onSave: () => Promise<boolean>, onShown: () => void,
 * }} ConflictInput
 */
/** @typedef {{ theirs: FormValues, mine: Partial<Record<FieldKey, string>>, taken: FieldKey[], clashes: FieldKey[] }} Merge */

/** @param {HTMLElement} slot @param {Current} current @param {ConflictInput} input */
export function showConflict(slot, current, input) {
  const merge = takeTheirs(current, input);
  const panel = conflictPanel(slot, current, merge, input);
  replace(slot, panel);
  input.onShown();
  panel.focus();
  panel.scrollIntoView({ block: 'start' });
}

/**
 * Puts their changes into the fields this user left alone, and makes their version the
 * base: the next save is checked against their ETag.
 * @param {Current} current @param {ConflictInput} input @returns {Merge}
 */
function takeTheirs(current, { store, form }) {
  const theirs = valuesOf(current.report);
  const was = store.state.baseValues;
  /** @type {FieldKey[]} */
  const taken = [];
  /** @type {FieldKey[]} */
  const clashes = [];
  for (const f of FIELDS) {
    if (!form.controls.has(f.key)) continue;
    const mine = form.value(f.key, was);
    const now = theirs[f.key];
    if (now === was[f.key] || now === mine) continue;
    if (mine === was[f.key]) { form.setValue(f.key, now); taken.push(f.key); } else clashes.push(f.key);
  }
  const mine = Object.fromEntries(clashes.map((k) => [k, form.value(k, was)]));
  store.update({ report: current.report, etag: current.etag, baseValues: theirs });
  return { theirs, mine, taken, clashes };
}

/** @param {HTMLElement} slot @param {Current} current @param {Merge} merge @param {ConflictInput} input */
function conflictPanel(slot, current, { theirs, mine, taken, clashes }, input) {
  const who = current.report.updatedBy ?? 'someone';
  const label = (/** @type {string} */ path) => labelOf(current.report, path);
  /** @type {Map<FieldKey, 'mine' | 'theirs'>} */
  const choices = new Map(clashes.map((k) => [k, 'mine']));
  return h('section', { class: 'card conflict', attrs: { role: 'alert', 'aria-labelledby': 'conflict-h', tabindex: '-1' } },
    h('h2', { text: 'Someone else changed this report', attrs: { id: 'conflict-h' } }),
    h('p', {}, h('strong', { text: who }), ' saved version ', `${current.version} `, timeEl(current.report.updatedAt), ' while you were editing. Nothing of yours is lost yet.'),
    taken.length ? h('p', { text: `Their changes to ${taken.map(label).join(', ')} are now in the form (you had not touched those).` }) : null,
    clashes.length ? h('p', { text: 'You both changed the fields below. For each, keep yours or take theirs, then save.' }) : h('p', { text: 'You changed different fields; save to keep your changes on top of theirs.' }),
    clashes.map((key) => clashField(key, label(key), who, theirs[key], mine[key], (choice) => choices.set(key, choice))),
    h('div', { class: 'actions' },
      h('button', {
        class: 'button button-primary', text: 'Save merged version', attrs: { type: 'button', 'data-action': 'save-merged' },
        on: { click: () => void saveMerged(slot, choices, theirs, mine, input) },
      }),
      h('button', {
        class: 'button', text: 'Discard mine, take all theirs', attrs: { type: 'button' },
        on: { click: () => { input.form.setValues(input.store.state.baseValues); replace(slot); input.onFormChanged(); announce('Your changes were discarded'); } },
      })));
}

/**
 * One field both changed: their text and this user's side by side, the line differences, and
 * the choice (keep mine by default).
 * @param {FieldKey} key @param {string} label @param {string} who @param {string} theirs @param {string | undefined} mine
 * @param {(choice: 'mine' | 'theirs') => void} onChoice
 */
function clashField(key, label, who, theirs, mine, onChoice) {
  const name = `choice-${key.replace(/[^a-z0-9]/gi, '-')}`;
  const mineId = uid('mine');
  const theirsId = uid('theirs');
  const radios = h('div', { class: 'choice' },
    h('input', { attrs: { type: 'radio', name, id: mineId, value: 'mine', checked: true }, on: { change: () => onChoice('mine') } }),
    h('label', { text: 'Keep mine', attrs: { for: mineId } }),
    h('input', { attrs: { type: 'radio', name, id: theirsId, value: 'theirs' }, on: { change: () => onChoice('theirs') } }),
    h('label', { text: 'Take theirs', attrs: { for: theirsId } }));
  return h('fieldset', { class: 'conflict-field', dataset: { conflictField: key } },
    h('legend', { text: label }),
    h('div', { class: 'side-by-side' },
      h('div', { class: 'side theirs' }, h('h3', { text: `Theirs (${who})` }), h('pre', { class: 'conflict-text', dataset: { side: 'theirs' }, text: theirs || '(empty)' })),
      h('div', { class: 'side mine' }, h('h3', { text: 'Yours' }), h('pre', { class: 'conflict-text', dataset: { side: 'mine' }, text: mine || '(empty)' }))),
    h('details', {}, h('summary', { text: 'Line differences' }), diffView(theirs, mine, 'theirs', 'yours')),
    radios);
}

/**
 * Puts the chosen text of each clashing field into the form and saves; when nothing differs
 * from their version any more, there is nothing to save.
 * @param {HTMLElement} slot @param {Map<FieldKey, 'mine' | 'theirs'>} choices @param {FormValues} theirs
 * @param {Partial<Record<FieldKey, string>>} mine @param {ConflictInput} input
 */
async function saveMerged(slot, choices, theirs, mine, { store, form, messages, onFormChanged, onSave }) {
  for (const [key, choice] of choices) form.setValue(key, choice === 'mine' ? mine[key] ?? '' : theirs[key]);
  onFormChanged();
  if (form.dirtyKeys(store.state.baseValues).length === 0) {
    replace(slot);
    replace(messages, h('p', { class: 'banner banner-ok', text: 'Nothing left to save: the report is as they saved it.' }));
    return;
  }
  if (await onSave()) announce('Merged and saved');
}
