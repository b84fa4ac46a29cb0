import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthOutcome } from '../connector';

/** Header GitHub signs webhook bodies with (lower-cased, as `InboundRequest.headers` holds it). */
export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

const SHA256_HEX = /^sha256=([0-9a-f]{64})$/i;

/**
 * Verifies `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` over the exact
 * bytes GitHub sent. Several secrets may be configured (old and new, while a webhook's secret is
 * rotated); the request is genuine when any of them produced the signature. Each comparison is
 * a constant-time comparison of two 32-byte digests, and every secret is tried (no early exit),
 * so timing reveals neither how close a guess was nor which secret matched.
 */
export function verifyGitHubSignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): AuthOutcome {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'Missing X-Hub-Signature-256 header (set a secret on the GitHub webhook).' };
  }
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) {
    return { ok: false, reason: 'invalid', message: 'No GitHub webhook secret is configured for this instance, so no signature can be verified.' };
  }
  const match = SHA256_HEX.exec(header.trim());
  if (!match) return { ok: false, reason: 'invalid', message: 'X-Hub-Signature-256 is not of the form sha256=<64 hex digits>.' };
  const presented = Buffer.from(match[1]!, 'hex');
  let matched = false;
  for (const secret of usable) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    matched = timingSafeEqual(presented, expected) || matched;
  }
  return matched
    ? { ok: true }
    : { ok: false, reason: 'invalid', message: 'X-Hub-Signature-256 matches none of the configured secrets (check the secret, and that nothing rewrites the body on the way).' };
}

/** The header value GitHub would send for `rawBody` signed with `secret` (tests, docs). */
export function signGitHubBody(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
