import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultRegistry, type ProcessRegistry, type Stoppable } from './processes';

export interface CapturedRequest {
  /** 1-based arrival order (with `forwardTo`: order in which upstream answers were recorded). */
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
  /**
   * With `forwardTo`: what the upstream answered (recorded before the request
   * becomes visible to `waitFor`), or why forwarding failed (answered 502).
   */
  upstream?: UpstreamAnswer;
}

export type UpstreamAnswer =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; bodyText: string; json: unknown }
  | { ok: false; error: string };

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
  /** Status code to answer with (default 200); ignored with `forwardTo`. */
  status?: number;
  /**
   * Base URL (e.g. `http://127.0.0.1:8080`): act as a recording proxy. Each
   * request is forwarded there with the same method, path, headers and body,
   * and the upstream's status and body are passed back and recorded.
   */
  forwardTo?: string;
  registry?: ProcessRegistry;
}

/** Start a loopback HTTP server that records every request and answers 200 (or forwards it, see `forwardTo`). */
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
      const captured: CapturedRequest = {
        seq: 0, // set when recorded, so `requests` stays sorted by seq (waitFor relies on it)
        receivedAt: new Date(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody,
        bodyText,
        json,
      };
      const record = (): void => {
        captured.seq = ++seq;
        requests.push(captured);
        for (const w of [...waiters]) w();
      };
      if (opts.forwardTo === undefined) {
        record();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      }
      forward(opts.forwardTo, captured).then((answer) => {
        captured.upstream = answer;
        record();
        if (answer.ok) {
          const ct = answer.headers['content-type'];
          res.writeHead(answer.status, ct !== undefined ? { 'content-type': ct } : {});
          res.end(answer.bodyText);
        } else {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`capture proxy: ${answer.error}`);
        }
      }, () => undefined);
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

/** Send a captured request on to `base` unchanged (except Host) and collect the answer. Never rejects. */
function forward(base: string, captured: CapturedRequest): Promise<UpstreamAnswer> {
  const target = new URL(`${base.replace(/\/$/, '')}${captured.url}`);
  const headers: http.OutgoingHttpHeaders = { ...captured.headers, host: target.host };
  delete headers.connection;
  return new Promise((resolve) => {
    const up = http.request(
      target,
      { method: captured.method, headers, agent: false, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ ok: false, error: err.message }));
        res.on('end', () => {
          const bodyText = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = bodyText.length > 0 ? JSON.parse(bodyText) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ ok: true, status: res.statusCode ?? 0, headers: res.headers, bodyText, json });
        });
      },
    );
    up.on('timeout', () => up.destroy(new Error(`upstream ${target.href} timed out`)));
    up.on('error', (err) => resolve({ ok: false, error: `${target.href}: ${err.message}` }));
    up.end(captured.rawBody);
  });
}
