import { ValidationError } from '../errors';
import type { Page } from './store';

/** Opaque pagination cursors: base64url JSON, so clients cannot depend on their shape. */
export const encodeCursor = (value: Record<string, string | number>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor(cursor: string, requiredKeys: readonly string[] = []): Record<string, string | number> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const rec = value as Record<string, unknown>;
      const entries = Object.entries(rec);
      if (entries.every(([, field]) => typeof field === 'string' || typeof field === 'number') && requiredKeys.every((key) => key in rec)) {
        return value as Record<string, string | number>;
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('invalid cursor', [{ path: 'query.cursor', message: 'not a cursor returned by this API' }]);
}

/**
 * Splits the `pageSize + 1` items a list query fetched into a page and its next cursor: the
 * extra item says whether there is a next page.
 */
export function toPage<T>(items: T[], pageSize: number, cursorOf: (last: T) => Record<string, string | number>): Page<T> {
  const page = items.slice(0, pageSize);
  const last = page.at(-1);
  return { items: page, nextCursor: items.length > pageSize && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
