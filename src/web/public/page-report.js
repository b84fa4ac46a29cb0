// Report editor: the five sections side by side with their machine/human status, Markdown
// editing with preview, action items, customer summary, human-set times, workflow
// transitions (422 reasons shown next to the missing fields), version conflicts (409: the
// other person's change beside yours, keep mine / take theirs per field) and version history
// with line diffs. Viewers get the same page without any control that changes something.

import { ApiError, getJson, incidentIdFromPath, request, seg } from './api.js';
import { lineDiff } from './diff.js';
import { append, clear, field, h, link, replace, uid } from './dom.js';
import {
  badge, formatDuration, formatTime, fromLocalInput, reportStatusLabel, sectionStatusLabel, timeEl, toLocalInput,
} from './format.js';
import { allowed, announce, confirmChange, errorBanner, mainEl, mountHeader } from './layout.js';
import { renderMarkdown } from './markdown.js';
import { download } from './page-incident.js';

const SECTION_NOTES = {
  summary: 'A note beside the drafted facts (optional).',
  timeline: 'A note beside the timeline (optional). Add or correct entries on the incident page.',
  'what-happened': 'The cause: hardware, software, process, human error, or a mix. Required to publish.',
  fix: 'How service was restored. Required to publish.',
  prevention: 'How we will prevent this: free text beside the action items.',
};

/**
 * The editable fields of a report, each with how to read it from a report view. Values are
 * compared in their form representation (datetime-local for times), so a save sends only
 * what the user changed.
 * @typedef {{ key: string, label: string, kind: 'markdown' | 'text' | 'time', get: (r: any) => string | null }} FieldDef
 */

/** @type {FieldDef[]} */
const FIELDS = [
  ...['summary', 'timeline', 'what-happened', 'fix', 'prevention'].map((id) => /** @type {FieldDef} */ ({
    key: `sections.${id}`, label: '', kind: 'markdown', get: (r) => r.sections.find((/** @type {any} */ s) => s.id === id)?.text ?? null,
  })),
  { key: 'customerSummary', label: 'Customer summary', kind: 'markdown', get: (r) => r.customerSummary.text },
  { key: 'preventionNoneNeeded', label: 'No action items needed because', kind: 'text', get: (r) => r.preventionNoneNeeded.text },
  { key: 'impactStartedAt', label: 'Impact started', kind: 'time', get: (r) => humanTime(r.impactWindow.startedAt) },
  { key: 'impactEndedAt', label: 'Impact ended', kind: 'time', get: (r) => humanTime(r.impactWindow.endedAt) },
  { key: 'mitigatedAt', label: 'Mitigated (service restored)', kind: 'time', get: (r) => humanTime(r.mitigatedAt) },
];

/** @param {any} part */
const humanTime = (part) => (part.origin === 'human-completed' ? part.at : null);

/** @param {FieldDef} f @param {any} report */
const formValue = (f, report) => (f.kind === 'time' ? toLocalInput(f.get(report)) : f.get(report) ?? '');

/** @param {string} key */
const fieldDef = (key) => /** @type {FieldDef} */ (FIELDS.find((f) => f.key === key));

