// Typed text is never lost: what the user changed and has not saved is kept on the server as
// their own autosave (never a revision of the report), shortly after they stop typing and
// before they follow a link away. Coming back restores it; when the report moved on in a field
// they changed, the conflict panel shows both versions instead of overwriting either. Leaving
// with text not yet kept asks first.

import { clockTime } from '../format.js';
import { FIELDS, isFieldKey } from './fields.js';

/** @typedef {import('../api-types').ReportAutosave} Autosave */
/** @typedef {import('./fields.js').FieldKey} FieldKey */
/** @typedef {import('./form.js').ReportForm} ReportForm */
/** @typedef {import('./report-api.js').ReportApi} ReportApi */
/** @typedef {import('./store.js').ReportStore} ReportStore */
/** What the toolbar says about the autosave. @typedef {{ state: 'idle' | 'pending' | 'kept' | 'failed', at: string | null }} AutosaveStatus */

/** Quiet time after the last keystroke before the text is kept. */
const DELAY_MS = 1000;

/**
 * @param {{ api: ReportApi, form: ReportForm, store: ReportStore, editable: () => boolean, onStatus: () => void }} deps
 */
export function createAutosave({ api, form, store, editable, onStatus }) {
  /** The fields body last kept on the server ('' = nothing kept). */
  let kept = '';
  /** @type {AutosaveStatus} */
  const status = { state: 'idle', at: null };
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  /** Writes run one after another, so an older one never lands after a newer one. */
  let queue = Promise.resolve(true);

  const body = () => {
    const base = store.state.baseValues;
    const keys = editable() ? form.dirtyKeys(base) : [];
    /** @type {Autosave['fields']} */
    const fields = {};
    for (const key of keys) fields[key] = { base: base[key], value: form.value(key, base) };
    return { baseEtag: store.state.etag, fields, empty: keys.length === 0 };
  };
  const setStatus = (/** @type {AutosaveStatus['state']} */ state, /** @type {string | null} */ at = status.at) => { status.state = state; status.at = at; onStatus(); };

  /** Keeps the current text now (or forgets the autosave when nothing is unsaved). Resolves whether it worked. */
  const flush = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    queue = queue.then(async () => {
      const next = body();
      const text = next.empty ? '' : JSON.stringify({ baseEtag: next.baseEtag, fields: next.fields });
      if (text === kept) return true;
      try {
        if (next.empty) {
          await api.deleteAutosave();
          kept = '';
          setStatus('idle', null);
        } else {
          const saved = await api.putAutosave({ baseEtag: next.baseEtag, fields: next.fields });
          kept = text;
          setStatus('kept', saved.savedAt);
        }
        return true;
      } catch {
        setStatus('failed');
        return false;
      }
    });
    return queue;
  };

  /** After a change: nothing unsaved is forgotten at once; typed text is kept once typing pauses. */
  const schedule = () => {
    if (timer) clearTimeout(timer);
    if (body().empty) { void flush(); return; }
    if (status.state !== 'pending') setStatus('pending');
    timer = setTimeout(() => void flush(), DELAY_MS);
  };

  /** Whether leaving now would lose text: something unsaved that the server does not hold yet. */
  const atRisk = () => {
    const next = body();
    return !next.empty && JSON.stringify({ baseEtag: next.baseEtag, fields: next.fields }) !== kept;
  };

  return { status, flush, schedule, atRisk, markKept: (/** @type {Autosave} */ a) => { kept = JSON.stringify({ baseEtag: a.baseEtag, fields: a.fields }); } };
}
/** @typedef {ReturnType<typeof createAutosave>} AutosaveKeeper */

/** The toolbar's words for the autosave. @param {AutosaveStatus} status */
export function autosaveNote(status) {
  if (status.state === 'kept' && status.at) return `kept as your draft at ${clockTime(new Date(status.at))}`;
  if (status.state === 'failed') return 'not kept: the server did not answer; save, or stay on the page';
  if (status.state === 'pending') return 'keeping as your draft…';
  return '';
}

/**
 * What restoring an autosave onto the report as it is now means: the fields to put back (those
 * still different from the report), and the ones someone else changed since the user typed
 * (the conflict to show).
 * @param {Autosave} autosave @param {import('./fields.js').FormValues} current the report's values now
 * @returns {{ restore: Array<[FieldKey, { base: string, value: string }]>, changedSince: FieldKey[] }}
 */
export function planRestore(autosave, current) {
  /** @type {Array<[FieldKey, { base: string, value: string }]>} */
  const restore = [];
  for (const [key, v] of Object.entries(autosave.fields)) {
    if (!v || !isFieldKey(key) || v.value === current[key]) continue;
    restore.push([key, v]);
  }
  return { restore, changedSince: restore.filter(([key, v]) => v.base !== current[key]).map(([key]) => key) };
}

/** The fields restored, by their labels. @param {import('../api-types').Report} report @param {FieldKey[]} keys */
export function restoredLabels(report, keys) {
  return keys.map((key) => {
    const f = FIELDS.find((x) => x.key === key);
    return f?.section ? report.sections.find((s) => s.id === f.section)?.title ?? key : f?.label ?? key;
  });
}

/**
 * Asks before the page is left with text the server does not hold yet, and keeps the text
 * before following a link inside Debrief (the link to the incident page, the header): the user
 * finds it again on coming back. A link is followed only once the text is kept, or the user
 * chose to leave anyway.
 * @param {AutosaveKeeper} keeper @param {(href: string) => Promise<boolean>} confirmLeave
 */
export function guardLeaving(keeper, confirmLeave) {
  // Set once the user chose to leave: the browser must not ask a second time.
  let leaving = false;
  window.addEventListener('beforeunload', (ev) => {
    if (leaving || !keeper.atRisk()) return;
    ev.preventDefault();
    // Older browsers show the prompt only when returnValue is set.
    ev.returnValue = '';
  });
  document.addEventListener('click', (ev) => {
    if (!(ev.target instanceof Element) || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest('a[href]');
    if (!(a instanceof HTMLAnchorElement) || a.target === '_blank' || a.origin !== location.origin || a.hash && a.pathname === location.pathname) return;
    if (!keeper.atRisk()) return;
    ev.preventDefault();
    void (async () => {
      if (await keeper.flush() || await confirmLeave(a.href)) { leaving = true; location.assign(a.href); }
    })();
  });
}
