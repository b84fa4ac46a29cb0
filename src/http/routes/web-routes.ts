import type { Response } from 'express';
import { z } from 'zod';
import { REPORT_STATUSES } from '../../domain/report/report-model';
import { NotFoundError } from '../../errors';
import type { ReportStore } from '../../store/report-store';
import { ASSET_FOLDER, ASSET_NAME, loadWebAssets, type WebAsset } from '../../web/web-assets';
import { renderPageShell, type WebPage } from '../../web/page-shell';
import { errorSchema, idParamsSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';

/**
 * The pages for engineers and SREs. Page routes are public HTML shells that hold no
 * data; the page scripts call the API with the user's token. One API route lives here too:
 * the report status of many incidents at once, which the incident list shows per row.
 */
export interface WebRouteDeps {
  reportStore: Pick<ReportStore, 'getReports'>;
  /** Static files by name (`app.js`, `report/sections.js`); default: `src/web/public` plus the markdown-it browser build. */
  assets?: Map<string, WebAsset>;
}

const html = z.string();
const assetResponses = {
  200: { description: 'The file', contentType: 'application/octet-stream', schema: z.string() },
  400: { description: 'Not an asset name', schema: errorSchema },
  404: { description: 'No such asset', schema: errorSchema },
};
const pageResponses = { 200: { description: 'The page (an HTML shell; data comes from the API)', contentType: 'text/html', schema: html } };

export const reportStatusListSchema = z.object({
  items: z.array(z.object({
    incidentId: z.string(),
    status: z.enum(REPORT_STATUSES),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
    publishedVersion: z.number().int().nullable()
      .describe('The newest published version: `version` when published, the one before while a new version is in draft or review, null when none was published'),
    postmortem: z.enum(['requested', 'waived']).nullable().describe('A person\'s request or waiver of the post-mortem; null when the policy alone decides'),
  })),
}).meta({ id: 'ReportStatusList' });

const reportStatusQuerySchema = z.object({
  incidentIds: z.string().min(1).max(20_000)
    .transform((text) => text.split(',').map((id) => id.trim()).filter(Boolean))
    .pipe(z.array(idParamsSchema.shape.id).min(1).max(200))
    .describe('Comma-separated incident ids (at most 200)'),
});

export function webRoutes(deps: WebRouteDeps): RouteDef[] {
  const assets = deps.assets ?? loadWebAssets();
  const page = (path: string, name: WebPage, operationId: string, summary: string, params?: typeof idParamsSchema) => defineRoute({
    method: 'get', path, operationId, tags: ['pages'], summary,
    access: { kind: 'public' },
    ...(params ? { params } : {}),
    responses: params ? { ...pageResponses, 400: { description: 'Invalid incident id', schema: errorSchema } } : pageResponses,
    handler: ({ res }) => {
      // The shell is the same for everyone; revalidate so a new release is picked up.
      res.setHeader('Cache-Control', 'no-cache');
      res.type('text/html; charset=utf-8').send(renderPageShell(name));
    },
  });
  const sendAsset = async (res: Response, name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new NotFoundError(`no asset "${name}"`);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(asset.contentType);
    await new Promise<void>((resolve, reject) => {
      res.sendFile(asset.file, { dotfiles: 'deny', lastModified: true, etag: true }, (err) => (err ? reject(err) : resolve()));
    });
  };
  return [
    defineRoute({
      method: 'get', path: '/ui', operationId: 'webHome', tags: ['pages'], summary: 'The pages\' start: redirects to the incident list',
      access: { kind: 'public' },
      responses: { 302: { description: 'Redirect to /ui/incidents' } },
      handler: ({ res }) => { res.redirect(302, '/ui/incidents'); },
    }),
    page('/ui/sign-in', 'sign-in', 'webSignIn', 'Sign-in page: paste an API token (kept in this browser tab only)'),
    page('/ui/incidents', 'incidents', 'webIncidents', 'Incident list page with filters and live updates'),
    page('/ui/declare', 'declare', 'webDeclareIncident', 'Declare an incident by hand (a customer reported it; monitoring missed it); opens its report draft'),
    page('/ui/incidents/:id', 'incident', 'webIncident', 'Incident page: facts, timeline picture and list, impact, alerts with correlation explanations', idParamsSchema),
    page('/ui/incidents/:id/review', 'review', 'webCorrelationReview', 'Correlation review page: split, move alerts, merge incidents', idParamsSchema),
    page('/ui/action-items', 'action-items', 'webOverdueActionItems', 'Overdue action items per team and owner, and the items with their reports and tracker issues'),
    page('/ui/admin/inbox', 'inbox', 'webInbox', 'Inbox page for admins: waiting, processed and dead entries with their error and requeues; requeue a dead letter'),
    page('/ui/incidents/:id/report', 'report', 'webReportEditor', 'Report editor page: sections, action items, transitions, conflicts, versions', idParamsSchema),
    defineRoute({
      method: 'get', path: '/ui/assets/:file', operationId: 'webAsset', tags: ['pages'],
      summary: 'A static file of the pages (scripts, styles, icons)',
      access: { kind: 'public' },
      params: z.object({ file: z.string().regex(ASSET_NAME, 'not an asset name') }),
      responses: assetResponses,
      handler: ({ res, params }) => sendAsset(res, params.file),
    }),
    defineRoute({
      method: 'get', path: '/ui/assets/:folder/:file', operationId: 'webAssetInFolder', tags: ['pages'],
      summary: 'A static file of the pages in one of its folders (a page\'s panel scripts)',
      access: { kind: 'public' },
      params: z.object({
        folder: z.string().regex(ASSET_FOLDER, 'not an asset folder'),
        file: z.string().regex(ASSET_NAME, 'not an asset name'),
      }),
      responses: assetResponses,
      handler: ({ res, params }) => sendAsset(res, `${params.folder}/${params.file}`),
    }),
    defineRoute({
      method: 'get', path: '/api/v1/report-statuses', operationId: 'listReportStatuses', tags: ['reports'],
      summary: 'The report status (draft, in_review, published) and version of many incidents at once, for lists',
      access: { kind: 'api', role: 'viewer' },
      query: reportStatusQuerySchema,
      responses: { 200: { description: 'One item per requested incident, in request order', schema: reportStatusListSchema } },
      handler: async ({ res, query }) => {
        const ids = [...new Set(query.incidentIds)];
        const stored = await deps.reportStore.getReports(ids);
        res.json({
          items: ids.map((incidentId) => {
            const report = stored.get(incidentId);
            // No stored record means nobody has written anything yet: version 1, draft.
            if (!report) return { incidentId, status: 'draft' as const, version: 1, updatedAt: null, updatedBy: null, publishedVersion: null, postmortem: null };
            // Versions are published in order and a new one starts only from a published one.
            const publishedVersion = report.status === 'published' ? report.version : report.version > 1 ? report.version - 1 : null;
            return {
              incidentId, status: report.status, version: report.version, updatedAt: report.updatedAt, updatedBy: report.updatedBy,
              publishedVersion, postmortem: report.postmortem?.kind ?? null,
            };
          }),
        });
      },
    }),
  ] as RouteDef[];
}
