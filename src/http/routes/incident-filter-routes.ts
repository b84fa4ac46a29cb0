import { z } from 'zod';
import type { ServiceCatalog } from '../../domain/catalog/service-catalog';
import type { IncidentReads } from '../../store/store';
import { knownValues } from '../../store/known-values';
import { defineRoute, type RouteDef } from '../route';

/** What the incident list's service and severity filters offer. */
export interface IncidentFilterRouteDeps {
  store: Pick<IncidentReads, 'incidentValues'>;
  catalog: ServiceCatalog;
}

export const incidentFiltersSchema = z.object({
  services: z.array(z.string()).describe('The catalog\'s services and every service an incident has had, each once, sorted.'),
  severities: z.array(z.string()).describe('Every severity an incident has had, each once, sorted.'),
}).meta({ id: 'IncidentFilters' });

export function incidentFilterRoutes(deps: IncidentFilterRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/incident-filters', operationId: 'getIncidentFilters', tags: ['incidents'],
      summary: 'The values the incident list filters by: services (catalog and seen on incidents) and severities seen on incidents',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'The known values', schema: incidentFiltersSchema } },
      handler: async ({ res }) => {
        const seen = await deps.store.incidentValues();
        res.json({ services: knownValues([...deps.catalog.services.map((s) => s.name), ...seen.services]), severities: seen.severities });
      },
    }),
  ] as RouteDef[];
}
