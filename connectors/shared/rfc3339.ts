/**
 * Strict RFC 3339 timestamps as Alertmanager, Grafana and Prometheus clients send them.
 *
 * Why not `new Date(text)`: it accepts many non-RFC forms (`2026-11-26`, `Nov 26 2026`), and
 * it reads Go's zero time `0001-01-01T00:00:00Z` as a real far-past date. Alertmanager sends
 * that zero time as `endsAt` of every firing alert (prometheus/alertmanager#3341, #3351,
 * #5198), so it must be recognised, not parsed.
 */

/** Outcome of {@link parseRfc3339}: an instant, "no time", or why the text is not RFC 3339. */
export type Rfc3339Result =
  | {
      ok: true;
      /** UTC ISO-8601 with exactly 3 fractional digits, or null for "no time" (zero time, ""). */
      iso: string | null;
    }
  | { ok: false; reason: string };

// RFC 3339 section 5.6: full-date "T" partial-time time-offset. "T" and "Z" may be lower case
// (section 5.6, NOTE). Fractional digits are 1*DIGIT in the RFC; Go never emits more than 9
// (time.RFC3339Nano), so more than 9 is rejected as a sign of a foreign sender.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parse an RFC 3339 timestamp with 0–9 fractional digits and any UTC offset.
 *
 * Returns the instant as a UTC ISO string with millisecond precision; extra fractional
 * digits are truncated, not rounded, so a time never moves past a later event's time.
 * Returns `iso: null` for `""` and for any timestamp in year 0000 or 0001: Go's zero
 * `time.Time` is `0001-01-01T00:00:00Z`, and shifted into a local zone it can print as
 * `0000-12-31T...` (Go `time.Time{}.Local()`), so every such form means "no time".
 * Never throws.
 */
export function parseRfc3339(text: string): Rfc3339Result {
  // Re-sent alerts repeat their times (startsAt is stable across re-sends, endsAt of a firing
  // alert is Go's zero time), and each body is checked twice (schema, then normalize): a small
  // memo turns most calls into a map lookup (parsing showed in the HTTP thread's profile).
  const known = memo.get(text);
  if (known) return known;
  const result = Object.freeze(parseUncached(text));
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(text, result);
  return result;
}

const MEMO_SIZE = 4096;
const memo = new Map<string, Rfc3339Result>();

function parseUncached(text: string): Rfc3339Result {
  if (text === '') return { ok: true, iso: null };
  const match = RFC3339.exec(text);
  if (!match) return { ok: false, reason: 'not an RFC 3339 time' };
  const [, ys, mos, ds, hs, mis, ss, frac, zulu, sign, ohs, oms] = match;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  // RFC 3339 allows second 60 (leap second); Go cannot produce it and JS Date cannot hold it.
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: 'not an RFC 3339 time (no such date)' };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: 'not an RFC 3339 time (no such time of day)' };
  }
  let offsetMinutes = 0;
  if (!zulu) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59) return { ok: false, reason: 'not an RFC 3339 time (bad offset)' };
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (year <= 1) return { ok: true, iso: null };
  const millis = Number((frac ?? '').padEnd(3, '0').slice(0, 3));
  // Date.UTC maps years 0-99 to 1900-1999, so set the full year explicitly.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return { ok: true, iso: new Date(date.getTime() - offsetMinutes * 60_000).toISOString() };
}
