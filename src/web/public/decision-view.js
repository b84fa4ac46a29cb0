// How a correlation decision reads, on the incident and review pages: the winning rule and its
// evidence first, in one line; then the sentence that explains it; the other links and rules,
// and why they did not place the alert, folded behind "Why not others". Older decisions without
// evidence or the list read as their sentence alone.

import { h } from './dom.js';
import { badge, formatDuration, timeEl } from './format.js';

/** @typedef {import('./api-types').CorrelationDecision} CorrelationDecision */
/** @typedef {import('./api-types').LabelPair} LabelPair */

const STRENGTH_TEXT = { explicit: 'explicit link', strong: 'strong evidence', moderate: 'moderate evidence', weak: 'weak evidence' };

/** `strong evidence`, as a pill whose text carries the meaning. @param {NonNullable<CorrelationDecision['evidence']>['strength']} strength */
export const strengthBadge = (strength) => (strength ? badge(`evidence-${strength}`, STRENGTH_TEXT[strength]) : null);

/** The decision in one line: who or which rule placed the alert, and its evidence. @param {CorrelationDecision} d */
export function decisionLine(d) {
  if (d.kind === 'human') {
    return h('p', { class: 'decision-line' }, h('strong', { text: `Placed by ${d.decidedBy}` }), ` (${d.rule ?? 'correction'}) `, h('span', { class: 'muted' }, timeEl(d.decidedAt)));
  }
  if (d.kind === 'new-incident') {
    return h('p', { class: 'decision-line' }, h('strong', { text: 'Opened this incident' }), ': no link or rule placed it in another');
  }
  const ev = d.evidence;
  /** @type {Array<string>} */
  const facts = [];
  if (ev) facts.push(`score ${ev.score.toFixed(2)}`);
  if (ev?.via) facts.push(`via ${ev.via}`);
  if (ev && ev.depth > 0) facts.push(`depth ${ev.depth}`);
  if (d.gapMs !== null && d.gapMs !== undefined) facts.push(`gap ${formatDuration(d.gapMs)}`);
  return h('p', { class: 'decision-line' },
    strengthBadge(ev?.strength ?? null), ev?.strength ? ' ' : null,
    h('strong', {}, 'Rule ', h('code', { text: d.rule ?? '' })),
    facts.length ? h('span', { class: 'decision-facts', text: ` · ${facts.join(' · ')}` }) : null);
}

/**
 * The sentence to show under the line. A new incident's sentence lists every rule's miss; with
 * that list folded below, its lead is enough.
 * @param {CorrelationDecision} d
 */
export function decisionSentence(d) {
  if (d.kind !== 'new-incident' || !d.others?.length) return d.explanation;
  const list = `: ${d.others.join('; ')}.`;
  return d.explanation.includes(list) ? d.explanation.replace(list, '.') : d.explanation;
}

/** "Why not others": one item per other link or rule, its name first. Null when the decision has none. @param {CorrelationDecision} d */
export function whyNotOthers(d) {
  if (!d.others?.length) return null;
  return h('details', { class: 'why-not' },
    h('summary', { text: `Why not others (${d.others.length})` }),
    h('ul', { class: 'small' }, d.others.map((o) => {
      const at = o.indexOf(': ');
      return at > 0 ? h('li', {}, h('code', { text: o.slice(0, at) }), `: ${o.slice(at + 2)}`) : h('li', { text: o });
    })));
}

/** The labels that tell an alert apart from same-named ones, as `pod=checkout-b` chips. @param {LabelPair[] | undefined} pairs */
export function apartLabels(pairs) {
  if (!pairs?.length) return null;
  return h('ul', { class: 'labels apart', attrs: { 'aria-label': 'Told apart by' } },
    pairs.map((p) => h('li', { class: 'label' }, h('span', { class: 'label-k', text: p.name }), '=', h('span', { class: 'label-v', text: p.value || '(none)' }))));
}

/** `HighErrorRate (pod=checkout-b)`: an alert's name with what tells it apart, for lists and dialogs. @param {string} name @param {LabelPair[] | undefined} pairs */
export const nameApart = (name, pairs) => (pairs?.length ? `${name} (${pairs.map((p) => `${p.name}=${p.value || '(none)'}`).join(', ')})` : name);
