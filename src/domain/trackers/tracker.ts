/**
 * Action items live on in the team's tracker (GitHub Issues, Jira). These are the words the
 * core uses for that link; each tracker's vendor words (GitHub "state_reason", Jira "status
 * category") stay in its connector and client and are translated into these.
 */

export const TRACKER_KINDS = ['github', 'jira'] as const;
export type TrackerKind = (typeof TRACKER_KINDS)[number];

/** What Debrief asks a tracker to make for one action item. */
export interface TrackerIssueDraft {
  /**
   * Debrief's action item id. The client writes it into the issue as a marker (a hidden
   * comment, a label or an entity property), so a retried create finds the issue the first
   * attempt made instead of making a second one.
   */
  actionItemId: string;
  title: string;
  /** Markdown; names the incident and links the post-mortem. */
  body: string;
  /** The post-mortem's page, absolute. */
  postmortemUrl: string;
  /** GitHub labels, or Jira labels (components are the Jira client's own setting). */
  labels: string[];
  /** The tracker account mapped from the item's owner (GitHub login, Jira accountId or DC user name); null leaves it unassigned. */
  assignee: string | null;
}

/** The issue made for an action item, as stored on the item. */
export interface TrackerIssueRef {
  tracker: TrackerKind;
  /** `owner/repo#12` for GitHub, `OPS-12` for Jira. */
  key: string;
  /** The issue's page for people (html_url / browse URL), never the API URL. */
  url: string;
}

/**
 * An issue's state as its tracker reports it, from a webhook or a reconcile read. `state` is
 * the tracker's own name (GitHub `open`/`closed`, a Jira status name); `category` is the
 * tracker's coarse class when it has one (GitHub's `state_reason`: `completed`, `not_planned`,
 * `reopened`; Jira's status category key: `new`, `indeterminate`, `done`). Which of them mean
 * "done" is configuration, not a guess made here.
 */
export interface TrackerIssueState {
  tracker: TrackerKind;
  key: string;
  state: string;
  category: string | null;
  /** When the tracker last changed the issue (ISO-8601); a stale delivery is older than what is stored. */
  changedAt: string;
}
