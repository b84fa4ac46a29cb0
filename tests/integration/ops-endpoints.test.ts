import axios from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import { ApiAuthenticator } from '../../src/http/api-auth';
import { createHttpApp } from '../../src/http/create-app';
import { opsRoutes } from '../../src/http/routes/ops-routes';
import { defineRoute } from '../../src/http/route';
import { IngestPressure } from '../../src/ingest/ingest-pressure';
import { createMetrics } from '../../src/metrics';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectError, listAllIncidents, metricSamples } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

describe('operations endpoints', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  const body = (name: string) => alertmanagerBody([{ labels: { alertname: name, service: 'api' }, startsAt: '2026-11-26T14:00:00.000Z' }]);

  it('when /healthz is probed without a token, then 200', async () => {
    const res = await app.anon.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok' });
  });

  it('when /readyz is probed with the store up, then 200', async () => {
    const res = await app.anon.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.data.status).toBe('ready');
  });

  it('when a path matches no route, then 404 in the one error shape', async () => {
    expectError(await app.anon.get('/no/such/page'), 404, 'not_found');
    expectError(await app.api.delete('/api/v1/incidents'), 404, 'not_found');
  });

  describe('/metrics after some webhooks', () => {
    let text: string;
    let openIncidents: number;
    beforeAll(async () => {
      expect((await app.postAlertmanager(body('MetricA'))).status).toBe(202);
      expect((await app.postAlertmanager(body('MetricB'))).status).toBe(202);
      expect((await app.postAlertmanager(body('MetricA'), { Authorization: 'Bearer wrong-token-0123456789' })).status).toBe(403);
      expect((await app.postAlertmanager('{', {})).status).toBe(400);
      expect((await app.anon.post('/webhooks/nope', body('X'))).status).toBe(404);
      await app.settle();
      const res = await app.anon.get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      text = res.data as string;
      // How many incidents the correlation made of the two bodies is not this test's concern.
      openIncidents = (await listAllIncidents(app, { status: 'open' })).length;
    });

    const sample = (name: string, labels: Record<string, string>) =>
      metricSamples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    it('then webhooks received are counted by instance and outcome', () => {
      expect(sample('debrief_webhooks_received_total', { instance: 'alertmanager', outcome: 'accepted' })?.value).toBe(2);
      expect(sample('debrief_webhooks_received_total', { instance: 'alertmanager', outcome: 'forbidden' })?.value).toBe(1);
      expect(sample('debrief_webhooks_received_total', { instance: 'alertmanager', outcome: 'invalid' })?.value).toBe(1);
      expect(sample('debrief_webhooks_received_total', { outcome: 'unknown_instance' })?.value).toBe(1);
      for (const s of metricSamples(text, 'debrief_webhooks_received_total')) expect(Object.keys(s.labels).sort()).toEqual(['instance', 'outcome']);
    });

    it('then the ingest-to-incident latency histogram has observed both bodies', () => {
      expect(text).toMatch(/^# TYPE debrief_ingest_to_incident_seconds histogram$/m);
      expect(metricSamples(text, 'debrief_ingest_to_incident_seconds_count')).toEqual([{ labels: {}, value: 2 }]);
      expect(metricSamples(text, 'debrief_ingest_to_incident_seconds_bucket').find((s) => s.labels.le === '+Inf')?.value).toBe(2);
    });

    it('then the inbox backlog and open incidents gauges read the store', () => {
      expect(metricSamples(text, 'debrief_inbox_backlog')).toEqual([{ labels: {}, value: 0 }]);
      expect(openIncidents).toBeGreaterThan(0);
      expect(metricSamples(text, 'debrief_open_incidents')).toEqual([{ labels: {}, value: openIncidents }]);
    });
  });

  it('when the store is closed, then /readyz answers 503 while /healthz and /metrics still answer', async () => {
    await app.debrief.store.close();
    const ready = await app.anon.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.data.status).toBe('unavailable');
    expect((await app.anon.get('/healthz')).status).toBe(200);
    expect((await app.anon.get('/metrics')).status).toBe(200);
  });

  it('when the store is closed and a webhook arrives, then 503 with Retry-After so Alertmanager retries', async () => {
    const res = await app.postAlertmanager(body('WhileStoreDown'));
    expectError(res, 503, 'unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('liveness when the store cannot recover by itself', () => {
  it('when the store reports that its files could not be reopened for long, then /healthz answers 503 naming why; when that clears, 200 again', async () => {
    let failing: string | null = null;
    const metrics = createMetrics({ inboxBacklog: async () => 0, deadLetters: async () => 0, openIncidents: async () => 0 });
    const routes = opsRoutes({ store: { ping: async () => undefined }, storeHealth: () => failing, metrics, openapi: () => ({ openapi: '3.1.0', info: { title: 't', version: '0' }, components: {} }) });
    const app = createHttpApp({ routes, auth: new ApiAuthenticator([]), metrics, logger: pino({ level: 'silent' }), webhookBodyLimitBytes: 1024 });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await axios.get(`${url}/healthz`)).data).toEqual({ status: 'ok' });
      failing = "the store's files could not be reopened for 61 s: unable to open database file";
      const res = await axios.get(`${url}/healthz`, { validateStatus: () => true });
      expect(res.status).toBe(503);
      expect(res.data).toEqual({ status: 'failing', detail: `store: ${failing}` });
      failing = null;
      expect((await axios.get(`${url}/healthz`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('API reads give way to webhooks in flight; probes do not', () => {
  it('when a webhook is in flight, then an API read waits until it is answered, while /healthz answers at once', async () => {
    const metrics = createMetrics({ inboxBacklog: async () => 0, deadLetters: async () => 0, openIncidents: async () => 0 });
    const probe = defineRoute({
      method: 'get', path: '/api/v1/probe', operationId: 'probe', tags: ['test'], summary: 'an API read',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
      handler: ({ res }) => { res.json({ ok: true }); },
    });
    const routes = [...opsRoutes({ store: { ping: async () => undefined }, metrics, openapi: () => ({ openapi: '3.1.0', info: { title: 't', version: '0' }, components: {} }) }), probe];
    const pressure = new IngestPressure();
    const app = createHttpApp({
      routes, auth: new ApiAuthenticator([{ name: 'viewer', role: 'viewer', token: 'viewer-token-0123456789' }]), metrics,
      logger: pino({ level: 'silent' }), webhookBodyLimitBytes: 1024,
      // A long cap: a route that gave way wrongly would wait here until the webhook is answered.
      beforeRead: () => pressure.giveWayToWebhooks(10_000),
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      pressure.enter();
      let answered = false;
      const read = axios.get(`${url}/api/v1/probe`, { headers: { Authorization: 'Bearer viewer-token-0123456789' } }).then((res) => { answered = true; return res; });
      expect((await axios.get(`${url}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 30));
      expect(answered).toBe(false);
      pressure.leave();
      expect((await read).data).toEqual({ ok: true });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
