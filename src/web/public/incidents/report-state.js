// What the incident list says about each incident's post-mortem: the report's status and
// versions ("Published v1, draft v2 in progress"), or that nobody has to write one (waived,
// not required). The report filter picks rows by the same states.

import { reportStatusLabel } from '../format.js';

/** @typedef {import('../api-types').Incident} Incident */
/** @typedef {import('../api-types').ReportStatusItem} ReportStatusItem */
/** @typedef {'draft' | 'in_review' | 'published' | 'waived' | 'not_required'} ReportFilter */
/**
 * `kind` picks the badge; `keys` are the filters that show the row (a new version in progress
 * after a published one shows under both).
 * @typedef {{ kind: string, label: string, keys: ReportFilter[] }} ReportState
 */

/** The filter's choices, as [value, label]. @type {Array<[string, string]>} */
export const REPORT_FILTERS = [
  ['', 'Any'], ['draft', 'Draft'], ['in_review', 'In review'], ['published', 'Published'], ['waived', 'Waived'], ['not_required', 'Not required'],
];

/**
 * @param {ReportStatusItem} st @param {Pick<Incident, 'postmortem'>} inc
 * @returns {ReportState}
 */
export function reportState(st, inc) {
  if (st.status === 'published') return { kind: 'published', label: `Published v${st.version}`, keys: ['published'] };
  const work = st.status === 'in_review' ? `v${st.version} in review` : `draft v${st.version} in progress`;
  if (st.publishedVersion !== null) return { kind: st.status, label: `Published v${st.publishedVersion}, ${work}`, keys: ['published', st.status] };
  if (st.status === 'draft' && st.postmortem === 'waived') return { kind: 'waived', label: 'Waived', keys: ['waived'] };
  if (st.status === 'draft' && !inc.postmortem?.required) return { kind: 'not_required', label: 'Not required', keys: ['not_required'] };
  return { kind: st.status, label: reportStatusLabel(st.status), keys: [st.status] };
}
