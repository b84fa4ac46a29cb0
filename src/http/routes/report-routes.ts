import { z } from 'zod';
import type { Role } from '../../config/config.schema';
import { renderReportMarkdown } from '../../domain/report/report-to-markdown';
import type { ReportPatch } from '../../domain/report/report-patch';
import type { ReportService } from '../../services/report-service';
import { ApiAuthenticator } from '../api-auth';
import { idParamsSchema } from '../api-schemas';
import {
  auditPageSchema, auditQuerySchema, autosaveAnswerSchema, autosaveBodySchema, reportPatchSchema, reportViewSchema, requestBodySchema, staleReportSchema, suspectVerdictBodySchema,
  transitionBodySchema, versionListSchema, versionParamsSchema, waiveBodySchema,
} from '../report-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse, noIncident } from '../route-responses';

export interface ReportRouteDeps {
  reports: ReportService;
}

const stale = { 409: { description: 'If-Match is not the current ETag: the body\'s `current` holds the current version, ETag and report', schema: staleReportSchema } };
const reportOk = { 200: { description: 'The report; the ETag header holds its current ETag', schema: reportViewSchema } };

/**
 * The post-mortem report: read (JSON, Markdown), complete (PATCH with If-Match), workflow,
 * post-mortem request/waiver, versions and audit trail. Every report answer carries `ETag`.
 */
