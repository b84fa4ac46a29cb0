import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createResilientClient, OutboundError, RetryableError } from '../../src/integrations/resilient-http';
import { metricSamples } from '../support/api-helpers';

/**
 * The outbound policy against a loopback server that answers, fails, hangs, or hangs halfway
 * through the body. Waits between retries are recorded instead of slept, so the tests are quick
 * and the backoff can be checked exactly.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let handler: Handler;
let hits = 0;
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = createServer((req, res) => { hits++; handler(req, res); });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => { hits = 0; });

/** A client with recorded sleeps and a controllable clock. */
function client(overrides: Partial<Parameters<typeof createResilientClient>[0]> = {}) {
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const registry = new Registry();
  const c = createResilientClient({
    target: 'test', timeoutMs: 200, retries: 2, backoff: { initialMs: 100, maxMs: 1000 }, circuit: { failureThreshold: 3, openMs: 10_000 },
    registry, now: () => clock, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, ...overrides,
  });
  return { c, sleeps, registry, advance: (ms: number) => { clock += ms; } };
}

const metric = async (registry: Registry, name: string) => metricSamples(await registry.metrics(), name);

describe('resilient outbound HTTP', () => {
  it('when the target answers 200, then the response is returned after one attempt and counted as a success', async () => {
    handler = (_req, res) => res.end('{"ok":true}');
    const { c, registry } = client();
    const res = await c.request({ url: `${base}/ok` });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(hits).toBe(1);
    expect(await metric(registry, 'debrief_outbound_calls_total')).toEqual([{ labels: { target: 'test', outcome: 'success' }, value: 1 }]);
  });

  it('when the target fails twice with 503 and then answers, then the call succeeds on the third attempt with jittered exponential backoff', async () => {
    let n = 0;
    handler = (_req, res) => { n++; res.statusCode = n <= 2 ? 503 : 200; res.end(n <= 2 ? 'busy' : 'done'); };
    const { c, sleeps, registry } = client();
    const res = await c.request({ url: `${base}/flaky` });
    expect(res.text()).toBe('done');
    expect(hits).toBe(3);
    // random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(sleeps).toEqual([50, 100]);
    const attempts = await metric(registry, 'debrief_outbound_attempts_total');
    expect(attempts).toEqual(expect.arrayContaining([
      { labels: { target: 'test', outcome: 'http_5xx' }, value: 2 }, { labels: { target: 'test', outcome: 'ok' }, value: 1 },
    ]));
  });

  it('when the target never answers, then each attempt is cut at the timeout and the call fails with a timeout after all retries', async () => {
    handler = () => { /* hang */ };
    const { c } = client({ timeoutMs: 100, retries: 1 });
    const started = Date.now();
    const err = await c.request({ url: `${base}/hang` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect(err).toMatchObject({ kind: 'timeout', attempts: 2, target: 'test' });
    expect(hits).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when the target sends headers but never finishes the body, then the attempt still times out', async () => {
    handler = (_req, res) => { res.writeHead(200, { 'Content-Length': '100' }); res.write('partial'); };
    const { c } = client({ timeoutMs: 100, retries: 0 });
    await expect(c.request({ url: `${base}/slow-body` })).rejects.toMatchObject({ kind: 'timeout', attempts: 1 });
  });

  it('when the wrapped client ignores the abort signal, then the call still ends at the timeout', async () => {
    const { c } = client({ timeoutMs: 50, retries: 0 });
    await expect(c.call(() => new Promise(() => { /* never settles */ }))).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('when the target answers 404, then the answer is returned, not retried, and the circuit stays closed', async () => {
    handler = (_req, res) => { res.statusCode = 404; res.end('nope'); };
    const { c } = client();
    for (let i = 0; i < 5; i++) expect((await c.request({ url: `${base}/missing` })).status).toBe(404);
    expect(hits).toBe(5);
    expect(c.state).toBe('closed');
  });

  it('when a 429 carries Retry-After, then the wait honours it, capped by the backoff maximum', async () => {
    let n = 0;
    handler = (_req, res) => { n++; if (n === 1) { res.writeHead(429, { 'Retry-After': '0.7' }); res.end(); } else if (n === 2) { res.writeHead(429, { 'Retry-After': '60' }); res.end(); } else res.end('ok'); };
    const { c, sleeps } = client();
    expect((await c.request({ url: `${base}/limited` })).text()).toBe('ok');
    expect(sleeps).toEqual([700, 1000]);
  });

  it('when a POST times out and it is not idempotent, then it is not sent again; with idempotent: true it is', async () => {
    handler = () => { /* hang */ };
    const { c } = client({ timeoutMs: 50 });
    await expect(c.request({ method: 'POST', url: `${base}/notify`, body: '{}' })).rejects.toMatchObject({ attempts: 1 });
    expect(hits).toBe(1);
    hits = 0;
    const { c: c2 } = client({ timeoutMs: 50 });
    await expect(c2.request({ method: 'POST', url: `${base}/notify`, body: '{}', idempotent: true })).rejects.toMatchObject({ attempts: 3 });
    expect(hits).toBe(3);
  });

  it('when nothing listens, then refused connections are retried even for a POST and reported as network failures', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { c, sleeps } = client();
    await expect(c.request({ method: 'POST', url: `http://127.0.0.1:${port}/x`, body: '{}' })).rejects.toMatchObject({ kind: 'network', attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  it('when failures reach the threshold, then the circuit opens: calls fail at once without a request, and the state is in metrics', async () => {
    handler = (_req, res) => { res.statusCode = 502; res.end(); };
    const { c, registry } = client({ retries: 0 });
    for (let i = 0; i < 3; i++) await expect(c.request({ url: `${base}/down` })).rejects.toMatchObject({ kind: 'http', status: 502 });
    expect(c.state).toBe('open');
    expect(hits).toBe(3);
    await expect(c.request({ url: `${base}/down` })).rejects.toMatchObject({ kind: 'circuit_open', attempts: 0 });
    expect(hits).toBe(3);
    expect(await metric(registry, 'debrief_outbound_circuit_state')).toEqual([{ labels: { target: 'test' }, value: 2 }]);
    expect((await metric(registry, 'debrief_outbound_calls_total')).find((s) => s.labels.outcome === 'rejected_open_circuit')?.value).toBe(1);
  });

  it('when the open time has passed, then one trial call is let through: failure reopens the circuit, success closes it', async () => {
    handler = (_req, res) => { res.statusCode = 503; res.end(); };
    const { c, advance, registry } = client({ retries: 0 });
    for (let i = 0; i < 3; i++) await c.request({ url: `${base}/down` }).catch(() => undefined);
    advance(10_000);
    expect(c.state).toBe('half-open');
    expect(await metric(registry, 'debrief_outbound_circuit_state')).toEqual([{ labels: { target: 'test' }, value: 1 }]);
    await expect(c.request({ url: `${base}/down` })).rejects.toMatchObject({ kind: 'http', attempts: 1 });
    expect(c.state).toBe('open');
    advance(10_000);
    handler = (_req, res) => res.end('back');
    expect((await c.request({ url: `${base}/up` })).text()).toBe('back');
    expect(c.state).toBe('closed');
    expect(await metric(registry, 'debrief_outbound_circuit_state')).toEqual([{ labels: { target: 'test' }, value: 0 }]);
  });

  it('when the circuit opens during retries, then the remaining retries are not made', async () => {
    handler = (_req, res) => { res.statusCode = 500; res.end(); };
    const { c } = client({ retries: 5, circuit: { failureThreshold: 2, openMs: 1000 } });
    await expect(c.request({ url: `${base}/down` })).rejects.toMatchObject({ attempts: 2 });
    expect(hits).toBe(2);
  });

  it('when any client is wrapped with call() and throws RetryableError, then it is retried like an HTTP 5xx', async () => {
    const { c } = client();
    let n = 0;
    const value = await c.call(async () => { n++; if (n < 3) throw new RetryableError('try again', 503); return 'fine'; });
    expect(value).toBe('fine');
    expect(n).toBe(3);
  });

  it('when the caller aborts while waiting, then the call ends at once as aborted', async () => {
    handler = () => { /* hang */ };
    const { c } = client({ timeoutMs: 5000, sleep: undefined });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutting down')), 50);
    await expect(c.request({ url: `${base}/hang`, signal: ac.signal })).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('when several targets share a registry, then their metrics are told apart by the target label', async () => {
    handler = (_req, res) => res.end('ok');
    const registry = new Registry();
    const a = createResilientClient({ target: 'pagerduty', registry });
    const b = createResilientClient({ target: 'prometheus', registry });
    await a.request({ url: `${base}/a` });
    await b.request({ url: `${base}/b` });
    const calls = await metric(registry, 'debrief_outbound_calls_total');
    expect(calls.map((s) => s.labels.target).sort()).toEqual(['pagerduty', 'prometheus']);
  });
});
