import type { TrackerIssueState } from '../../src/domain/trackers/tracker';
import { NormalizeError, type NormalizeContext, type Normalized } from '../connector';
import type { JiraPayload } from './jira.payload';
import { jiraTimeToIso } from './jira.time';

/**
 * One validated Jira webhook -> the issue state it reports. Pure: no clock, no I/O. The state
 * is the issue's status as the body carries it (status name, status category key) at the
 * issue's `updated` time, which lets the core ignore a delivery older than what it stored.
 * A created issue and an update that changes the status report it; an update that changes
 * other fields only, and every other event, is acknowledged with its `ignoredReason`.
 */
export function normalizeJira(payload: JiraPayload, _context: NormalizeContext): Normalized {
  const none = (ignoredReason: string): Normalized => ({ alerts: [], pagingEvents: [], trackerStates: [], ignoredReason });
  if (payload.type === 'other') return none(`Jira event ${payload.event} does not report an issue's status`);
  if (payload.event === 'jira:issue_updated' && payload.statusChanged === false) {
    return none(`Jira issue ${payload.issue.key} was updated without a status change`);
  }
  const { issue } = payload;
  const changedAt = jiraTimeToIso(issue.fields.updated);
  if (changedAt === null) throw new NormalizeError(`issue.fields.updated "${issue.fields.updated}" is not a Jira timestamp`, 'issue.fields.updated');
  const state: TrackerIssueState = {
    tracker: 'jira',
    key: issue.key,
    state: issue.fields.status.name,
    category: issue.fields.status.statusCategory?.key ?? null,
    changedAt,
  };
  return { alerts: [], pagingEvents: [], trackerStates: [state], ignoredReason: null };
}
