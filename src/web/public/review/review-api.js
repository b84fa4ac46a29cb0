// The API calls of the correlation review page, for one incident.

import { getJson, qs, request, seg } from '../api.js';

/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */
/** @typedef {import('../api-types').Alert} Alert */
/** @typedef {import('../api-types').IncidentPage} IncidentPage */
/** @typedef {import('../api-types').CorrelationAudit} CorrelationAudit */
/** @typedef {import('../api-types').SplitResult} SplitResult */
/** @typedef {import('../api-types').MergeResult} MergeResult */
/** @typedef {import('../api-types').MoveResult} MoveResult */
/** @typedef {import('../api-types').SameOutageSuggestion} SameOutageSuggestion */
/** @typedef {ReturnType<typeof reviewApi>} ReviewApi */

/** A correction's optional reason, left out when blank. @param {string} reason */
const withReason = (reason) => (reason ? { reason } : {});

/** @param {string} incidentId */
export function reviewApi(incidentId) {
  const base = `/api/v1/incidents/${seg(incidentId)}`;
  return {
    /** @returns {Promise<IncidentDetail>} */
    detail: () => getJson(base),
    /** Another incident (the one a split created). @param {string} id @returns {Promise<IncidentDetail>} */
    otherDetail: (id) => getJson(`/api/v1/incidents/${seg(id)}`),
    /** @returns {Promise<CorrelationAudit>} */
    audit: () => getJson(`${base}/audit`),
    /** One alert, wherever it is now (the audit trail names alerts moved away). @param {string} id @returns {Promise<Alert>} */
    alert: (id) => getJson(`/api/v1/alerts/${seg(id)}`),
    /**
     * Incidents to pick from (up to 200), by status, service and severity (empty: any).
     * @param {{ status: string, service?: string, severity?: string }} filters @returns {Promise<IncidentPage>}
     */
    incidents: ({ status, service, severity }) => getJson(`/api/v1/incidents${qs({ status, service, severity, limit: 200 })}`),
    /** @param {string[]} alertIds @param {string} reason @returns {Promise<SplitResult>} */
    split: async (alertIds, reason) => (await request(`${base}/split`, { method: 'POST', body: { alertIds, ...withReason(reason) } })).data,
    /** @param {string} alertId @param {string} toIncidentId @param {string} reason @returns {Promise<MoveResult>} */
    move: async (alertId, toIncidentId, reason) => (await request(`/api/v1/alerts/${seg(alertId)}/move`, { method: 'POST', body: { incidentId: toIncidentId, ...withReason(reason) } })).data,
    /** Incidents that may be the same outage. @returns {Promise<{ suggestions: SameOutageSuggestion[] }>} */
    sameOutage: () => getJson(`${base}/same-outage`),
    /**
     * `remember`: record the services this merge brings together (merge and remember).
     * @param {string[]} sourceIncidentIds @param {string} reason @param {boolean} remember @returns {Promise<MergeResult>}
     */
    merge: async (sourceIncidentIds, reason, remember) => (await request(`${base}/merge`, { method: 'POST', body: { sourceIncidentIds, ...withReason(reason), ...(remember ? { remember: true } : {}) } })).data,
  };
}
