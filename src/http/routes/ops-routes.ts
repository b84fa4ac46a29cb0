import { z } from 'zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Metrics } from '../../metrics';
import type { StoreLifecycle } from '../../store/store';
import { defineRoute, type RouteDef } from '../route';

/** Liveness, readiness, metrics and the contract. Public: probes and scrapers carry no tokens. */
export function opsRoutes(deps: { store: Pick<StoreLifecycle, 'ping'>; metrics: Metrics; openapi: () => OpenAPIV3_1.Document }): RouteDef[] {
  const status = z.object({ status: z.string(), detail: z.string().optional() });
  return [
    defineRoute({
      method: 'get', path: '/healthz', operationId: 'healthz', tags: ['operations'], summary: 'Liveness: the process serves HTTP',
      access: { kind: 'public' },
      responses: { 200: { description: 'Alive', schema: status } },
      handler: ({ res }) => { res.json({ status: 'ok' }); },
    }),
    defineRoute({
      method: 'get', path: '/readyz', operationId: 'readyz', tags: ['operations'], summary: 'Readiness: false (503) while the store is unreachable',
      access: { kind: 'public' },
      responses: { 200: { description: 'Ready', schema: status }, 503: { description: 'Store unreachable', schema: status } },
      handler: async ({ res }) => {
        try {
          await deps.store.ping();
          res.json({ status: 'ready' });
        } catch (err) {
          res.status(503).json({ status: 'unavailable', detail: `store: ${(err as Error).message}` });
        }
      },
    }),
    defineRoute({
      method: 'get', path: '/metrics', operationId: 'metrics', tags: ['operations'], summary: 'Prometheus metrics',
      access: { kind: 'public' },
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain', schema: z.string() } },
      handler: async ({ res }) => {
        res.set('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
      },
    }),
    defineRoute({
      method: 'get', path: '/openapi.json', operationId: 'openapi', tags: ['operations'], summary: 'This API\'s OpenAPI 3.1 document',
      access: { kind: 'public' },
      responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
      handler: ({ res }) => { res.json(deps.openapi()); },
    }),
  ] as RouteDef[];
}
