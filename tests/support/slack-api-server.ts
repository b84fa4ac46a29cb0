import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/**
 * A loopback server speaking Slack's Web API as api.slack.com documents it: every method is
 * `POST /api/<method>` with `Authorization: Bearer xoxb-...` and a form-encoded (or JSON) body;
 * answers are HTTP 200 with `ok: true` or `ok: false` + `error`, HTTP 429 with `Retry-After`
 * when rate limited. Channels hold messages (newest first in history, oldest first in replies),
 * paged with `limit` and `response_metadata.next_cursor`. Published example bodies live in
 * tests/fixtures/slack (README there names their sources).
 */

export const SLACK_TOKEN = 'xoxb-1234-5678-debrieftesttoken';
export const WORKSPACE_URL = 'https://acme-sre.slack.com/';

export interface SlackMessage {
  type: 'message';
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  thread_ts?: string;
  parent_user_id?: string;
  reactions?: Array<{ name: string; users: string[]; count: number }>;
  pinned_to?: string[];
  user_profile?: { real_name?: string; display_name?: string };
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  [key: string]: unknown;
}

/**
 * `hang`: never answered, nothing done; `lost_answer`: done (a message is posted) but never
 * answered, as when a connection drops after Slack acted.
 */
export type Scripted = 'rate_limited' | 'server_error' | 'hang' | 'lost_answer' | { error: string };

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  httpMethod: string;
  params: Record<string, unknown>;
  /** When it arrived (ms). */
  at: number;
}

export interface SlackApiServer {
  url: string;
  /** The `slackApiUrl` to configure: `<url>/api/`. */
  apiUrl: string;
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  addChannel(id: string, messages?: SlackMessage[], options?: { member?: boolean }): void;
  messages(channel: string): SlackMessage[];
  addUser(id: string, realName: string, displayName?: string): void;
  /** Answers played, in order, before the normal ones for `method`. */
  script(method: string, answers: Scripted[]): void;
  close(): Promise<void>;
}

const FIXTURES = join(__dirname, '..', 'fixtures', 'slack');
export const slackFixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as T;

/** `1512085950.000216` -> `p1512085950000216`, Slack's permalink form. */
export const permalinkFor = (channel: string, ts: string, threadTs?: string): string =>
  `${WORKSPACE_URL}archives/${channel}/p${ts.replace('.', '')}${threadTs && threadTs !== ts ? `?thread_ts=${threadTs}&cid=${channel}` : ''}`;

