import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a presented secret with a configured one.
 *
 * Both sides are hashed with SHA-256 first, so `timingSafeEqual` always compares 32 bytes:
 * neither the content nor the length of the configured secret leaks through timing (plain
 * `timingSafeEqual` throws on different lengths, and `===` stops at the first difference).
 * `configured` must come from the configuration: its digest is kept (see below).
 */
export function secretsEqual(presented: string, configured: string): boolean {
  return timingSafeEqual(sha256(presented), digestOfConfigured(configured));
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Digests of configured secrets, computed once: every webhook is authenticated, and hashing
 * the configured side again for each was half of the comparison's cost. Configured secrets are
 * few and fixed (they come from the configuration), so this stays small.
 */
const configuredDigests = new Map<string, Buffer>();
function digestOfConfigured(secret: string): Buffer {
  let digest = configuredDigests.get(secret);
  if (!digest) {
    digest = sha256(secret);
    configuredDigests.set(secret, digest);
  }
  return digest;
}

/**
 * True when `presented` equals any of `configured`, compared in constant time. Every entry
 * is compared (no early exit), so the time does not tell which entry matched. Empty
 * configured secrets never match: an empty secret is a misconfiguration, not an open door.
 */
export function matchesAnySecret(presented: string, configured: readonly string[]): boolean {
  const digest = sha256(presented);
  let matched = false;
  for (const secret of configured) {
    const equal = timingSafeEqual(digest, digestOfConfigured(secret));
    matched = (equal && secret !== '') || matched;
  }
  return matched;
}

/**
 * True when the presented Basic credentials equal any configured entry. Username and
 * password are both compared in constant time for every entry; entries with an empty
 * password never match.
 */
export function matchesAnyBasicCredential(
  presented: { username: string; password: string },
  configured: ReadonlyArray<{ username: string; password: string }>,
): boolean {
  let matched = false;
  for (const entry of configured) {
    const userEqual = secretsEqual(presented.username, entry.username);
    const passwordEqual = secretsEqual(presented.password, entry.password);
    matched = (userEqual && passwordEqual && entry.password !== '') || matched;
  }
  return matched;
}

/** The two parts of an `Authorization` header: scheme (lower-cased) and credentials. */
export interface AuthorizationHeader {
  scheme: string;
  credentials: string;
}

/**
 * Split an `Authorization` header value into scheme and credentials (RFC 9110 section 11.4:
 * the scheme is case-insensitive and separated by one or more spaces). Returns null when the
 * value has no credentials part.
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeader | null {
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S.*)$/.exec(value.trim());
  if (!match) return null;
  const [, scheme = '', credentials = ''] = match;
  return { scheme: scheme.toLowerCase(), credentials: credentials.trim() };
}

/**
 * Decode `Basic` credentials (RFC 7617): base64 of `user-id ":" password`, UTF-8. The user
 * id cannot contain ":", so the first colon splits; the password may contain colons.
 * Returns null for text that is not strict base64 or has no colon.
 */
export function decodeBasicCredentials(credentials: string): { username: string; password: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credentials) || credentials.length % 4 !== 0) return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
