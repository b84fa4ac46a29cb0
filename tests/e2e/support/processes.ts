import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';

/** Anything the registry can tear down (processes, servers, temp dirs...). */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Keeps track of everything a test file started so that `afterAll` can stop it
 * all, even when a test failed half-way.  Stops in reverse start order and
 * never throws: errors are collected and reported together at the end.
 */
export class ProcessRegistry {
  private readonly items: Stoppable[] = [];

  track<T extends Stoppable>(item: T): T {
    this.items.push(item);
    return item;
  }

  untrack(item: Stoppable): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
  }

  get size(): number {
    return this.items.length;
  }

  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.items.length > 0) {
      const item = this.items.pop()!;
      try {
        await item.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(errors, `failed to stop ${errors.length} item(s): ${errors.map(String).join('; ')}`);
    }
  }
}

/** Registry used when `startProcess` etc. get no explicit one. */
export const defaultRegistry = new ProcessRegistry();

/** Stop everything tracked by the default registry; call from `afterAll`. */
export function stopAll(): Promise<void> {
  return defaultRegistry.stopAll();
}

/** Keeps the last `maxChars` characters of a stream of text chunks. */
export class RingBuffer {
  private chunks: string[] = [];
  private length = 0;

  constructor(private readonly maxChars = 64 * 1024) {}

  push(text: string): void {
    if (text.length === 0) return;
    this.chunks.push(text);
    this.length += text.length;
    while (this.length > this.maxChars && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.length - this.maxChars;
      if (first.length <= excess) {
        this.chunks.shift();
        this.length -= first.length;
      } else {
        this.chunks[0] = first.slice(excess);
        this.length -= excess;
      }
    }
  }

  toString(): string {
    return this.chunks.join('');
  }
}

export interface StartProcessOptions {
  /** Name used in error messages; defaults to the command's basename. */
  name?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Size of the stdout/stderr ring buffer in characters (default 64 KiB). */
  logChars?: number;
  /** Registry to track the process in (default: `defaultRegistry`). */
  registry?: ProcessRegistry;
  /** Run as this user and group (needs root; tests of file permissions, which root ignores). */
  uid?: number;
  gid?: number;
}

export interface WaitForHttpOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export interface ManagedProcess extends Stoppable {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  /** True once the process has exited (or failed to spawn). */
  readonly exited: boolean;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  /** Resolves when the process has exited (never rejects). */
  readonly exitPromise: Promise<void>;
  /** Last captured stdout + stderr, interleaved in arrival order. */
  logs(): string;
  /**
   * Poll `url` until it answers 2xx. Rejects early when the process exits,
   * and includes the process's recent output in the error.
   */
  waitForHttp(url: string, opts?: WaitForHttpOptions): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

// Kill leftover children if the test process dies without running afterAll.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function onProcessExit(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* ignore */
    }
  }
}
function trackLive(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    process.once('exit', onProcessExit);
    exitHookInstalled = true;
  }
}
function untrackLive(child: ChildProcess): void {
  live.delete(child);
  if (live.size === 0 && exitHookInstalled) {
    process.removeListener('exit', onProcessExit);
    exitHookInstalled = false;
  }
}

/** Start `command args...`, capturing its output; tracked for `stopAll()`. */
export function startProcess(command: string, args: readonly string[], opts: StartProcessOptions = {}): ManagedProcess {
  const name = opts.name ?? command.split('/').pop() ?? command;
  const buffer = new RingBuffer(opts.logChars);
  const child = spawn(command, [...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  trackLive(child);

  let exited = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let resolveExit!: () => void;
  const exitPromise = new Promise<void>((resolve) => {
    resolveExit = resolve;
  });
  const markExited = (): void => {
    if (exited) return;
    exited = true;
    untrackLive(child);
    resolveExit();
  };

  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => buffer.push(d));
  child.stderr?.on('data', (d: string) => buffer.push(d));
  child.on('error', (err) => {
    buffer.push(`\n[${name}: spawn error: ${err.message}]\n`);
    markExited();
  });
  child.on('exit', (code, signal) => {
    exitCode = code;
    exitSignal = signal;
    markExited();
  });

  const registry = opts.registry ?? defaultRegistry;

  const describeExit = (): string =>
    exitSignal ? `was killed by ${exitSignal}` : `exited with code ${String(exitCode)}`;

  const handle: ManagedProcess = {
    name,
    command,
    args: [...args],
    get pid() {
      return child.pid;
    },
    child,
    get exited() {
      return exited;
    },
    get exitCode() {
      return exitCode;
    },
    get exitSignal() {
      return exitSignal;
    },
    exitPromise,
    logs: () => buffer.toString(),
    async waitForHttp(url, waitOpts = {}) {
      try {
        await waitForHttp(url, { ...waitOpts, abortWhen: () => (exited ? `${name} ${describeExit()}` : undefined) });
      } catch (err) {
        throw new Error(
          `${(err as Error).message}\n--- ${name} (${command} ${args.join(' ')}) output ---\n${tail(buffer.toString(), 4000)}`,
        );
      }
    },
    async stop(graceMs = 5000) {
      registry.untrack(handle);
      if (exited) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      });
      const killed = await Promise.race([exitPromise.then(() => true), graceOver]);
      clearTimeout(timer);
      if (!killed && !exited) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    },
  };
  registry.track(handle);
  return handle;
}

export interface WaitForHttpInternalOptions extends WaitForHttpOptions {
  /** Return a reason string to stop waiting (e.g. the process exited). */
  abortWhen?: () => string | undefined;
}

/** Poll `url` with GET until it answers 2xx or `timeoutMs` (default 15000) passes. */
export async function waitForHttp(url: string, opts: WaitForHttpInternalOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt made';
  for (;;) {
    const reason = opts.abortWhen?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${url}: ${reason} (last attempt: ${last})`);
    try {
      const res = await httpRequest(url, { timeoutMs: Math.max(250, Math.min(2000, deadline - Date.now())) });
      if (res.status >= 200 && res.status < 300) return;
      last = `HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${url} (last attempt: ${last})`);
    await delay(intervalMs);
  }
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/**
 * Minimal HTTP client on node:http without keep-alive (no pooled sockets are
 * left open to keep jest alive).
 */
export function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
        agent: false,
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out after ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tail(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `...${text.slice(text.length - maxChars)}`;
}