/** `maxPage`: the most items one page holds, whatever `limit` asks (Slack may answer with fewer). */
export async function startSlackApiServer(options: { maxPage?: number } = {}): Promise<SlackApiServer> {
  const calls: SlackCall[] = [];
  const scripts = new Map<string, Scripted[]>();
  const channels = new Map<string, { messages: SlackMessage[]; member: boolean }>();
  const users = new Map<string, { realName: string; displayName: string }>();
  const sockets = new Set<Socket>();
  let last = 0;
  /** A fresh ts: now, in Slack's `seconds.micro` form, always increasing. */
  const nextTs = (): string => {
    last = Math.max(last + 1, Date.now() * 1000);
    return `${Math.floor(last / 1e6)}.${String(last % 1e6).padStart(6, '0')}`;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, error: string) => json(res, 200, { ok: false, error });

  const page = <T>(items: T[], params: Record<string, unknown>, defaultLimit: number): { items: T[]; next: string } => {
    const limit = Math.max(1, Math.min(options.maxPage ?? 1000, Number(params.limit ?? defaultLimit) || defaultLimit));
    const start = params.cursor ? Number(Buffer.from(String(params.cursor), 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
    const slice = items.slice(start, start + limit);
    return { items: slice, next: start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' };
  };
  const withoutMetadata = (message: SlackMessage, include: unknown): SlackMessage => {
    if (include === true || include === 'true' || include === '1') return message;
    const { metadata: _metadata, ...rest } = message;
    return rest as SlackMessage;
  };
  const inRange = (ts: string, params: Record<string, unknown>) => {
    const value = Number(ts);
    const inclusive = params.inclusive === true || params.inclusive === 'true' || params.inclusive === '1';
    if (params.oldest !== undefined && (inclusive ? value < Number(params.oldest) : value <= Number(params.oldest))) return false;
    if (params.latest !== undefined && (inclusive ? value > Number(params.latest) : value >= Number(params.latest))) return false;
    return true;
  };

  const methods: Record<string, (params: Record<string, unknown>, res: ServerResponse) => void> = {
    'auth.test': (_params, res) => json(res, 200, { ...slackFixture<Record<string, unknown>>('auth.test'), url: WORKSPACE_URL, team: 'Acme SRE' }),
    'chat.postMessage': (params, res) => {
      const channel = channels.get(String(params.channel ?? ''));
      if (!channel) return fail(res, 'channel_not_found');
      if (!channel.member) return fail(res, 'not_in_channel');
      if (!params.text && !params.blocks) return fail(res, 'no_text');
      const ts = nextTs();
      const metadata = typeof params.metadata === 'string' ? JSON.parse(params.metadata) as SlackMessage['metadata'] : params.metadata as SlackMessage['metadata'];
      const blocks = typeof params.blocks === 'string' ? JSON.parse(params.blocks) as unknown : params.blocks;
      const message: SlackMessage = { type: 'message', subtype: 'bot_message', bot_id: 'B0DEBRIEF1', text: String(params.text ?? ''), ts, ...(blocks ? { blocks } : {}), ...(metadata ? { metadata } : {}) };
      channel.messages.push(message);
      const published = slackFixture<{ message: Record<string, unknown> }>('chat.postMessage');
      json(res, 200, { ...published, channel: String(params.channel), ts, message: { ...published.message, ...message, attachments: undefined, username: 'debrief' } });
    },
    'conversations.history': (params, res) => {
      const channel = channels.get(String(params.channel ?? ''));
      if (!channel) return fail(res, 'channel_not_found');
      if (!channel.member) return fail(res, 'not_in_channel');
      const top = channel.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts).filter((m) => inRange(m.ts, params)).sort((a, b) => Number(b.ts) - Number(a.ts));
      const { items, next } = page(top, params, 100);
      json(res, 200, {
        ok: true, messages: items.map((m) => withoutMetadata(m, params.include_all_metadata)), has_more: next !== '',
        pin_count: channel.messages.filter((m) => m.pinned_to?.length).length, response_metadata: { next_cursor: next },
      });
    },
    'conversations.replies': (params, res) => {
      const channel = channels.get(String(params.channel ?? ''));
      if (!channel) return fail(res, 'channel_not_found');
      if (!channel.member) return fail(res, 'not_in_channel');
      const ts = String(params.ts ?? '');
      const parent = channel.messages.find((m) => m.ts === ts);
      if (!parent) return fail(res, 'thread_not_found');
      const thread = channel.messages.filter((m) => m.ts === ts || m.thread_ts === ts).filter((m) => inRange(m.ts, params)).sort((a, b) => Number(a.ts) - Number(b.ts));
      const { items, next } = page(thread, params, 1000);
      json(res, 200, { ok: true, messages: items.map((m) => withoutMetadata(m, params.include_all_metadata)), has_more: next !== '', response_metadata: { next_cursor: next } });
    },
    'users.info': (params, res) => {
      const id = String(params.user ?? '');
      const user = users.get(id);
      if (!user) return json(res, 200, slackFixture('users.info.error'));
      const published = slackFixture<{ user: Record<string, unknown> & { profile: Record<string, unknown> } }>('users.info');
      json(res, 200, {
        ok: true,
        user: {
          ...published.user, id, name: user.displayName, real_name: user.realName,
          profile: { ...published.user.profile, real_name: user.realName, real_name_normalized: user.realName, display_name: user.displayName, display_name_normalized: user.displayName },
        },
      });
    },
    'chat.getPermalink': (params, res) => {
      const id = String(params.channel ?? '');
      const channel = channels.get(id);
      if (!channel) return json(res, 200, slackFixture('channel_not_found'));
      const message = channel.messages.find((m) => m.ts === String(params.message_ts ?? ''));
      if (!message) return fail(res, 'message_not_found');
      json(res, 200, { ok: true, channel: id, permalink: permalinkFor(id, message.ts, message.thread_ts) });
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
      const raw = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'];
      const params: Record<string, unknown> = contentType?.startsWith('application/json')
        ? (raw ? JSON.parse(raw) as Record<string, unknown> : {})
        : Object.fromEntries(new URLSearchParams(raw));
      calls.push({ at: Date.now(), method, authorization: req.headers.authorization, contentType, httpMethod: req.method ?? '', params });
      const next = scripts.get(method)?.shift();
      if (next === 'hang') return; // never answered
      if (next === 'rate_limited') return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      if (next === 'server_error') return res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
      if (next && next !== 'lost_answer') return fail(res, next.error);
      if (req.method !== 'POST') return fail(res, 'invalid_request');
      if (req.headers.authorization !== `Bearer ${SLACK_TOKEN}`) return fail(res, req.headers.authorization ? 'invalid_auth' : 'not_authed');
      const handler = methods[method];
      if (!handler) return fail(res, 'unknown_method');
      if (next === 'lost_answer') return handler(params, { writeHead: () => ({ end: () => undefined }) } as unknown as ServerResponse);
      handler(params, res);
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    addChannel: (id, messages = [], options = {}) => { channels.set(id, { messages: [...messages], member: options.member ?? true }); },
    messages: (channel) => [...(channels.get(channel)?.messages ?? [])],
    addUser: (id, realName, displayName = realName.toLowerCase()) => { users.set(id, { realName, displayName }); },
    script: (method, answers) => { scripts.set(method, [...(scripts.get(method) ?? []), ...answers]); },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
