// Report editor: the five sections side by side with their machine/human status, Markdown
// editing with preview, action items, customer summary, human-set times, workflow
// transitions (422 reasons shown next to the missing fields), version conflicts (409: the
// other person's change beside yours, keep mine / take theirs per field) and version history
// with line diffs. Viewers get the same page without any control that changes something.
//
// This module wires the panels in report/: the state lives in one store (report/store.js),
// the user's unsaved values in the form (report/form.js), and each panel draws from what it
// is given.

import { incidentIdFromPath, seg } from './api.js';
import { append, h, replace } from './dom.js';
import { timeEl } from './format.js';
import { allowed, announce, confirmChange, mainEl, mountHeader } from './layout.js';
import { renderActionItems } from './report/action-items.js';
import { autosaveNote, createAutosave, guardLeaving, planRestore, restoredLabels } from './report/autosave.js';
import { renderChecklist } from './report/checklist.js';
import { showConflict } from './report/conflicts.js';
import { labelOf } from './report/fields.js';
import { ReportForm } from './report/form.js';
import { renderHead } from './report/head.js';
import { showProblems } from './report/problems.js';
import { reportApi } from './report/report-api.js';
import { renderSections } from './report/sections.js';
import { renderSuspects } from './report/suspects.js';
import { createReportStore } from './report/store.js';
import { timesCard } from './report/times.js';
import { renderSaveBar, renderToolbar } from './report/toolbar.js';
import { historyPanel } from './report/versions.js';
import { reportWorkflow } from './report/workflow.js';

/** @typedef {import('./api-types').ReportAutosave} Autosave */

/** The page's containers, in page order. */
function layout() {
  return {
    head: h('div', { class: 'page-head' }),
    toolbar: h('div', { class: 'toolbar sticky no-print', attrs: { role: 'region', 'aria-label': 'Report actions' } }),
    messages: h('div', { attrs: { 'aria-live': 'polite' } }),
    problems: h('div'),
    checklist: h('div'),
    conflict: h('div'),
    sections: h('div', { class: 'sections-grid' }),
    actionItems: h('div', { class: 'action-items' }),
    suspects: h('div', { attrs: { 'data-suspects-panel': '' } }),
    times: h('div'),
    history: h('section', { class: 'card no-print', attrs: { 'aria-labelledby': 'history-h' } }),
    saveBar: h('div', { class: 'save-bar no-print', attrs: { role: 'region', 'aria-label': 'Save' } }),
  };
}

