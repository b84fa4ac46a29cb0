import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { connectorsById } from '../../connectors';
import { createDebrief, type Debrief } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import type { RouteDef } from '../../src/http/route';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectError, metricSamples } from '../support/api-helpers';
import { AM_TOKEN, API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/**
 * Hardening that applies to every route: headers, rate limits, body limits, what errors and
 * logs may contain, and that writes carry their actor. Endpoints are discovered from the app's
 * own OpenAPI document, so routes added later are covered without editing this file.
 */

type Operation = { method: string; path: string; access: 'api' | 'webhook' | 'public'; role?: string; hasBody: boolean; operationId: string };

async function operations(client: AxiosInstance): Promise<Operation[]> {
  const doc = (await client.get('/openapi.json')).data as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const security = (op.security ?? []) as Array<Record<string, unknown>>;
      const access = security.some((s) => 'apiToken' in s) ? 'api' : security.length > 0 ? 'webhook' : 'public';
      ops.push({ method, path, access, role: op['x-debrief-role'] as string | undefined, hasBody: op.requestBody !== undefined, operationId: String(op.operationId) });
    }
  }
  return ops;
}

const fill = (path: string, value = 'no-such-id') => path.replace(/\{[^}]+\}/g, value);

describe('security headers on every response', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  const expectHelmet = (res: AxiosResponse, what: string) => {
    const h = res.headers;
    try {
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['x-frame-options']).toBeDefined();
      expect(h['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(h['referrer-policy']).toBeDefined();
      expect(h['cross-origin-opener-policy']).toBe('same-origin');
      expect(h['x-powered-by']).toBeUndefined();
      const csp = String(h['content-security-policy'] ?? '');
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/base-uri 'none'/);
      // Scripts: only same-origin files or nonce-bearing elements; never inline or eval.
      const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(script).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp).not.toMatch(/unsafe-eval/);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}\nheaders: ${JSON.stringify(h)}`);
    }
  };

  it('when every documented GET endpoint is called (answered 2xx or 4xx), then each answer carries helmet headers and the strict CSP', async () => {
    const ops = (await operations(app.api)).filter((o) => o.method === 'get');
    expect(ops.length).toBeGreaterThan(5);
    for (const op of ops) {
      const res = await app.api.get(fill(op.path));
      expect(res.status).toBeLessThan(500);
      expectHelmet(res, `GET ${op.path} (${res.status})`);
    }
  });

  it('when a request fails (401, 404 for an unknown path, 400 on a webhook), then error answers carry the same headers', async () => {
    expectHelmet(await app.anon.get('/api/v1/incidents'), '401');
    expectHelmet(await app.api.get('/no/such/page'), '404');
    expectHelmet(await app.postAlertmanager('{"alerts":'), '400 webhook');
  });

  it('when two responses are served, then each has its own CSP nonce for page scripts and styles', async () => {
    const a = String((await app.anon.get('/healthz')).headers['content-security-policy']);
    const b = String((await app.anon.get('/healthz')).headers['content-security-policy']);
    const nonce = (csp: string) => /script-src [^;]*'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce(a)).toEqual(expect.any(String));
    expect(nonce(a)).not.toBe(nonce(b));
  });

  it('when an API answer holds incident data, then no cache may keep it', async () => {
    expect((await app.api.get('/api/v1/incidents')).headers['cache-control']).toBe('no-store');
  });
});

describe('rate limit on failed authentication', () => {
  let app: TestApp;
  // Clients are told apart by X-Forwarded-For from a trusted (loopback) proxy, as behind a reverse proxy.
  const from = (ip: string, headers: Record<string, string> = {}) => ({ headers: { 'X-Forwarded-For': ip, ...headers } });
  beforeAll(async () => { app = await startTestApp({ overrides: { security: { trustProxy: 'loopback' } } }); });
  afterAll(async () => { await app.stop(); });

  it('when a client presents the same wrong API token 20 times, then its 21st try with it gets 429 in the error shape with Retry-After, and the right token from that client is still served', async () => {
    const ip = '203.0.113.10';
    const wrong = { Authorization: 'Bearer stale-token-from-an-old-config-0123' };
    for (let i = 0; i < 20; i++) expectError(await app.anon.get('/api/v1/incidents', from(ip, wrong)), 401, 'unauthorized');
    const limited = await app.anon.get('/api/v1/incidents', from(ip, wrong));
    const error = expectError(limited, 429, 'rate_limited');
    expect(error.message).toMatch(/failed authentication/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Valid credentials never fail, so they never count and are never refused.
    expect((await app.anon.get('/api/v1/incidents', from(ip, { Authorization: `Bearer ${API_TOKEN}` }))).status).toBe(200);
    expect((await app.anon.post('/webhooks/alertmanager', alertmanagerBody([{ labels: { alertname: 'X' }, startsAt: '2026-11-26T14:00:00Z' }]),
      from(ip, { Authorization: `Bearer ${AM_TOKEN}` }))).status).toBe(202);
  });

  it('when 20 wrong-token requests come from one address, then a valid webhook from the same address gets 202 and the admin API with a valid token still works', async () => {
    const ip = '203.0.113.14';
    const body = alertmanagerBody([{ labels: { alertname: 'AfterWrongTokens' }, startsAt: '2026-11-26T14:00:00Z' }]);
    for (let i = 0; i < 10; i++) {
      expectError(await app.anon.get('/api/v1/incidents', from(ip, { Authorization: `Bearer guess-${i}-0123456789abcdef` })), 401, 'unauthorized');
      expectError(await app.anon.post('/webhooks/alertmanager', body, from(ip, { Authorization: `Bearer guess-${i}-0123456789abcdef` })), 403, 'forbidden');
    }
    expect((await app.anon.post('/webhooks/alertmanager', body, from(ip, { Authorization: `Bearer ${AM_TOKEN}` }))).status).toBe(202);
    expect((await app.anon.get('/api/v1/inbox', from(ip, { Authorization: `Bearer ${API_TOKEN}` }))).status).toBe(200);
  });

  it('when another client is blocked, then a well-behaved client is not affected', async () => {
    const res = await app.anon.get('/api/v1/incidents', from('203.0.113.11', { Authorization: `Bearer ${API_TOKEN}` }));
    expect(res.status).toBe(200);
  });

  it('when a sender keeps sending a wrong webhook credential (403) 20 times, then that credential is throttled on that instance, and the right one is not', async () => {
    const ip = '203.0.113.12';
    const body = alertmanagerBody([{ labels: { alertname: 'X' }, startsAt: '2026-11-26T14:00:00Z' }]);
    const stale = { Authorization: 'Bearer rotated-away-alertmanager-token' };
    for (let i = 0; i < 20; i++) expectError(await app.anon.post('/webhooks/alertmanager', body, from(ip, stale)), 403, 'forbidden');
    expectError(await app.anon.post('/webhooks/alertmanager', body, from(ip, stale)), 429, 'rate_limited');
    expect((await app.anon.post('/webhooks/alertmanager', body, from(ip, { Authorization: `Bearer ${AM_TOKEN}` }))).status).toBe(202);
    // Counted per scope: the same wrong header on the API is a failure of its own, not yet throttled.
    expectError(await app.anon.get('/api/v1/incidents', from(ip, stale)), 401, 'unauthorized');
  });

  it('when requests without any credentials fail 20 times, then more of them get 429, and requests with credentials are not affected', async () => {
    const ip = '203.0.113.15';
    for (let i = 0; i < 20; i++) expectError(await app.anon.get('/api/v1/incidents', from(ip)), 401, 'unauthorized');
    expectError(await app.anon.get('/api/v1/incidents', from(ip)), 429, 'rate_limited');
    expect((await app.anon.get('/api/v1/incidents', from(ip, { Authorization: `Bearer ${VIEWER_TOKEN}` }))).status).toBe(200);
  });

  it('when a valid token lacks the role (403) many times, or succeeds many times, then nothing is throttled', async () => {
    const ip = '203.0.113.13';
    for (let i = 0; i < 30; i++) {
      expectError(await app.anon.get('/api/v1/inbox', from(ip, { Authorization: `Bearer ${VIEWER_TOKEN}` })), 403, 'forbidden');
    }
    const ok = await Promise.all(Array.from({ length: 40 }, () => app.anon.get('/api/v1/incidents', from(ip, { Authorization: `Bearer ${VIEWER_TOKEN}` }))));
    expect(ok.map((r) => r.status)).toEqual(Array(40).fill(200));
  });
});

describe('rate limit on the public status page', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp({ overrides: { security: { statusPagePerMinute: 5 } } }); });
  afterAll(async () => { await app.stop(); });

  it('when one client asks for /status* more than the limit, then it gets 429 in the error shape, and other pages still answer', async () => {
    const paths = ['/status', '/status/feed.atom', '/status', '/status/feed.atom', '/status'];
    for (const p of paths) expect((await app.anon.get(p)).status).not.toBe(429);
    const limited = await app.anon.get('/status');
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.anon.get('/healthz')).status).toBe(200);
    expect((await app.api.get('/api/v1/incidents')).status).toBe(200);
  });
});

describe('rate limit on the public status page behind a reverse proxy', () => {
  let app: TestApp;
  // The proxy is on loopback and trusted (security.trustProxy), so each client is its X-Forwarded-For address.
  const from = (ip: string) => ({ headers: { 'X-Forwarded-For': ip } });
  beforeAll(async () => { app = await startTestApp({ overrides: { security: { statusPagePerMinute: 5, trustProxy: 'loopback' } } }); });
  afterAll(async () => { await app.stop(); });

  it('when one client behind the proxy asks for /status more than the limit, then only that client gets 429; others behind the same proxy are served', async () => {
    for (let i = 0; i < 5; i++) expect((await app.anon.get('/status', from('198.51.100.7'))).status).toBe(200);
    expectError(await app.anon.get('/status', from('198.51.100.7')), 429, 'rate_limited');
    expect((await app.anon.get('/status', from('198.51.100.8'))).status).toBe(200);
    expect((await app.anon.get('/status/feed.atom', from('198.51.100.9'))).status).toBe(200);
  });
});

describe('a proxy that is not trusted', () => {
  let debrief: Debrief;
  let url: string;
  let dir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-proxy-'));
    const config = loadConfig({ file: null, knownConnectors: [...connectorsById.keys()], env: { DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}` } });
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    debrief = await createDebrief({ config, logger: pino({ level: 'warn' }, sink) });
    url = await debrief.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await debrief.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when requests carry X-Forwarded-For while trustProxy is off, then one warning names DEBRIEF_TRUST_PROXY', async () => {
    for (let i = 0; i < 3; i++) await axios.get(`${url}/status`, { headers: { 'X-Forwarded-For': `198.51.100.${i}` }, validateStatus: () => true });
    const warnings = lines.filter((l) => l.includes('DEBRIEF_TRUST_PROXY'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!).level).toBe(40);
  });
});

