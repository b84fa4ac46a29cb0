import type { EvidenceStrength } from '../alert';
import type { PagingEvent } from '../paging-event';

/** Words shared by correlation explanations. Pure. */

const MINUTE = 60_000;

export function formatMinutes(ms: number): string {
  const m = ms / MINUTE;
  return Number.isInteger(m) ? `${m} min` : `${m.toFixed(1)} min`;
}

export function formatGap(ms: number): string {
  if (ms === 0) return 'within its span';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}

/** `2 min after the first of them`, `within the span of the first of them`, `while it is unresolved`. */
export function relativeText(gap: { gapMs: number; before: boolean; unresolved?: boolean }, what: string): string {
  if (gap.gapMs === 0) return gap.unresolved ? `while ${what} is unresolved` : `within the span of ${what}`;
  return `${formatGap(gap.gapMs)} ${gap.before ? 'before' : 'after'} ${what}`;
}

/**
 * Where an alert started relative to the onsets it matched: `2 min after it` (one alert),
 * `3 min before the first of them`, `between the first and the latest of them`.
 */
export function onsetText(gap: { gapMs: number; before: boolean }, holders: number): string {
  if (holders <= 1) return gap.gapMs === 0 ? 'at the same time as it' : `${formatGap(gap.gapMs)} ${gap.before ? 'before' : 'after'} it`;
  if (gap.gapMs === 0) return 'between the first and the latest of them';
  return gap.before ? `${formatGap(gap.gapMs)} before the first of them` : `${formatGap(gap.gapMs)} after the latest of them`;
}

/** `strong evidence (score 0.81)`. */
export const evidenceText = (strength: EvidenceStrength, score: number): string => `${strength} evidence (score ${score.toFixed(2)})`;

/** `PagerDuty incident #42 "Checkout is down" (PABC123)`. */
export function describePage(event: Pick<PagingEvent, 'page'>): string {
  const num = event.page.number !== null ? `#${event.page.number} ` : '';
  const title = event.page.title ? `"${event.page.title}" ` : '';
  return `PagerDuty incident ${num}${title}(${event.page.id})`.replace(/\s+\(/, ' (');
}

/** `in the incident's core` / `1 topology step from the incident's root`. */
export const depthText = (depth: number): string => (depth === 0 ? "in the incident's core" : `${depth} topology step${depth === 1 ? '' : 's'} from the incident's root`);

export const listText = (items: readonly string[], max = 5): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
