import { NormalizeError, type AuthOutcome, type Connector, type InboundRequest, type Normalized } from '../../connectors/connector';
import {
  ForbiddenError, MalformedBodyError, NotFoundError, UnauthorizedError, UnavailableError, UnsupportedMediaTypeError, ValidationError,
} from '../errors';
import { assertJsonWithinLimits, assertUtf8, type JsonLimits } from '../json-checks';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import { BodyNotJsonError, parseJsonBody, PayloadSchemaError, validatePayload } from './parse-and-normalize';

/** One configured connector instance (`/webhooks/<id>`), its credentials bound in. */
export interface ConnectorInstance {
  id: string;
  connector: Connector;
  /** The connector's credential check against this instance's configured credentials. */
  authenticate(request: InboundRequest): AuthOutcome;
}

export interface AcceptWebhookDeps {
  store: Pick<Store, 'appendInbox'>;
  instances: ReadonlyMap<string, ConnectorInstance>;
  metrics: Pick<Metrics, 'webhooksReceived'>;
  /** Shape limits of webhook JSON bodies (`security` config). */
  jsonLimits: JsonLimits;
  /** Called after a body is stored, to start processing without waiting for the next poll. */
  onStored: () => void;
  /** Told when a webhook starts and ends, so inbox processing can give way (IngestPressure). */
  pressure?: { enter(): void; leave(): void };
}

/** One pushed notification as it arrived. */
export interface WebhookDelivery {
  instanceId: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The exact bytes sent (signatures cover bytes, and the inbox keeps them unchanged). */
  rawBody: Buffer;
  receivedAt: Date;
}

/** What the sender is told: the inbox entry and what its body holds (counts only). */
export interface WebhookAccepted {
  inboxId: string;
  duplicate: boolean;
  alerts: number;
  ignoredReason: string | null;
}

/** Headers worth keeping with the stored body; credentials are never stored. */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-webhook-id', 'x-pagerduty-signature', 'x-webhook-subscription', 'x-github-event', 'x-github-delivery'];

/**
 * Where every pushed notification enters Debrief. Order matters: instance -> credentials ->
 * JSON -> schema -> normalize (dry run, so a body we could never process is refused instead of
 * stored) -> durable inbox. Resolves once the raw body is stored durably; otherwise throws an
 * error named by meaning (src/errors.ts): NotFound, Unauthorized, Forbidden,
 * UnsupportedMediaType, MalformedBody, Validation, Unavailable.
 */
export async function acceptWebhook(deps: AcceptWebhookDeps, delivery: WebhookDelivery): Promise<WebhookAccepted> {
  const instance = deps.instances.get(delivery.instanceId);
  const outcome = (o: string) => deps.metrics.webhooksReceived.inc({ instance: instance ? delivery.instanceId : '(unknown)', outcome: o });
  deps.pressure?.enter();
  try {
    if (!instance) throw new NotFoundError(`no connector instance "${delivery.instanceId}" is configured`);
    const { connector } = instance;
    const { headers, rawBody } = delivery;
    const receivedAt = delivery.receivedAt.toISOString();
    // Only the counts leave this call: nothing of the parsed body stays reachable while the
    // append waits for the disk, so young-generation collections need not copy it.
    const counts = checkBody(deps, instance, delivery, receivedAt);
    let stored;
    try {
      stored = await deps.store.appendInbox({
        instance: instance.id,
        connector: connector.id,
        receivedAt,
        headers: Object.fromEntries(KEPT_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!])),
        body: rawBody,
        deliveryId: connector.deliveryId?.({ headers, rawBody }) ?? null,
      });
    } catch (err) {
      throw new UnavailableError(`could not store the webhook durably: ${(err as Error).message}`);
    }
    outcome(stored.duplicate ? 'duplicate' : 'accepted');
    if (!stored.duplicate) deps.onStored();
    return { inboxId: stored.id, duplicate: stored.duplicate, alerts: counts.alerts, ignoredReason: counts.ignoredReason };
  } catch (err) {
    outcome(outcomeOf(err));
    throw err;
  } finally {
    deps.pressure?.leave();
  }
}

/** Everything before the append: credentials, then the body read as the inbox processor will read it. */
function checkBody(deps: AcceptWebhookDeps, instance: ConnectorInstance, delivery: WebhookDelivery, receivedAt: string): { alerts: number; ignoredReason: string | null } {
  const { connector } = instance;
  const { headers, rawBody } = delivery;
  const auth = instance.authenticate({ headers, rawBody });
  if (!auth.ok) throw auth.reason === 'missing' ? new UnauthorizedError(auth.message) : new ForbiddenError(auth.message);
  const contentType = headers['content-type'] ?? '';
  if (!/\bjson\b/i.test(contentType)) throw new UnsupportedMediaTypeError(`expected a JSON body (Content-Type: application/json), got "${contentType || 'none'}"`);
  if (rawBody.length === 0) throw new MalformedBodyError('request body is empty', [{ path: '(body)', message: 'expected a JSON object' }]);
  // Decoding invalid UTF-8 would silently turn bytes into U+FFFD and store a body that no
  // longer says what the sender sent: refuse it instead.
  assertUtf8(rawBody);
  let json: unknown;
  try {
    json = parseJsonBody(rawBody);
  } catch (err) {
    if (!(err instanceof BodyNotJsonError)) throw err;
    throw new MalformedBodyError('request body is not valid JSON', [{ path: '(body)', message: err.reason }]);
  }
  assertJsonWithinLimits(json, deps.jsonLimits);
  const rejection = connector.rejectPayload?.(json);
  if (rejection) throw new ValidationError(rejection, [{ path: '(body)', message: rejection }]);
  let payload: unknown;
  try {
    payload = validatePayload(connector, json);
  } catch (err) {
    if (!(err instanceof PayloadSchemaError)) throw err;
    throw new ValidationError(`body does not match the ${connector.displayName} webhook schema`,
      err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message })));
  }
  let normalized: Pick<Normalized, 'alerts' | 'ignoredReason'>;
  try {
    normalized = connector.normalize(payload, { instance: instance.id, receivedAt });
  } catch (err) {
    if (!(err instanceof NormalizeError)) throw err;
    if (!connector.keepUnprocessable) throw new ValidationError(err.message, [{ path: err.path ?? '(body)', message: err.message }]);
    // Stored anyway: the inbox processor will keep it as a dead letter with this reason.
    normalized = { alerts: [], ignoredReason: `kept as a dead letter: ${err.message}` };
  }
  return { alerts: normalized.alerts.length, ignoredReason: normalized.ignoredReason };
}

/** The `outcome` label of `debrief_webhooks_received_total` for a refused webhook. */
function outcomeOf(err: unknown): string {
  if (err instanceof NotFoundError) return 'unknown_instance';
  if (err instanceof UnauthorizedError) return 'unauthorized';
  if (err instanceof ForbiddenError) return 'forbidden';
  if (err instanceof UnavailableError) return 'unavailable';
  return 'invalid';
}
