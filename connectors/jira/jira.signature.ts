import type { AuthOutcome } from '../connector';
import { signHubBody, verifyHubSignature } from '../shared/hub-signature';

/** Header Jira signs webhook bodies with (lower-cased, as `InboundRequest.headers` holds it). */
export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';

/**
 * Verifies `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` over the exact bytes
 * Jira sent (`hub-signature.ts`). Jira's default (and Cloud's only) algorithm is SHA-256.
 */
export function verifyJiraSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): AuthOutcome {
  return verifyHubSignature(rawBody, header, secrets, { header: 'X-Hub-Signature', sender: 'Jira' });
}

/** The header value Jira would send for `rawBody` signed with `secret` (tests, docs). */
export const signJiraBody = signHubBody;
