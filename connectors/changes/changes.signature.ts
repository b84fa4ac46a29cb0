import type { AuthOutcome } from '../connector';
import { signHubBody, verifyHubSignature } from '../shared/hub-signature';

/** Header GitHub signs webhook bodies with (lower-cased, as `InboundRequest.headers` holds it). */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * Verifies `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` over the exact
 * bytes GitHub sent (`hub-signature.ts`): any configured secret may have produced it (rotation).
 */
export function verifyGitHubSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): AuthOutcome {
  return verifyHubSignature(rawBody, header, secrets, { header: 'X-Hub-Signature-256', sender: 'GitHub' });
}

/** The header value GitHub would send for `rawBody` signed with `secret` (tests, docs). */
export const signGitHubBody = signHubBody;
