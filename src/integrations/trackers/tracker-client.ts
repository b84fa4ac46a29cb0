import type { TrackerIssueDraft, TrackerIssueRef, TrackerIssueState, TrackerKind } from '../../domain/trackers/tracker';

/**
 * One tracker's API, as the follow-through needs it. Each implementation wraps the vendor's
 * maintained client (`@octokit/rest`, `jira.js`) and runs every call through the app's
 * resilient HTTP policy (`ResilientClient.call`: timeout, retries with backoff on 429/5xx
 * honouring `Retry-After`, circuit breaker), passing the policy's AbortSignal down.
 */
export interface TrackerClient {
  readonly kind: TrackerKind;
  /** The issue an earlier attempt made for this action item (found by its marker); null when none. */
  findIssueFor(actionItemId: string, signal?: AbortSignal): Promise<TrackerIssueRef | null>;
  /** Make the issue. Callers look with `findIssueFor` first, so a retry never makes a second one. */
  createIssue(draft: TrackerIssueDraft, signal?: AbortSignal): Promise<TrackerIssueRef>;
  /** The issue's current state, for the periodic reconcile that catches missed webhooks. */
  issueState(key: string, signal?: AbortSignal): Promise<TrackerIssueState>;
}
