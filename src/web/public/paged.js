// The pages (PagerDuty incidents) an incident holds, named as responders know them: number and
// title, linked to the page in the paging tool. Shown by the incident head and the report.

import { h, link } from './dom.js';

/** @typedef {import('./api-types').PageRef} PageRef */

/**
 * `PagerDuty #1234 "Checkout is down"`; by its id when the number is not known.
 * @param {{ source?: string, id: string, number: number | null, title: string | null }} p
 */
export const pageName = (p) => `${!p.source || p.source === 'pagerduty' ? 'PagerDuty' : p.source} ${p.number !== null ? `#${p.number}` : p.id}${p.title ? ` "${p.title}"` : ''}`;

/** Each page by number and title, linked to it when the link is http(s), with its status. @param {PageRef[]} pages */
export function pagesList(pages) {
  return h('ul', { class: 'pages' }, pages.map((p) => h('li', {},
    link(p.url, pageName(p)), p.status ? h('span', { class: 'muted', text: ` (${p.status})` }) : null)));
}
