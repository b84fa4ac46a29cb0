import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readRecordedRequest, type RecordedRequest } from '../support/recorded-request';

/**
 * A local Jira that speaks the REST protocol as Atlassian documents it, for the tracker
 * client's tests: Cloud (`/rest/api/3`: create issue, get issue, the enhanced `/search/jql`
 * with `nextPageToken`; the old `/search` answers 410 as Cloud now does) or Data Center
 * (`/rest/api/2`: create issue, get issue, `/search` with `startAt`). Answers are the published
 * example bodies (`connectors/jira/fixtures/`) with the fake's own issues put in. It records
 * every request, and faults can be queued per route: an answer (429 with Retry-After, 5xx, 400),
 * no answer at all, or a create that is done but whose answer is lost.
 */

const FIXTURES = join(__dirname, '..', '..', 'connectors', 'jira', 'fixtures');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

export interface FakeIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & { labels: string[]; created: string; updated: string };
  status: { name: string; id: string; categoryKey: string; categoryId: number };
}

export type { RecordedRequest };

export type Fault =
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'hang' }
  /** The request is handled (a create makes the issue) but the connection is cut before the answer. */
  | { kind: 'lose-answer' };

export interface FakeJiraOptions {
  deployment: 'cloud' | 'datacenter';
  /** The Authorization header Jira accepts; anything else is 401. */
  authorization: string;
  projectKey: string;
  /** The server's own page size cap ("may return fewer items than maxResults"). */
  pageSize?: number;
  /** The number the next created issue gets (the published create example is ED-24 / TST-24). */
  firstNumber?: number;
}

