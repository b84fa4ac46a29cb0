import { z } from 'zod';
import { buildIncidentView, type IncidentViewOptions } from '../../domain/incident-report';
import { NotFoundError } from '../../errors';
import type { ReportService } from '../../services/report-service';
import type { IncidentReads } from '../../store/store';
import { alertSchema, idParamsSchema, incidentAlertPageSchema, incidentDetailSchema, incidentPageSchema, incidentQuerySchema, pageQuerySchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse, loadIncident, noIncident } from '../route-responses';

export interface IncidentRouteDeps {
  store: Pick<IncidentReads, 'getIncident' | 'getAlert' | 'listIncidents' | 'listIncidentAlerts'>;
  view: IncidentViewOptions;
  clock: () => Date;
  /** Post-mortem need of each listed incident (batched per page). */
  reports: Pick<ReportService, 'listPostmortemStatuses'>;
}

export function incidentRoutes(deps: IncidentRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/incidents', operationId: 'listIncidents', tags: ['incidents'],
      summary: 'List incidents, newest first, each with whether it needs a post-mortem; filter by status, service, severity and time; cursor pagination',
      access: { kind: 'api', role: 'viewer' },
      query: incidentQuerySchema,
      responses: { 200: { description: 'One page of incidents', schema: incidentPageSchema }, 400: errorResponse('Invalid filter') },
      handler: async ({ res, query }) => {
        const incidentQuery = query as z.infer<typeof incidentQuerySchema>;
        const page = await deps.store.listIncidents({
          ...incidentQuery,
          since: incidentQuery.since ? new Date(incidentQuery.since).toISOString() : undefined,
          until: incidentQuery.until ? new Date(incidentQuery.until).toISOString() : undefined,
        });
        const postmortem = await deps.reports.listPostmortemStatuses(page.items);
        res.json({ ...page, items: page.items.map((item) => ({ ...item, postmortem: postmortem.get(item.id)! })) });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id', operationId: 'getIncident', tags: ['incidents'],
      summary: 'One incident with its alerts (each with its correlation decision), timeline, impact list and the changes linked to it',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'The incident', schema: incidentDetailSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        const detail = await loadIncident(deps.store, params.id);
        res.json({
          ...detail.incident, alerts: detail.alerts, alertsOmitted: detail.alertsOmitted ?? 0, eventsOmitted: detail.eventsOmitted ?? 0,
          ...buildIncidentView(detail, deps.view), changes: detail.changes ?? [],
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/alerts', operationId: 'listIncidentAlerts', tags: ['incidents'],
      summary: 'Every alert of an incident, by start, a page at a time (the detail holds a sample of a large incident\'s alerts)',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      query: pageQuerySchema,
      responses: { 200: { description: 'One page of alerts', schema: incidentAlertPageSchema }, ...noIncident },
      handler: async ({ res, params, query }) => {
        const { limit, cursor } = query as z.infer<typeof pageQuerySchema>;
        const page = await deps.store.listIncidentAlerts(params.id, { limit, cursor });
        if (!page) throw new NotFoundError(`no incident "${params.id}"`);
        res.json(page);
      },
    }),
    // The report routes live in report-routes.ts.
    defineRoute({
      method: 'get', path: '/api/v1/alerts/:id', operationId: 'getAlert', tags: ['incidents'],
      summary: 'One alert with its correlation decision',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'The alert', schema: alertSchema }, 404: errorResponse('No such alert') },
      handler: async ({ res, params }) => {
        const alert = await deps.store.getAlert(params.id);
        if (!alert) throw new NotFoundError(`no alert "${params.id}"`);
        res.json(alert);
      },
    }),
  ] as RouteDef[];
}
