import { z } from 'zod';
import { NotFoundError, ConflictError } from '../../errors';
import type { InboxStore } from '../../store/store';
import { idParamsSchema, inboxEntrySchema, inboxPageSchema, inboxQuerySchema, inboxRequeuedSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse } from '../route-responses';

const noEntry = { 404: errorResponse('No such entry') };

/** Inbox and dead letters: what was received, and what could not be processed and why. */
export function inboxRoutes(deps: { store: Pick<InboxStore, 'getInboxEntry' | 'listInbox' | 'requeueInbox'>; clock: () => Date; onRequeued: () => void }): RouteDef[] {
  const load = async (id: string) => {
    const entry = await deps.store.getInboxEntry(id);
    if (!entry) throw new NotFoundError(`no inbox entry "${id}"`);
    return entry;
  };
  return [
    defineRoute({
      method: 'get', path: '/api/v1/inbox', operationId: 'listInbox', tags: ['inbox'],
      summary: 'Received webhook bodies, newest first; `state=dead` lists dead letters with their reason',
      access: { kind: 'api', role: 'admin' },
      query: inboxQuerySchema,
      responses: { 200: { description: 'One page', schema: inboxPageSchema }, 400: errorResponse('Invalid filter') },
      handler: async ({ res, query }) => {
        res.json(await deps.store.listInbox(query as z.infer<typeof inboxQuerySchema>));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/inbox/:id', operationId: 'getInboxEntry', tags: ['inbox'],
      summary: 'One inbox entry with its raw body (UTF-8 text)',
      access: { kind: 'api', role: 'admin' },
      params: idParamsSchema,
      responses: {
        200: {
          description: 'The entry',
          schema: inboxEntrySchema.extend({
            headers: z.record(z.string(), z.string()), body: z.string(), deliveryId: z.string().nullable(),
          }),
        },
        ...noEntry,
      },
      handler: async ({ res, params }) => {
        const entry = await load(params.id);
        res.json({ ...entry, body: entry.body.toString('utf8') });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/inbox/:id/requeue', operationId: 'requeueInboxEntry', tags: ['inbox'],
      summary: 'Process a dead letter again (after fixing configuration or upgrading Debrief)',
      access: { kind: 'api', role: 'admin' },
      params: idParamsSchema,
      responses: { 202: { description: 'Queued again; the requeue is recorded with the token\'s name', schema: inboxRequeuedSchema }, ...noEntry, 409: errorResponse('Not a dead letter') },
      handler: async ({ res, params, actor }) => {
        const entry = await load(params.id);
        // Admin-only route: the authenticator always names the token here.
        const requeue = { actor: actor ?? 'unknown', now: deps.clock().toISOString() };
        if (!(await deps.store.requeueInbox(params.id, requeue))) throw new ConflictError(`inbox entry "${params.id}" is ${entry.state}, not dead`);
        deps.onRequeued();
        res.status(202).json({ id: params.id, state: 'pending', requeue: { at: requeue.now, actor: requeue.actor } });
      },
    }),
  ] as RouteDef[];
}