/** @param {{ name: string, role: string }} user */
export async function render(user) {
  const id = /** @type {string} */ (incidentIdFromPath());
  const base = `/api/v1/incidents/${seg(id)}`;
  const pageUrl = `/ui/incidents/${seg(id)}`;
  mountHeader(user, [{ href: pageUrl, text: 'Incident' }, { href: `${pageUrl}/report`, text: 'Report', current: true }]);
  const first = await request(`${base}/report`);
  let report = first.data;
  let etag = /** @type {string} */ (first.etag ?? report.etag);
  /** Form values the user started from (the server's state when last read). @type {Record<string, string>} */
  let baseValues = valuesOf(report);
  const canEdit = allowed(user, 'editor');
  const canPublish = allowed(user, 'publisher');
  /** @type {Map<string, HTMLInputElement | HTMLTextAreaElement>} */
  const controls = new Map();
  /** Inline problem slots by field path. @type {Map<string, HTMLElement>} */
  const problemSlots = new Map();

  const main = mainEl();
  main.classList.add('report-page');
  const head = h('div', { class: 'page-head' });
  const toolbar = h('div', { class: 'toolbar sticky no-print', attrs: { role: 'region', 'aria-label': 'Report actions' } });
  const messages = h('div', { attrs: { 'aria-live': 'polite' } });
  const problems = h('div');
  const conflict = h('div');
  const sectionsGrid = h('div', { class: 'sections-grid' });
  const actionItemsSlot = h('div', { class: 'action-items' });
  const historySlot = h('section', { class: 'card no-print', attrs: { 'aria-labelledby': 'history-h' } });
  const statusBadges = new Map();
  /** Redraws of the history are numbered; only the newest one draws. */
  let historyRun = 0;
  /** Redraws of the printed copies of Markdown fields (refreshed before printing). @type {Array<() => void>} */
  let printCopies = [];
  window.addEventListener('beforeprint', () => { for (const draw of printCopies) draw(); });

  append(main, head, toolbar, messages, problems, conflict, timesCard(), sectionsGrid, historySlot);
  drawHead();
  drawToolbar();
  drawSections();
  drawActionItems(report.actionItems);
  void drawHistory();

  // ---------------------------------------------------------------- values

  /** @param {any} r */
  function valuesOf(r) {
    return Object.fromEntries(FIELDS.map((f) => [f.key, formValue(f, r)]));
  }

  /** Every field has a base value: valuesOf reads them all. @param {string} key */
  function baseValue(key) {
    return baseValues[key] ?? '';
  }

  /** @param {string} key */
  function currentValue(key) {
    const c = controls.get(key);
    return c ? c.value : baseValue(key);
  }

  function dirtyKeys() {
    return FIELDS.filter((f) => controls.has(f.key) && currentValue(f.key) !== baseValues[f.key]).map((f) => f.key);
  }

  /** The PATCH body for these fields ('' clears). @param {string[]} keys */
  function patchOf(keys) {
    /** @type {Record<string, any>} */
    const patch = {};
    for (const key of keys) {
      const f = fieldDef(key);
      const raw = currentValue(key);
      const value = f.kind === 'time' ? fromLocalInput(raw) : raw.trim() === '' ? null : raw;
      if (key.startsWith('sections.')) (patch.sections ??= {})[key.slice('sections.'.length)] = value;
      else patch[key] = value;
    }
    return patch;
  }

  // ---------------------------------------------------------------- head and toolbar

  function drawHead() {
    replace(head,
      h('h1', {}, 'Post-mortem: ', h('a', { text: report.summary.title, attrs: { href: pageUrl } })),
      h('p', { class: 'head-badges' },
        badge(report.status, reportStatusLabel(report.status)), ` version ${report.version}`,
        report.updatedBy ? h('span', { class: 'muted' }, ' · last changed by ', h('strong', { text: report.updatedBy }), ' ', timeEl(report.updatedAt)) : null,
        report.publishedBy ? h('span', { class: 'muted' }, ' · published by ', h('strong', { text: report.publishedBy }), ' ', timeEl(report.publishedAt)) : null),
      h('p', { class: 'muted small', attrs: { 'data-postmortem': report.postmortem.required ? 'required' : 'not-required' }, text: `Post-mortem ${report.postmortem.required ? 'required' : 'not required'} (${report.postmortem.reason.replace(/^(not )?required: /, '')}).` }),
      canEdit ? postmortemControls() : null,
      report.status === 'published' && canEdit ? h('p', { class: 'banner banner-info', text: 'This version is published and frozen. Saving a change starts a new version; the published one stays readable below.' }) : null);
  }

  /** Request or waive the post-mortem (editors); a waiver needs a reason. */
  function postmortemControls() {
    const pm = report.postmortem;
    const box = h('div', { class: 'postmortem-controls no-print' });
    if (!pm.required) {
      box.appendChild(h('button', {
        class: 'button', text: 'Request a post-mortem', attrs: { type: 'button', 'data-action': 'request-postmortem' },
        on: { click: () => void setPostmortem('request', null) },
      }));
      return box;
    }
    const reason = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', required: true, maxlength: '1000', placeholder: 'e.g. test traffic only, no customer impact' } }));
    box.appendChild(h('details', { class: 'waive' },
      h('summary', { text: 'Waive the post-mortem' }),
      h('form', {
        attrs: { 'aria-label': 'Waive the post-mortem' },
        on: {
          submit: (/** @type {Event} */ ev) => {
            ev.preventDefault();
            if (!reason.value.trim()) { reason.focus(); return; }
            void setPostmortem('waive', reason.value.trim());
          },
        },
      }, field('Reason for waiving', reason),
      h('button', { class: 'button', text: 'Waive post-mortem', attrs: { type: 'submit', 'data-action': 'waive-postmortem' } }))));
    return box;
  }

  /**
   * Requests or waives. This bumps the report's revision but not its content, so the user's
   * unsaved edits stay; the new ETag is taken only when nobody else wrote in between (else
   * the next save shows the conflict as usual).
   * @param {'request' | 'waive'} kind @param {string | null} reason
   */
  async function setPostmortem(kind, reason) {
    try {
      const res = await request(`${base}/report/${kind}`, { method: 'POST', body: reason === null ? {} : { reason } });
      const next = res.data;
      const nextEtag = res.etag ?? next.etag;
      if (dirtyKeys().length === 0) adopt(next, nextEtag);
      else {
        if (nextEtag === bumped(etag)) etag = nextEtag;
        report = { ...report, postmortem: next.postmortem };
        drawHead();
        drawToolbar();
      }
      replace(messages, h('p', { class: 'banner banner-ok', text: kind === 'waive' ? 'Post-mortem waived.' : 'Post-mortem requested.' }));
      announce(kind === 'waive' ? 'Post-mortem waived' : 'Post-mortem requested');
      void drawHistory();
    } catch (err) {
      replace(messages, errorBanner(err, kind === 'waive' ? 'Could not waive the post-mortem' : 'Could not request a post-mortem'));
    }
  }

  function drawToolbar() {
    clear(toolbar);
    const dirty = dirtyKeys();
    const exports = h('div', { class: 'actions' },
      h('button', { class: 'button', text: 'Download HTML', attrs: { type: 'button' }, on: { click: () => download(`${base}/report.html?download=1`, `postmortem-${id}.html`) } }),
      h('button', { class: 'button', text: 'Download Markdown', attrs: { type: 'button' }, on: { click: () => download(`${base}/report.md`, `postmortem-${id}.md`) } }),
      h('button', { class: 'button', text: 'Print', attrs: { type: 'button' }, on: { click: () => window.print() } }));
    if (!canEdit) {
      append(toolbar, h('p', { class: 'muted', text: `Read only: you are signed in as ${user.role}.` }), exports);
      return;
    }
    const saveButton = h('button', { class: 'button button-primary', text: 'Save changes', attrs: { type: 'button', disabled: dirty.length === 0, 'data-action': 'save' }, on: { click: () => void save() } });
    const state = h('span', { class: dirty.length ? 'dirty' : 'muted', attrs: { 'data-save-state': '' }, text: dirty.length ? `Unsaved changes (${dirty.length})` : 'All changes saved' });
    /** @type {Array<[string, string, boolean]>} */
    const moves = [];
    if (report.status === 'draft') moves.push(['in_review', 'Submit for review', true]);
    if (report.status === 'in_review') { moves.push(['draft', 'Back to draft', true]); moves.push(['published', 'Publish', canPublish]); }
    if (report.status === 'published') moves.push(['draft', 'Start a new version', true]);
    const transitions = h('div', { class: 'actions' }, moves.filter(([, , ok]) => ok).map(([to, label]) => h('button', {
      class: ['button', to === 'published' ? 'button-publish' : null], text: label, attrs: { type: 'button', 'data-transition': to }, on: { click: () => void transition(to) },
    })));
    append(toolbar, h('div', { class: 'actions' }, saveButton, state), transitions, exports);
  }

  // ---------------------------------------------------------------- sections

  function timesCard() {
    const card = h('section', { class: 'card', attrs: { 'aria-labelledby': 'times-h' } },
      h('h2', { text: 'Times', attrs: { id: 'times-h' } }),
      h('p', { class: 'muted small', text: 'Debrief takes these from the alerts. Set them when impact started before the first alert, ended at another time, or when service was restored (time to mitigate).' }));
    const grid = h('div', { class: 'times-grid' });
    for (const key of ['impactStartedAt', 'impactEndedAt', 'mitigatedAt']) {
      const f = fieldDef(key);
      const machine = key === 'mitigatedAt' ? null : key === 'impactStartedAt' ? report.impactWindow.startedAt.machineAt : report.impactWindow.endedAt.machineAt;
      if (canEdit) {
        const input = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'datetime-local', name: key }, props: { value: baseValues[key] }, on: { input: changed } }));
        controls.set(key, input);
        grid.appendChild(field(f.label, input, { hint: machine ? `From the alerts: ${formatTime(machine)}. Empty = use that.` : 'Empty = not set.' }));
      } else {
        grid.appendChild(h('div', { class: 'field' }, h('span', { class: 'field-label', text: f.label }), h('p', {}, timeEl(f.get(report) ?? machine))));
      }
    }
    card.appendChild(grid);
    return card;
  }

  function drawSections() {
    clear(sectionsGrid);
    for (const key of [...controls.keys()]) if (key.startsWith('sections.') || key === 'customerSummary' || key === 'preventionNoneNeeded') controls.delete(key);
    problemSlots.clear();
    printCopies = [];
    for (const s of report.sections) sectionsGrid.appendChild(sectionCard(s));
    sectionsGrid.appendChild(customerCard());
  }

  /** @param {any} s */
  function sectionCard(s) {
    const key = `sections.${s.id}`;
    const headingId = `sec-${s.id}-h`;
    const statusEl = badge(s.status, sectionStatusLabel(s.status));
    statusBadges.set(key, statusEl);
    const card = h('section', { class: ['card', 'section-card', `section-${s.id}`], attrs: { 'aria-labelledby': headingId }, dataset: { section: s.id } },
      h('div', { class: 'section-head' }, h('h2', { text: s.title, attrs: { id: headingId } }), statusEl),
      s.completedBy ? h('p', { class: 'muted small' }, 'Completed by ', h('strong', { text: s.completedBy }), ' ', timeEl(s.completedAt)) : null);
    if (s.id === 'summary') card.appendChild(summaryFacts());
    if (s.machineText) card.appendChild(h('div', { class: 'machine' }, h('p', { class: 'machine-label', text: 'Drafted by Debrief' }), h('p', { class: 'machine-text', text: s.machineText })));
    if (s.hints.length) {
      card.appendChild(h('div', { class: 'hints' }, h('p', { class: 'machine-label', text: 'Hints' }),
        h('ul', {}, s.hints.map((/** @type {any} */ hint) => h('li', {}, h('span', { class: 'muted', text: `${hint.source}: ` }), hint.text, hint.url ? [' (', link(hint.url, 'link'), ')'] : null)))));
    }
    if (s.id === 'timeline') card.appendChild(h('p', { class: 'small' }, `${report.timeline.length} entries. `, h('a', { text: canEdit ? 'See and edit the timeline on the incident page' : 'See the timeline on the incident page', attrs: { href: pageUrl } })));
    card.appendChild(editor(key, `Your text for "${s.title}" (Markdown)`, SECTION_NOTES[/** @type {keyof typeof SECTION_NOTES} */ (s.id)] ?? ''));
    if (s.id === 'prevention') {
      card.appendChild(h('h3', { text: 'Action items' }));
      card.appendChild(actionItemsSlot);
      card.appendChild(problemSlot('actionItems'));
      if (canEdit) {
        const input = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', name: 'preventionNoneNeeded', maxlength: '2000' }, props: { value: baseValues.preventionNoneNeeded }, on: { input: changed } }));
        controls.set('preventionNoneNeeded', input);
        card.appendChild(field('No action items needed because (instead of action items)', input));
      } else if (report.preventionNoneNeeded.text) {
        card.appendChild(h('p', {}, h('strong', { text: 'No action items needed: ' }), report.preventionNoneNeeded.text));
      }
    }
    return card;
  }

  function customerCard() {
    const statusEl = badge(report.customerSummary.status, sectionStatusLabel(report.customerSummary.status));
    statusBadges.set('customerSummary', statusEl);
    return h('section', { class: 'card section-card section-customer', attrs: { 'aria-labelledby': 'sec-customer-h' } },
      h('div', { class: 'section-head' }, h('h2', { text: 'Customer summary', attrs: { id: 'sec-customer-h' } }), statusEl),
      h('p', { class: 'muted small', text: 'Shorter, for customers: the public status page shows it once published. No internal names or details.' }),
      editor('customerSummary', 'Customer summary (Markdown)', 'Required to publish.'));
  }

  function summaryFacts() {
    const s = report.summary;
    return h('dl', { class: 'facts facts-compact' },
      h('div', { class: 'fact' }, h('dt', { text: 'Severity' }), h('dd', { text: s.severity ?? '—' })),
      h('div', { class: 'fact' }, h('dt', { text: 'Started' }), h('dd', {}, timeEl(s.startedAt))),
      h('div', { class: 'fact' }, h('dt', { text: 'Ended' }), h('dd', {}, s.endedAt ? timeEl(s.endedAt) : 'ongoing')),
      h('div', { class: 'fact' }, h('dt', { text: 'Duration' }), h('dd', { text: formatDuration(s.durationMs) })),
      h('div', { class: 'fact' }, h('dt', { text: 'Services' }), h('dd', { text: s.affectedServices.join(', ') || '—' })),
      h('div', { class: 'fact' }, h('dt', { text: 'Customer-facing' }), h('dd', { text: s.customerFacing === null ? 'unknown' : s.customerFacing ? 'yes' : 'no' })));
  }

  /**
   * A Markdown field: textarea plus live preview for editors, rendered text for viewers.
   * @param {string} key @param {string} label @param {string} note
   */
  function editor(key, label, note) {
    const wrap = h('div', { class: 'md-field', dataset: { field: key } });
    if (!canEdit) {
      const text = baseValues[key];
      wrap.appendChild(text ? h('div', { class: 'md-rendered' }, renderMarkdown(text)) : h('p', { class: 'muted', text: 'Not written yet.' }));
      return wrap;
    }
    const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { attrs: { rows: '6', name: key, spellcheck: 'true' }, props: { value: baseValues[key] } }));
    controls.set(key, area);
    const preview = h('div', { class: 'md-preview', attrs: { id: uid('preview'), 'aria-live': 'off' } });
    preview.hidden = true;
    const toggle = h('button', { class: 'button-quiet', text: 'Show preview', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': preview.id } });
    const drawPreview = () => {
      replace(preview, area.value.trim() ? renderMarkdown(area.value) : h('p', { class: 'muted', text: 'Nothing to preview.' }));
    };
    toggle.addEventListener('click', () => {
      const open = preview.hidden;
      preview.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Hide preview' : 'Show preview';
      if (open) drawPreview();
    });
    area.addEventListener('input', () => { changed(); if (!preview.hidden) drawPreview(); clearProblem(key); });
    // Paper gets the rendered text, not a textarea cut at its height.
    const printCopy = h('div', { class: 'md-rendered print-only' });
    const drawPrintCopy = () => replace(printCopy, area.value.trim() ? renderMarkdown(area.value) : h('p', { class: 'muted', text: 'Not written yet.' }));
    printCopies.push(drawPrintCopy);
    drawPrintCopy();
    append(wrap, h('div', { class: 'no-print' }, field(label, area, { hint: note }), problemSlot(key), h('div', { class: 'md-tools' }, toggle), preview), printCopy);
    return wrap;
  }

  /** An inline slot for a 422/400 reason next to its field. @param {string} path */
  function problemSlot(path) {
    const slot = h('p', { class: 'field-error', attrs: { id: uid('problem'), 'data-problem-for': path } });
    slot.hidden = true;
    problemSlots.set(path, slot);
    return slot;
  }

  /** @param {string} path */
  function clearProblem(path) {
    const slot = problemSlots.get(path);
    if (slot) { slot.hidden = true; slot.textContent = ''; }
    controls.get(path)?.removeAttribute('aria-invalid');
  }

  function changed() {
    drawToolbar();
  }

  // ---------------------------------------------------------------- action items

  /** @param {any[]} items */
  function drawActionItems(items) {
    clear(actionItemsSlot);
    if (items.length === 0) actionItemsSlot.appendChild(h('p', { class: 'muted', text: 'No action items yet.' }));
    const list = h('ol', { class: 'ai-list' });
    for (const item of items) list.appendChild(h('li', {}, canEdit ? actionItemForm(item) : actionItemView(item)));
    if (items.length) actionItemsSlot.appendChild(list);
    if (canEdit) actionItemsSlot.appendChild(h('details', { class: 'ai-add' }, h('summary', { text: 'Add an action item' }), actionItemForm(null)));
  }

  /** @param {any} item */
  function actionItemView(item) {
    return h('div', { class: 'ai-view' },
      h('strong', { text: item.title }), ' ', badge(`ai-${item.status}`, item.status.replace('_', ' ')),
      h('span', { class: 'muted small', text: ` · owner ${item.owner ?? 'none'} · due ${item.dueDate ?? 'no date'}` }),
      item.trackerUrl ? [' · ', link(item.trackerUrl, 'tracker')] : null);
  }

  /** An action item's fields; `item` null = the add form. @param {any} item */
  function actionItemForm(item) {
    const title = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', required: true, maxlength: '500', name: 'title' }, props: { value: item?.title ?? '' } }));
    const owner = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'text', maxlength: '200', name: 'owner' }, props: { value: item?.owner ?? '' } }));
    const due = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'date', name: 'dueDate' }, props: { value: item?.dueDate ?? '' } }));
    const status = /** @type {HTMLSelectElement} */ (h('select', { attrs: { name: 'status' } }, ['open', 'in_progress', 'done', 'wont_do'].map((s) => h('option', { text: s.replace('_', ' '), attrs: { value: s } }))));
    status.value = item?.status ?? 'open';
    const tracker = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'url', maxlength: '2000', name: 'trackerUrl', placeholder: 'https://…' }, props: { value: item?.trackerUrl ?? '' } }));
    const err = h('div');
    const body = () => ({
      title: title.value.trim(), owner: owner.value.trim() || null, dueDate: due.value || null, status: status.value, trackerUrl: tracker.value.trim() || null,
    });
    const form = h('form', {
      class: 'ai-form', attrs: { 'aria-label': item ? `Action item: ${item.title}` : 'New action item' },
      on: {
        submit: async (/** @type {Event} */ ev) => {
          ev.preventDefault();
          if (!title.value.trim()) { title.setAttribute('aria-invalid', 'true'); title.focus(); return; }
          try {
            if (item) await request(`/api/v1/action-items/${seg(item.id)}`, { method: 'PATCH', body: body() });
            else await request(`${base}/action-items`, { method: 'POST', body: body() });
            await refreshActionItems();
            clearProblem('sections.prevention');
            clearProblem('actionItems');
            announce(item ? 'Action item saved' : 'Action item added');
          } catch (e) {
            replace(err, errorBanner(e, 'Could not save the action item'));
          }
        },
      },
    },
    h('div', { class: 'ai-grid' }, field('Title', title, { class: 'ai-title' }), field('Owner', owner), field('Due date', due), field('Status', status), field('Tracker link', tracker, { class: 'ai-link' })),
    err,
    h('div', { class: 'actions' },
      h('button', { class: 'button button-primary', text: item ? 'Save item' : 'Add item', attrs: { type: 'submit' } }),
      item ? h('button', {
        class: 'button button-danger', text: 'Delete', attrs: { type: 'button' },
        on: {
          click: async () => {
            if (!await confirmChange({ title: 'Delete this action item?', summary: item.title, confirmLabel: 'Delete action item', danger: true })) return;
            try {
              await request(`/api/v1/action-items/${seg(item.id)}`, { method: 'DELETE' });
              await refreshActionItems();
              announce('Action item deleted');
            } catch (e) {
              replace(err, errorBanner(e, 'Could not delete the action item'));
            }
          },
        },
      }) : null));
    return form;
  }

  async function refreshActionItems() {
    const res = await getJson(`${base}/action-items`);
    report = { ...report, actionItems: res.items };
    drawActionItems(res.items);
  }

  // ---------------------------------------------------------------- saving

  /** Takes a report the server returned as the new starting point. @param {any} next @param {string} nextEtag */
  function adopt(next, nextEtag) {
    report = next;
    etag = nextEtag;
    baseValues = valuesOf(next);
    for (const [key, c] of controls) c.value = baseValue(key);
    for (const s of next.sections) {
      const b = statusBadges.get(`sections.${s.id}`);
      if (b) b.replaceWith(statusBadges.set(`sections.${s.id}`, badge(s.status, sectionStatusLabel(s.status))).get(`sections.${s.id}`));
    }
    const cb = statusBadges.get('customerSummary');
    if (cb) cb.replaceWith(statusBadges.set('customerSummary', badge(next.customerSummary.status, sectionStatusLabel(next.customerSummary.status))).get('customerSummary'));
    drawHead();
    drawToolbar();
  }

  /** Saves the changed fields with If-Match. Resolves true when nothing is left unsaved. */
  async function save() {
    const keys = dirtyKeys();
    if (keys.length === 0) return true;
    replace(messages);
    try {
      const res = await request(`${base}/report`, { method: 'PATCH', body: patchOf(keys), ifMatch: etag });
      adopt(res.data, res.etag ?? res.data.etag);
      replace(conflict);
      replace(messages, h('p', { class: 'banner banner-ok', text: `Saved (version ${report.version}).` }));
      announce('Report saved');
      void drawHistory();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body?.current) {
        showConflict(err.body.current);
        return false;
      }
      if (err instanceof ApiError && err.status === 400) showProblems(err.details.map((d) => ({ ...d, path: d.path.replace(/^body\./, '') })), 'Some fields are not valid');
      else replace(messages, errorBanner(err, 'Could not save'));
      return false;
    }
  }

  /** @param {string} to */
  async function transition(to) {
    if (dirtyKeys().length && !await save()) return;
    if (to === 'published') {
      const ok = await confirmChange({
        title: 'Publish this report?',
        summary: h('div', {}, h('p', { text: `Version ${report.version} is frozen once published; the customer summary goes to the public status page and notifications are sent.` })),
        confirmLabel: 'Publish',
      });
      if (!ok) return;
    }
    replace(messages);
    try {
      const res = await request(`${base}/report/transitions`, { method: 'POST', body: { to }, ifMatch: etag });
      adopt(res.data, res.etag ?? res.data.etag);
      replace(problems);
      for (const key of problemSlots.keys()) clearProblem(key);
      replace(messages, h('p', { class: 'banner banner-ok', text: `The report is now ${reportStatusLabel(report.status).toLowerCase()} (version ${report.version}).` }));
      announce(`Report ${reportStatusLabel(report.status)}`);
      void drawHistory();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) showProblems(err.details, err.message);
      else if (err instanceof ApiError && err.status === 409 && err.body?.current && dirtyKeys().length === 0) {
        // Nothing of this user's is unsaved: show their version, and let the user look before moving it on.
        const current = err.body.current;
        adopt(current.report, current.etag);
        drawSections();
        drawActionItems(current.report.actionItems);
        replace(messages, h('p', { class: 'banner banner-warn', attrs: { role: 'alert' } },
          `${current.report.updatedBy ?? 'Someone'} changed the report while you had it open. The page now shows version ${current.version} as they saved it; check it, then try again.`));
      } else if (err instanceof ApiError && err.status === 409 && err.body?.current) showConflict(err.body.current);
      else replace(messages, errorBanner(err, 'Could not change the status'));
    }
  }

  /**
   * Shows each problem next to its field, and a summary linking to them.
   * @param {Array<{ path: string, message: string }>} details @param {string} title
   */
  function showProblems(details, title) {
    for (const key of problemSlots.keys()) clearProblem(key);
    const items = details.map((d) => {
      // The prevention problem is about action items: say it there.
      const slot = (d.path === 'sections.prevention' ? problemSlots.get('actionItems') : undefined) ?? problemSlots.get(d.path);
      const control = controls.get(d.path);
      if (slot) {
        slot.textContent = d.message;
        slot.hidden = false;
      }
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        if (slot) control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
      }
      const target = control ?? slot;
      return h('li', {}, target
        ? h('a', { text: `${labelOf(d.path)}: ${d.message}`, attrs: { href: `#${target.id || (target.id = uid('t'))}` }, on: { click: (/** @type {Event} */ ev) => { ev.preventDefault(); target.scrollIntoView({ block: 'center' }); (control ?? target).focus?.(); } } })
        : `${labelOf(d.path)}: ${d.message}`);
    });
    const summary = h('div', { class: 'banner banner-error', attrs: { role: 'alert', tabindex: '-1' } },
      h('p', {}, h('strong', { text: title })), h('ul', {}, items));
    replace(problems, summary);
    summary.focus();
  }

  /** @param {string} path */
  function labelOf(path) {
    const sec = /^sections\.(.+)$/.exec(path);
    if (sec) return report.sections.find((/** @type {any} */ s) => s.id === sec[1])?.title ?? path;
    if (path === 'actionItems') return 'Action items';
    return FIELDS.find((f) => f.key === path)?.label || path;
  }

  // ---------------------------------------------------------------- conflicts

  /**
   * The report changed since it was read. Fields only they changed are taken; fields only
   * this user changed are kept; fields both changed differently are shown side by side to
   * choose. Saving then goes against their version's ETag.
   * @param {{ version: number, etag: string, report: any }} current
   */
  function showConflict(current) {
    const theirs = valuesOf(current.report);
    /** @type {string[]} */
    const taken = [];
    /** @type {string[]} */
    const clashes = [];
    for (const f of FIELDS) {
      if (!controls.has(f.key)) continue;
      const mine = currentValue(f.key);
      const was = baseValues[f.key];
      const now = theirs[f.key];
      if (now === was || now === mine) continue;
      if (mine === was) { /** @type {any} */ (controls.get(f.key)).value = now; taken.push(f.key); } else clashes.push(f.key);
    }
    const myValues = Object.fromEntries(clashes.map((k) => [k, currentValue(k)]));
    // Their version becomes the base: the next save is checked against their ETag.
    report = current.report;
    etag = current.etag;
    baseValues = theirs;
    for (const k of clashes) /** @type {any} */ (controls.get(k)).value = myValues[k];
    drawHead();
    drawToolbar();
    const who = current.report.updatedBy ?? 'someone';
    const choices = new Map(clashes.map((k) => [k, 'mine']));
    const panel = h('section', { class: 'card conflict', attrs: { role: 'alert', 'aria-labelledby': 'conflict-h', tabindex: '-1' } },
      h('h2', { text: 'Someone else changed this report', attrs: { id: 'conflict-h' } }),
      h('p', {}, h('strong', { text: who }), ' saved version ', `${current.version} `, timeEl(current.report.updatedAt), ' while you were editing. Nothing of yours is lost yet.'),
      taken.length ? h('p', { text: `Their changes to ${taken.map(labelOf).join(', ')} are now in the form (you had not touched those).` }) : null,
      clashes.length ? h('p', { text: 'You both changed the fields below. For each, keep yours or take theirs, then save.' }) : h('p', { text: 'You changed different fields; save to keep your changes on top of theirs.' }),
      clashes.map((key) => {
        const name = `choice-${key.replace(/[^a-z0-9]/gi, '-')}`;
        const mineId = uid('mine');
        const theirsId = uid('theirs');
        const radios = h('div', { class: 'choice' },
          h('input', { attrs: { type: 'radio', name, id: mineId, value: 'mine', checked: true }, on: { change: () => choices.set(key, 'mine') } }),
          h('label', { text: 'Keep mine', attrs: { for: mineId } }),
          h('input', { attrs: { type: 'radio', name, id: theirsId, value: 'theirs' }, on: { change: () => choices.set(key, 'theirs') } }),
          h('label', { text: 'Take theirs', attrs: { for: theirsId } }));
        return h('fieldset', { class: 'conflict-field', dataset: { conflictField: key } },
          h('legend', { text: labelOf(key) }),
          h('div', { class: 'side-by-side' },
            h('div', { class: 'side theirs' }, h('h3', { text: `Theirs (${who})` }), h('pre', { class: 'conflict-text', dataset: { side: 'theirs' }, text: theirs[key] || '(empty)' })),
            h('div', { class: 'side mine' }, h('h3', { text: 'Yours' }), h('pre', { class: 'conflict-text', dataset: { side: 'mine' }, text: myValues[key] || '(empty)' }))),
          h('details', {}, h('summary', { text: 'Line differences' }), diffView(theirs[key], myValues[key], 'theirs', 'yours')),
          radios);
      }),
      h('div', { class: 'actions' },
        h('button', {
          class: 'button button-primary', text: 'Save merged version', attrs: { type: 'button', 'data-action': 'save-merged' },
          on: {
            click: async () => {
              for (const [key, choice] of choices) /** @type {any} */ (controls.get(key)).value = choice === 'mine' ? myValues[key] : theirs[key];
              drawToolbar();
              if (dirtyKeys().length === 0) {
                replace(conflict);
                replace(messages, h('p', { class: 'banner banner-ok', text: 'Nothing left to save: the report is as they saved it.' }));
                return;
              }
              if (await save()) announce('Merged and saved');
            },
          },
        }),
        h('button', {
          class: 'button', text: 'Discard mine, take all theirs', attrs: { type: 'button' },
          on: { click: () => { for (const [key, c] of controls) c.value = baseValue(key); replace(conflict); drawToolbar(); announce('Your changes were discarded'); } },
        })));
    replace(conflict, panel);
    void drawHistory();
    panel.focus();
    panel.scrollIntoView({ block: 'start' });
  }

  // ---------------------------------------------------------------- history

  async function drawHistory() {
    const run = ++historyRun;
    try {
      const [versions, audit] = await Promise.all([getJson(`${base}/report/versions`), getJson(`${base}/report/audit?limit=200`)]);
      // A newer redraw started meanwhile: it draws.
      if (run !== historyRun) return;
      replace(historySlot, h('h2', { text: 'Versions and changes', attrs: { id: 'history-h' } }));
      const items = versions.items;
      const a = /** @type {HTMLSelectElement} */ (h('select', {}, items.map((/** @type {any} */ v) => h('option', { text: versionLabel(v), attrs: { value: String(v.version) } }))));
      const b = /** @type {HTMLSelectElement} */ (h('select', {}, items.map((/** @type {any} */ v) => h('option', { text: versionLabel(v), attrs: { value: String(v.version) } }))));
      a.value = String(items[Math.max(0, items.length - 2)]?.version ?? 1);
      b.value = String(items[items.length - 1]?.version ?? 1);
      const out = h('div', { class: 'diff-out' });
      const compare = async () => {
        try {
          const [va, vb] = await Promise.all([getJson(`${base}/report/versions/${seg(a.value)}`), getJson(`${base}/report/versions/${seg(b.value)}`)]);
          replace(out, diffView(reportText(va), reportText(vb), `version ${a.value}`, `version ${b.value}`));
        } catch (err) {
          replace(out, errorBanner(err, 'Could not compare'));
        }
      };
      append(historySlot,
        h('ul', { class: 'versions' }, items.map((/** @type {any} */ v) => h('li', {}, versionLabel(v), v.publishedAt ? [' · ', timeEl(v.publishedAt)] : null))),
        items.length < 2 ? h('p', { class: 'muted small', text: 'Publishing freezes a version; the next change starts a new one, and differences between versions show here.' }) : h('form', { class: 'compare', on: { submit: (/** @type {Event} */ ev) => { ev.preventDefault(); void compare(); } } },
          field('Compare', a), field('with', b), h('button', { class: 'button', text: 'Show differences', attrs: { type: 'submit' } })),
        out,
        h('details', { class: 'audit-trail' }, h('summary', { text: `Change log (${audit.items.length})` }),
          h('ol', { class: 'audit' }, audit.items.slice().reverse().map((/** @type {any} */ e) => h('li', {},
            h('div', { class: 'tl-meta' }, timeEl(e.at), ' ', h('strong', { text: e.actor }), ' ', h('code', { text: e.action }), ` · v${e.version}`),
            e.changes.length ? h('p', { class: 'small muted', text: e.changes.map((/** @type {any} */ c) => c.path).join(', ') }) : null)))));
      if (items.length > 1) void compare();
    } catch (err) {
      if (run === historyRun) replace(historySlot, h('h2', { text: 'Versions and changes', attrs: { id: 'history-h' } }), errorBanner(err, 'Could not load versions'));
    }
  }
}

