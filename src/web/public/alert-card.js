// One alert as the incident and review pages show it: name and status, when, where from,
// labels and annotations, and the correlation decision that placed it in its incident.

import { apartLabels, decisionLine, decisionSentence, whyNotOthers } from './decision-view.js';
import { h, link } from './dom.js';
import { badge, plural, timeEl } from './format.js';

/** @typedef {import('./api-types').Alert} Alert */
/** @typedef {import('./api-types').LabelPair} LabelPair */

/**
 * The service an alert belongs to, as the impact list names it: the first of the incident's
 * services that is one of the alert's label values.
 * @param {Alert} alert @param {string[]} services
 */
export function serviceOfAlert(alert, services) {
  const values = new Set(Object.values(alert.labels ?? {}));
  return services.find((s) => values.has(s)) ?? 'other';
}

/**
 * One alert with its labels, annotations and why it is in this incident; `apart`: the labels that
 * tell it from same-named alerts, shown under its name.
 * @param {Alert} a @param {LabelPair[]} [apart]
 */
export function alertCard(a, apart) {
  const labels = Object.entries(a.labels ?? {});
  const annotations = Object.entries(a.annotations ?? {});
  return h('article', { class: 'alert-card', dataset: { alertId: a.id } },
    h('h4', {}, h('span', { text: a.labels?.alertname ?? a.fingerprint }), ' ', badge(a.status, a.status)),
    apartLabels(apart),
    h('p', { class: 'small' }, 'From ', timeEl(a.startsAt), ' to ', a.endsAt ? timeEl(a.endsAt) : h('span', { text: 'now (firing)' }),
      ` · ${a.source} (${a.instance}) · ${plural(a.notificationCount, 'notification')}`,
      a.generatorUrl ? [' · ', link(a.generatorUrl, 'source graph')] : null),
    labels.length ? h('ul', { class: 'labels', attrs: { 'aria-label': 'Labels' } }, labels.map(([k, v]) => h('li', { class: 'label' }, h('span', { class: 'label-k', text: k }), '=', h('span', { class: 'label-v', text: v })))) : null,
    annotations.length ? h('dl', { class: 'annotations' }, annotations.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, /^https?:\/\//i.test(v) ? link(v, v) : v)])) : null,
    decision(a.decision));
}

/** Why the alert is in this incident: the rule and its evidence in one line, the sentence, the other rules folded. @param {Alert['decision']} d */
function decision(d) {
  return h('div', { class: ['decision', d.kind === 'human' ? 'decision-human' : null] },
    decisionLine(d),
    h('p', { class: 'decision-text', text: decisionSentence(d) }),
    whyNotOthers(d));
}
