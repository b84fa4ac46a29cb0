import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * Small loopback services that behave like the parts of an estate a real Prometheus watches,
 * so the alerts of a recording come from real rule evaluation on real scrapes rather than
 * from alerts posted by hand:
 *
 * - `FakeService`: an HTTP service. Each request to `/work` calls its dependencies' `/work`
 *   in turn and answers 502 when one of them fails, so a failing database really makes its
 *   callers' error ratios rise. `/metrics` exposes the usual RED metrics
 *   (`http_requests_total{code}`, `http_request_duration_seconds`) with prom-client.
 * - `FakePostgresExporter`: what postgres_exporter does, on a fake database: each scrape
 *   probes the database and reports `pg_up` 1 or 0, so the exporter stays up while the
 *   database is down, as in production.
 * - `FakeQueueWorker`: a consumer whose `/metrics` reports the backlog of its queue; the
 *   scenario sets the backlog.
 * - `LoadGenerator`: steady client traffic on the services nobody else calls.
 */

/** Latency buckets of a typical HTTP service (prom-client's defaults end at 10 s as well). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALL_TIMEOUT_MS = 2_000;

interface Endpoint {
  readonly url: string;
}

/** A loopback HTTP server that can be taken down and brought back on the same port. */
abstract class LoopbackServer implements Endpoint {
  private server: http.Server | null = null;
  private boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** `host:port`, as a Prometheus static target. */
  get target(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    // Node sets SO_REUSEADDR, so a service brought back re-binds the port it had.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listening socket and every open connection: callers get "connection refused". */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export interface FakeServiceOptions {
  /** Service name, used in logs only: Prometheus adds the labels from its scrape config. */
  name: string;
  /** Called in order on every request. */
  calls?: readonly Endpoint[];
  /** Own work per request (default 3 ms). */
  baseLatencyMs?: number;
}

export class FakeService extends LoopbackServer {
  readonly name: string;
  /** Added to every request while set: a slow service (GC pauses, a hot shard, a reindex). */
  extraLatencyMs = 0;
  private readonly calls: readonly Endpoint[];
  private readonly baseLatencyMs: number;
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served, by status code.', labelNames: ['code'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'http_request_duration_seconds', help: 'Time to serve an HTTP request.', buckets: DURATION_BUCKETS, registers: [this.registry] });

  constructor(options: FakeServiceOptions) {
    super();
    this.name = options.name;
    this.calls = options.calls ?? [];
    this.baseLatencyMs = options.baseLatencyMs ?? 3;
    // Series exist from the first scrape, as client libraries that pre-register codes do.
    for (const code of ['200', '500', '502']) this.requests.inc({ code }, 0);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(await this.registry.metrics());
      return;
    }
    if (req.url === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    const started = process.hrtime.bigint();
    await sleep(this.baseLatencyMs + this.extraLatencyMs);
    let code = 200;
    for (const dependency of this.calls) {
      if (!(await callOk(`${dependency.url}/work`))) {
        code = 502;
        break;
      }
    }
    this.requests.inc({ code: String(code) });
    this.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    res.writeHead(code, { 'content-type': 'text/plain' }).end(code === 200 ? 'ok' : 'upstream failed');
  }
}

/** postgres_exporter's essential behaviour: `pg_up` says whether the database answered this scrape's probe. */
export class FakePostgresExporter extends LoopbackServer {
  private readonly registry = new Registry();
  private readonly up = new Gauge({ name: 'pg_up', help: 'Whether the last scrape could connect to the database.', registers: [this.registry] });

  constructor(private readonly database: Endpoint) {
    super();
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    this.up.set((await callOk(`${this.database.url}/health`)) ? 1 : 0);
    res.writeHead(200, { 'content-type': this.registry.contentType });
    res.end(await this.registry.metrics());
  }
}

/** A queue consumer exposing its backlog, which the scenario drives. */
export class FakeQueueWorker extends LoopbackServer {
  private readonly registry = new Registry();
  private readonly ready = new Gauge({ name: 'queue_messages_ready', help: 'Messages waiting in the queue this worker consumes.', labelNames: ['queue'], registers: [this.registry] });

  constructor(private readonly queue: string) {
    super();
    this.setBacklog(40);
  }

  setBacklog(messages: number): void {
    this.ready.set({ queue: this.queue }, messages);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': this.registry.contentType });
    res.end(await this.registry.metrics());
  }
}

/** Sends `perSecond` requests a second to each entry point's `/work`, without waiting for answers. */
export class LoadGenerator {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly entries: readonly Endpoint[],
    private readonly perSecond = 5,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const entry of this.entries) void callOk(`${entry.url}/work`);
    }, Math.round(1000 / this.perSecond));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** True when `url` answered 2xx within the call timeout; refused, reset, timed out or 5xx are failures. */
function callOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: CALL_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