export function reportRoutes(deps: ReportRouteDeps): RouteDef[] {
  const { reports } = deps;
  const ifMatch = (header: string | string[] | undefined) => (Array.isArray(header) ? header.join(',') : header);
  return [
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report', operationId: 'getReport', tags: ['reports'],
      summary: 'The post-mortem report: machine-drafted parts derived from the incident, human-completed parts as written',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { ...reportOk, ...noIncident },
      handler: async ({ res, params }) => {
        const view = await reports.getReport(params.id);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report.md', operationId: 'getReportMarkdown', tags: ['reports'],
      summary: 'The post-mortem report as Markdown (human text as written, alert text escaped)',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'Markdown', contentType: 'text/markdown', schema: z.string() }, ...noIncident },
      handler: async ({ res, params }) => {
        const view = await reports.getReport(params.id);
        res.setHeader('ETag', view.etag).type('text/markdown; charset=utf-8').send(renderReportMarkdown(view));
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/v1/incidents/:id/report', operationId: 'patchReport', tags: ['reports'],
      summary: 'Complete the report (merge semantics: absent unchanged, null clears); needs If-Match with the current ETag. Editing a published version starts a new one.',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: reportPatchSchema,
      responses: {
        ...reportOk, ...noIncident, ...stale,
        428: errorResponse('No If-Match header, or If-Match: * (it matches any version, so it cannot prevent a lost update)'),
      },
      handler: async ({ req, res, params, body, actor }) => {
        const view = await reports.patchReport(params.id, body as ReportPatch, ifMatch(req.headers['if-match']), actor!);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/report/transitions', operationId: 'transitionReport', tags: ['reports'],
      summary: 'Move the report: draft -> in_review -> published (publisher role), in_review -> draft, published -> draft (new version). If-Match optional.',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: transitionBodySchema,
      responses: {
        ...reportOk, ...noIncident,
        409: { description: 'Not allowed from the current status, or If-Match is stale (then with `current`)', schema: staleReportSchema },
        422: errorResponse('Cannot submit for review (cause and fix) or publish (also prevention and customer summary): details list each missing part by field path'),
      },
      handler: async ({ req, res, params, body, actor }) => {
        const { to } = body as z.infer<typeof transitionBodySchema>;
        if (to === 'published') ApiAuthenticator.authorize({ name: actor!, role: res.locals.role as Role }, 'publisher');
        const view = await reports.transition(params.id, to, ifMatch(req.headers['if-match']), actor!);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/report/suspects', operationId: 'setSuspectVerdict', tags: ['reports'],
      summary: 'Mark a suspect (a change linked before the first alert) as the cause, dismiss it, or take the verdict back (null). Recorded in the audit trail; on a published version it starts a new one. If-Match optional.',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: suspectVerdictBodySchema,
      responses: {
        ...reportOk, ...noIncident,
        409: { description: 'If-Match is stale (with `current`)', schema: staleReportSchema },
        422: errorResponse('The change is not one of the incident\'s suspects'),
      },
      handler: async ({ req, res, params, body, actor }) => {
        const { changeId, verdict } = body as z.infer<typeof suspectVerdictBodySchema>;
        const view = await reports.setSuspectVerdict(params.id, changeId, verdict, ifMatch(req.headers['if-match']), actor!);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/report/request', operationId: 'requestPostmortem', tags: ['reports'],
      summary: 'Ask for a post-mortem of this incident whatever the policy says',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: requestBodySchema,
      responses: { ...reportOk, ...noIncident },
      handler: async ({ res, params, body, actor }) => {
        const view = await reports.requestPostmortem(params.id, (body as z.infer<typeof requestBodySchema>).reason ?? null, actor!);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/report/waive', operationId: 'waivePostmortem', tags: ['reports'],
      summary: 'Waive the post-mortem of this incident, with a reason',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: waiveBodySchema,
      responses: { ...reportOk, ...noIncident },
      handler: async ({ res, params, body, actor }) => {
        const view = await reports.waivePostmortem(params.id, (body as z.infer<typeof waiveBodySchema>).reason, actor!);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report/autosave', operationId: 'getReportAutosave', tags: ['reports'],
      summary: 'The caller\'s own unsaved text on this report (autosave), or null',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      responses: { 200: { description: 'The caller\'s autosave', schema: autosaveAnswerSchema }, ...noIncident },
      handler: async ({ res, params, actor }) => {
        res.setHeader('Cache-Control', 'no-store').json({ autosave: await reports.getAutosave(params.id, actor!) });
      },
    }),
    defineRoute({
      method: 'put', path: '/api/v1/incidents/:id/report/autosave', operationId: 'putReportAutosave', tags: ['reports'],
      summary: 'Keep the caller\'s unsaved text (per person, replaced by the next). Not a revision: the report and its ETag do not change; save with PATCH and If-Match.',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: autosaveBodySchema,
      responses: {
        200: { description: 'The stored autosave', schema: autosaveAnswerSchema }, ...noIncident,
        409: errorResponse('`baseEtag` names a published version: start a new version to change it'),
      },
      handler: async ({ res, params, body, actor }) => {
        const input = body as z.infer<typeof autosaveBodySchema>;
        res.json({ autosave: await reports.putAutosave(params.id, input, actor!) });
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/incidents/:id/report/autosave', operationId: 'deleteReportAutosave', tags: ['reports'],
      summary: 'Forget the caller\'s unsaved text on this report (saved or discarded)',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      responses: { 204: { description: 'Forgotten (also when there was none)' }, ...noIncident },
      handler: async ({ res, params, actor }) => {
        await reports.deleteAutosave(params.id, actor!);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report/versions', operationId: 'listReportVersions', tags: ['reports'],
      summary: 'Every version of the report: published ones (frozen) and the current one',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'Versions, oldest first', schema: versionListSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        res.json({ items: await reports.listVersions(params.id) });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report/versions/:n', operationId: 'getReportVersion', tags: ['reports'],
      summary: 'One version of the report: a published snapshot as it was published, or the current draft',
      access: { kind: 'api', role: 'viewer' },
      params: versionParamsSchema,
      responses: { ...reportOk, 404: errorResponse('No such incident or version') },
      handler: async ({ res, params }) => {
        const { id, n: version } = params as z.infer<typeof versionParamsSchema>;
        const view = await reports.getVersion(id, version);
        res.setHeader('ETag', view.etag).json(view);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report/audit', operationId: 'getReportAudit', tags: ['reports'],
      summary: 'Who changed what on the report and its action items, and when (oldest first)',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      query: auditQuerySchema,
      responses: { 200: { description: 'Audit entries', schema: auditPageSchema }, ...noIncident },
      handler: async ({ res, params, query }) => {
        res.json(await reports.listAudit(params.id, query as z.infer<typeof auditQuerySchema>));
      },
    }),
  ] as RouteDef[];
}
