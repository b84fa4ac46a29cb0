// Declaring an incident by hand: a customer reported an outage no alert did. The form posts to
// POST /api/v1/incidents and opens the new incident's report draft, so the post-mortem can start
// at once; alerts found later are moved into it from the review page.

import { ApiError, request, seg } from './api.js';
import { h, replace } from './dom.js';
import { fromLocalInput, toLocalInput } from './format.js';
import { allowed, announce, mainEl } from './layout.js';

const SEVERITIES = ['critical', 'error', 'high', 'warning', 'medium', 'low', 'info', 'none'];

/** The API's field paths, named as the form labels them. */
const LABELS = {
  'body.title': 'Title', 'body.services': 'Affected services', 'body.severity': 'Severity',
  'body.start': 'Impact started', 'body.end': 'Impact ended', 'body.missedByMonitoring': 'Monitoring missed this',
};

/** @param {{ name: string, role: string }} user */
export async function render(user) {
  const main = mainEl();
  main.append(h('div', { class: 'page-head' }, h('h1', { text: 'Declare an incident' })));
  if (!allowed(user, 'editor')) {
    main.append(h('p', { text: 'Declaring an incident needs the editor role. Ask someone who has it, or sign in with another token.' }));
    return;
  }
  const ui = {
    title: h('input', { attrs: { type: 'text', name: 'title', required: true, maxlength: 200, autocomplete: 'off' } }),
    services: h('input', { attrs: { type: 'text', name: 'services', required: true, autocomplete: 'off' } }),
    severity: h('select', { attrs: { name: 'severity' } }, SEVERITIES.map((s) => h('option', { text: s, attrs: { value: s } }))),
    start: h('input', { attrs: { type: 'datetime-local', name: 'start', required: true }, props: { value: toLocalInput(new Date(Date.now() - 30 * 60_000).toISOString()) } }),
    end: h('input', { attrs: { type: 'datetime-local', name: 'end' } }),
    missed: h('input', { attrs: { type: 'checkbox', name: 'missedByMonitoring' }, props: { checked: true } }),
    problems: h('div', { attrs: { 'aria-live': 'polite' } }),
    submit: h('button', { class: 'button button-primary', text: 'Declare incident', attrs: { type: 'submit' } }),
  };
  const form = h('form', { class: 'card declare-form', attrs: { novalidate: true }, on: { submit: (event) => { event.preventDefault(); void submit(ui); } } },
    h('p', { class: 'hint', text: 'For an outage monitoring did not report (a customer did). It gets a timeline, a report and the post-mortem policy like any incident; alerts found later can be moved into it from the correlation review.' }),
    labelled('Title', ui.title, 'What customers experienced, in a few words.'),
    labelled('Affected services', ui.services, 'Comma-separated, e.g. checkout, payments.'),
    labelled('Severity', ui.severity),
    labelled('Impact started', ui.start, 'Your local time.'),
    labelled('Impact ended', ui.end, 'Leave empty while it is ongoing; the incident stays open until an end is given.'),
    h('div', { class: 'field field-check' }, h('label', {}, ui.missed, ' Monitoring missed this (no alert reported it)')),
    ui.problems,
    h('div', { class: 'actions' }, ui.submit, h('a', { class: 'button', text: 'Cancel', attrs: { href: '/ui/incidents' } })));
  main.append(form);
  ui.title.focus();
}

/** @param {string} label @param {HTMLElement} control @param {string} [hint] */
function labelled(label, control, hint) {
  control.id = `declare-${control.getAttribute('name')}`;
  if (hint) control.setAttribute('aria-describedby', `${control.id}-hint`);
  return h('div', { class: 'field' },
    h('label', { text: label, attrs: { for: control.id } }), control,
    hint ? h('p', { class: 'hint', text: hint, attrs: { id: `${control.id}-hint` } }) : null);
}

/**
 * @param {{ title: HTMLInputElement, services: HTMLInputElement, severity: HTMLSelectElement, start: HTMLInputElement, end: HTMLInputElement,
 *   missed: HTMLInputElement, problems: HTMLElement, submit: HTMLButtonElement }} ui
 */
async function submit(ui) {
  const services = ui.services.value.split(',').map((s) => s.trim()).filter(Boolean);
  const start = fromLocalInput(ui.start.value);
  /** @type {Array<[string, string]>} */
  const missing = [];
  if (!ui.title.value.trim()) missing.push(['Title', 'must not be empty']);
  if (services.length === 0) missing.push(['Affected services', 'name at least one']);
  if (!start) missing.push(['Impact started', 'give a date and time']);
  if (missing.length) {
    showProblems(ui.problems, missing);
    return;
  }
  ui.submit.disabled = true;
  try {
    const body = {
      title: ui.title.value.trim(), services, severity: ui.severity.value, start, end: fromLocalInput(ui.end.value),
      missedByMonitoring: ui.missed.checked,
    };
    const { data } = await request('/api/v1/incidents', { method: 'POST', body });
    announce('Incident declared; opening its report');
    location.assign(`/ui/incidents/${seg(/** @type {{ id: string }} */ (data).id)}/report`);
  } catch (err) {
    ui.submit.disabled = false;
    const details = err instanceof ApiError ? err.details : [];
    showProblems(ui.problems, details.length
      ? details.map((d) => [LABELS[/** @type {keyof typeof LABELS} */ (d.path)] ?? 'The form', d.message])
      : [['Could not declare the incident', err instanceof Error ? err.message : String(err)]]);
  }
}

/** @param {HTMLElement} slot @param {Array<[string, string]>} problems */
function showProblems(slot, problems) {
  replace(slot, h('div', { class: 'banner banner-error', attrs: { role: 'alert' } },
    h('p', {}, h('strong', { text: 'The incident was not declared:' })),
    h('ul', {}, problems.map(([label, message]) => h('li', {}, h('strong', { text: label }), `: ${message}`)))));
}