/** The ETag one write after `etag` (`"v<version>.r<revision>"`), or null when it has another shape. @param {string} etag */
function bumped(etag) {
  const m = /^"v(\d+)\.r(\d+)"$/.exec(etag);
  return m ? `"v${m[1]}.r${Number(m[2]) + 1}"` : null;
}

/** @param {any} v */
const versionLabel = (v) => `Version ${v.version}: ${reportStatusLabel(v.status)}${v.current ? ' (current)' : ''}${v.publishedBy ? ` by ${v.publishedBy}` : ''}`;

/**
 * A report version as plain text, for diffs.
 * @param {any} r
 */
export function reportText(r) {
  const lines = [`# ${r.summary.title}`, `Status: ${r.status}, version ${r.version}`, ''];
  for (const s of r.sections) {
    lines.push(`## ${s.title} [${s.status}]`);
    if (s.text) lines.push(...s.text.split('\n'));
    else if (s.machineText) lines.push(`(drafted) ${s.machineText}`);
    else lines.push('(empty)');
    lines.push('');
  }
  lines.push('## Action items');
  for (const ai of r.actionItems ?? []) lines.push(`- [${ai.status}] ${ai.title} · owner ${ai.owner ?? 'none'} · due ${ai.dueDate ?? 'none'}${ai.trackerUrl ? ` · ${ai.trackerUrl}` : ''}`);
  if (r.preventionNoneNeeded?.text) lines.push(`No action items needed: ${r.preventionNoneNeeded.text}`);
  lines.push('', '## Customer summary', ...(r.customerSummary?.text ?? '(empty)').split('\n'), '');
  lines.push('## Times');
  lines.push(`Impact started: ${r.impactWindow?.startedAt?.at ?? '-'} (${r.impactWindow?.startedAt?.origin ?? ''})`);
  lines.push(`Impact ended: ${r.impactWindow?.endedAt?.at ?? '-'} (${r.impactWindow?.endedAt?.origin ?? ''})`);
  lines.push(`Mitigated: ${r.mitigatedAt?.at ?? '-'}`);
  return lines.join('\n');
}

/**
 * A line diff as a list; removed and added lines are marked with text as well as colour.
 * @param {string | undefined} before @param {string | undefined} after @param {string} beforeName @param {string} afterName
 */
function diffView(before, after, beforeName, afterName) {
  const ops = lineDiff(before ?? '', after ?? '');
  const changed = ops.filter((o) => o.op !== ' ').length;
  return h('div', { class: 'diff' },
    h('p', { class: 'small muted', text: changed === 0 ? 'No differences.' : `− lines only in ${beforeName}, + lines only in ${afterName}.` }),
    h('pre', { class: 'diff-lines' }, ops.map((o) => h(o.op === '+' ? 'ins' : o.op === '-' ? 'del' : 'span', { class: `diff-${o.op === '+' ? 'add' : o.op === '-' ? 'del' : 'same'}`, text: `${o.op === ' ' ? ' ' : o.op === '+' ? '+' : '−'} ${o.line}\n` }))));
}
