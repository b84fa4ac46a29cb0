// The three corrections of the review page: split selected alerts into a new incident, move
// one alert to another incident, merge other incidents into this one. Each is confirmed first
// with what will change, and its result, with the recorded explanation, shows right after.

import { seg } from '../api.js';
import { alertCard } from '../alert-card.js';
import { h, replace } from '../dom.js';
import { plural } from '../format.js';
import { announce, confirmChange, errorBanner } from '../layout.js';
import { alertName, alertNameIn } from './alerts-table.js';
import { pickIncidents } from './incident-picker.js';

/** @typedef {import('../api-types').Alert} Alert */
/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */
/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('../dom.js').Child} Child */
/** @typedef {import('./review-api.js').ReviewApi} ReviewApi */
/**
 * The page's state (the incident under review) and what a correction uses: the reason field,
 * where results show, the ticked alerts, and the page's reload and redraw.
 * @typedef {{
 *   id: string, state: { detail: IncidentDetail }, api: ReviewApi, reason: HTMLInputElement, result: HTMLElement,
 *   selected: () => string[], reload: () => Promise<void>, redraw: () => void,
 * }} ReviewInput
 */

/** @param {ReviewInput} input */
const reasonOf = (input) => input.reason.value.trim();

/** @param {ReviewInput} input */
const reasonLine = (input) => (reasonOf(input) ? h('p', { text: `Reason: ${reasonOf(input)}` }) : null);

/** Each alert with what tells it apart from same-named ones in `detail`. @param {IncidentDetail} detail @param {Alert[]} alerts */
const alertList = (detail, alerts) => h('ul', {}, alerts.map((a) => h('li', { text: `${alertNameIn(detail, a)} (${a.status})` })));

/** @param {IncidentDetail} detail @param {Alert[]} alerts */
const alertCards = (detail, alerts) => h('ul', { class: 'alert-list' }, alerts.map((a) => h('li', {}, alertCard(a, detail.distinguishingLabels?.[a.id]))));

/** Shows a correction's result and moves focus to it. @param {ReviewInput} input @param {string} title @param {...Child} content */
function showResult(input, title, ...content) {
  const heading = h('h2', { text: title, attrs: { tabindex: '-1' } });
  replace(input.result, h('section', { class: 'card result', attrs: { 'aria-label': 'Result' } }, heading, content));
  heading.focus();
}

/** @param {ReviewInput} input */
export async function split(input) {
  const { detail } = input.state;
  const ids = input.selected();
  const moving = detail.alerts.filter((a) => ids.includes(a.id));
  const staying = detail.alerts.filter((a) => !ids.includes(a.id));
  const ok = await confirmChange({
    title: 'Split into a new incident?',
    confirmLabel: `Split ${plural(moving.length, 'alert')} off`,
    summary: h('div', { class: 'change-summary' },
      h('p', { text: `A new incident is created with ${plural(moving.length, 'alert')}:` }), alertList(detail, moving),
      h('p', { text: `"${detail.title}" keeps ${plural(staying.length, 'alert')}:` }), alertList(detail, staying),
      reasonLine(input),
      h('p', { class: 'muted small', text: 'Both timelines record the split with your name; rules will not merge the two back.' })),
  });
  if (!ok) return;
  try {
    const created = (await input.api.split(ids, reasonOf(input))).newIncident;
    const createdDetail = await input.api.otherDetail(created.id);
    showResult(input, `Split: ${plural(moving.length, 'alert')} moved to a new incident`,
      h('p', {}, 'New incident: ', h('a', { text: created.title, attrs: { href: `/ui/incidents/${seg(created.id)}` } })),
      alertCards(createdDetail, createdDetail.alerts));
    input.reason.value = '';
    await input.reload();
    announce(`Split done: new incident ${created.title}`);
  } catch (err) {
    replace(input.result, errorBanner(err, 'Split failed'));
  }
}

