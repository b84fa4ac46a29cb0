// The API calls of the report page, for one incident. Panels get this object instead of
// building URLs themselves.

import { getJson, request, seg } from '../api.js';
import { download } from '../download.js';

/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').ReportPatch} ReportPatch */
/** @typedef {import('../api-types').ReportStatus} ReportStatus */
/** @typedef {import('../api-types').ReportVersion} ReportVersion */
/** @typedef {import('../api-types').ReportAuditEntry} ReportAuditEntry */
/** @typedef {import('../api-types').ActionItem} ActionItem */
/** @typedef {import('../api-types').ActionItemBody} ActionItemBody */
/** @typedef {import('../api-types').ReportAutosave} Autosave */
/** @typedef {Pick<Autosave, 'baseEtag' | 'fields'>} AutosaveBody */
/** A report as the server returned it, with the ETag to send with the next write. @typedef {{ report: Report, etag: string }} Stored */
/** @typedef {ReturnType<typeof reportApi>} ReportApi */

/** @param {string} incidentId */
export function reportApi(incidentId) {
  const base = `/api/v1/incidents/${seg(incidentId)}`;
  /** @param {{ data: any, etag: string | null }} res @returns {Stored} */
  const stored = (res) => ({ report: res.data, etag: res.etag ?? res.data.etag });
  return {
    /** @returns {Promise<Stored>} */
    read: async () => stored(await request(`${base}/report`)),
    /** Saves changed fields; a 409 means someone else saved first. @param {ReportPatch} patch @param {string} etag @returns {Promise<Stored>} */
    save: async (patch, etag) => stored(await request(`${base}/report`, { method: 'PATCH', body: patch, ifMatch: etag })),
    /** @param {ReportStatus} to @param {string} etag @returns {Promise<Stored>} */
    transition: async (to, etag) => stored(await request(`${base}/report/transitions`, { method: 'POST', body: { to }, ifMatch: etag })),
    /** @param {'request' | 'waive'} kind @param {string | null} reason @returns {Promise<Stored>} */
    setPostmortem: async (kind, reason) => stored(await request(`${base}/report/${kind}`, { method: 'POST', body: reason === null ? {} : { reason } })),
    /**
     * Marks a suspect as the cause, dismisses it, or (null) takes the verdict back.
     * @param {string} changeId @param {import('../api-types').SuspectVerdict | null} verdict @returns {Promise<Stored>}
     */
    setSuspect: async (changeId, verdict) => stored(await request(`${base}/report/suspects`, { method: 'POST', body: { changeId, verdict } })),
    /** The user's own unsaved text on this report, or null. @returns {Promise<Autosave | null>} */
    autosave: async () => (await getJson(`${base}/report/autosave`)).autosave,
    /** Keeps the user's unsaved text (never a revision of the report). @param {AutosaveBody} body @returns {Promise<Autosave>} */
    putAutosave: async (body) => (await request(`${base}/report/autosave`, { method: 'PUT', body })).data.autosave,
    deleteAutosave: () => request(`${base}/report/autosave`, { method: 'DELETE' }),
    /** @returns {Promise<{ items: ReportVersion[] }>} */
    versions: () => getJson(`${base}/report/versions`),
    /** @param {string} version @returns {Promise<Report>} */
    version: (version) => getJson(`${base}/report/versions/${seg(version)}`),
    /** @returns {Promise<{ items: ReportAuditEntry[] }>} */
    audit: () => getJson(`${base}/report/audit?limit=200`),
    /** @returns {Promise<ActionItem[]>} */
    actionItems: async () => (await getJson(`${base}/action-items`)).items,
    /** @param {ActionItemBody} body */
    addActionItem: (body) => request(`${base}/action-items`, { method: 'POST', body }),
    /** @param {string} itemId @param {ActionItemBody} body */
    updateActionItem: (itemId, body) => request(`/api/v1/action-items/${seg(itemId)}`, { method: 'PATCH', body }),
    /** @param {string} itemId */
    deleteActionItem: (itemId) => request(`/api/v1/action-items/${seg(itemId)}`, { method: 'DELETE' }),
    /** The configured trackers (none: no "create issue" buttons). @returns {Promise<Array<{ kind: 'github' | 'jira', name: string }>>} */
    trackers: async () => (await getJson('/api/v1/trackers')).items,
    /** Makes (or finds) the item's issue in a tracker. @param {string} itemId @param {'github' | 'jira'} tracker */
    createTrackerIssue: (itemId, tracker) => request(`/api/v1/action-items/${seg(itemId)}/tracker-issue`, { method: 'POST', body: { tracker } }),
    downloadHtml: () => download(`${base}/report.html?download=1`, `postmortem-${incidentId}.html`),
    downloadMarkdown: () => download(`${base}/report.md`, `postmortem-${incidentId}.md`),
  };
}
