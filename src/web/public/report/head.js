// The report's heading: title, status and version, who changed and published it, whether a
// post-mortem is required, and for editors the controls to request or waive one.

import { field, h, replace } from '../dom.js';
import { badge, reportStatusLabel, timeEl } from '../format.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {(kind: 'request' | 'waive', reason: string | null) => void} OnPostmortem */

/**
 * @param {HTMLElement} el
 * @param {{ report: Report, pageUrl: string, canEdit: boolean, onPostmortem: OnPostmortem }} opts
 */
export function renderHead(el, { report, pageUrl, canEdit, onPostmortem }) {
  const pm = report.postmortem;
  replace(el,
    h('h1', {}, 'Post-mortem: ', h('a', { text: report.summary.title, attrs: { href: pageUrl } })),
    h('p', { class: 'head-badges' },
      badge(report.status, reportStatusLabel(report.status)), ` version ${report.version}`,
      report.updatedBy ? h('span', { class: 'muted' }, ' · last changed by ', h('strong', { text: report.updatedBy }), ' ', timeEl(report.updatedAt)) : null,
      report.publishedBy ? h('span', { class: 'muted' }, ' · published by ', h('strong', { text: report.publishedBy }), ' ', timeEl(report.publishedAt)) : null),
    h('p', { class: 'muted small', attrs: { 'data-postmortem': pm.required ? 'required' : 'not-required' }, text: `Post-mortem ${pm.required ? 'required' : 'not required'} (${pm.reason.replace(/^(not )?required: /, '')}).` }),
    // A published version is a document: requesting or waiving belongs to the work before it.
    canEdit && report.status !== 'published' ? postmortemControls(pm.required, onPostmortem) : null,
    report.status === 'published' && canEdit ? h('p', { class: 'banner banner-info', attrs: { 'data-frozen': '' }, text: 'This version is published and frozen. To change it, choose "Start a new version"; this one stays readable in the history.' }) : null);
}

/** Request or waive the post-mortem (editors); a waiver needs a reason. @param {boolean} required @param {OnPostmortem} onPostmortem */
function postmortemControls(required, onPostmortem) {
  const box = h('div', { class: 'postmortem-controls no-print' });
  if (!required) {
    box.appendChild(h('button', {
      class: 'button', text: 'Request a post-mortem', attrs: { type: 'button', 'data-action': 'request-postmortem' },
      on: { click: () => onPostmortem('request', null) },
    }));
    return box;
  }
  const reason = h('input', { attrs: { type: 'text', required: true, maxlength: '1000', placeholder: 'e.g. test traffic only, no customer impact' } });
  box.appendChild(h('details', { class: 'waive' },
    h('summary', { text: 'Waive the post-mortem' }),
    h('form', {
      attrs: { 'aria-label': 'Waive the post-mortem' },
      on: {
        submit: (ev) => {
          ev.preventDefault();
          if (!reason.value.trim()) { reason.focus(); return; }
          onPostmortem('waive', reason.value.trim());
        },
      },
    }, field('Reason for waiving', reason),
    h('button', { class: 'button', text: 'Waive post-mortem', attrs: { type: 'submit', 'data-action': 'waive-postmortem' } }))));
  return box;
}
