import { z } from 'zod';
import type { Connector } from '../../../connectors/connector';
import { acceptWebhook, type AcceptWebhookDeps } from '../../ingest/accept-webhook';
import { errorSchema, webhookAcceptedSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';

export interface WebhookRouteDeps {
  /** Webhook intake (src/ingest/accept-webhook.ts): everything but HTTP. */
  intake: AcceptWebhookDeps;
  /** Every loaded connector, for the documented body schema. */
  connectors: readonly Connector[];
  clock: () => Date;
}

/**
 * `POST /webhooks/:instance`: where every pushed notification enters Debrief. Only HTTP is
 * here; intake itself (credentials, parsing, the normalize dry run, the durable inbox) is
 * `acceptWebhook`, whose errors the error middleware turns into 4xx/503 answers.
 */
export function webhookRoutes(deps: WebhookRouteDeps): RouteDef[] {
  const route = defineRoute({
    method: 'post',
    path: '/webhooks/:instance',
    operationId: 'postWebhook',
    summary: 'Receive a webhook for a configured connector instance (Alertmanager, Grafana, PagerDuty V3, changes: GitHub and generic change events)',
    tags: ['webhooks'],
    access: { kind: 'webhook' },
    params: z.object({ instance: z.string().max(63) }),
    rawBodyDoc: {
      description: 'The sender\'s body, unchanged. Alertmanager/Grafana: bearer or basic auth; PagerDuty: X-PagerDuty-Signature; changes: X-Hub-Signature-256 from GitHub, else a bearer token.',
      schema: z.union(deps.connectors.map((c) => c.payloadSchema) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]),
    },
    responses: {
      202: { description: 'Stored durably; processed asynchronously', schema: webhookAcceptedSchema },
      400: { description: 'Malformed JSON or a body failing the schema; details name every failing field', schema: errorSchema },
      401: { description: 'No credentials', schema: errorSchema },
      403: { description: 'Wrong credentials', schema: errorSchema },
      404: { description: 'No such connector instance', schema: errorSchema },
      413: { description: 'Body larger than the configured limit', schema: errorSchema },
      415: { description: 'Not a JSON content type', schema: errorSchema },
      503: { description: 'Store unavailable; retry (Retry-After)', schema: errorSchema },
    },
    handler: async ({ req, res, params }) => {
      const accepted = await acceptWebhook(deps.intake, {
        instanceId: params.instance,
        headers: lowerHeaders(req.headers),
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        receivedAt: deps.clock(),
      });
      // Written with end(), not json(): express's send() hashes every body for an ETag, which
      // no sender of a webhook reads (about 2% of the HTTP thread under the ingest benchmark).
      res.status(202).type('application/json').end(JSON.stringify(accepted));
    },
  });
  return [route as RouteDef];
}

function lowerHeaders(h: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
