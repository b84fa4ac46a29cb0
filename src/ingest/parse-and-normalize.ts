import { NormalizeError, type Connector, type NormalizeContext, type Normalized } from '../../connectors/connector';

/**
 * Raw bytes -> validated payload -> normalized observations: the one set of rules for reading a
 * webhook body. Webhook intake (`accept-webhook.ts`) runs the steps one by one, with its own
 * checks between them, to answer 400 before storing a body it could never process; the inbox
 * processor runs `parseAndNormalize` on stored bodies. Both take the same steps, so a body
 * accepted at the edge is read the same way when it is processed.
 */
export function parseAndNormalize(connector: Connector, body: Buffer, context: NormalizeContext): Normalized {
  return connector.normalize(validatePayload(connector, parseJsonBody(body)), context);
}

/** The body is not JSON at all. */
export class BodyNotJsonError extends NormalizeError {
  constructor(readonly reason: string) {
    super(`body is not valid JSON: ${reason}`);
  }
}

/** The body is JSON but not what the connector's payload schema describes. */
export class PayloadSchemaError extends NormalizeError {
  constructor(connector: Connector, readonly issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
    super(`body does not match the ${connector.displayName} schema: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** Bytes -> JSON value; throws `BodyNotJsonError`. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BodyNotJsonError((err as Error).message);
  }
}

/**
 * JSON value -> the connector's payload: the connector's fast check when it vouches for the
 * body as it is, else the schema (which names every failing field); throws `PayloadSchemaError`.
 */
export function validatePayload(connector: Connector, json: unknown): unknown {
  if (connector.quickAccept?.(json)) return json;
  const result = connector.payloadSchema.safeParse(json);
  if (!result.success) throw new PayloadSchemaError(connector, result.error.issues);
  return result.data;
}
