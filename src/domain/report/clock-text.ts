/**
 * Times and waits as a post-mortem says them. Reports keep full UTC ISO times in their facts;
 * sentences of the draft ("ended at 14:32 UTC when the page was resolved") use the clock time,
 * with the date only when it is not the day the incident began.
 */

/** `14:32 UTC`, or `2026-11-27 14:32 UTC` when `at` falls on another UTC day than `reference`. */
export function clockText(at: string, reference: string): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(reference).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** A rule's wait as Prometheus writes durations: `5m`, `1h30m`, `90s` is `1m30s`, `0s`. */
export function waitText(seconds: number): string {
  let rest = Math.round(seconds);
  if (rest <= 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
