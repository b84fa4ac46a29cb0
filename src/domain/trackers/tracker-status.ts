import type { ActionItemStatus } from '../report/report-model';
import type { TrackerIssueState, TrackerKind } from './tracker';
import type { ActionItemTrackerLink } from './tracker-link';

/**
 * One line of the configured mapping from a tracker's words to an action item status. A rule
 * matches when each of `state` and `category` it names equals the tracker's (case-insensitive);
 * the first matching rule wins, no match leaves the item as it is.
 */
export interface TrackerStatusRule {
  state?: string;
  category?: string;
  status: ActionItemStatus;
}

/**
 * GitHub's words: a closed issue is done, unless closed as "not planned" (won't do); an open
 * (or reopened) issue is open work.
 */
export const GITHUB_STATUS_RULES: readonly TrackerStatusRule[] = [
  { state: 'closed', category: 'not_planned', status: 'wont_do' },
  { state: 'closed', status: 'done' },
  { state: 'open', status: 'open' },
];

/**
 * Jira's words: a status named "Won't Do" (a Jira Software default, in the `done` category) is
 * won't do; any other status in the `done` category is done; `indeterminate` (In Progress) is
 * in progress and `new` (To Do) open work. Sites with their own workflow write their own
 * mapping (`trackers.jira.statusMap`).
 */
export const JIRA_STATUS_RULES: readonly TrackerStatusRule[] = [
  { state: "Won't Do", status: 'wont_do' },
  { category: 'done', status: 'done' },
  { category: 'indeterminate', status: 'in_progress' },
  { category: 'new', status: 'open' },
];

/** The actor named in the audit trail for changes a tracker made (`tracker:github`). */
export const trackerActor = (tracker: TrackerKind): string => `tracker:${tracker}`;

const same = (a: string | undefined, b: string | null): boolean => a === undefined || (b !== null && a.toLowerCase() === b.toLowerCase());

/** The status the rules give the tracker's state; null when no rule matches. */
export function statusForTrackerState(state: Pick<TrackerIssueState, 'state' | 'category'>, rules: readonly TrackerStatusRule[]): ActionItemStatus | null {
  return rules.find((rule) => same(rule.state, state.state) && same(rule.category, state.category))?.status ?? null;
}

const FINISHED: ReadonlySet<ActionItemStatus> = new Set(['done', 'wont_do']);

/** What one tracker state does to one linked item. */
export type TrackerStateOutcome =
  | { kind: 'stale' | 'unchanged' }
  | { kind: 'changed'; link: ActionItemTrackerLink; status: ActionItemStatus };

/**
 * Applies a tracker's state to a linked item (pure). A state older than the stored one is
 * stale; the same state again (a replayed delivery, a reconcile finding nothing new) changes
 * nothing. An open issue does not move an item someone marked in progress back to open: only
 * finishing and reopening move the item, so the tracker never undoes finer work in Debrief.
 */
export function applyTrackerState(
  current: { status: ActionItemStatus; link: ActionItemTrackerLink },
  incoming: TrackerIssueState,
  rules: readonly TrackerStatusRule[],
): TrackerStateOutcome {
  const { link } = current;
  if (link.changedAt !== null && Date.parse(incoming.changedAt) < Date.parse(link.changedAt)) return { kind: 'stale' };
  const mapped = statusForTrackerState(incoming, rules);
  const moves = mapped !== null && mapped !== current.status && (FINISHED.has(mapped) || FINISHED.has(current.status));
  const status = moves ? mapped : current.status;
  const sameWord = link.state === incoming.state && link.category === incoming.category;
  if (sameWord && status === current.status) return { kind: 'unchanged' };
  return { kind: 'changed', status, link: { ...link, state: incoming.state, category: incoming.category, changedAt: incoming.changedAt } };
}
