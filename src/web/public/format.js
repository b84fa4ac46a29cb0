// Times and durations for people. Times are shown in the browser's time zone with the zone
// named; the exact UTC instant is in the <time datetime> attribute and the tooltip.

import { h } from './dom.js';

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTime.format(date);
}

/** A <time> element (or a dash). @param {string | null | undefined} iso */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  return h('time', { text: formatTime(iso), attrs: { datetime: iso, title: iso } });
}

/** @param {Date} date */
export const clockTime = (date) => timeOnly.format(date);

/**
 * Compact duration: `45s`, `12m`, `1h 20m`, `3d 4h`.
 * @param {number | null | undefined} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
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
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (number) => String(number).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO UTC from a datetime-local value, or null when empty/invalid. @param {string} value */
export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const REPORT_STATUS_LABELS = { draft: 'Draft', in_review: 'In review', published: 'Published' };
/** @param {string} status */
export const reportStatusLabel = (status) => REPORT_STATUS_LABELS[/** @type {keyof typeof REPORT_STATUS_LABELS} */ (status)] ?? status;

const SECTION_STATUS_LABELS = { 'machine-drafted': 'Machine-drafted', 'needs-human': 'Needs a person', 'human-completed': 'Completed by a person' };
/** @param {string} status */
export const sectionStatusLabel = (status) => SECTION_STATUS_LABELS[/** @type {keyof typeof SECTION_STATUS_LABELS} */ (status)] ?? status;

/** A status pill; the text carries the meaning, colour only repeats it. @param {string} kind @param {string} text */
export const badge = (kind, text) => h('span', { class: ['badge', `badge-${String(kind).replace(/[^a-z0-9_-]/gi, '')}`], text });

/** @param {number} count @param {string} one @param {string} [many] */
export const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