describe('cap on concurrent connections (server.maxConnections)', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp({ overrides: { server: { maxConnections: 3 } } }); });
  afterAll(async () => { await app.stop(); });

  it('when clients hold every allowed connection without finishing a request, then other clients are still served and the shedding is counted', async () => {
    const port = Number(new URL(app.url).port);
    const stalled = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /webhooks/alertmanager HTTP/1.1\r\nHost: debrief\r\n');
      stalled.push(socket);
      await new Promise((r) => setTimeout(r, 20));
    }
    try {
      await new Promise((r) => setTimeout(r, 100));
      // A connection of its own (no keep-alive): it is past the cap when it opens; the oldest stalled one makes room.
      const fresh = () => ({ httpAgent: new Agent({ keepAlive: false }) });
      expect((await app.api.get('/api/v1/incidents', fresh())).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(stalled.map((socket) => socket.destroyed)).toEqual([true, false, false]);
      const shed = metricSamples((await app.anon.get('/metrics', fresh())).data as string, 'debrief_http_connections_shed_total');
      expect(shed).toEqual([{ labels: { reason: 'evicted' }, value: 1 }]);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });
});

describe('request size, depth and key limits', () => {
  let app: TestApp;
  let writeOp: Operation;
  beforeAll(async () => {
    app = await startTestApp();
    // Any documented API write with a JSON body will do: the limits apply before the route runs.
    const ops = await operations(app.api);
    const found = ops.find((o) => o.access === 'api' && o.method !== 'get' && o.hasBody);
    if (!found) throw new Error('no API write route with a JSON body is documented');
    writeOp = found;
  });
  afterAll(async () => { await app.stop(); });

  const send = (body: string, contentType = 'application/json') => app.api.request({
    method: writeOp.method, url: fill(writeOp.path), data: body, headers: { 'Content-Type': contentType }, transformRequest: [(d) => d],
  });
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('when an API JSON body is larger than 1 MB, then 413 in the error shape', async () => {
    expectError(await send(JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) })), 413, 'payload_too_large');
  });

  it('when an API JSON body nests deeper than 64 levels, then 400 naming the depth limit', async () => {
    const error = expectError(await send(nested(65)), 400);
    expect(error.message).toMatch(/nested deeper than 64 levels/);
  });

  it('when an API JSON body has more than 10,000 keys, then 400 naming the key limit', async () => {
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 1])));
    const error = expectError(await send(wide), 400);
    expect(error.message).toMatch(/more than 10000 keys/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('when an API JSON body holds a "%s" key, then 400 naming it', async (key) => {
    const error = expectError(await send(`{"reason":"x","nested":{"${key}":{"polluted":true}}}`), 400);
    expect(error.details[0]).toEqual({ path: `body.nested.${key}`, message: expect.stringContaining(key) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('when an API write sends a body that is not JSON, then 415 instead of being read as an empty body', async () => {
    expectError(await send('reason=x', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectError(await send('reason: x', 'text/plain'), 415, 'unsupported_media_type');
  });

  it('when an API JSON body is not UTF-8, then 400 naming the byte offset', async () => {
    const res = await app.api.request({
      method: writeOp.method, url: fill(writeOp.path), data: Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      headers: { 'Content-Type': 'application/json' },
    });
    const error = expectError(res, 400, 'malformed_body');
    expect(error.details[0]!.message).toMatch(/byte offset 11/);
  });

  it('when a webhook body nests deeper than 64 levels or holds __proto__, then 400 and nothing is stored', async () => {
    const body = alertmanagerBody([{ labels: { alertname: 'Deep' }, startsAt: '2026-11-26T14:00:00Z' }]);
    const deep = JSON.stringify({ ...body, extra: JSON.parse(nested(70)) });
    expect(expectError(await app.postAlertmanager(deep), 400).message).toMatch(/nested deeper than 64/);
    const proto = JSON.stringify(body).replace('"labels":{', '"labels":{"__proto__":"x",');
    expect(expectError(await app.postAlertmanager(proto), 400).details[0]!.path).toBe('body.alerts.0.labels.__proto__');
    expect((await app.debrief.store.inboxCounts())).toEqual({ pending: 0, done: 0, dead: 0 });
  });

  it('when a webhook body carries invalid UTF-8 in a label value, then 400 malformed_body and nothing is stored', async () => {
    const text = JSON.stringify(alertmanagerBody([{ labels: { alertname: 'Bytes', note: 'AAAA' }, startsAt: '2026-11-26T14:00:00Z' }]));
    const at = text.indexOf('AAAA');
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    const res = await app.anon.post('/webhooks/alertmanager', bytes, { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` } });
    const error = expectError(res, 400, 'malformed_body');
    expect(error.details[0]!.message).toBe(`invalid UTF-8 byte sequence at byte offset ${at}`);
    expect((await app.debrief.store.inboxCounts())).toEqual({ pending: 0, done: 0, dead: 0 });
  });
});

describe('errors and logs reveal no internals or secrets', () => {
  const secrets = { api: 'secret-admin-token-abcdef0123456789', viewer: 'secret-viewer-token-abcdef012345', am: 'secret-am-bearer-abcdef0123456789', pd: 'secret-pd-signing-abcdef012345' };
  let debrief: Debrief;
  let url: string;
  let dir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-sec-'));
    const config = loadConfig({
      file: null,
      knownConnectors: [...connectorsById.keys()],
      env: {
        DEBRIEF_STORE_URL: `sqlite:${join(dir, 'debrief.db')}`,
        DEBRIEF_API_TOKENS: `admin:admin:${secrets.api},viewer:viewer:${secrets.viewer}`,
        DEBRIEF_ALERTMANAGER_BEARER_TOKENS: secrets.am,
        DEBRIEF_PAGERDUTY_SIGNING_SECRETS: secrets.pd,
      },
    });
    const real = new SqliteStore({ file: join(dir, 'debrief.db') });
    // A store that fails in an unexpected way on one read, with internals in the message.
    const failing = new Proxy(real, {
      get(target, prop) {
        if (prop === 'getIncident') return async () => { throw new Error('SQLITE internal detail at /srv/debrief/secret-path'); };
        // ... and in an expected way on another: another process holds the write lock.
        if (prop === 'getAlert') return async () => { throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }); };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    debrief = await createDebrief({ config: { ...config, log: { level: 'trace' } }, store: failing, logger: pino({ level: 'trace' }, sink) });
    url = await debrief.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await debrief.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a route fails with an unexpected error, then 500 with only code, generic message, empty details and requestId', async () => {
    const res = await axios.get(`${url}/api/v1/incidents/some-id`, { headers: { Authorization: `Bearer ${secrets.api}` }, validateStatus: () => true });
    expect(res.status).toBe(500);
    expect(res.data).toEqual({ error: { code: 'internal', message: expect.stringMatching(/^internal error/), details: [], requestId: res.headers['x-request-id'] } });
    const text = JSON.stringify(res.data);
    expect(text).not.toMatch(/SQLITE|secret|srv|at .*\.ts|Error:/);
    // The operator can still find the cause by the requestId the user quotes, and where it was thrown, in one line.
    const logged = lines.filter((l) => l.includes(res.headers['x-request-id'] as string)).map((l) => JSON.parse(l) as { level: number; err: Record<string, string> });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, err: { message: expect.stringContaining('internal detail'), origin: expect.stringMatching(/^at /) } });
    expect(JSON.stringify(logged[0])).not.toMatch(/\\n\s*at /);
    expect(logged[0]!.err.stack ?? '').toBe('');
  });

  it('when the store is unavailable (503), then the log has one warning line with the cause, and no stack trace', async () => {
    const res = await axios.get(`${url}/api/v1/alerts/some-alert`, { headers: { Authorization: `Bearer ${secrets.api}` }, validateStatus: () => true });
    expect(res.status).toBe(503);
    const logged = lines.filter((l) => l.includes(res.headers['x-request-id'] as string));
    expect(logged).toHaveLength(1);
    const entry = JSON.parse(logged[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 40, cause: expect.stringMatching(/locked by another connection \(SQLITE_BUSY\)/), path: '/api/v1/alerts/some-alert' });
    expect(logged[0]).not.toMatch(/stack|\\n\s*at /);
  });

  it('when requests with valid, wrong and malformed credentials and failing bodies are handled, then no configured secret appears in any log line or answer', async () => {
    const answers: string[] = [];
    const call = async (p: Promise<AxiosResponse>) => { const r = await p; answers.push(JSON.stringify(r.data), JSON.stringify(r.headers)); };
    const opts = (auth?: string, extra: Record<string, string> = {}) => ({ headers: { ...(auth ? { Authorization: auth } : {}), ...extra }, validateStatus: () => true });
    const am = alertmanagerBody([{ labels: { alertname: 'Secrets', token: 'label-value' }, startsAt: '2026-11-26T14:00:00Z' }]);
    await call(axios.get(`${url}/api/v1/incidents`, opts(`Bearer ${secrets.api}`)));
    await call(axios.get(`${url}/api/v1/incidents`, opts(`Bearer ${secrets.viewer}`)));
    await call(axios.get(`${url}/api/v1/inbox`, opts(`Bearer ${secrets.viewer}`)));
    await call(axios.get(`${url}/api/v1/incidents`, opts(`Bearer ${secrets.am}`)));
    await call(axios.get(`${url}/api/v1/incidents`, opts(`Basic ${Buffer.from(`x:${secrets.api}`).toString('base64')}`)));
    await call(axios.post(`${url}/webhooks/alertmanager`, am, opts(`Bearer ${secrets.am}`)));
    await call(axios.post(`${url}/webhooks/alertmanager`, am, opts(`Bearer ${secrets.api}`)));
    await call(axios.post(`${url}/webhooks/alertmanager`, '{"alerts":', opts(`Bearer ${secrets.am}`, { 'Content-Type': 'application/json' })));
    await call(axios.post(`${url}/webhooks/pagerduty`, { event: {} }, opts(undefined, { 'X-PagerDuty-Signature': 'v1=00' })));
    await call(axios.get(`${url}/api/v1/incidents/x`, opts(`Bearer ${secrets.api}`)));
    await call(axios.get(`${url}/metrics`, opts()));
    await call(axios.get(`${url}/openapi.json`, opts()));
    await debrief.processor.idle();
    expect(lines.length).toBeGreaterThan(0);
    const leaks = [...lines, ...answers].filter((text) => Object.values(secrets).some((secret) => text.includes(secret)));
    expect(leaks).toEqual([]);
  });
});

describe('writes carry their actor', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  /**
   * Writes whose actor is not recorded yet (gaps, reported): a test of the list keeps it honest,
   * as an entry must be removed once its route passes the actor on.
   */
  const KNOWN_GAPS = new Set<string>([]);

  it('when an API route changes state, then its handler passes the authenticated actor on (RouteContext.actor)', () => {
    const writes = (app.debrief.routes as readonly RouteDef[]).filter((r) => r.access.kind === 'api' && r.method !== 'get');
    expect(writes.length).toBeGreaterThan(0);
    const missing = writes.filter((r) => !/\bactor\b/.test(String(r.handler))).map((r) => r.operationId);
    expect(missing.filter((id) => !KNOWN_GAPS.has(id))).toEqual([]);
    expect([...KNOWN_GAPS].filter((id) => !missing.includes(id))).toEqual([]);
  });
});
