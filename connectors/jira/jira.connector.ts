import { createHash } from 'node:crypto';
import type { AuthOutcome, Connector, InboundRequest } from '../connector';
import { decodeBasicCredentials, matchesAnySecret, parseAuthorizationHeader } from '../shared/credentials';
import { jiraCredentialsSchema, type JiraCredentials } from './jira.credentials';
import { normalizeJira } from './jira.normalize';
import { jiraPayloadSchema, type JiraPayload } from './jira.payload';
import { JIRA_SIGNATURE_HEADER, verifyJiraSignature } from './jira.signature';

/** Jira Cloud's id of one webhook delivery, the same on each retry of it. */
export const JIRA_DELIVERY_HEADER = 'x-atlassian-webhook-identifier';

/**
 * Issue state changes from Jira (Cloud and Data Center) webhooks, for action items made as
 * Jira issues. Signed requests (`X-Hub-Signature`) are checked against the webhook secrets; a
 * request without a signature must carry a shared token. See `README.md` beside this file.
 */
export const jiraConnector: Connector<JiraPayload, JiraCredentials> = {
  id: 'jira',
  displayName: 'Jira (issue webhooks)',
  payloadSchema: jiraPayloadSchema,
  credentialsSchema: jiraCredentialsSchema,

  authenticate(request: InboundRequest, credentials: JiraCredentials): AuthOutcome {
    // A signature is never ignored: a signed request is judged by it alone.
    if (request.headers[JIRA_SIGNATURE_HEADER] !== undefined) {
      return verifyJiraSignature(request.rawBody, request.headers[JIRA_SIGNATURE_HEADER], credentials.webhookSecrets);
    }
    if (request.headers.authorization === undefined || request.headers.authorization.trim() === '') {
      return {
        ok: false, reason: 'missing',
        message: credentials.webhookSecrets.length > 0
          ? 'Missing X-Hub-Signature header (set the secret on the Jira webhook).'
          : 'Missing credentials: X-Hub-Signature from a Jira webhook with a secret, or a shared token (Authorization: Bearer, or Basic with the token as password).',
      };
    }
    return authenticateSharedToken(request.headers.authorization, credentials.sharedTokens);
  },

  normalize: normalizeJira,

  // Jira Cloud's delivery id; without one (Data Center), a retry is known by its bytes.
  deliveryId(request: InboundRequest): string | null {
    const id = request.headers[JIRA_DELIVERY_HEADER]?.trim();
    if (id) return `jira:${id}`;
    return `jira-body:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  },
};

function authenticateSharedToken(header: string, configured: readonly string[]): AuthOutcome {
  const tokens = configured.filter((token) => token !== '');
  if (tokens.length === 0) return { ok: false, reason: 'invalid', message: 'No shared token is configured on this instance: only signed Jira webhooks (X-Hub-Signature) are accepted.' };
  const parsed = parseAuthorizationHeader(header);
  let presented: string | null = null;
  if (parsed?.scheme === 'bearer') presented = parsed.credentials;
  if (parsed?.scheme === 'basic') presented = decodeBasicCredentials(parsed.credentials)?.password ?? null;
  if (presented === null) return { ok: false, reason: 'invalid', message: 'Unsupported Authorization header; use Bearer <token>, or Basic with the token as password.' };
  return matchesAnySecret(presented, tokens) ? { ok: true } : { ok: false, reason: 'invalid', message: 'Credentials not accepted.' };
}
