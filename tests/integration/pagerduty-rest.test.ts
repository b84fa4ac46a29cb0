import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PagerDutyApiError, type PagerDutyRestClient } from '../../connectors/pagerduty/pagerduty.rest';
import { createPagerDutyRestClient, type PagerDutyRestClientOptions } from '../../src/integrations/pagerduty-rest-client';
import {
  startPagerDutyReplayServer,
  type PagerDutyReplayOptions,
  type PagerDutyReplayServer,
} from '../support/pagerduty-replay-server';

const TOKEN = 'u+test-read-only-key';
const ctx = { instance: 'pagerduty', receivedAt: '2026-11-26T15:00:00.000Z' };

let server: PagerDutyReplayServer | null = null;

async function setup(
  replay: PagerDutyReplayOptions = {},
  client: Partial<PagerDutyRestClientOptions> = {},
): Promise<{ server: PagerDutyReplayServer; client: PagerDutyRestClient }> {
  server = await startPagerDutyReplayServer({ requireToken: TOKEN, ...replay });
  return {
    server,
    client: createPagerDutyRestClient({ token: TOKEN, baseUrl: server.baseUrl, timeoutMs: 2_000, pdjsRetryTimeoutMs: 20, ...client }),
  };
}

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('PagerDuty REST client against the replay server', () => {
  it('sends the token and API version headers PagerDuty expects', async () => {
    const { server, client } = await setup();
    const incident = await client.getIncident('PT4KHLK');
    expect(incident).toMatchObject({ id: 'PT4KHLK', incident_number: 1234, incident_key: 'baf7cf21b1da41b4b0221008339ff357' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe('/incidents/PT4KHLK');
    expect(server.requests[0]!.headers.authorization).toBe(`Token token=${TOKEN}`);
    expect(server.requests[0]!.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
  });

  it('pages through every incident, advancing offset by limit, always sending since and until', async () => {
    const { server, client } = await setup({ derivedIncidents: 3 }, { pageLimit: 2 });
    const incidents = await client.listIncidents({
      since: '2015-10-01T00:00:00Z',
      until: '2015-11-01T00:00:00Z',
      statuses: ['acknowledged', 'resolved'],
    });

    expect(incidents.map((i) => i.id)).toEqual(server.incidentIds);
    expect(new Set(incidents.map((i) => i.id)).size).toBe(4);
    expect(server.requests.map((r) => [r.path, r.query.offset, r.query.limit])).toEqual([
      ['/incidents', '0', '2'],
      ['/incidents', '2', '2'],
    ]);
    for (const r of server.requests) {
      expect(r.query).toMatchObject({
        since: '2015-10-01T00:00:00.000Z',
        until: '2015-11-01T00:00:00.000Z',
        time_zone: 'UTC',
        'statuses[]': ['acknowledged', 'resolved'],
      });
      expect(r.headers.authorization).toBe(`Token token=${TOKEN}`);
    }
  });

  it('splits a range longer than the window into consecutive since/until chunks', async () => {
    const { server, client } = await setup({ derivedIncidents: 0 }, { maxWindowDays: 180 });
    const incidents = await client.listIncidents({ since: '2025-01-01T00:00:00Z', until: '2026-03-01T00:00:00Z' });

    // Every window returns the same recorded incident; it is listed once.
    expect(incidents.map((i) => i.id)).toEqual(['PT4KHLK']);
    expect(server.requests.map((r) => [r.query.since, r.query.until])).toEqual([
      ['2025-01-01T00:00:00.000Z', '2025-06-30T00:00:00.000Z'],
      ['2025-06-30T00:00:00.000Z', '2025-12-27T00:00:00.000Z'],
      ['2025-12-27T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ]);
  });

  it('refuses a range without a usable since/until', async () => {
    const { client } = await setup();
    await expect(client.listIncidents({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' })).rejects.toThrow(RangeError);
    await expect(client.listIncidents({ since: 'last week', until: '2026-01-01T00:00:00Z' })).rejects.toThrow(RangeError);
  });

  it('lets pdjs absorb a single 429 quickly (its own retry, made short)', async () => {
    const { server, client } = await setup({ rateLimit: { count: 1, retryAfter: '1' } });
    const started = performance.now();
    await expect(client.getIncident('PT4KHLK')).resolves.toMatchObject({ id: 'PT4KHLK' });
    expect(server.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('honours Retry-After once pdjs hands back the 429', async () => {
    // pdjs always makes 1 + 3 attempts on a 429 before returning it; the 5th request is ours.
    const { server, client } = await setup({ rateLimit: { count: 4, retryAfter: '1' } });
    await expect(client.getIncident('PT4KHLK')).resolves.toMatchObject({ id: 'PT4KHLK' });
    const at = server.requests.map((r) => r.at);
    expect(at).toHaveLength(5);
    expect(at[3]! - at[2]!).toBeLessThan(500); // pdjs's quick retry
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(950); // our wait: Retry-After 1 s
  });

  it('falls back to ratelimit-reset, then to jittered exponential backoff, and gives up after maxRetries', async () => {
    const waits: number[] = [];
    const { server, client } = await setup(
      { rateLimit: { count: 100 } },
      { maxRetries: 2, backoffBaseMs: 100, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    const error = await client.getIncident('PT4KHLK').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerDutyApiError);
    expect(error).toMatchObject({ status: 429, code: 2020, retryAfterMs: null });
    expect((error as Error).message).toMatch(/HTTP 429 Rate Limit Exceeded after 2 retries/);
    expect(waits).toEqual([50, 100]); // random(0.5) × 100·2^n ("full jitter", resilient-http.ts)
    expect(server.requests).toHaveLength(3 * 4); // 3 client attempts × (1 + 3 pdjs retries)

    await server.close();
    const reset: number[] = [];
    const second = await setup({ rateLimit: { count: 4, rateLimitReset: '0.3' } }, { random: () => 0, sleep: async (ms) => void reset.push(ms) });
    await second.client.getIncident('PT4KHLK');
    expect(reset).toEqual([300]);
  });

  it('fails at once when Retry-After is longer than it is willing to wait', async () => {
    const { server, client } = await setup({ rateLimit: { count: 4, retryAfter: '120' } }, { maxRetryWaitMs: 5_000 });
    await expect(client.getIncident('PT4KHLK')).rejects.toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry a 401 or a 404', async () => {
    const { server } = await setup();
    const wrongToken = createPagerDutyRestClient({ token: 'wrong', baseUrl: server.baseUrl, pdjsRetryTimeoutMs: 20 });
    await expect(wrongToken.getIncident('PT4KHLK')).rejects.toMatchObject({ status: 401, code: 2006 });
    const client = createPagerDutyRestClient({ token: TOKEN, baseUrl: server.baseUrl, pdjsRetryTimeoutMs: 20 });
    await expect(client.getIncident('NOPE')).rejects.toMatchObject({ name: 'PagerDutyApiError', status: 404, code: 2100 });
    expect(server.requests).toHaveLength(2);
  });

  it('maps recorded log entries and notes to timeline events', async () => {
    const { server, client } = await setup();
    const entries = await client.listIncidentLogEntries('PT4KHLK', { since: '2015-11-01T00:00:00Z' });
    expect(entries.map((e) => [e.id, e.type])).toEqual([['Q02JTSNZWHSEKV', 'trigger_log_entry']]);
    expect(server.requests[0]!.query).toMatchObject({ since: '2015-11-01T00:00:00Z', time_zone: 'UTC', offset: '0', limit: '100' });

    const { page, events } = await client.getIncidentTimeline('PT4KHLK', ctx);
    expect(page).toMatchObject({ id: 'PT4KHLK', number: 1234, status: 'acknowledged', incidentKey: 'baf7cf21b1da41b4b0221008339ff357' });
    expect(events.map((e) => [e.occurredAt, e.eventId, e.kind, e.actor, e.text])).toEqual([
      ['2013-03-06T20:28:42.000Z', 'note:PCQC25', 'annotated', 'A Global Event Rule', 'Initial alert information indicates a 1-alarm fire'],
      ['2013-03-06T20:28:51.000Z', 'note:PWL7QXS', 'annotated', 'Earline Greenholt', 'Firefighters are on the scene.'],
      ['2015-11-07T00:14:20.000Z', 'log_entry:Q02JTSNZWHSEKV', 'triggered', 'My Mail Service', 'Triggered by My Mail Service: The server is on fire.'],
    ]);
    expect(events.every((e) => e.page === page)).toBe(true);
    expect(server.requests.slice(1).map((r) => r.path)).toEqual([
      '/incidents/PT4KHLK',
      '/incidents/PT4KHLK/log_entries',
      '/incidents/PT4KHLK/notes',
    ]);
  });

  it('lists incident alerts (dedup keys) without looping on the recorded more:true', async () => {
    const { server, client } = await setup();
    const alerts = await client.listIncidentAlerts('PT4KHLK');
    expect(alerts.map((a) => a.alert_key)).toEqual(['baf7cf21b1da41b4b0221008339ff357']);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a server that never answers', async () => {
    const { client } = await setup({ delayMs: 5_000 }, { timeoutMs: 300, maxRetries: 1, sleep: async () => {} });
    const started = performance.now();
    await expect(client.getIncident('PT4KHLK')).rejects.toThrow(/pagerduty: no answer within 300 ms \(after 2 attempts\)/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('turns a non-JSON error page into a PagerDutyApiError, retrying the 502 a bounded number of times', async () => {
    let hits = 0;
    const proxy = createServer((_req, res) => {
      hits++;
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const client = createPagerDutyRestClient({ token: TOKEN, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1, sleep: async () => {} });
      await expect(client.getIncident('PT4KHLK')).rejects.toMatchObject({ name: 'PagerDutyApiError', status: 502 });
      expect(hits).toBe(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('PagerDuty REST client without a server', () => {
  it('fails on a refused connection after its bounded retries, without keeping jest alive', async () => {
    // Port 1 on loopback: nothing listens there. pdjs's own requestTimeout would leave a 30 s timer.
    const client = createPagerDutyRestClient({ token: TOKEN, baseUrl: 'http://127.0.0.1:1', sleep: async () => {} });
    const started = performance.now();
    const error = await client.listIncidentNotes('PT4KHLK').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerDutyApiError);
    expect(error).toMatchObject({ status: null, message: expect.stringMatching(/ECONNREFUSED.*after 4 attempts/) });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses to start without a token or with a timeout shorter than pdjs retries', () => {
    expect(() => createPagerDutyRestClient({ token: '' })).toThrow(TypeError);
    expect(() => createPagerDutyRestClient({ token: TOKEN, timeoutMs: 100, pdjsRetryTimeoutMs: 250 })).toThrow(RangeError);
  });
});
