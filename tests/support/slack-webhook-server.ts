import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback server answering as Slack's incoming webhooks are documented to: 200 `ok` for a
 * JSON body with `text` or `blocks`, 400 `invalid_payload` for anything else, 404 `no_service`
 * for a webhook that was removed, 429 with `Retry-After` when rate limited, 5xx on an outage.
 * Each path is one webhook (one channel); a path can be given a queue of scripted answers
 * (`rate_limited`, `500`, `hang`) played before the normal ones.
 */
export type SlackScript = 'rate_limited' | 'server_error' | 'hang' | 'no_service';

export interface SlackRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: number | null;
}

export interface SlackWebhookServer {
  url: string;
  readonly requests: SlackRequest[];
  /** Messages Slack would have posted (answered 200 ok), by path. */
  posted(path: string): unknown[];
  script(path: string, answers: SlackScript[]): void;
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSlackWebhookServer(): Promise<SlackWebhookServer> {
  const requests: SlackRequest[] = [];
  const scripts = new Map<string, SlackScript[]>();
  const removed = new Set<string>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const answer = (res: ServerResponse, entry: SlackRequest, status: number, text: string, headers: Record<string, string> = {}) => {
    entry.answered = status;
    res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(text);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const entry: SlackRequest = { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: null };
      requests.push(entry);
      for (const w of waiters.filter((x) => requests.length >= x.n)) w.resolve();
      const next = scripts.get(path)?.shift();
      if (next === 'hang') return; // never answered
      if (next === 'rate_limited') return answer(res, entry, 429, 'rate_limited', { 'retry-after': '1' });
      if (next === 'server_error') return answer(res, entry, 500, 'internal_error');
      if (next === 'no_service') removed.add(path);
      if (removed.has(path)) return answer(res, entry, 404, 'no_service');
      if (req.method !== 'POST') return answer(res, entry, 405, 'invalid_method');
      const valid = isMessage(entry.body);
      if (!valid) return answer(res, entry, 400, 'invalid_payload');
      return answer(res, entry, 200, 'ok');
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    posted: (path) => requests.filter((r) => r.path === path && r.answered === 200).map((r) => JSON.parse(r.body) as unknown),
    script: (path, answers) => scripts.set(path, [...answers]),
    received: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** A JSON object with a `text` string or a `blocks` array, as Slack requires of a message. */
function isMessage(body: string): boolean {
  try {
    const payload = JSON.parse(body) as { text?: unknown; blocks?: unknown } | null;
    return payload !== null && typeof payload === 'object' && (typeof payload.text === 'string' || Array.isArray(payload.blocks));
  } catch {
    return false;
  }
}
