import type { TrackerIssueRef } from './tracker';

/**
 * An action item's link to the issue made for it in a tracker, as stored on the item: the
 * issue, and the tracker's last word on it (from a webhook or a reconcile read). `changedAt` is
 * the tracker's own time of that word, so an older delivery arriving later is known as stale.
 */
export interface ActionItemTrackerLink extends TrackerIssueRef {
  /** The tracker's state name (`open`, `closed`, a Jira status); null until the tracker said anything. */
  state: string | null;
  category: string | null;
  changedAt: string | null;
}

const MARKER = /<!--\s*debrief-action-item:\s*([A-Za-z0-9._-]+)\s*-->/;

/** The hidden marker written into an issue's body: it tells which action item the issue is for. */
export const actionItemMarker = (actionItemId: string): string => `<!-- debrief-action-item: ${actionItemId} -->`;

/** The action item id an issue body's marker names; null without one. */
export function markedActionItem(body: string | null | undefined): string | null {
  return MARKER.exec(body ?? '')?.[1] ?? null;
}

/** The tracker account an owner maps to (exact name first, then case-insensitive); null leaves the issue unassigned. */
export function assigneeFor(owner: string | null, map: Readonly<Record<string, string>>): string | null {
  if (!owner) return null;
  if (map[owner] !== undefined) return map[owner]!;
  const lower = owner.toLowerCase();
  const key = Object.keys(map).find((name) => name.toLowerCase() === lower);
  return key === undefined ? null : map[key]!;
}