export class FakeJira {
  readonly requests: RecordedRequest[] = [];
  readonly issues: FakeIssue[] = [];
  /** Set when the client went away while a request was held (a `hang` fault): the abort reached the socket. */
  readonly abandoned: string[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server: Server | null = null;
  private nextNumber: number;
  private nextId = 10000;
  baseUrl = '';

  constructor(private readonly options: FakeJiraOptions) {
    this.nextNumber = options.firstNumber ?? 24;
  }

  private get api(): string {
    return this.options.deployment === 'cloud' ? '/rest/api/3' : '/rest/api/2';
  }

  /** Queue faults for `METHOD /path` (path without the query), used in order before normal answers. */
  fail(route: string, ...faults: Fault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** An issue made outside the client (or by an earlier run). */
  seed(issue: { key?: string; labels: string[]; created: string; updated?: string; status?: FakeIssue['status'] }): FakeIssue {
    const stored: FakeIssue = {
      id: String(this.nextId++),
      key: issue.key ?? `${this.options.projectKey}-${this.nextNumber++}`,
      fields: { labels: issue.labels, created: issue.created, updated: issue.updated ?? issue.created },
      status: issue.status ?? { name: 'To Do', id: '10000', categoryKey: 'new', categoryId: 2 },
    };
    this.issues.push(stored);
    return stored;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRecordedRequest(req);
    this.requests.push(request);
    const route = `${request.method} ${request.path}`;
    const fault = this.faults.get(route)?.shift();
    if (fault?.kind === 'hang') {
      res.on('close', () => this.abandoned.push(route));
      return;
    }
    if (fault?.kind === 'answer') return send(res, fault.status, fault.body ?? { errorMessages: [`fault ${fault.status}`], errors: {} }, fault.headers);
    if (req.headers.authorization !== this.options.authorization) return send(res, 401, { errorMessages: ['You are not authenticated.'], errors: {} });
    const answer = this.route(request);
    if (fault?.kind === 'lose-answer') {
      req.socket.destroy();
      return;
    }
    send(res, answer.status, answer.body);
  }

  private route(request: RecordedRequest): { status: number; body: unknown } {
    const { method, path } = request;
    if (method === 'POST' && path === `${this.api}/issue`) return this.create(request.body as { fields: Record<string, unknown> });
    if (method === 'GET' && path === '/rest/api/3/search/jql' && this.options.deployment === 'cloud') return this.searchCloud(request.query);
    if (method === 'GET' && path === '/rest/api/3/search' && this.options.deployment === 'cloud') {
      return { status: 410, body: { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'], errors: {} } };
    }
    if (method === 'GET' && path === '/rest/api/2/search' && this.options.deployment === 'datacenter') return this.searchDataCenter(request.query);
    const issuePath = new RegExp(`^${this.api}/issue/([^/]+)$`).exec(path);
    if (method === 'GET' && issuePath) return this.getIssue(decodeURIComponent(issuePath[1]!));
    return { status: 404, body: { errorMessages: [`No route ${method} ${path}`], errors: {} } };
  }

  private create(body: { fields: Record<string, unknown> }): { status: number; body: unknown } {
    const fields = body?.fields ?? {};
    const project = (fields.project as { key?: string } | undefined)?.key;
    if (project !== this.options.projectKey) return { status: 400, body: { errorMessages: [], errors: { project: 'valid project is required' } } };
    if (typeof fields.summary !== 'string' || fields.summary === '') return { status: 400, body: { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } } };
    const issue = this.seed({ labels: (fields.labels as string[] | undefined) ?? [], created: '2026-09-27T10:00:00.000+0200' });
    Object.assign(issue.fields, fields);
    const published = fixture(this.options.deployment === 'cloud' ? 'cloud-create-issue-201.json' : 'dc-create-issue-201.json');
    return { status: 201, body: { ...published, id: issue.id, key: issue.key, self: `${this.baseUrl}${this.api}/issue/${issue.id}` } };
  }

  private matching(jql: string): FakeIssue[] {
    const project = /project = "([^"]+)"/.exec(jql)?.[1];
    const label = /labels = "((?:[^"\\]|\\.)*)"/.exec(jql)?.[1]?.replace(/\\(.)/g, '$1');
    return this.issues.filter((issue) => issue.key.startsWith(`${project}-`) && (label === undefined || issue.fields.labels.includes(label)));
  }

  private searched(issue: FakeIssue, fields: string[]): Record<string, unknown> {
    const picked = Object.fromEntries(fields.filter((f) => f in issue.fields).map((f) => [f, issue.fields[f]]));
    return { expand: '', id: issue.id, self: `${this.baseUrl}${this.api}/issue/${issue.id}`, key: issue.key, fields: picked };
  }

  private pageSize(query: URLSearchParams): number {
    return Math.min(Number(query.get('maxResults') ?? 50), this.options.pageSize ?? 50);
  }

  private searchCloud(query: URLSearchParams): { status: number; body: unknown } {
    const all = this.matching(query.get('jql') ?? '');
    const start = query.get('nextPageToken') ? Number(Buffer.from(query.get('nextPageToken')!, 'base64url').toString('utf8')) : 0;
    const size = this.pageSize(query);
    const page = all.slice(start, start + size);
    const more = start + size < all.length;
    const { nextPageToken: _token, isLast: _last, issues: _issues, ...rest } = fixture('cloud-search-jql-200.json');
    const fields = (query.get('fields') ?? 'id').split(',');
    return {
      status: 200,
      body: { ...rest, issues: page.map((issue) => this.searched(issue, fields)), ...(more ? { nextPageToken: Buffer.from(String(start + size)).toString('base64url') } : {}), isLast: !more },
    };
  }

  private searchDataCenter(query: URLSearchParams): { status: number; body: unknown } {
    const all = this.matching(query.get('jql') ?? '');
    const startAt = Number(query.get('startAt') ?? 0);
    const size = this.pageSize(query);
    const fields = (query.get('fields') ?? '*navigable').split(',');
    const published = fixture('dc-search-200.json');
    return { status: 200, body: { ...published, startAt, maxResults: size, total: all.length, issues: all.slice(startAt, startAt + size).map((issue) => this.searched(issue, fields)) } };
  }

  private getIssue(key: string): { status: number; body: unknown } {
    const issue = this.issues.find((candidate) => candidate.key === key);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } };
    const published = fixture(this.options.deployment === 'cloud' ? 'cloud-get-issue-status.json' : 'dc-get-issue-status.json') as { fields: { status: Record<string, unknown> } };
    const status = {
      ...published.fields.status,
      name: issue.status.name,
      id: issue.status.id,
      statusCategory: { ...(published.fields.status.statusCategory as object), key: issue.status.categoryKey, id: issue.status.categoryId },
    };
    return { status: 200, body: { ...published, id: issue.id, key: issue.key, self: `${this.baseUrl}${this.api}/issue/${issue.id}`, fields: { status, updated: issue.fields.updated } } };
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

export const startFakeJira = (options: FakeJiraOptions): Promise<FakeJira> => new FakeJira(options).start();
