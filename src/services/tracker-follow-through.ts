import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { IssueDraftSettings } from '../domain/trackers/issue-draft';
import type { TrackerKind } from '../domain/trackers/tracker';
import { GITHUB_STATUS_RULES, JIRA_STATUS_RULES, type TrackerStatusRule } from '../domain/trackers/tracker-status';
import type { OutboundClients } from '../integrations/outbound-clients';
import { GitHubTrackerClient } from '../integrations/trackers/github/github-tracker-client';
import { createJiraTrackerClient } from '../integrations/trackers/jira/jira-tracker-client';
import { TrackerReconciler } from '../integrations/trackers/tracker-reconciler';
import type { ReportStore } from '../store/report-store';
import type { IncidentReads } from '../store/store';
import { TrackerIssues, type TrackerRegistry } from './tracker-issues';
import { TrackerStates } from './tracker-states';

/** Action items in the team's tracker: what the app holds and starts. */
export interface TrackerFollowThrough {
  /** The configured trackers by kind; each tracker is one entry. */
  trackers: TrackerRegistry;
  issues: TrackerIssues;
  states: TrackerStates;
  reconciler: TrackerReconciler;
}

export interface TrackerFollowThroughDeps {
  config: Pick<Config, 'trackers' | 'status'>;
  clients: Pick<OutboundClients, 'tracker'>;
  reports: ReportStore;
  store: Pick<IncidentReads, 'getIncident'>;
  clock: () => Date;
  logger?: Logger;
}

/**
 * Builds the tracker registry from the configuration (GitHub when `trackers.github` is set, Jira when `trackers.jira` is)
 * and the use cases around it. Without a configured tracker, "create in tracker" answers which
 * tracker is missing, webhooks about unknown issues change nothing, and the reconcile idles.
 */
export function createTrackerFollowThrough(deps: TrackerFollowThroughDeps): TrackerFollowThrough {
  const { config, clients, reports, store, clock, logger } = deps;
  const trackers: TrackerRegistry = {};
  const settings: Partial<Record<TrackerKind, IssueDraftSettings>> = {};
  const rules: Partial<Record<TrackerKind, readonly TrackerStatusRule[]>> = { github: GITHUB_STATUS_RULES, jira: JIRA_STATUS_RULES };
  const github = config.trackers.github;
  if (github) {
    trackers.github = new GitHubTrackerClient({
      baseUrl: github.baseUrl, token: github.token, repo: github.repo, labels: github.labels, markerLabel: github.markerLabel, http: clients.tracker('github', github),
    });
    settings.github = { labels: github.labels, assignees: github.assignees };
    if (github.statusMap) rules.github = github.statusMap;
  }
  const jira = config.trackers.jira;
  if (jira) {
    trackers.jira = createJiraTrackerClient(jira, clients.tracker('jira', { timeoutSeconds: jira.timeoutMs / 1000, retries: jira.retries }));
    // The Jira client puts its configured labels on and maps owners itself (accountId or user
    // name by deployment); the draft passes the owner through the same map.
    settings.jira = { labels: [], assignees: jira.assignees };
    if (jira.statusMap) rules.jira = jira.statusMap;
  }
  const states = new TrackerStates({ reports, rules, clock, logger });
  const issues = new TrackerIssues({ trackers, settings, reports, store, publicUrl: config.status.publicUrl, clock, logger });
  const reconciler = new TrackerReconciler({
    trackers, reports, apply: (found) => states.apply(found), intervalSeconds: config.trackers.reconcileSeconds,
    reopenWindowDays: config.trackers.reopenWindowDays, clock, logger,
  });
  return { trackers, issues, states, reconciler };
}
