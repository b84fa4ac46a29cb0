import { z } from 'zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Metrics } from '../../metrics';
import type { StoreLifecycle } from '../../store/store';
import { defineRoute, type RouteDef } from '../route';

/** Liveness, readiness, metrics and the contract. Public: probes and scrapers carry no tokens. */
export interface OpsRouteDeps {
  store: Pick<StoreLifecycle, 'ping'>;
  /** Why the store cannot recover without a restart, or null (open-stores.ts `Stores.health`). */
  storeHealth?: () => string | null;
  metrics: Metrics;
  openapi: () => OpenAPIV3_1.Document;
}

export function opsRoutes(deps: OpsRouteDeps): RouteDef[] {
  const status = z.object({ status: z.string(), detail: z.string().optional() });
  return [
    defineRoute({
      method: 'get', path: '/healthz', operationId: 'healthz', tags: ['operations'],
      summary: 'Liveness: the process serves HTTP and its store can recover by itself (503: only a restart may help)',
      access: { kind: 'public' },
      responses: { 200: { description: 'Alive', schema: status }, 503: { description: 'The store could not be reopened for a minute', schema: status } },
      handler: ({ res }) => {
        // A locked, full or read-only store is a readiness matter (it heals); this is for what does not.
        const failing = deps.storeHealth?.() ?? null;
        if (failing) res.status(503).json({ status: 'failing', detail: `store: ${failing}` });
        else res.json({ status: 'ok' });
      },
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
