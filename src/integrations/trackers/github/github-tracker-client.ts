import { Octokit } from '@octokit/rest';
import type { TrackerIssueDraft, TrackerIssueRef, TrackerIssueState } from '../../../domain/trackers/tracker';
import { actionItemMarker, markedActionItem } from '../../../domain/trackers/tracker-link';
import { RetryableError, retryAfterMs, type ResilientClient } from '../../resilient-http';
import type { TrackerClient } from '../tracker-client';
import { githubIssueKey, parseGitHubIssueKey, parseGitHubRepo, type GitHubRepo } from './github-issue-key';

export interface GitHubTrackerOptions {
  /** REST API root: `https://api.github.com`, or GitHub Enterprise Server's `https://HOST/api/v3`. */
  baseUrl: string;
  token: string;
  /** `owner/name` of the repository issues are made in. */
  repo: string;
  /** Labels put on every issue (the marker label is added to them). */
  labels: readonly string[];
  /** The label every issue Debrief makes carries; what a retried create lists to find an earlier attempt's issue. */
  markerLabel: string;
  /** The resilient policy (`tracker:github`): timeouts, retries on 429/5xx with Retry-After, circuit. */
  http: ResilientClient;
}

/** The fields of GitHub's issue object Debrief reads. */
interface GitHubIssue {
  number: number;
  html_url: string;
  state: string;
  state_reason?: string | null;
  updated_at: string;
  body?: string | null;
  pull_request?: unknown;
}

/**
 * GitHub Issues through `@octokit/rest`. The octokit has no retry or throttling plugin
 * (`@octokit/rest` ships none), so the app's resilient policy alone decides on retries; every
 * request carries the policy's AbortSignal.
 *
 * Idempotency: the issue body carries a hidden marker naming the action item, and the issue the
 * marker label. `findIssueFor` lists the repository's issues with that label ("List repository
 * issues", paged by the `Link` header) rather than the search API, whose index lags behind a
 * create by seconds to minutes: a retry right after a lost response must see the issue.
 */
export class GitHubTrackerClient implements TrackerClient {
  readonly kind = 'github' as const;
  private readonly octokit: Octokit;
  private readonly repo: GitHubRepo;

  constructor(private readonly options: GitHubTrackerOptions) {
    this.repo = parseGitHubRepo(options.repo);
    this.octokit = new Octokit({
      auth: options.token, baseUrl: options.baseUrl.replace(/\/+$/, ''), userAgent: 'debrief',
      // Octokit's request log would print every call at info level with its own logger.
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  async findIssueFor(actionItemId: string, signal?: AbortSignal): Promise<TrackerIssueRef | null> {
    return this.options.http.call((attempt) => this.find(actionItemId, attempt), { signal });
  }

  /**
   * Each attempt after the first looks for the issue again before making it: an attempt that
   * timed out or lost its answer may have made the issue, so the retry finds it instead of
   * making a second one. That makes the create safe to retry, and the policy may retry it.
   */
  async createIssue(draft: TrackerIssueDraft, signal?: AbortSignal): Promise<TrackerIssueRef> {
    let attempts = 0;
    return this.options.http.call(async (attempt) => {
      if (attempts++ > 0) {
        const earlier = await this.find(draft.actionItemId, attempt);
        if (earlier) return earlier;
      }
      const labels = [...new Set([...draft.labels, ...this.options.labels, this.options.markerLabel])];
      const { data } = await this.octokit.rest.issues.create({
        ...this.repo, title: draft.title, body: `${draft.body}\n\n${actionItemMarker(draft.actionItemId)}\n`, labels,
        ...(draft.assignee ? { assignees: [draft.assignee] } : {}),
        request: { signal: attempt },
      }).catch(translate);
      return this.refOf(data as GitHubIssue);
    }, { signal });
  }

  async issueState(key: string, signal?: AbortSignal): Promise<TrackerIssueState> {
    const { repo, number } = parseGitHubIssueKey(key);
    return this.options.http.call(async (attempt) => {
      const { data } = await this.octokit.rest.issues.get({ ...repo, issue_number: number, request: { signal: attempt } }).catch(translate);
      const issue = data as GitHubIssue;
      return { tracker: 'github', key: githubIssueKey(repo, issue.number), state: issue.state, category: issue.state_reason ?? null, changedAt: issue.updated_at };
    }, { signal });
  }

  private async find(actionItemId: string, signal: AbortSignal): Promise<TrackerIssueRef | null> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
      ...this.repo, labels: this.options.markerLabel, state: 'all', sort: 'created', direction: 'desc', per_page: 100, request: { signal },
    });
    try {
      for await (const page of pages) {
        const found = (page.data as GitHubIssue[]).find((issue) => !issue.pull_request && markedActionItem(issue.body) === actionItemId);
        if (found) return this.refOf(found);
      }
    } catch (err) {
      translate(err);
    }
    return null;
  }

  private refOf(issue: GitHubIssue): TrackerIssueRef {
    return { tracker: 'github', key: githubIssueKey(this.repo, issue.number), url: issue.html_url };
  }
}

/**
 * Octokit's errors in the policy's terms: a 5xx, 408 or 429 answer (and GitHub's rate limits,
 * a 403 with `Retry-After` or no requests left) asks for a retry after the time GitHub names;
 * other answers fail as they are; a request that got no answer keeps its network error code.
 */
function translate(err: unknown): never {
  const failure = err as { status?: number; message?: string; response?: { status: number; headers: Record<string, string | undefined> } };
  const response = failure?.response;
  if (response) {
    const { status, headers } = response;
    const limited = status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0');
    if (status >= 500 || status === 429 || status === 408 || limited) {
      const wait = retryAfterMs(headers['retry-after']) ?? resetWait(headers['x-ratelimit-reset']);
      throw new RetryableError(`HTTP ${status} from GitHub: ${failure.message ?? ''}`.trim(), status === 403 ? 429 : status, wait);
    }
    throw new GitHubApiError(`GitHub answered HTTP ${status}: ${failure.message ?? ''}`.trim(), status);
  }
  if (err instanceof Error && err.name === 'HttpError') {
    // No answer: octokit keeps only the message of fetch's cause ("connect ECONNREFUSED ...").
    const code = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(err.message)?.[1] ?? 'ECONNRESET';
    throw Object.assign(new Error(err.message), { code });
  }
  throw err;
}

const resetWait = (reset: string | undefined): number | null => {
  const at = Number(reset);
  return reset !== undefined && Number.isFinite(at) ? Math.max(0, at * 1000 - Date.now()) : null;
};

/** GitHub refused the request for good (4xx other than rate limits): wrong token, repository or field. */
export class GitHubApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'GitHubApiError';
  }
}
