// Writing the report: saving changed fields with If-Match, moving it through the workflow
// (draft, in review, published), requesting or waiving the post-mortem. Each write's answer
// becomes the page's state; a 409 shows the other person's version, a 400/422 its reasons.

import { ApiError, staleReport } from '../api.js';
import { h, replace } from '../dom.js';
import { reportStatusLabel } from '../format.js';
import { announce, confirmChange, errorBanner } from '../layout.js';
import { patchOf, valuesOf } from './fields.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportStatus} ReportStatus */
/** @typedef {import('../api-types').StaleReport['current']} Current */
/** @typedef {import('./problems.js').Problem} Problem */
/** @typedef {import('./report-api.js').ReportApi} ReportApi */
/** @typedef {import('./report-api.js').Stored} Stored */
/** @typedef {import('./form.js').ReportForm} ReportForm */
/** @typedef {import('./store.js').ReportStore} ReportStore */
/**
 * Where results show (`messages`, `problems`, `conflict`) and the panels a write redraws.
 * @typedef {{
 *   store: ReportStore, form: ReportForm, api: ReportApi,
 *   messages: HTMLElement, problems: HTMLElement, conflict: HTMLElement,
 *   drawSections: () => void, drawActionItems: () => void, drawHistory: () => void,
 *   showConflict: (current: Current) => void, showProblems: (details: Problem[], title: string) => void,
 * }} WorkflowInput
 */

/** The ETag one write after `etag` (`"v<version>.r<revision>"`), or null when it has another shape. @param {string} etag */
function bumped(etag) {
  const m = /^"v(\d+)\.r(\d+)"$/.exec(etag);
  return m ? `"v${m[1]}.r${Number(m[2]) + 1}"` : null;
}

/**
 * The page's writes, bound to its state and panels.
 * @param {WorkflowInput} input
 */
export function reportWorkflow(input) {
  return {
    save: () => save(input),
    /** @param {ReportStatus} to */
    transition: (to) => transition(input, to),
    /** @param {'request' | 'waive'} kind @param {string | null} reason */
    setPostmortem: (kind, reason) => setPostmortem(input, kind, reason),
    /** @param {string} changeId @param {import('../api-types').SuspectVerdict | null} verdict */
    setSuspect: (changeId, verdict) => setSuspect(input, changeId, verdict),
    /** @param {Current} current */
    showConflict: (current) => input.showConflict(current),
  };
}

/** @param {WorkflowInput} input */
const dirtyKeys = ({ form, store }) => form.dirtyKeys(store.state.baseValues);

/** A report the server returned becomes the form's starting point. @param {WorkflowInput} input @param {Stored} stored */
function adopt({ form, store }, { report, etag }) {
  form.setValues(valuesOf(report));
  form.refreshBadges(report);
  store.update({ report, etag, baseValues: valuesOf(report) });
}

/** Saves the changed fields with If-Match. Resolves true when nothing is left unsaved. @param {WorkflowInput} input */
async function save(input) {
  const { store, form } = input;
  const keys = dirtyKeys(input);
  if (keys.length === 0) return true;
  replace(input.messages);
  try {
    adopt(input, await input.api.save(patchOf(keys, (key) => form.value(key, store.state.baseValues)), store.state.etag));
    replace(input.conflict);
    replace(input.messages, h('p', { class: 'banner banner-ok', text: `Saved (version ${store.state.report.version}).` }));
    announce('Report saved');
    input.drawHistory();
    return true;
  } catch (err) {
    const current = staleReport(err);
    if (current) input.showConflict(current);
    else if (err instanceof ApiError && err.status === 400) input.showProblems(err.details.map((d) => ({ ...d, path: d.path.replace(/^body\./, '') })), 'Some fields are not valid');
    else replace(input.messages, errorBanner(err, 'Could not save'));
    return false;
  }
}

/** Moves the report on, saving unsaved changes first. @param {WorkflowInput} input @param {ReportStatus} to */
async function transition(input, to) {
  const { store } = input;
  if (dirtyKeys(input).length && !await save(input)) return;
  if (to === 'published' && !await confirmPublish(store.state.report.version)) return;
  replace(input.messages);
  try {
    adopt(input, await input.api.transition(to, store.state.etag));
    replace(input.problems);
    input.form.clearProblems();
    const { report } = store.state;
    replace(input.messages, h('p', { class: 'banner banner-ok', text: `The report is now ${reportStatusLabel(report.status).toLowerCase()} (version ${report.version}).` }));
    announce(`Report ${reportStatusLabel(report.status)}`);
    input.drawHistory();
  } catch (err) {
    transitionRefused(input, to, err);
  }
}