/** @param {ReviewInput} input @param {Alert} a */
export async function move(input, a) {
  const name = alertNameIn(input.state.detail, a);
  const target = await pickIncidents({ title: `Move ${name} to…`, excludeId: input.id, multiple: false, actionLabel: 'Continue' }, input.api);
  const to = target?.[0];
  if (!to) return;
  const ok = await confirmChange({
    title: 'Move this alert?',
    confirmLabel: 'Move alert',
    summary: h('div', { class: 'change-summary' },
      h('p', {}, 'Alert ', h('strong', { text: name }), ' moves', h('br'),
        'from ', h('strong', { text: input.state.detail.title }), h('br'),
        'to ', h('strong', { text: to.title }), ` (${to.status}, ${plural(to.alertCount, 'alert')}).`),
      reasonLine(input),
      h('p', { class: 'muted small', text: 'Its re-sent notifications and later firings follow it there; the rest of its group stays where the rules put it.' })),
  });
  if (!ok) return;
  try {
    const moved = await input.api.move(a.id, to.id, reasonOf(input));
    showResult(input, `Moved ${alertName(a)} to "${moved.to.title}"`,
      h('p', {}, 'Now in: ', h('a', { text: moved.to.title, attrs: { href: `/ui/incidents/${seg(moved.to.id)}` } })),
      alertCard(moved.alert));
    input.reason.value = '';
    // The last alert moved away: nothing is left here to read again.
    if (input.state.detail.alerts.length <= 1) {
      input.state.detail = { ...input.state.detail, alerts: [] };
      input.redraw();
    } else {
      await input.reload();
    }
    announce(`Moved ${alertName(a)}`);
  } catch (err) {
    replace(input.result, errorBanner(err, 'Move failed'));
  }
}

/**
 * Merges other incidents into this one: those picked, or `given` (a same-outage suggestion).
 * The confirmation offers "remember", which records the services the merge brings together so
 * that they are suggested together next time.
 * @param {ReviewInput} input @param {Incident[] | null} [given]
 */
export async function merge(input, given = null) {
  const sources = given ?? await pickIncidents({ title: 'Merge into this incident', excludeId: input.id, multiple: true, actionLabel: 'Continue' }, input.api);
  if (!sources || sources.length === 0) return;
  const alerts = sources.reduce((n, s) => n + s.alertCount, 0);
  const remember = /** @type {HTMLInputElement} */ (h('input', { attrs: { type: 'checkbox', name: 'remember' } }));
  const ok = await confirmChange({
    title: 'Merge these incidents?',
    confirmLabel: `Merge ${plural(sources.length, 'incident')}`,
    summary: h('div', { class: 'change-summary' },
      h('p', { text: `${plural(alerts, 'alert')} from ${plural(sources.length, 'incident')} move into "${input.state.detail.title}":` }),
      h('ul', {}, sources.map((s) => h('li', { text: `${s.title} (${s.status}, ${plural(s.alertCount, 'alert')})` }))),
      h('p', { text: 'Those incidents become "merged" and point here; their reports stop being drafted separately.' }),
      reasonLine(input),
      h('label', { class: 'checkbox' }, remember,
        ' Remember: these services failed as one outage. Later incidents on them that start close together are suggested for merging (never merged automatically), and the catalog is asked to name what they share.')),
  });
  if (!ok) return;
  try {
    const res = await input.api.merge(sources.map((s) => s.id), reasonOf(input), remember.checked);
    await input.reload();
    const moved = input.state.detail.alerts.filter((a) => res.movedAlertIds.includes(a.id));
    const remembered = res.remembered
      ? h('p', { text: res.remembered.links.length
        ? `Remembered: ${res.remembered.links.map((pair) => pair.join(' and ')).join('; ')}${res.remembered.failed ? ' (some links could not be recorded)' : ''}.`
        : 'Nothing new to remember: the incidents had the same services.' })
      : null;
    showResult(input, `Merged ${plural(sources.length, 'incident')}: ${plural(res.movedAlertIds.length, 'alert')} moved here`, remembered, alertCards(input.state.detail, moved));
    input.reason.value = '';
    announce(`Merged ${plural(sources.length, 'incident')}`);
  } catch (err) {
    replace(input.result, errorBanner(err, 'Merge failed'));
  }
}
