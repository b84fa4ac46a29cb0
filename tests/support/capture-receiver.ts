import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body bytes, as signed by the sender. */
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Resolve to answer; lets a test hold a request open. */
  wait?: Promise<void>;
}

export interface CaptureReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Replies used in order; when exhausted, the last one repeats (default 200). */
  replies: Reply[];
  /** Resolves once `n` requests have arrived. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A loopback HTTP receiver that records every request (raw bytes) and answers scripted replies. */
export async function startCaptureReceiver(replies: Reply[] = []): Promise<CaptureReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const state = { replies };
  let served = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      for (const w of waiters.filter((x) => requests.length >= x.n)) w.resolve();
      const reply = state.replies[Math.min(served, state.replies.length - 1)] ?? { status: 200 };
      served += 1;
      if (reply.wait) await reply.wait;
      res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get replies() { return state.replies; },
    set replies(v: Reply[]) { state.replies = v; },
    received: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