/** @param {ReportStatus} to @param {number} missing */
const refusedTitle = (to, missing) => `The report cannot be ${to === 'published' ? 'published' : 'submitted for review'} yet: ${missing === 1 ? 'one required part is' : `${missing} required parts are`} missing.`;

/** @param {WorkflowInput} input @param {ReportStatus} to @param {unknown} err */
function transitionRefused(input, to, err) {
  const current = staleReport(err);
  if (err instanceof ApiError && err.status === 422) input.showProblems(err.details, refusedTitle(to, err.details.length));
  else if (current && dirtyKeys(input).length === 0) {
    // Nothing of this user's is unsaved: show their version, and let the user look before moving it on.
    adopt(input, current);
    input.drawSections();
    input.drawActionItems();
    replace(input.messages, h('p', { class: 'banner banner-warn', attrs: { role: 'alert' } },
      `${current.report.updatedBy ?? 'Someone'} changed the report while you had it open. The page now shows version ${current.version} as they saved it; check it, then try again.`));
  } else if (current) input.showConflict(current);
  else replace(input.messages, errorBanner(err, 'Could not change the status'));
}

/**
 * Requests or waives. This bumps the report's revision but not its content, so the user's
 * unsaved edits stay; the new ETag is taken only when nobody else wrote in between (else
 * the next save shows the conflict as usual).
 * @param {WorkflowInput} input @param {'request' | 'waive'} kind @param {string | null} reason
 */
async function setPostmortem(input, kind, reason) {
  try {
    const next = await input.api.setPostmortem(kind, reason);
    if (dirtyKeys(input).length === 0) adopt(input, next);
    else {
      const { report, etag } = input.store.state;
      input.store.update({ etag: next.etag === bumped(etag) ? next.etag : etag, report: { ...report, postmortem: next.report.postmortem } });
    }
    replace(input.messages, h('p', { class: 'banner banner-ok', text: kind === 'waive' ? 'Post-mortem waived.' : 'Post-mortem requested.' }));
    announce(kind === 'waive' ? 'Post-mortem waived' : 'Post-mortem requested');
    input.drawHistory();
  } catch (err) {
    replace(input.messages, errorBanner(err, kind === 'waive' ? 'Could not waive the post-mortem' : 'Could not request a post-mortem'));
  }
}

/** @type {Record<string, string>} */
const VERDICT_DONE = { cause: 'Marked as the cause.', dismissed: 'Suspect dismissed.', none: 'Verdict taken back.' };

/**
 * Marks a suspect as the cause, dismisses it, or takes that back. Like a request or waiver it
 * bumps the revision without touching the text being typed: the new ETag is taken only when
 * nobody else wrote in between.
 * @param {WorkflowInput} input @param {string} changeId @param {import('../api-types').SuspectVerdict | null} verdict
 */
async function setSuspect(input, changeId, verdict) {
  try {
    const next = await input.api.setSuspect(changeId, verdict);
    if (dirtyKeys(input).length === 0) adopt(input, next);
    else {
      const { report, etag } = input.store.state;
      input.store.update({ etag: next.etag === bumped(etag) ? next.etag : etag, report: { ...report, suspects: next.report.suspects } });
    }
    const done = VERDICT_DONE[verdict ?? 'none'] ?? '';
    replace(input.messages, h('p', { class: 'banner banner-ok', text: done }));
    announce(done);
    input.drawHistory();
  } catch (err) {
    replace(input.messages, errorBanner(err, 'Could not record the verdict'));
  }
}

/** Publishing freezes the version and tells the public: ask first. @param {number} version */
function confirmPublish(version) {
  return confirmChange({
    title: 'Publish this report?',
    summary: h('div', {}, h('p', { text: `Version ${version} is frozen once published; the customer summary goes to the public status page and notifications are sent.` })),
    confirmLabel: 'Publish',
  });
}
