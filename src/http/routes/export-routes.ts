import type { ServiceLabels } from '../../domain/service-naming';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { IncidentDetail } from '../../domain/incident';
import { buildExportDocument } from '../../domain/report/export-document';
import type { MetricSnapshot } from '../../domain/report/metric-chart-svg';
import { renderReportHtml, type DeliveryView } from '../../domain/report/report-to-html';
import type { ReportView } from '../../domain/report/report-model';
import { renderTimelineSvg } from '../../domain/report/timeline-svg';
import type { DeliveryRecord, DeliveryStore } from '../../store/delivery-store';
import type { IncidentReads } from '../../store/store';
import { idParamsSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { loadIncident, noIncident } from '../route-responses';

export interface ExportRouteDeps {
  store: Pick<IncidentReads, 'getIncident'>;
  /** The composed report of an incident (the report service). */
  reports: { getReport(incidentId: string): Promise<ReportView> };
  /** Metric snapshots from Prometheus; null when `prometheus.baseUrl` is not configured. */
  snapshots: { snapshots(detail: IncidentDetail, now: Date): Promise<MetricSnapshot[]> } | null;
  deliveries: DeliveryStore;
  serviceLabels: ServiceLabels;
  clock: () => Date;
}

/** Exports run no scripts and load nothing: a browser that opens one should enforce that too. */
const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const deliveryViewSchema = z.object({
  target: z.string().describe('Configured webhook name'),
  event: z.string(),
  version: z.number().int().describe('Report version notified about'),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  updatedAt: z.string(),
}).meta({ id: 'DeliveryOutcome' });

const exportDocumentSchema = z.object({
  format: z.literal('debrief-report'),
  formatVersion: z.literal(1),
  exportedAt: z.string(),
  report: z.record(z.string(), z.unknown()).describe('The composed report (as GET /api/v1/incidents/{id}/report), without hidden timeline entries'),
  measures: z.record(z.string(), z.unknown()).describe('Time to detect/acknowledge/mitigate/resolve of this incident'),
  timelinePicture: z.record(z.string(), z.unknown()).describe('Lanes, bars and markers drawn in timeline.svg'),
  metricSnapshots: z.array(z.record(z.string(), z.unknown())).describe('Per alert rule: chart data, or a note saying why there is none'),
  deliveries: z.array(deliveryViewSchema),
}).meta({ id: 'ReportExport' });

export const deliveryView = (record: DeliveryRecord): DeliveryView => ({
  target: record.target, event: record.event, version: record.version, status: record.status, attempts: record.attempts,
  lastError: record.lastError, lastStatusCode: record.lastStatusCode, updatedAt: record.updatedAt,
});

export function exportRoutes(deps: ExportRouteDeps): RouteDef[] {
  const exportDocument = async (id: string, withSnapshots: boolean) => {
    const detail = await loadIncident(deps.store, id);
    const now = deps.clock();
    const [report, snapshots, deliveries] = await Promise.all([
      deps.reports.getReport(id),
      withSnapshots && deps.snapshots ? deps.snapshots.snapshots(detail, now) : Promise.resolve([]),
      deps.deliveries.listForIncident(id),
    ]);
    return buildExportDocument({
      detail, report, serviceLabels: deps.serviceLabels, now: now.toISOString(), metricSnapshots: snapshots, deliveries: deliveries.map(deliveryView),
    });
  };
  const filename = (req: Request, res: Response, id: string, ext: string) => {
    const disposition = req.query.download === '1' ? 'attachment' : 'inline';
    res.setHeader('Content-Disposition', `${disposition}; filename="postmortem-${id}.${ext}"`);
  };
  const downloadQuery = z.object({ download: z.enum(['0', '1']).optional().describe('`1`: sent as an attachment (Content-Disposition)') });
  return [
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report.html', operationId: 'getReportHtml', tags: ['reports'],
      summary: 'The report as one standalone, print-ready HTML document (inline CSS and SVG, no scripts, no external assets)',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      query: downloadQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html', schema: z.string() }, ...noIncident },
      handler: async ({ req, res, params }) => {
        const doc = await exportDocument(params.id, true);
        const html = renderReportHtml({
          report: { ...doc.report, hiddenTimeline: [] }, measures: doc.measures, timelineSvg: renderTimelineSvg(doc.timelinePicture),
          metricSnapshots: doc.metricSnapshots, deliveries: doc.deliveries,
        });
        filename(req, res, params.id, 'html');
        res.setHeader('Content-Security-Policy', DOCUMENT_CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.type('text/html; charset=utf-8').send(html);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report.json', operationId: 'getReportExport', tags: ['reports'],
      summary: 'The report as a self-describing JSON export: report, measures, timeline picture data, metric snapshots, notification outcomes',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      query: downloadQuery,
      responses: { 200: { description: 'The export', schema: exportDocumentSchema }, ...noIncident },
      handler: async ({ req, res, params }) => {
        const doc = await exportDocument(params.id, true);
        filename(req, res, params.id, 'json');
        res.json(doc);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/timeline.svg', operationId: 'getTimelineSvg', tags: ['reports'],
      summary: 'The timeline picture: a lane per affected service, a bar per alert firing span, markers for acknowledge/mitigate/resolve and human entries',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'SVG', contentType: 'image/svg+xml', schema: z.string() }, ...noIncident },
      handler: async ({ res, params }) => {
        const doc = await exportDocument(params.id, false);
        res.setHeader('Content-Security-Policy', DOCUMENT_CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.type('image/svg+xml; charset=utf-8').send(renderTimelineSvg(doc.timelinePicture));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/report/deliveries', operationId: 'listReportDeliveries', tags: ['reports'],
      summary: 'Outcomes of the signed notifications sent when this incident\'s report was published',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'Delivery outcomes, oldest first', schema: z.object({ items: z.array(deliveryViewSchema) }) }, ...noIncident },
      handler: async ({ res, params }) => {
        await loadIncident(deps.store, params.id);
        res.json({ items: (await deps.deliveries.listForIncident(params.id)).map(deliveryView) });
      },
    }),
  ] as RouteDef[];
}
