// The API calls of the incident page, for one incident.

import { getJson, request, seg } from '../api.js';
import { download } from '../download.js';

/** @typedef {import('../api-types').IncidentDetail} IncidentDetail */
/** @typedef {import('../api-types').Report} Report */
/** @typedef {import('../api-types').Measures} Measures */
/** @typedef {import('../api-types').TimelinePatch} TimelinePatch */
/**
 * Everything the page shows, read at once: the incident, its report (timeline, status) with
 * the ETag for writes, the response-time measures and the timeline picture (null when either
 * could not be read).
 * @typedef {{ detail: IncidentDetail, report: Report, etag: string, measures: Measures | null, svg: string | null }} Snapshot
 */
/** @typedef {ReturnType<typeof incidentApi>} IncidentApi */

/** @param {string} incidentId */
export function incidentApi(incidentId) {
  const base = `/api/v1/incidents/${seg(incidentId)}`;
  /** @returns {Promise<string>} */
  const timelineSvg = async () => (await request(`${base}/timeline.svg`, { as: 'text' })).data;
  return {
    /** @returns {Promise<Snapshot>} */
    read: async () => {
      const [detail, reportRes, exportDoc, svg] = await Promise.all([
        getJson(base),
        request(`${base}/report`),
        getJson(`${base}/report.json`).catch(() => null),
        timelineSvg().catch(() => null),
      ]);
      return { detail, report: reportRes.data, etag: reportRes.etag ?? reportRes.data.etag, measures: exportDoc?.measures ?? null, svg };
    },
    timelineSvg,
    /** Saves a timeline change; a 409 means the report changed meanwhile. @param {TimelinePatch} timeline @param {string} etag @returns {Promise<{ report: Report, etag: string }>} */
    patchTimeline: async (timeline, etag) => {
      const res = await request(`${base}/report`, { method: 'PATCH', body: { timeline }, ifMatch: etag });
      return { report: res.data, etag: res.etag ?? res.data.etag };
    },
    downloadHtml: () => download(`${base}/report.html?download=1`, `postmortem-${incidentId}.html`),
  };
}
