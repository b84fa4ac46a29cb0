import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readRecordedRequest, type RecordedRequest } from './recorded-request';

const REST = join(__dirname, '..', '..', 'connectors', 'github-issues', 'fixtures', 'rest');
/** GitHub's published issue object ("Create an issue", "Get an issue"); answers are built from it. */
const ISSUE_TEMPLATE = JSON.parse(readFileSync(join(REST, 'github-docs-issue.json'), 'utf8')) as Record<string, unknown>;
/** GitHub's published "List repository issues" item: a pull request, which the issues endpoints list too. */
const LISTED_PULL = (JSON.parse(readFileSync(join(REST, 'github-docs-list-repository-issues.json'), 'utf8')) as Array<Record<string, unknown>>)[0]!;

export type { RecordedRequest };

/** How the server misbehaves on the next matching request (each used once). */
export type Fault =
  | { status: 429; retryAfter: string }
  | { status: 500 | 502 | 503 }
  /** GitHub's rate limits as documented: a secondary limit (403 with Retry-After) or the primary one spent (403, `x-ratelimit-remaining: 0`, reset time). */
  | { status: 403; retryAfter?: string; resetAt?: number }
  | { hang: true }
  /** The request is carried out (an issue is made), then the answer never comes. */
  | { loseAnswer: true };

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A loopback server speaking the part of GitHub's REST API the tracker client uses, as GitHub
 * documents it (docs.github.com, "Issues"): `POST /repos/{owner}/{repo}/issues` (201),
 * `GET /repos/{owner}/{repo}/issues` (filters `labels`, `state`; `per_page`/`page` with a `Link`
 * header `rel="next"`/`rel="last"`), `GET /repos/{owner}/{repo}/issues/{number}`. Answers are the
 * published example object with the stored issue's fields. Requires `Authorization: token <token>`.
 */
export class GitHubIssuesServer {
  readonly requests: RecordedRequest[] = [];
  readonly issues: StoredIssue[] = [];
  /** Faults by route: `create`, `list`, `get`. */
  readonly faults: Record<'create' | 'list' | 'get', Fault[]> = { create: [], list: [], get: [] };
  /** Extra pull requests listed first under the marker label (the issues endpoints list them too). */
  listPullRequests = 0;
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  private clockMs = Date.parse('2026-03-01T12:00:00Z');
  url = '';

  constructor(readonly owner: string, readonly repo: string, readonly token: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Makes `count` issues carrying the marker label but no Debrief marker (other people's issues). */
  seed(count: number, labels: string[]): void {
    for (let i = 0; i < count; i++) this.makeIssue({ title: `Someone else's issue ${i}`, body: 'Not from Debrief.', labels, assignees: [] });
  }

  /** Closes or reopens an issue as a person would on GitHub; returns it. */
  setState(number: number, state: 'open' | 'closed', reason: string | null): StoredIssue {
    const issue = this.issues.find((candidate) => candidate.number === number)!;
    issue.state = state;
    issue.state_reason = reason;
    issue.updated_at = this.tick();
    return issue;
  }

  /** The issue as GitHub's REST API returns it (the published example with this issue's fields). */
  rendered(issue: StoredIssue): Record<string, unknown> {
    const base = `https://github.com/${this.owner}/${this.repo}/issues/${issue.number}`;
    const api = `${this.url}/repos/${this.owner}/${this.repo}/issues/${issue.number}`;
    return {
      ...ISSUE_TEMPLATE, id: 1000 + issue.number, number: issue.number, url: api, html_url: base, title: issue.title, body: issue.body,
      labels: issue.labels.map((name, index) => ({ id: index + 1, name, color: 'f29513', default: false, description: null })),
      assignees: issue.assignees.map((login) => ({ login })), assignee: issue.assignees[0] ? { login: issue.assignees[0] } : null,
      state: issue.state, state_reason: issue.state_reason, locked: false, active_lock_reason: null,
      created_at: issue.created_at, updated_at: issue.updated_at, closed_at: issue.state === 'closed' ? issue.updated_at : null,
    };
  }

  private tick(): string {
    this.clockMs += 1000;
    return new Date(this.clockMs).toISOString().replace('.000Z', 'Z');
  }

  private makeIssue(fields: { title: string; body: string; labels: string[]; assignees: string[] }): StoredIssue {
    const at = this.tick();
    const issue: StoredIssue = { number: this.issues.length + 1, ...fields, state: 'open', state_reason: null, created_at: at, updated_at: at };
    this.issues.push(issue);
    return issue;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRecordedRequest(req);
    this.requests.push(request);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `token ${this.token}`) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const prefix = `/repos/${this.owner}/${this.repo}/issues`;
    const route = req.method === 'POST' && request.path === prefix ? 'create'
      : req.method === 'GET' && request.path === prefix ? 'list'
        : req.method === 'GET' && request.path.startsWith(`${prefix}/`) ? 'get' : null;
    if (!route) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const fault = this.faults[route].shift();
    if (fault && 'hang' in fault) {
      this.hanging.add(res);
      return;
    }
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = {};
      if ((fault.status === 429 || fault.status === 403) && fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      if (fault.status === 403 && fault.resetAt !== undefined) Object.assign(headers, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(fault.resetAt) });
      const message = fault.status === 403 ? 'You have exceeded a secondary rate limit' : fault.status === 429 ? 'API rate limit exceeded' : 'Server Error';
      return send(fault.status, { message, documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api' }, headers);
    }
    if (route === 'create') {
      const body = request.body as { title: string; body?: string; labels?: string[]; assignees?: string[] };
      const issue = this.makeIssue({ title: body.title, body: body.body ?? '', labels: body.labels ?? [], assignees: body.assignees ?? [] });
      if (fault && 'loseAnswer' in fault) {
        this.hanging.add(res);
        return;
      }
      return send(201, this.rendered(issue), { location: `${this.url}${prefix}/${issue.number}` });
    }
    if (route === 'get') {
      const issue = this.issues.find((candidate) => String(candidate.number) === request.path.slice(prefix.length + 1));
      return issue ? send(200, this.rendered(issue)) : send(404, { message: 'Not Found' });
    }
    return this.list(request, send);
  }

  private list(request: RecordedRequest, send: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    const { query } = request;
    const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
    const state = query.get('state') ?? 'open';
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30));
    const page = Number(query.get('page') ?? 1);
    const pulls = Array.from({ length: this.listPullRequests }, (_, i) => ({ ...LISTED_PULL, number: 9000 + i, labels: labels.map((name) => ({ name })) }));
    const matching = this.issues
      .filter((issue) => (state === 'all' || issue.state === state) && labels.every((label) => issue.labels.includes(label)))
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.number - a.number)
      .map((issue) => this.rendered(issue));
    const all = [...pulls, ...matching];
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number) => {
      const next = new URL(`${this.url}${request.path}?${query}`);
      next.searchParams.set('page', String(p));
      return next.toString();
    };
    const links = page < last ? [`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`] : [];
    send(200, all.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
  }
}
