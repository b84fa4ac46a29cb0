import { z } from 'zod';
import { NormalizeError, type Connector, type InstanceCredentials } from '../../../connectors/connector';
import type { InstanceConfig } from '../../config/config.schema';
import { MalformedBodyError, NotFoundError, ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError, UnavailableError } from '../../errors';
import type { Metrics } from '../../metrics';
import type { Store } from '../../store/store';
import { errorSchema, webhookAcceptedSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { assertJsonWithinLimits, assertUtf8, DEFAULT_SECURITY, type JsonLimits } from '../security';

export interface WebhookRouteDeps {
  store: Store;
  instances: ReadonlyMap<string, { config: InstanceConfig; connector: Connector }>;
  connectors: readonly Connector[];
  metrics: Metrics;
  /** Called after a body is stored, to start processing without waiting for the next poll. */
  onStored: () => void;
  clock: () => Date;
  /** Shape limits of webhook JSON bodies (`security` config). */
  jsonLimits?: JsonLimits;
  /** Told when a webhook starts and ends, so inbox processing can give way (IngestPressure). */
  pressure?: { enter(): void; leave(): void };
}

/** Headers worth keeping with the stored body; credentials are never stored. */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-webhook-id', 'x-pagerduty-signature', 'x-webhook-subscription'];

/**
 * `POST /webhooks/:instance`: where every pushed notification enters Debrief.
 * Order matters: instance -> credentials -> JSON -> schema -> normalize (dry run, so a body
 * we could never process is refused with 400 instead of stored) -> durable inbox -> 202.
 */
export function webhookRoutes(deps: WebhookRouteDeps): RouteDef[] {
  const route = defineRoute({
    method: 'post',
    path: '/webhooks/:instance',
    operationId: 'postWebhook',
    summary: 'Receive a webhook for a configured connector instance (Alertmanager, Grafana, PagerDuty V3)',
    tags: ['webhooks'],
    access: { kind: 'webhook' },
    params: z.object({ instance: z.string().max(63) }),
    rawBodyDoc: {
      description: 'The sender\'s body, unchanged. Alertmanager/Grafana: bearer or basic auth; PagerDuty: X-PagerDuty-Signature.',
      schema: z.union(deps.connectors.map((connector) => connector.payloadSchema) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]),
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
      const outcome = (result: string) => deps.metrics.webhooksReceived.inc({ instance: entry ? params.instance : '(unknown)', outcome: result });
      const entry = deps.instances.get(params.instance);
      deps.pressure?.enter();
      try {
        if (!entry) throw new NotFoundError(`no connector instance "${params.instance}" is configured`);
        const { connector, config } = entry;
        const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const headers = lowerHeaders(req.headers);
        const auth = connector.authenticate({ headers, rawBody }, config.credentials as InstanceCredentials);
        if (!auth.ok) throw auth.reason === 'missing' ? new UnauthorizedError(auth.message) : new ForbiddenError(auth.message);
        const contentType = headers['content-type'] ?? '';
        if (!/\bjson\b/i.test(contentType)) throw new UnsupportedMediaTypeError(`expected a JSON body (Content-Type: application/json), got "${contentType || 'none'}"`);
        if (rawBody.length === 0) throw new MalformedBodyError('request body is empty', [{ path: '(body)', message: 'expected a JSON object' }]);
        // Decoding invalid UTF-8 would silently turn bytes into U+FFFD and store a body that no
        // longer says what the sender sent: refuse it instead.
        assertUtf8(rawBody);
        let json: unknown;
        try {
          json = JSON.parse(rawBody.toString('utf8'));
        } catch (err) {
          throw new MalformedBodyError('request body is not valid JSON', [{ path: '(body)', message: (err as Error).message }]);
        }
        assertJsonWithinLimits(json, deps.jsonLimits ?? { maxDepth: DEFAULT_SECURITY.jsonMaxDepth, maxKeys: DEFAULT_SECURITY.webhookJsonMaxKeys });
        const rejection = connector.rejectPayload?.(json);
        if (rejection) throw new ValidationError(rejection, [{ path: '(body)', message: rejection }]);
        let payload: unknown = json;
        if (!connector.quickAccept?.(json)) {
          const parsed = connector.payloadSchema.safeParse(json);
          if (!parsed.success) {
            throw new ValidationError(`body does not match the ${connector.displayName} webhook schema`,
              parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })));
          }
          payload = parsed.data;
        }
        const receivedAt = deps.clock().toISOString();
        let normalized: { alerts: unknown[]; ignoredReason: string | null };
        try {
          normalized = connector.normalize(payload, { instance: config.id, receivedAt });
        } catch (err) {
          if (!(err instanceof NormalizeError)) throw err;
          if (!connector.keepUnprocessable) throw new ValidationError(err.message, [{ path: err.path ?? '(body)', message: err.message }]);
          // Stored anyway: the inbox processor will keep it as a dead letter with this reason.
          normalized = { alerts: [], ignoredReason: `kept as a dead letter: ${err.message}` };
        }
        // Only the counts are answered: nothing of the parsed body stays reachable while the
        // append waits for the disk, so young-generation collections need not copy it.
        const answer = { alerts: normalized.alerts.length, ignoredReason: normalized.ignoredReason };
        let stored;
        try {
          stored = await deps.store.appendInbox({
            instance: config.id,
            connector: connector.id,
            receivedAt,
            headers: Object.fromEntries(KEPT_HEADERS.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]!])),
            body: rawBody,
            deliveryId: connector.deliveryId?.({ headers, rawBody }) ?? null,
          });
        } catch (err) {
          throw new UnavailableError(`could not store the webhook durably: ${(err as Error).message}`);
        }
        outcome(stored.duplicate ? 'duplicate' : 'accepted');
        if (!stored.duplicate) deps.onStored();
        // Written with end(), not json(): express's send() hashes every body for an ETag, which
        // no sender of a webhook reads, and that hash showed in the HTTP thread's profile
        // (bench/ingest/RESULTS.md, "Cheaper appends").
        res.status(202).type('application/json').end(JSON.stringify({ inboxId: stored.id, duplicate: stored.duplicate, ...answer }));
      } catch (err) {
        outcome(outcomeOf(err));
        throw err;
      } finally {
        deps.pressure?.leave();
      }
    },
  });
  return [route as RouteDef];
}

function outcomeOf(err: unknown): string {
  if (err instanceof NotFoundError) return 'unknown_instance';
  if (err instanceof UnauthorizedError) return 'unauthorized';
  if (err instanceof ForbiddenError) return 'forbidden';
  if (err instanceof UnavailableError) return 'unavailable';
  return 'invalid';
}

function lowerHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
