import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultRegistry, type ProcessRegistry, type Stoppable } from './processes';

export interface CapturedRequest {
  /** 1-based arrival order. */
  seq: number;
  receivedAt: Date;
  method: string;
  /** Path plus query string, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  bodyText: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

export interface CaptureServer extends Stoppable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received so far, in arrival order (live array). */
  readonly requests: readonly CapturedRequest[];
  /**
   * Resolve with the first request (already received or future) that matches
   * `predicate`; reject after `timeoutMs` (default 15000) listing what arrived.
   */
  waitFor(predicate: (req: CapturedRequest) => boolean, timeoutMs?: number): Promise<CapturedRequest>;
  /** Forget the requests received so far. */
  clear(): void;
  stop(): Promise<void>;
}

export interface CaptureServerOptions {
  /** Status code to answer with (default 200). */
  status?: number;
  registry?: ProcessRegistry;
}

/** Start a loopback HTTP server that records every request and answers 200. */
export async function startCaptureServer(opts: CaptureServerOptions = {}): Promise<CaptureServer> {
  const status = opts.status ?? 200;
  const requests: CapturedRequest[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const bodyText = rawBody.toString('utf8');
      let json: unknown;
      if (bodyText.length > 0) {
        try {
          json = JSON.parse(bodyText);
        } catch {
          json = undefined;
        }
      }
      requests.push({
        seq: ++seq,
        receivedAt: new Date(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody,
        bodyText,
        json,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      for (const w of [...waiters]) w();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const registry = opts.registry ?? defaultRegistry;
  let stopped = false;

  const capture: CaptureServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise<CapturedRequest>((resolve, reject) => {
        let lastSeq = 0; // survives clear(): seq numbers keep increasing
        const check = (): boolean => {
          for (const r of requests) {
            if (r.seq <= lastSeq) continue;
            lastSeq = r.seq;
            let matched: boolean;
            try {
              matched = predicate(r);
            } catch (err) {
              finish();
              reject(err instanceof Error ? err : new Error(String(err)));
              return true;
            }
            if (matched) {
              finish();
              resolve(r);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          finish();
          const seen = requests
            .map((r) => `#${r.seq} ${r.method} ${r.url} ${r.bodyText.slice(0, 300)}`)
            .join('\n');
          reject(
            new Error(
              `capture server: no matching request within ${timeoutMs} ms; ${requests.length} received:\n${seen || '(none)'}`,
            ),
          );
        }, timeoutMs);
        const waiter = (): void => {
          check();
        };
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        if (!check()) waiters.add(waiter);
      });
    },
    clear() {
      requests.length = 0;
    },
    async stop() {
      registry.untrack(capture);
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  registry.track(capture);
  return capture;
}
