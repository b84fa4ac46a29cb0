// The report page's shared state: the report as the server last returned it, its ETag, and
// the form values that version gives (what a save is compared against). Only the store's
// methods change it; a change redraws the views registered with `onUpdate` (head, toolbar).

import { valuesOf } from './fields.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ActionItem} ActionItem */
/** @typedef {{ report: Report, etag: string, baseValues: import('./fields.js').FormValues }} ReportState */
/** @typedef {ReturnType<typeof createReportStore>} ReportStore */

/** @param {Report} report @param {string} etag */
export function createReportStore(report, etag) {
  /** @type {ReportState} */
  const state = { report, etag, baseValues: valuesOf(report) };
  /** @type {Array<() => void>} */
  const views = [];
  const redraw = () => { for (const draw of views) draw(); };
  return {
    /** Read it; change it through the methods below. @type {Readonly<ReportState>} */
    state,
    /** @param {() => void} draw */
    onUpdate: (draw) => { views.push(draw); },
    /** @param {Partial<ReportState>} change */
    update: (change) => { Object.assign(state, change); redraw(); },
    /**
     * Action items show only in their own panel, which redraws itself: head and toolbar stay
     * as drawn (an open waiver form keeps its text).
     * @param {ActionItem[]} items
     */
    setActionItems: (items) => { state.report = { ...state.report, actionItems: items }; },
  };
}
