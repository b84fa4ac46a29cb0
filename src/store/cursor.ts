import { ValidationError } from '../errors';

/** Opaque pagination cursors: base64url JSON, so clients cannot depend on their shape. */
export const encodeCursor = (value: Record<string, string | number>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor(cursor: string, requiredKeys: readonly string[] = []): Record<string, string | number> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const rec = v as Record<string, unknown>;
      const entries = Object.entries(rec);
      if (entries.every(([, x]) => typeof x === 'string' || typeof x === 'number') && requiredKeys.every((k) => k in rec)) {
        return v as Record<string, string | number>;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('invalid cursor', [{ path: 'query.cursor', message: 'not a cursor returned by this API' }]);
}
