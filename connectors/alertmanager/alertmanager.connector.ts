import type { AuthOutcome, Connector, InboundRequest } from '../connector';
import {
  decodeBasicCredentials,
  matchesAnyBasicCredential,
  matchesAnySecret,
  parseAuthorizationHeader,
} from '../shared/credentials';
import { alertmanagerCredentialsSchema, type AlertmanagerCredentials } from './alertmanager.credentials';
import { normalizeAlertmanager } from './alertmanager.normalize';
import { quickAcceptAlertmanager } from './alertmanager.quick-check';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from './alertmanager.payload';

const invalid = (message: string): AuthOutcome => ({ ok: false, reason: 'invalid', message });

/**
 * Alertmanager signs nothing and sends no delivery id (docs/payloads.md §1.1); the only
 * protection is what the receiver's `http_config` adds: `authorization` (Bearer) or
 * `basic_auth`. Grafana's Webhook contact point offers the same two. HMAC signing of
 * Grafana bodies is not supported here.
 */
function authenticateAlertmanager(request: InboundRequest, credentials: AlertmanagerCredentials): AuthOutcome {
  const tokens = credentials.bearerTokens.filter((token) => token !== '');
  const basic = credentials.basicAuth.filter((entry) => entry.password !== '');
  // Never open by accident: an instance without any secret configured refuses every request,
  // with or without a header, so the operator sees the configuration problem first.
  if (tokens.length === 0 && basic.length === 0) {
    return invalid('No credentials are configured for this connector instance.');
  }
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'Authorization header required (Bearer token or Basic).' };
  }
  const parsed = parseAuthorizationHeader(header);
  if (parsed?.scheme === 'bearer') {
    return matchesAnySecret(parsed.credentials, tokens) ? { ok: true } : invalid('Credentials not accepted.');
  }
  if (parsed?.scheme === 'basic') {
    const presented = decodeBasicCredentials(parsed.credentials);
    if (presented === null) return invalid('Malformed Basic credentials.');
    return matchesAnyBasicCredential(presented, basic) ? { ok: true } : invalid('Credentials not accepted.');
  }
  return invalid('Unsupported Authorization scheme; use Bearer or Basic.');
}

/**
 * Prometheus Alertmanager webhook receiver, also accepting Grafana-managed alerting's
 * Webhook contact point (same shape, `version` "1"). See `README.md` beside this file.
 */
export const alertmanagerConnector: Connector<AlertmanagerPayload, AlertmanagerCredentials> = {
  id: 'alertmanager',
  displayName: 'Prometheus Alertmanager',
  payloadSchema: alertmanagerPayloadSchema,
  credentialsSchema: alertmanagerCredentialsSchema,
  quickAccept: quickAcceptAlertmanager,
  authenticate: authenticateAlertmanager,
  normalize: normalizeAlertmanager,
};
