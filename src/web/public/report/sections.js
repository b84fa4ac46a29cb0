// The report's sections side by side: each with its machine/human status, Debrief's draft
// and hints, and the human text; the customer summary after them. The prevention section
// holds the action items (drawn by their own panel into `actionItemsSlot`).

import { clear, field, h, link } from '../dom.js';
import { formatDuration, timeEl } from '../format.js';
import { pagesList } from '../paged.js';
import { sectionKey } from './fields.js';
import { statusBadge } from './form.js';
import { markdownField } from './markdown-field.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportSection} ReportSection */
/** @typedef {import('../api-types').SectionId} SectionId */
/** @typedef {import('./fields.js').FormValues} FormValues */
/** @typedef {import('./form.js').ReportForm} ReportForm */
/**
 * @typedef {{
 *   report: Report, baseValues: FormValues, canEdit: boolean, pageUrl: string,
 *   form: ReportForm, actionItemsSlot: HTMLElement, suspectsSlot: HTMLElement, onInput: () => void,
 * }} SectionsInput
 */

/** @type {Record<SectionId, string>} */
const SECTION_NOTES = {
  summary: 'A note beside the drafted facts (optional).',
  timeline: 'A note beside the timeline (optional). Add or correct entries on the incident page.',
  'what-happened': 'The cause: hardware, software, process, human error, or a mix. Required to publish.',
  fix: 'How service was restored. Required to publish.',
  prevention: 'How we will prevent this: free text beside the action items.',
};

/**
 * Draws every section card into `grid` (again after a reload): what the form held for the
 * sections before is forgotten and registered anew.
 * @param {HTMLElement} grid @param {SectionsInput} input
 */
export function renderSections(grid, input) {
  clear(grid);
  input.form.resetSections();
  for (const s of input.report.sections) grid.appendChild(sectionCard(s, input));
  grid.appendChild(customerCard(input));
}

/** @param {ReportSection} s @param {SectionsInput} input */
function sectionCard(s, input) {
  const { report, canEdit, pageUrl, form } = input;
  const key = sectionKey(s.id);
  const headingId = `sec-${s.id}-h`;
  const statusEl = statusBadge(s.status);
  form.statusBadges.set(key, statusEl);
  const card = h('section', { class: ['card', 'section-card', `section-${s.id}`], attrs: { 'aria-labelledby': headingId }, dataset: { section: s.id } },
    h('div', { class: 'section-head' }, h('h2', { text: s.title, attrs: { id: headingId } }), statusEl),
    s.completedBy ? h('p', { class: 'muted small' }, 'Completed by ', h('strong', { text: s.completedBy }), ' ', timeEl(s.completedAt)) : null);
  if (s.id === 'summary') card.appendChild(summaryFacts(report.summary));
  if (s.machineText) card.appendChild(h('div', { class: 'machine' }, h('p', { class: 'machine-label', text: 'Drafted by Debrief' }), h('p', { class: 'machine-text', text: s.machineText })));
  // Suspects have their own panel (with the verdict buttons) when the report lists them.
  if (s.id === 'what-happened') card.appendChild(input.suspectsSlot);
  const hints = report.suspects ? s.hints.filter((hint) => hint.changeId === undefined) : s.hints;
  if (hints.length) {
    card.appendChild(h('div', { class: 'hints' }, h('p', { class: 'machine-label', text: 'Hints' }),
      h('ul', {}, hints.map((hint) => h('li', {}, h('span', { class: 'muted', text: `${hint.source}: ` }), hint.text, hint.url ? [' (', link(hint.url, 'link'), ')'] : null)))));
  }
  if (s.id === 'timeline') card.appendChild(h('p', { class: 'small' }, `${report.timeline.length} entries. `, h('a', { text: canEdit ? 'See and edit the timeline on the incident page' : 'See the timeline on the incident page', attrs: { href: pageUrl } })));
  card.appendChild(markdownField({ ...input, key, label: `Your text for "${s.title}" (Markdown)`, note: SECTION_NOTES[s.id], value: input.baseValues[key] }));
  if (s.id === 'prevention') appendPrevention(card, input);
  return card;
}

/** Action items, and for editors the reason none are needed. @param {HTMLElement} card @param {SectionsInput} input */
function appendPrevention(card, { report, baseValues, canEdit, form, actionItemsSlot, onInput }) {
  card.appendChild(h('h3', { text: 'Action items' }));
  card.appendChild(actionItemsSlot);
  card.appendChild(form.problemSlot('actionItems'));
  if (canEdit) {
    const input = h('input', { attrs: { type: 'text', name: 'preventionNoneNeeded', maxlength: '2000' }, props: { value: baseValues.preventionNoneNeeded }, on: { input: onInput } });
    form.controls.set('preventionNoneNeeded', input);
    card.appendChild(field('No action items needed because (instead of action items)', input));
  } else if (report.preventionNoneNeeded.text) {
    card.appendChild(h('p', {}, h('strong', { text: 'No action items needed: ' }), report.preventionNoneNeeded.text));
  }
}

/** @param {SectionsInput} input */
function customerCard(input) {
  const statusEl = statusBadge(input.report.customerSummary.status);
  input.form.statusBadges.set('customerSummary', statusEl);
  return h('section', { class: 'card section-card section-customer', attrs: { 'aria-labelledby': 'sec-customer-h' } },
    h('div', { class: 'section-head' }, h('h2', { text: 'Customer summary', attrs: { id: 'sec-customer-h' } }), statusEl),
    h('p', { class: 'muted small', text: 'Shorter, for customers: the public status page shows it once published. No internal names or details.' }),
    markdownField({ ...input, key: 'customerSummary', label: 'Customer summary (Markdown)', note: 'Required to publish.', value: input.baseValues.customerSummary }));
}

/** The drafted facts at the top of the summary section. @param {Report['summary']} s */
function summaryFacts(s) {
  /** @param {string} term @param {import('../dom.js').Child} value */
  const fact = (term, value) => h('div', { class: 'fact' }, h('dt', { text: term }), h('dd', {}, value));
  return h('dl', { class: 'facts facts-compact' },
    fact('Severity', s.severity ?? '—'),
    fact('Started', timeEl(s.startedAt)),
    fact('Ended', s.endedAt ? h('span', {}, timeEl(s.endedAt), s.endNote ? h('span', { class: 'muted small', text: ` (${s.endNote})` }) : null) : 'ongoing'),
    fact('Duration', formatDuration(s.durationMs)),
    fact('Services', s.affectedServices.join(', ') || '—'),
    fact('Customer-facing', s.customerFacing === null ? 'unknown' : s.customerFacing ? 'yes' : 'no'),
    s.pages?.length ? fact('Paged', pagesList(s.pages)) : null);
}
