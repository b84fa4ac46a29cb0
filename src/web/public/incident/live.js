// Live refresh of the incident page, like the list's: every few seconds while the tab is
// visible, skipped while the user has an edit open (a correction form, a note being typed,
// a dialog).

import { clockTime } from '../format.js';

/** @typedef {import('./incident-api.js').Snapshot} Snapshot */

/** How often the page checks for changes (as the incident list does). */
const POLL_MS = 4000;

/** What tells two snapshots apart: the incident, the report's revision, the picture. @param {Snapshot} s */
const keyOf = (s) => JSON.stringify([s.detail, s.report.etag, s.svg]);

/**
 * Starts polling; `onChange` gets each snapshot that differs from the last one shown.
 * @param {{ live: HTMLElement, first: Snapshot, load: () => Promise<Snapshot>, isEditing: () => boolean, onChange: (s: Snapshot) => void }} input
 */
export function startLiveRefresh({ live, first, load, isEditing, onChange }) {
  let lastKey = keyOf(first);
  const schedule = () => { window.setTimeout(() => void refresh(), POLL_MS); };
  async function refresh() {
    if (document.hidden) { schedule(); return; }
    if (isEditing()) {
      live.textContent = 'Live: paused while you edit';
      schedule();
      return;
    }
    try {
      const next = await load();
      // Someone may have opened an edit while the requests ran: keep it, try next time.
      if (!isEditing()) {
        const key = keyOf(next);
        if (key !== lastKey) {
          lastKey = key;
          onChange(next);
        }
        live.textContent = `Live: checked at ${clockTime(new Date())}`;
      }
    } catch {
      live.textContent = `Live: could not refresh at ${clockTime(new Date())}; retrying`;
    }
    schedule();
  }
  schedule();
}
