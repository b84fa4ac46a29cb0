import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Outbound calls that cannot hurt Debrief: every attempt has a timeout, transient failures are
 * retried with exponential backoff and full jitter, and a circuit breaker stops calling a
 * target that keeps failing (calls then fail at once, without a network round trip, until a
 * trial call succeeds). Everything is visible in metrics, labelled by target.
 *
 * Used by the PagerDuty REST client, Prometheus snapshots and outbound notifications. None of
 * them is on the webhook path, and nothing here blocks the event loop, so a slow or dead
 * target never slows ingest.
 *
 * Two ways to use it:
 * - `client.request({ method, url, ... })`: HTTP via Node's fetch, with the policy applied.
 * - `client.call(signal => anything(signal))`: the policy around any client (axios, pdjs with
 *   `requestTimeout: 0` and `signal`), which must honour the AbortSignal.
 */

export interface ResilienceOptions {
  /** Metric label and error prefix: `pagerduty`, `prometheus`, `outbound:<name>`. */
  target: string;
  /** Per attempt, including reading the body (ms). */
  timeoutMs?: number;
  /** Attempts after the first one, for retryable failures only. */
  retries?: number;
  /** Backoff before retry n (0-based): random(0, min(maxMs, initialMs * 2^n)) ("full jitter"). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Consecutive failed attempts that open the circuit, and how long it stays open (ms). */
  circuit?: { failureThreshold?: number; openMs?: number };
  /** Metrics go to this registry (one set per registry, shared by all targets). */
  registry?: Registry;
  /** Tests inject these. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export type OutboundFailureKind = 'timeout' | 'network' | 'http' | 'circuit_open' | 'aborted';

/** A call that failed for good (after retries, or because the circuit is open). */
export class OutboundError extends Error {
  constructor(
    message: string,
    public readonly target: string,
    public readonly kind: OutboundFailureKind,
    public readonly attempts: number,
    public readonly status: number | null = null,
    public readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

/** Thrown by an attempt to ask for a retry (e.g. a 503), optionally after `retryAfterMs`. */
export class RetryableError extends Error {
  constructor(message: string, public readonly status: number | null = null, public readonly retryAfterMs: number | null = null) {
    super(message);
    this.name = 'RetryableError';
  }
}

export interface CallOptions {
  /**
   * Whether the operation may run twice. Failures after the request may have reached the
   * target (timeouts, resets, 5xx) are retried only when true; refused connections always are.
   * Default: true (GETs, and writes carrying an idempotency key such as a delivery id).
   */
  idempotent?: boolean;
  /** Cancels the call (all attempts and waits). */
  signal?: AbortSignal;
  /** Fewer retries for this call than the client allows (e.g. a resumed delivery with attempts used up). */
  retries?: number;
}

export interface HttpRequest extends CallOptions {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

interface OutboundMetrics {
  calls: Counter<'target' | 'outcome'>;
  attempts: Counter<'target' | 'outcome'>;
  seconds: Histogram<'target'>;
  circuit: Gauge<'target'>;
  /** Clients reporting their circuit state at scrape time (half-open is a matter of time passing). */
  clients: Set<ResilientClient>;
}

const metricsByRegistry = new WeakMap<Registry, OutboundMetrics>();

/** The outbound metrics of a registry, created once (prom-client refuses a name twice). */
export function outboundMetrics(registry: Registry): OutboundMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    const clients = new Set<ResilientClient>();
    metrics = {
      clients,
      calls: new Counter({
        name: 'debrief_outbound_calls_total', help: 'Outbound calls by target and outcome (success, failure, rejected_open_circuit, aborted)',
        labelNames: ['target', 'outcome'] as const, registers: [registry],
      }),
      attempts: new Counter({
        name: 'debrief_outbound_attempts_total', help: 'Outbound attempts by target and outcome (ok, timeout, network, http_5xx, http_429, error)',
        labelNames: ['target', 'outcome'] as const, registers: [registry],
      }),
      seconds: new Histogram({
        name: 'debrief_outbound_call_seconds', help: 'Duration of outbound calls including retries, by target',
        labelNames: ['target'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
      }),
      circuit: new Gauge({
        name: 'debrief_outbound_circuit_state', help: 'Circuit breaker state by target: 0 closed, 1 half-open, 2 open',
        labelNames: ['target'] as const, registers: [registry],
        collect() {
          for (const client of clients) this.set({ target: client.target }, CIRCUIT_VALUE[client.state]);
        },
      }),
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

const defaultSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
  const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** How one failed attempt is judged. */
interface Verdict { outcome: string; retry: boolean; reachedTarget: boolean; kind: OutboundFailureKind; status: number | null; retryAfterMs: number | null }

function judge(err: unknown, timedOut: boolean): Verdict {
  if (timedOut) return { outcome: 'timeout', retry: true, reachedTarget: true, kind: 'timeout', status: null, retryAfterMs: null };
  if (err instanceof RetryableError) {
    return { outcome: err.status === 429 ? 'http_429' : err.status ? 'http_5xx' : 'error', retry: true, reachedTarget: true, kind: err.status ? 'http' : 'network', status: err.status, retryAfterMs: err.retryAfterMs };
  }
  const failure = err as { code?: string; cause?: { code?: string }; response?: { status?: number; headers?: Record<string, string> }; name?: string };
  const status = typeof failure?.response?.status === 'number' ? failure.response.status : null;
  if (status !== null) {
    // axios-style error carrying a response.
    const retry = status >= 500 || status === 429 || status === 408;
    return { outcome: status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'error', retry, reachedTarget: true, kind: 'http', status, retryAfterMs: retryAfterMs(failure.response?.headers?.['retry-after']) };
  }
  const code = failure?.code ?? failure?.cause?.code;
  // Connection refused / no route / DNS: the request never reached the target, so any method may retry.
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return { outcome: 'network', retry: true, reachedTarget: false, kind: 'network', status: null, retryAfterMs: null };
  }
  if (code && ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code)) {
    return { outcome: 'network', retry: true, reachedTarget: true, kind: 'network', status: null, retryAfterMs: null };
  }
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
    return { outcome: 'network', retry: true, reachedTarget: true, kind: 'network', status: null, retryAfterMs: null };
  }
  return { outcome: 'error', retry: false, reachedTarget: true, kind: 'network', status: null, retryAfterMs: null };
}

/** A `Retry-After` value (seconds or an HTTP date) in milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

export class ResilientClient {
  readonly target: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly metrics: OutboundMetrics | null;
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(options: ResilienceOptions) {
    this.target = options.target;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.initialMs = options.backoff?.initialMs ?? 200;
    this.maxMs = options.backoff?.maxMs ?? 5000;
    this.threshold = options.circuit?.failureThreshold ?? 5;
    this.openMs = options.circuit?.openMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.metrics = options.registry ? outboundMetrics(options.registry) : null;
    this.metrics?.clients.add(this);
  }

  /** `open` while failing fast; `half-open` once `openMs` passed (the next call is a trial). */
  get state(): CircuitState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** Milliseconds until an open circuit lets a trial call through (0 once half-open); null while closed. */
  get openRemainingMs(): number | null {
    return this.openedAt === null ? null : Math.max(0, this.openedAt + this.openMs - this.now());
  }

  /**
   * Runs `attempt` under the policy. The attempt gets an AbortSignal that fires at the
   * per-attempt timeout (or when the caller's signal does) and must stop its work then.
   */
  async call<T>(attempt: (signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const started = this.now();
    const labels = { target: this.target };
    const finish = (outcome: string) => {
      this.metrics?.calls.inc({ ...labels, outcome });
      this.metrics?.seconds.observe(labels, (this.now() - started) / 1000);
    };
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      finish('rejected_open_circuit');
      throw new OutboundError(`${this.target}: circuit open after ${this.consecutiveFailures} consecutive failures; not calling until ${new Date((this.openedAt ?? 0) + this.openMs).toISOString()}`, this.target, 'circuit_open', 0);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      for (let retriesSoFar = 0; ; retriesSoFar++) {
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => { timedOut = true; controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)); }, this.timeoutMs);
        const onCallerAbort = () => controller.abort(options.signal!.reason);
        options.signal?.addEventListener('abort', onCallerAbort, { once: true });
        try {
          if (options.signal?.aborted) throw options.signal.reason;
          // Raced with the signal, so an attempt that ignores it still cannot outlive its timeout.
          const value = await Promise.race([
            attempt(controller.signal),
            new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
          ]);
          this.metrics?.attempts.inc({ ...labels, outcome: 'ok' });
          this.succeeded();
          finish('success');
          return value;
        } catch (err) {
          if (options.signal?.aborted) {
            finish('aborted');
            throw new OutboundError(`${this.target}: call cancelled`, this.target, 'aborted', retriesSoFar + 1, null, err);
          }
          const verdict = judge(err, timedOut);
          this.metrics?.attempts.inc({ ...labels, outcome: verdict.outcome });
          if (!verdict.retry) {
            // The target answered (e.g. a 4xx it means): not a sign of an unhealthy target.
            this.succeeded();
            finish('failure');
            throw err;
          }
          this.failed();
          const mayRetry = (options.idempotent ?? true) || !verdict.reachedTarget;
          if (trial || retriesSoFar >= Math.min(this.retries, options.retries ?? this.retries) || !mayRetry || this.openedAt !== null) {
            finish('failure');
            throw new OutboundError(`${this.target}: ${describe(err, verdict)} (after ${retriesSoFar + 1} attempt${retriesSoFar ? 's' : ''})`, this.target, verdict.kind, retriesSoFar + 1, verdict.status, err);
          }
          const backoff = this.random() * Math.min(this.maxMs, this.initialMs * 2 ** retriesSoFar);
          await this.sleep(Math.min(this.maxMs, Math.max(backoff, verdict.retryAfterMs ?? 0)), options.signal).catch((sleepError: unknown) => {
            finish('aborted');
            throw new OutboundError(`${this.target}: call cancelled`, this.target, 'aborted', retriesSoFar + 1, null, sleepError);
          });
        } finally {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onCallerAbort);
        }
      }
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  /**
   * An HTTP request with the policy: 5xx, 408 and 429 answers are retried (honouring
   * Retry-After, capped by the backoff maximum) and count as failures; other answers, 4xx
   * included, are returned as they are. The body is read within the same timeout.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    return this.call(async (signal) => {
      const res = await fetch(req.url, { method, headers: req.headers, body: req.body, signal });
      const body = Buffer.from(await res.arrayBuffer());
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => { headers[name] = value; });
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        throw new RetryableError(`HTTP ${res.status} from ${method} ${req.url}`, res.status, retryAfterMs(headers['retry-after']));
      }
      return { status: res.status, headers, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T };
    }, { idempotent: req.idempotent ?? ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(method), signal: req.signal });
  }

  private succeeded(): void {
    this.consecutiveFailures = 0;
    this.openedAt = null;
  }

  private failed(): void {
    this.consecutiveFailures++;
    if (this.openedAt !== null || this.consecutiveFailures >= this.threshold) this.openedAt = this.now();
  }
}

function describe(err: unknown, verdict: Verdict): string {
  if (verdict.kind === 'timeout') return (err as Error)?.message ?? 'timeout';
  if (verdict.status) return `HTTP ${verdict.status}`;
  const failure = err as { message?: string; cause?: { code?: string; message?: string } };
  return failure?.cause?.code ? `${failure.cause.code}: ${failure.cause.message ?? ''}`.trim() : failure?.message ?? String(err);
}

/** A client per target with Debrief's defaults; see `ResilienceOptions`. */
export const createResilientClient = (options: ResilienceOptions): ResilientClient => new ResilientClient(options);
