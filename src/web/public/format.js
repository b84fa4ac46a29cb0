// Times and durations for people. Every time has one format, the one the drafted report text
// uses too: `2026-11-20 10:00:05 UTC`, with seconds (timelines need them), in the browser's
// time zone with the zone named; the exact UTC instant is in the <time datetime> attribute
// and the tooltip.

import { h } from './dom.js';

// en-US only for the parts' digits and the zone's short name; the order is built below.
const dateTimeParts = new Intl.DateTimeFormat('en-US', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** `2026-11-20 10:00:05 UTC` (the browser's zone, named), or a dash. @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  /** @type {Record<string, string>} */
  const p = {};
  for (const part of dateTimeParts.formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** A <time> element (or a dash). @param {string | null | undefined} iso */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  return h('time', { text: formatTime(iso), attrs: { datetime: iso, title: iso } });
}

/** @param {Date} d */
export const clockTime = (d) => timeOnly.format(d);

/**
 * Compact duration: `45s`, `12m`, `1h 20m`, `3d 4h`.
 * @param {number | null | undefined} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours}h ${m % 60}m` : `${hours}h`;
  const d = Math.floor(hours / 24);
  return hours % 24 ? `${d}d ${hours % 24}h` : `${d}d`;
}

/**
 * Duration of an incident: until its end, or until now while it is open.
 * @param {{ startedAt: string, endedAt: string | null }} inc
 * @param {number} [now]
 */
export function incidentDuration(inc, now = Date.now()) {
  const start = Date.parse(inc.startedAt);
  const end = inc.endedAt ? Date.parse(inc.endedAt) : now;
  return end - start;
}

/** `2026-11-20T10:00` (local) for <input type=datetime-local>. @param {string | null} iso */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** ISO UTC from a datetime-local value, or null when empty/invalid. @param {string} value */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const REPORT_STATUS_LABELS = { draft: 'Draft', in_review: 'In review', published: 'Published' };
/** @param {string} s */
export const reportStatusLabel = (s) => REPORT_STATUS_LABELS[/** @type {keyof typeof REPORT_STATUS_LABELS} */ (s)] ?? s;

const SECTION_STATUS_LABELS = { 'machine-drafted': 'Machine-drafted', 'needs-human': 'Needs a person', 'human-completed': 'Completed by a person' };
/** @param {string} s */
export const sectionStatusLabel = (s) => SECTION_STATUS_LABELS[/** @type {keyof typeof SECTION_STATUS_LABELS} */ (s)] ?? s;

/** A status pill; the text carries the meaning, colour only repeats it. @param {string} kind @param {string} text */
export const badge = (kind, text) => h('span', { class: ['badge', `badge-${String(kind).replace(/[^a-z0-9_-]/gi, '')}`], text });

/** @param {number} n @param {string} one @param {string} [many] */
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
