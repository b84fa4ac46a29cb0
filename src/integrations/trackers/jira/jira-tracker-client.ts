import { jiraTimeToIso } from '../../../../connectors/jira/jira.time';
import type { TrackerIssueDraft, TrackerIssueRef, TrackerIssueState } from '../../../domain/trackers/tracker';
import type { ResilienceOptions, ResilientClient } from '../../resilient-http';
import type { TrackerClient } from '../tracker-client';
import { adfDescription, wikiDescription } from './jira-description';
import { createJiraRest, jiraAttempt, type JiraCreateFields, type JiraIssueSummary, type JiraRest, type JiraSearchPage } from './jira-rest';
import { jiraBrowseUrl, jiraMarkerLabel, type JiraTrackerSettings } from '../../../domain/trackers/jira-settings';

/** Pages read when looking for an action item's issue; more would mean a runaway search, not duplicates. */
const MAX_SEARCH_PAGES = 20;
const SEARCH_PAGE_SIZE = 50;
/** Jira refuses summaries over 255 characters. */
const SUMMARY_MAX = 255;

/**
 * Action items as Jira issues (Cloud or Data Center), through jira.js and the outbound policy.
 *
 * Idempotency: every issue carries the label `debrief-<actionItemId>`. `findIssueFor` searches
 * the project for it, so a caller that looks before creating finds the issue an earlier attempt
 * made even when that attempt's answer was lost. A create is never retried by the policy once
 * it may have reached Jira (it is not idempotent); the caller's next look decides.
 */
export class JiraTrackerClient implements TrackerClient {
  readonly kind = 'jira' as const;

  constructor(
    private readonly settings: JiraTrackerSettings,
    private readonly http: ResilientClient,
    private readonly rest: JiraRest = createJiraRest(settings),
  ) {}

  async findIssueFor(actionItemId: string, signal?: AbortSignal): Promise<TrackerIssueRef | null> {
    const marker = jiraMarkerLabel(actionItemId);
    const jql = `project = ${jqlString(this.settings.projectKey)} AND labels = ${jqlString(marker)}`;
    const found: JiraIssueSummary[] = [];
    let next: string | number | null = null;
    for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
      const cursor: string | number | null = next;
      const result: JiraSearchPage = await this.http.call((attemptSignal) => jiraAttempt(attemptSignal, () => this.rest.searchPage(jql, cursor, SEARCH_PAGE_SIZE)), { signal });
      // The label is checked here too: an issue only counts when it really carries the marker.
      found.push(...result.issues.filter((issue) => issue.labels.includes(marker)));
      if (result.next === null || result.next === cursor) break;
      next = result.next;
    }
    const first = oldest(found);
    return first ? this.refOf(first.key) : null;
  }

  async createIssue(draft: TrackerIssueDraft, signal?: AbortSignal): Promise<TrackerIssueRef> {
    const fields = this.fieldsFor(draft);
    const created = await this.http.call((attemptSignal) => jiraAttempt(attemptSignal, () => this.rest.createIssue(fields)), { signal, idempotent: false });
    return this.refOf(created.key);
  }

  async issueState(key: string, signal?: AbortSignal): Promise<TrackerIssueState> {
    const status = await this.http.call((attemptSignal) => jiraAttempt(attemptSignal, () => this.rest.issueStatus(key)), { signal });
    const changedAt = jiraTimeToIso(status.updated);
    if (changedAt === null) throw new Error(`Jira issue ${key}: fields.updated "${status.updated}" is not a timestamp`);
    // The stored key, not the answer's: Jira answers a moved issue under its new key, and the
    // core finds the action item by the key it stored.
    return { tracker: 'jira', key, state: status.statusName, category: status.statusCategoryKey, changedAt };
  }

  /** The create request's `fields`, in the deployment's dialect. */
  fieldsFor(draft: TrackerIssueDraft): JiraCreateFields {
    const cloud = this.settings.deployment === 'cloud';
    const labels = [...new Set([...this.settings.labels, ...draft.labels.map((l) => l.replace(/\s+/g, '_')), jiraMarkerLabel(draft.actionItemId)])];
    const assignee = draft.assignee === null ? null : this.settings.assignees[draft.assignee] ?? draft.assignee;
    return {
      project: { key: this.settings.projectKey },
      summary: draft.title.length > SUMMARY_MAX ? `${draft.title.slice(0, SUMMARY_MAX - 1)}…` : draft.title,
      issuetype: { name: this.settings.issueType },
      labels,
      ...(this.settings.components.length > 0 ? { components: this.settings.components.map((name) => ({ name })) } : {}),
      ...(assignee === null ? {} : { assignee: cloud ? { accountId: assignee } : { name: assignee } }),
      description: cloud ? adfDescription(draft) : wikiDescription(draft),
    };
  }

  private refOf(key: string): TrackerIssueRef {
    return { tracker: 'jira', key, url: jiraBrowseUrl(this.settings.baseUrl, key) };
  }
}

export const createJiraTrackerClient = (settings: JiraTrackerSettings, http: ResilientClient): JiraTrackerClient => new JiraTrackerClient(settings, http);

/** The outbound policy's options for Jira: target `jira` (metrics, errors) and the configured timeout. */
export const jiraResilienceOptions = (settings: JiraTrackerSettings, extra: Omit<ResilienceOptions, 'target' | 'timeoutMs'> = {}): ResilienceOptions => ({
  ...extra, target: 'jira', timeoutMs: settings.timeoutMs,
});

/** Several issues may carry one marker (a person copied it); the first one made is the item's. */
function oldest(issues: JiraIssueSummary[]): JiraIssueSummary | null {
  const rank = (issue: JiraIssueSummary) => [Date.parse(jiraTimeToIso(issue.created ?? '') ?? '') || Number.MAX_SAFE_INTEGER, Number(issue.id) || Number.MAX_SAFE_INTEGER] as const;
  return [...issues].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1])[0] ?? null;
}

/** A JQL string literal: quoted, with `"` and `\` escaped. */
export const jqlString = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
