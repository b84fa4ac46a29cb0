import type { TrackerIssueState } from '../../src/domain/trackers/tracker';
import type { NormalizeContext, Normalized } from '../connector';
import { parseRfc3339 } from '../shared/rfc3339';
import type { GitHubIssuesPayload } from './github-issues.payload';

/**
 * One validated body -> the issue state it reports, in the tracker words of
 * `src/domain/trackers/tracker.ts`: GitHub's `state` (`open`/`closed`), its `state_reason`
 * (`completed`, `not_planned`, `reopened`) as the category, and the issue's `updated_at` as the
 * time of that state (a delivery older than what Debrief stored is stale). Every action reports
 * the issue's current state, so a replay or an edit changes nothing. Pure.
 */
export function normalizeGitHubIssues(payload: GitHubIssuesPayload, _context: NormalizeContext): Normalized {
  if (payload.type === 'ping') return { alerts: [], pagingEvents: [], trackerStates: [], ignoredReason: 'GitHub ping: the webhook is set up' };
  const { issue, repository } = payload.event;
  const parsed = parseRfc3339(issue.updated_at);
  const state: TrackerIssueState = {
    tracker: 'github',
    key: `${repository.full_name}#${issue.number}`,
    state: issue.state,
    category: issue.state_reason ?? null,
    changedAt: parsed.ok && parsed.iso ? parsed.iso : new Date(issue.updated_at).toISOString(),
  };
  return { alerts: [], pagingEvents: [], trackerStates: [state], ignoredReason: null };
}
