import { z } from 'zod';
import { distinguishingLabels } from '../../domain/alert-differences';
import { pagesOf } from '../../domain/incident-pages';
import { buildIncidentView, type IncidentViewOptions } from '../../domain/incident-report';
import { NotFoundError } from '../../errors';
import type { ServiceCatalog } from '../../domain/catalog/service-catalog';
import type { ReportService } from '../../services/report-service';
import { sameOutageFor } from '../../services/same-outage';
import type { RememberedLinkStore } from '../../store/remembered-link-store';
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
  /** Names shared infrastructure, whose dependents' incidents are suggested as one outage. */
  catalog: ServiceCatalog;
  /** Links people taught by merging with "remember". */
  links: Pick<RememberedLinkStore, 'list'>;
}

export const sameOutageSchema = z.object({
  incidentId: z.string(),
  suggestions: z.array(z.object({
    incidentId: z.string().describe('The other incident; merge it with `POST /api/v1/incidents/:id/merge`.'),
    title: z.string(),
    status: z.enum(['open', 'resolved']),
    startedAt: z.string(),
    evidence: z.enum(['shared-infrastructure', 'remembered-merge'])
      .describe('Why: both incidents\' services depend on a catalog entry marked `sharedInfrastructure`; or a person merged incidents on these two services before, with `remember`.'),
    services: z.array(z.string()).describe('This incident\'s service, then the other\'s.'),
    via: z.array(z.string()).describe('The shared infrastructure both depend on (empty for a remembered merge).'),
    gapMinutes: z.number().int().describe('Minutes between the two onsets (at most 15).'),
    explanation: z.string(),
  })).describe('Nearest onset first. Suggestions only: rules never merge on this evidence.'),
}).meta({ id: 'SameOutageSuggestions' });

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
      summary: 'One incident with its alerts (each with its correlation decision and the labels telling it apart), timeline, impact list, pages and the changes linked to it',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'The incident', schema: incidentDetailSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        const detail = await loadIncident(deps.store, params.id);
        const apart = [...distinguishingLabels(detail.alerts)].map(([id, pairs]) => [id, pairs.map(([name, value]) => ({ name, value }))]);
        res.json({
          ...detail.incident, alerts: detail.alerts, alertsOmitted: detail.alertsOmitted ?? 0, eventsOmitted: detail.eventsOmitted ?? 0,
          ...buildIncidentView(detail, deps.view), pages: pagesOf(detail.events), distinguishingLabels: Object.fromEntries(apart), changes: detail.changes ?? [],
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
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/same-outage', operationId: 'getSameOutageSuggestions', tags: ['incidents'],
      summary: 'Other incidents that may be the same outage (onsets within 15 min, and their services share infrastructure the catalog names, or were merged before with `remember`); suggested for a person to merge, never merged by rules',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'The suggestions', schema: sameOutageSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        res.json({ incidentId: params.id, suggestions: await sameOutageFor(deps, params.id) });
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
