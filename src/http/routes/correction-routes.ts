import { z } from 'zod';
import type { CorrectionService } from '../../services/correction-service';
import { alertSchema, idParamsSchema, incidentSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse, noIncident } from '../route-responses';

/**
 * SRE corrections of correlation (merge, split, move) and the correlation audit trail, over
 * HTTP; the use cases are `CorrectionService` (src/services/correction-service.ts). The
 * token's name is the actor.
 */
export interface CorrectionRouteDeps {
  corrections: CorrectionService;
}

const id = idParamsSchema.shape.id;
const reason = z.string().trim().max(1000).optional().describe('Why; recorded in the timeline entries and the decisions.');

export const mergeBodySchema = z.object({
  sourceIncidentIds: z.array(id).min(1).max(100).describe('Incidents merged into the one in the path; they become `merged` and point to it.'),
  reason,
  remember: z.boolean().optional().describe('Merge and remember: record the services this merge brings together as linked, so later incidents on them that start close together are suggested as one outage (`GET /api/v1/incidents/:id/same-outage`) and the catalog is asked to name what they share (`GET /api/v1/catalog/suggestions`). Never used to merge automatically.'),
}).strict().meta({ id: 'MergeIncidentsRequest' });

export const splitBodySchema = z.object({
  alertIds: z.array(id).min(1).max(1000).describe('Alerts of this incident that move to a new incident.'),
  reason,
}).strict().meta({ id: 'SplitIncidentRequest' });

export const moveBodySchema = z.object({
  incidentId: id.describe('The incident the alert moves to.'),
  reason,
}).strict().meta({ id: 'MoveAlertRequest' });

const mergedIncidentSchema = incidentSchema;

export const mergeResultSchema = z.object({
  incident: mergedIncidentSchema.describe('The target, after the merge.'),
  merged: z.array(mergedIncidentSchema).describe('The former sources, now `merged` with `mergedInto`.'),
  movedAlertIds: z.array(z.string()),
  report: z.object({
    carriedFrom: z.number().int().describe('Merged incidents whose human report parts were carried into the target\'s report (never overwriting its human text; both texts kept under a "From merged incident <title>" heading).'),
    copiedActionItems: z.number().int().describe('Action items of the merged incidents copied to the target.'),
  }).describe('What people wrote on the merged incidents\' reports now on the target\'s (recorded in its report audit trail).'),
  remembered: z.object({
    links: z.array(z.array(z.string())).describe('Service pairs recorded as linked (each sorted by name).'),
    failed: z.boolean().describe('True when some could not be recorded; the merge stands.'),
  }).nullable().describe('With `remember`: what was remembered; null otherwise.'),
}).meta({ id: 'MergeIncidentsResult' });

export const splitResultSchema = z.object({
  incident: mergedIncidentSchema.describe('The incident split from, after the split.'),
  newIncident: mergedIncidentSchema.describe('The new incident holding the split alerts.'),
}).meta({ id: 'SplitIncidentResult' });

export const moveResultSchema = z.object({
  alert: alertSchema.describe('The alert, with its `human` decision.'),
  from: mergedIncidentSchema,
  to: mergedIncidentSchema,
}).meta({ id: 'MoveAlertResult' });

export const auditSchema = z.object({
  incidentId: z.string(),
  events: z.array(z.object({
    id: z.string(),
    incidentId: z.string(),
    at: z.string().describe('Event time: the alert start for decisions, the correction time for corrections.'),
    kind: z.string().describe('`correlation.decided` (one per alert or page placed), `correlation.merged|split|moved`, `incident.reopened`, `pagerduty.*`, ...'),
    actor: z.string().nullable(),
    text: z.string(),
    data: z.record(z.string(), z.unknown()),
  })),
}).meta({ id: 'IncidentAudit' });

const errors = {
  400: errorResponse('Invalid body, or a correction that makes no sense (merge into itself, split everything, move where it already is)'),
  404: errorResponse('No such incident or alert'),
  409: errorResponse('An alert is not in the incident, or an incident was already merged away'),
};

export function correctionRoutes({ corrections }: CorrectionRouteDeps): RouteDef[] {
  const by = (actor: string | null, reason: string | undefined) => ({ actor: actor ?? 'unknown', reason: reason ?? null });
  return [
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/merge', operationId: 'mergeIncidents', tags: ['corrections'],
      summary: 'Merge other incidents into this one; they become `merged` and point here; recorded in every timeline involved',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: mergeBodySchema,
      responses: { 200: { description: 'Merged', schema: mergeResultSchema }, ...errors },
      handler: async ({ res, params, body, actor }) => {
        const { report, ...merged } = await corrections.merge(params.id, body.sourceIncidentIds, by(actor, body.reason), body.remember ?? false);
        res.json({ ...merged, report: { carriedFrom: report.sources, copiedActionItems: report.actionItems } });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/split', operationId: 'splitIncident', tags: ['corrections'],
      summary: 'Move some alerts of this incident to a new incident; rules never merge the two back',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: splitBodySchema,
      responses: { 201: { description: 'Split; the new incident is in `newIncident`', schema: splitResultSchema }, ...errors },
      handler: async ({ res, params, body, actor }) => {
        res.status(201).json(await corrections.split(params.id, body.alertIds, by(actor, body.reason)));
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/alerts/:id/move', operationId: 'moveAlert', tags: ['corrections'],
      summary: 'Move one alert to another incident; its re-sent notifications and later firings follow it there',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: moveBodySchema,
      responses: { 200: { description: 'Moved', schema: moveResultSchema }, ...errors },
      handler: async ({ res, params, body, actor }) => {
        res.json(await corrections.move(params.id, body.incidentId, by(actor, body.reason)));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/audit', operationId: 'getIncidentAudit', tags: ['corrections'],
      summary: 'The correlation audit trail: every decision that placed an alert or page here, corrections, reopenings, and the timeline events',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'Events, oldest first', schema: auditSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        res.json({ incidentId: params.id, events: await corrections.audit(params.id) });
      },
    }),
  ] as RouteDef[];
}
