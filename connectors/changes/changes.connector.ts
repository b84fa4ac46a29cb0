import { createHash } from 'node:crypto';
import type { AuthOutcome, Connector, InboundRequest } from '../connector';
import { matchesAnySecret, parseAuthorizationHeader } from '../shared/credentials';
import { changesCredentialsSchema, type ChangesCredentials } from './changes.credentials';
import { normalizeChanges } from './changes.normalize';
import { changesPayloadSchema, type ChangesPayload } from './changes.payload';
import { GITHUB_SIGNATURE_HEADER, verifyGitHubSignature } from './changes.signature';

/** GitHub's id of one delivery, repeated on a redelivery from the webhook's settings page. */
export const GITHUB_DELIVERY_HEADER = 'x-github-delivery';
const GITHUB_EVENT_HEADER = 'x-github-event';

/**
 * Changes to running systems: GitHub webhooks (signed with `X-Hub-Signature-256`) and generic
 * change events (bearer token) from Argo CD, Flux, Spinnaker, Jenkins or a pipeline's curl.
 * See `README.md` beside this file.
 */
export const changesConnector: Connector<ChangesPayload, ChangesCredentials> = {
  id: 'changes',
  displayName: 'Changes (GitHub, generic change events)',
  payloadSchema: changesPayloadSchema,
  credentialsSchema: changesCredentialsSchema,

  authenticate(request: InboundRequest, credentials: ChangesCredentials): AuthOutcome {
    // GitHub announces itself; anything else must carry a bearer token. A signed request is
    // checked as GitHub's even without the event header, so a signature is never ignored.
    if (request.headers[GITHUB_EVENT_HEADER] !== undefined || request.headers[GITHUB_SIGNATURE_HEADER] !== undefined) {
      return verifyGitHubSignature(request.rawBody, request.headers[GITHUB_SIGNATURE_HEADER], credentials.githubSecrets);
    }
    return authenticateBearer(request, credentials.bearerTokens);
  },

  normalize: normalizeChanges,

  // GitHub's delivery id. A generic event is known by its bytes: a sender retrying sends the
  // same bytes again, while a later report on the same change (its outcome) differs and must
  // reach the store, which keeps one record per change (`Change.id`).
  deliveryId(request: InboundRequest): string | null {
    const github = request.headers[GITHUB_DELIVERY_HEADER]?.trim();
    if (github) return `github:${github}`;
    return `generic:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  },
};

function authenticateBearer(request: InboundRequest, configured: readonly string[]): AuthOutcome {
  const tokens = configured.filter((token) => token !== '');
  if (tokens.length === 0) return { ok: false, reason: 'invalid', message: 'No bearer token is configured for generic change events on this instance.' };
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'Authorization: Bearer <token> required (or X-Hub-Signature-256 from GitHub).' };
  }
  const parsed = parseAuthorizationHeader(header);
  if (parsed?.scheme !== 'bearer') return { ok: false, reason: 'invalid', message: 'Unsupported Authorization scheme; use Bearer.' };
  return matchesAnySecret(parsed.credentials, tokens) ? { ok: true } : { ok: false, reason: 'invalid', message: 'Credentials not accepted.' };
}
