import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthOutcome } from '../connector';

/** Header Jira signs webhook bodies with (lower-cased, as `InboundRequest.headers` holds it). */
export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';

const SHA256_HEX = /^sha256=([0-9a-f]{64})$/i;

/**
 * Verifies `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` over the exact bytes
 * Jira sent. Every configured secret is tried with a constant-time comparison of two 32-byte
 * digests (no early exit), so timing reveals neither how close a guess was nor which secret
 * matched. Jira's default (and Cloud's only) algorithm is SHA-256; others are refused.
 */
export function verifyJiraSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): AuthOutcome {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'Missing X-Hub-Signature header (set a secret on the Jira webhook).' };
  }
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) {
    return { ok: false, reason: 'invalid', message: 'No Jira webhook secret is configured for this instance, so no signature can be verified.' };
  }
  const match = SHA256_HEX.exec(header.trim());
  if (!match) return { ok: false, reason: 'invalid', message: 'X-Hub-Signature is not of the form sha256=<64 hex digits> (HMAC-SHA256 is the only algorithm accepted).' };
  const presented = Buffer.from(match[1]!, 'hex');
  let matched = false;
  for (const secret of usable) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    matched = timingSafeEqual(presented, expected) || matched;
  }
  return matched
    ? { ok: true }
    : { ok: false, reason: 'invalid', message: 'X-Hub-Signature matches none of the configured secrets (check the secret, and that nothing rewrites the body on the way).' };
}

/** The header value Jira would send for `rawBody` signed with `secret` (tests, docs). */
export function signJiraBody(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
