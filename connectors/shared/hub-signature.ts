import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthOutcome } from '../connector';

/**
 * The "hub" signature GitHub and Jira put on webhook bodies: `sha256=<hex HMAC-SHA256(secret,
 * raw body)>` in a header (`X-Hub-Signature-256`, `X-Hub-Signature`), checked over the exact
 * bytes sent. Several secrets may be configured (old and new, while a secret is rotated); the
 * request is genuine when any of them produced the signature. Each comparison is constant-time
 * over two 32-byte digests and every secret is tried (no early exit), so timing reveals neither
 * how close a guess was nor which secret matched. SHA-256 is the only algorithm accepted.
 */
export interface HubSignatureWords {
  /** The header as the sender names it, for messages (`X-Hub-Signature-256`). */
  header: string;
  /** The sender, for messages (`GitHub`, `Jira`). */
  sender: string;
}

const SHA256_HEX = /^sha256=([0-9a-f]{64})$/i;

export function verifyHubSignature(rawBody: Buffer, value: string | undefined, secrets: readonly string[], words: HubSignatureWords): AuthOutcome {
  if (value === undefined || value.trim() === '') {
    return { ok: false, reason: 'missing', message: `Missing ${words.header} header (set a secret on the ${words.sender} webhook).` };
  }
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) {
    return { ok: false, reason: 'invalid', message: `No ${words.sender} webhook secret is configured for this instance, so no signature can be verified.` };
  }
  const match = SHA256_HEX.exec(value.trim());
  if (!match) return { ok: false, reason: 'invalid', message: `${words.header} is not of the form sha256=<64 hex digits> (HMAC-SHA256 is the only algorithm accepted).` };
  const presented = Buffer.from(match[1]!, 'hex');
  let matched = false;
  for (const secret of usable) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    matched = timingSafeEqual(presented, expected) || matched;
  }
  return matched
    ? { ok: true }
    : { ok: false, reason: 'invalid', message: `${words.header} matches none of the configured secrets (check the secret, and that nothing rewrites the body on the way).` };
}

/** The header value a sender would put on `rawBody` signed with `secret` (tests, docs). */
export function signHubBody(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
