import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthOutcome } from '../connector';

/** Header PagerDuty signs V3 webhooks with (lower-cased, as `InboundRequest.headers` holds it). */
export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

const V1_HEX = /^[0-9a-f]{64}$/i;

/**
 * Verifies `X-PagerDuty-Signature` over the exact bytes PagerDuty sent (docs `04-Signatures.md`).
 *
 * The header holds one `v1=<hex HMAC-SHA256(secret, raw body)>` per active subscription secret,
 * comma-separated, so during a secret rotation it carries two (or more) values. Debrief may also
 * be configured with several secrets (old and new). The request is genuine when any v1 value
 * matches any configured secret. Other schemes (`v2=...`, unknown) are ignored, not rejected.
 *
 * Every comparison is a `timingSafeEqual` on two 32-byte digests, so the time taken does not
 * reveal how much of a guess was right. Never pass re-serialised JSON here: PagerDuty signs the
 * bytes, and any re-encoding (key order, whitespace, `\u` escapes, UTF-8) breaks the match.
 */
export function verifyPagerDutySignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: string[],
): AuthOutcome {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'Missing X-PagerDuty-Signature header.' };
  }
  const usableSecrets = secrets.filter((secret) => secret.length > 0);
  if (usableSecrets.length === 0) {
    // A misconfiguration, but answered like a bad signature: no secret means nothing can be trusted.
    return {
      ok: false,
      reason: 'invalid',
      message: 'No PagerDuty signing secret is configured for this instance, so no signature can be verified.',
    };
  }

  const candidates = parseV1Signatures(header);
  if (candidates.length === 0) {
    return { ok: false, reason: 'invalid', message: 'X-PagerDuty-Signature holds no v1= signature.' };
  }

  for (const secret of usableSecrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    for (const candidate of candidates) {
      if (constantTimeEqual(candidate, expected)) return { ok: true };
    }
  }
  return {
    ok: false,
    reason: 'invalid',
    message:
      'X-PagerDuty-Signature matches none of the configured signing secrets ' +
      '(check the secret, and that nothing between PagerDuty and Debrief rewrites the body).',
  };
}

/** The decoded `v1=` digests of a signature header; malformed and non-v1 entries are skipped. */
export function parseV1Signatures(header: string): Buffer[] {
  const out: Buffer[] = [];
  for (const part of header.split(',')) {
    const entry = part.trim();
    // Split on the first '=' only: scheme names never contain '=', hex never does either.
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const scheme = entry.slice(0, eq).trim().toLowerCase();
    const value = entry.slice(eq + 1).trim();
    if (scheme !== 'v1' || !V1_HEX.test(value)) continue;
    out.push(Buffer.from(value, 'hex'));
  }
  return out;
}

/**
 * Constant-time equality of two byte strings. `timingSafeEqual` throws on different lengths, and
 * an early length check leaks only the length, which for a digest is public anyway.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
