import { z } from 'zod';
import { SEVERITY_ORDER } from '../../domain/incident';
import type { DeclarationService } from '../../services/declaration-service';
import { idParamsSchema, incidentSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse } from '../route-responses';

/** Incidents declared by hand (a customer reported it; monitoring missed it), over HTTP. The token's name is the declarer. */
export interface DeclarationRouteDeps {
  declarations: DeclarationService;
}

const time = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString())
  .describe('ISO-8601 time with offset; stored as UTC');
const title = z.string().trim().min(1, 'must not be blank').max(200).describe('What customers experienced, in a few words; the incident keeps this title.');
const services = z.array(z.string().trim().min(1, 'must not be blank').max(100)).min(1, 'name at least one affected service').max(50)
  .describe('Affected services (catalog names where there is one); alerts moved in later add theirs.');
const severity = z.enum(SEVERITY_ORDER).describe('Severity, as alerts name it.');
const missedByMonitoring = z.boolean().describe('True when no alert reported the outage: counted on /metrics (`debrief_incidents_declared_total`) and in the statistics.');

export const declareBodySchema = z.object({
  title,
  services,
  severity,
  start: time.describe('When impact began.'),
  end: time.nullable().optional().describe('When impact ended; omit or null while ongoing (the incident stays open until an end is given).'),
  missedByMonitoring: missedByMonitoring.default(true),
}).strict().meta({ id: 'DeclareIncidentRequest' });

export const changeDeclarationBodySchema = z.object({
  title: title.optional(),
  services: services.optional(),
  severity: severity.optional(),
  start: time.optional().describe('When impact began.'),
  end: time.nullable().optional().describe('When impact ended; null: ongoing again.'),
  missedByMonitoring: missedByMonitoring.optional(),
}).strict().meta({ id: 'ChangeDeclarationRequest' });

const errors = {
  400: errorResponse('Invalid body (every failing field named), an end before the start, or a time in the future'),
};

export function declarationRoutes({ declarations }: DeclarationRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post', path: '/api/v1/incidents', operationId: 'declareIncident', tags: ['incidents'],
      summary: 'Declare an incident by hand (a customer reported it; monitoring missed it): same timeline, report, post-mortem policy and measures as any incident; alerts can be moved into it later',
      access: { kind: 'api', role: 'editor' },
      body: declareBodySchema,
      responses: { 201: { description: 'Declared', schema: incidentSchema }, ...errors },
      handler: async ({ res, body, actor }) => {
        const incident = await declarations.declare({
          title: body.title, services: body.services, severity: body.severity, startedAt: body.start, endedAt: body.end ?? null, missedByMonitoring: body.missedByMonitoring,
        }, actor ?? 'unknown');
        res.status(201).location(`/api/v1/incidents/${encodeURIComponent(incident.id)}`).json(incident);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/v1/incidents/:id/declaration', operationId: 'changeDeclaration', tags: ['incidents'],
      summary: 'Change what was declared about an incident declared by hand (an end once impact is over, a corrected start, title or services)',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: changeDeclarationBodySchema,
      responses: {
        200: { description: 'Changed', schema: incidentSchema }, ...errors,
        404: errorResponse('No such incident, or it was not declared by hand'), 409: errorResponse('The incident was merged away'),
      },
      handler: async ({ res, params, body, actor }) => {
        res.json(await declarations.change(params.id, {
          title: body.title, services: body.services, severity: body.severity, startedAt: body.start, endedAt: body.end, missedByMonitoring: body.missedByMonitoring,
        }, actor ?? 'unknown'));
      },
    }),
  ] as RouteDef[];
}