/** @param {import('./api-types').User} user */
export async function render(user) {
  // The server serves this page only under /ui/incidents/:id.
  const id = /** @type {string} */ (incidentIdFromPath());
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident' }, { href: `${pageUrl}/report`, text: 'Report', current: true }]);
  const api = reportApi(id);
  // Without a configured tracker the page has no "create issue" buttons (and a failed read is the same).
  const [first, trackers] = await Promise.all([api.read(), api.trackers().catch(() => [])]);
  const store = createReportStore(first.report, first.etag);
  const form = new ReportForm();
  const canEdit = allowed(user, 'editor');
  const canPublish = allowed(user, 'publisher');
  const ui = layout();

  // A published version is a read-only document; "Start a new version" makes it editable.
  const editable = () => canEdit && store.state.report.status !== 'published';
  const drawChecklist = () => { if (editable()) renderChecklist(ui.checklist, { ...store.state, form }); else replace(ui.checklist); };
  const keeper = createAutosave({ api, form, store, editable, onStatus: () => drawToolbar() });
  // Typing changes what is unsaved, which required parts are there, and the kept draft.
  const onInput = () => { drawToolbar(); drawChecklist(); keeper.schedule(); };
  const drawToolbar = () => {
    const dirtyCount = form.dirtyKeys(store.state.baseValues).length;
    const draftNote = autosaveNote(keeper.status);
    const onSave = () => void workflow.save();
    renderToolbar(ui.toolbar, {
      status: store.state.report.status, dirtyCount, draftNote, role: user.role, canEdit, canPublish,
      onSave, onTransition: (to) => void workflow.transition(to),
      onDownloadHtml: () => void api.downloadHtml(), onDownloadMarkdown: () => void api.downloadMarkdown(),
    });
    renderSaveBar(ui.saveBar, { status: store.state.report.status, canEdit, dirtyCount, draftNote, onSave });
  };
  const drawHead = () => renderHead(ui.head, {
    report: store.state.report, pageUrl, canEdit, onPostmortem: (kind, reason) => void workflow.setPostmortem(kind, reason),
  });
  const drawSections = () => {
    renderSections(ui.sections, { ...store.state, canEdit: editable(), pageUrl, form, actionItemsSlot: ui.actionItems, suspectsSlot: ui.suspects, onInput });
    replace(ui.times, timesCard({ ...store.state, canEdit: editable(), form, onInput }));
    drawChecklist();
  };
  const reloadActionItems = async () => { store.setActionItems(await api.actionItems()); drawActionItems(); drawChecklist(); };
  const drawActionItems = () => renderActionItems(ui.actionItems, store.state.report.actionItems, {
    canEdit: editable(), api, reload: reloadActionItems, onSaved: () => { form.clearProblem('sections.prevention'); form.clearProblem('actionItems'); }, trackers,
  });
  const drawSuspects = () => renderSuspects(ui.suspects, store.state.report, {
    canEdit: editable(), onVerdict: (changeId, verdict) => workflow.setSuspect(changeId, verdict),
  });
  const redrawHistory = historyPanel(ui.history, api);
  const drawHistory = () => void redrawHistory();
  const workflow = reportWorkflow({
    store, form, api, messages: ui.messages, problems: ui.problems, conflict: ui.conflict, drawSections, drawActionItems, drawHistory,
    showConflict: (current) => showConflict(ui.conflict, current, { store, form, messages: ui.messages, onFormChanged: onInput, onSave: workflow.save, onShown: drawHistory }),
    showProblems: (details, title) => showProblems(ui.problems, { details, title, form, labelOf: (path) => labelOf(store.state.report, path) }),
  });
  /** Unsaved text found on a published version: it comes back once a new version starts. @type {Autosave | null} */
  let laterRestore = null;
  /** @param {Autosave} saved */
  const restore = (saved) => restoreAutosave(saved, {
    store, form, messages: ui.messages, onInput, forget: () => void api.deleteAutosave().catch(() => undefined),
    showConflict: (current) => workflow.showConflict(current),
  });
  let wasEditable = editable();
  store.onUpdate(drawHead);
  store.onUpdate(drawToolbar);
  store.onUpdate(drawSuspects);
  store.onUpdate(() => {
    keeper.schedule();
    // Publishing freezes the boxes into a document; starting a new version opens them again.
    if (editable() === wasEditable) { drawChecklist(); return; }
    wasEditable = editable();
    drawSections();
    drawActionItems();
    if (wasEditable && laterRestore) { restore(laterRestore); laterRestore = null; }
  });
  if (canEdit) guardLeaving(keeper, confirmLeave);
  window.addEventListener('beforeprint', () => { for (const draw of form.printCopies) draw(); });

  const main = mainEl();
  main.classList.add('report-page');
  append(main, ui.head, ui.toolbar, ui.messages, ui.problems, ui.checklist, ui.conflict, ui.times, ui.sections, ui.history, ui.saveBar);
  drawHead();
  drawToolbar();
  drawSections();
  drawSuspects();
  drawActionItems();
  drawHistory();
  const saved = canEdit ? await api.autosave().catch(() => null) : null;
  if (saved && editable()) restore(saved);
  else if (saved && planRestore(saved, store.state.baseValues).restore.length) {
    laterRestore = saved;
    append(ui.messages, h('p', { class: 'banner banner-info', attrs: { 'data-autosave-waiting': '' } },
      'You have unsaved text from ', timeEl(saved.savedAt), '. This version is published; it comes back when you start a new version.'));
  }
}

/** Asked when text could not be kept before following a link. */
function confirmLeave() {
  return confirmChange({
    title: 'Leave without your changes?',
    summary: 'Your unsaved changes could not be kept as your draft (the server did not answer). If you leave now, they are lost.',
    confirmLabel: 'Leave and lose them', danger: true,
  });
}

/**
 * Puts an autosave back into the form. Fields nobody else changed since come back as unsaved
 * changes; when someone saved a field the user had changed, the conflict panel shows both
 * (their version is the base: nothing of theirs is overwritten unless the user keeps theirs out).
 * @param {Autosave} saved
 * @param {{
 *   store: import('./report/store.js').ReportStore, form: ReportForm, messages: HTMLElement, onInput: () => void, forget: () => void,
 *   showConflict: (current: import('./api-types').StaleReport['current']) => void,
 * }} deps
 */
function restoreAutosave(saved, { store, form, messages, onInput, forget, showConflict }) {
  const current = store.state;
  const { restore, changedSince } = planRestore(saved, current.baseValues);
  if (restore.length === 0) { forget(); return; }
  if (changedSince.length) {
    // The base is what the user typed on, so the conflict panel sees their change and the other person's.
    store.update({ baseValues: { ...current.baseValues, ...Object.fromEntries(restore.map(([key, v]) => [key, v.base])) } });
    for (const [key, v] of restore) form.setValue(key, v.value);
    showConflict({ version: current.report.version, etag: current.etag, report: current.report });
    onInput();
    return;
  }
  for (const [key, v] of restore) form.setValue(key, v.value);
  const labels = restoredLabels(current.report, restore.map(([key]) => key));
  const discard = h('button', {
    class: 'button', text: 'Discard them', attrs: { type: 'button', 'data-action': 'discard-autosave' },
    on: { click: () => { form.setValues(store.state.baseValues); replace(messages); onInput(); announce('Your unsaved changes were discarded'); } },
  });
  replace(messages, h('div', { class: 'banner banner-info', attrs: { 'data-autosave-restored': '' } },
    h('p', {}, 'Restored your unsaved changes from ', timeEl(saved.savedAt), ` (${labels.join(', ')}). They are not in the report until you save.`), discard));
  onInput();
}
