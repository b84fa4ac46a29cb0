/**
 * An instant as drafted text prints it: `2026-11-20 10:00:05 UTC`, the shape the pages show
 * too (in the reader's zone there, named). Never raw ISO in text meant for people. A value
 * that is not a time is returned as it is. Pure.
 */
export function readableTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const text = new Date(time).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}
