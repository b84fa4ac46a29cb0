import { NormalizeError, type Connector, type NormalizeContext, type Normalized } from '../../connectors/connector';

/**
 * Raw bytes -> validated payload -> normalized observations. Used both at the HTTP edge (to
 * answer 400 before storing) and by the inbox processor (on stored bodies), so both apply
 * exactly the same rules.
 */
export function parseAndNormalize(connector: Connector, body: Buffer, context: NormalizeContext): Normalized {
  const payload = parsePayload(connector, body);
  return connector.normalize(payload, context);
}

export function parsePayload(connector: Connector, body: Buffer): unknown {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new NormalizeError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (connector.quickAccept?.(json)) return json;
  const result = connector.payloadSchema.safeParse(json);
  if (!result.success) {
    throw new NormalizeError(`body does not match the ${connector.displayName} schema: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return result.data;
}
