import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Normalized } from '../../connectors/connector';
import { loadConfig } from '../../src/config/load-config';
import {
  alertmanagerBody, fixturesDirectory, GO_ZERO_TIME, minutesAfter, readFixture, type AlertmanagerWebhookBody,
} from '../support/alertmanager-bodies';
import { allAlerts, allIncidentDetails, expectError, inboxEntries, listAllIncidents, type AlertBody } from '../support/api-helpers';
import { AM_BASIC, AM_TOKEN, startTestApp, type TestApp } from '../support/test-app';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const oneAlert = (labels: Record<string, string> = { alertname: 'DiskFull', service: 'api', severity: 'warning' }) =>
  alertmanagerBody([{ labels, startsAt: '2026-11-26T14:00:00.000Z' }]);

describe('POST /webhooks/:instance credentials', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  it('when no Authorization header is sent, then 401 in the error shape and nothing is stored', async () => {
    const res = await app.anon.post('/webhooks/alertmanager', oneAlert());
    expectError(res, 401, 'unauthorized');
    expect(await inboxEntries(app)).toEqual([]);
  });

  it('when a wrong bearer token is sent, then 403 in the error shape and nothing is stored', async () => {
    expectError(await app.postAlertmanager(oneAlert(), { Authorization: 'Bearer not-the-configured-token-000' }), 403, 'forbidden');
    expect(await inboxEntries(app)).toEqual([]);
  });

  it('when wrong basic-auth credentials are sent, then 403 and nothing is stored', async () => {
    expectError(await app.postAlertmanager(oneAlert(), { Authorization: basic(AM_BASIC.username, 'wrong-password-123') }), 403, 'forbidden');
    expectError(await app.postAlertmanager(oneAlert(), { Authorization: basic('someone-else', AM_BASIC.password) }), 403, 'forbidden');
    expect(await inboxEntries(app)).toEqual([]);
  });

  it('when the instance is not configured, then 404 in the error shape even with valid credentials', async () => {
    const res = await app.anon.post('/webhooks/nope', oneAlert(), { headers: { Authorization: `Bearer ${AM_TOKEN}` } });
    const error = expectError(res, 404, 'not_found');
    expect(error.message).toContain('nope');
    expect(await inboxEntries(app)).toEqual([]);
  });

  it('when the configured bearer token is sent, then 202 with the stored inbox id', async () => {
    const res = await app.postAlertmanager(oneAlert());
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ inboxId: expect.any(String), duplicate: false, alerts: 1, ignoredReason: null });
    expect((await inboxEntries(app)).map((e) => e.id)).toContain(res.data.inboxId);
  });

  it('when configured basic-auth credentials are sent, then 202', async () => {
    const res = await app.postAlertmanager(oneAlert(), { Authorization: basic(AM_BASIC.username, AM_BASIC.password) });
    expect(res.status).toBe(202);
    expect(res.data.alerts).toBe(1);
  });

  it('when the stored body is fetched back, then it has the exact bytes sent and no credentials', async () => {
    const text = `${JSON.stringify(oneAlert({ alertname: 'ExactBytes' }), null, 2)}\n`;
    const res = await app.postAlertmanager(text);
    const entry = await app.api.get(`/api/v1/inbox/${res.data.inboxId}`);
    expect(entry.status).toBe(200);
    expect(entry.data.body).toBe(text);
    expect(JSON.stringify(entry.data.headers).toLowerCase()).not.toContain('authorization');
    expect(JSON.stringify(entry.data)).not.toContain(AM_TOKEN);
  });
});

describe('POST /webhooks/:instance rejected bodies', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });
  // A rejected request must leave no trace in the inbox: Alertmanager does not retry 4xx.
  afterEach(async () => { expect(await inboxEntries(app)).toEqual([]); });

  const detailPaths = (res: import('axios').AxiosResponse) => expectError(res, 400).details.map((d) => d.path).sort();

  it('when the body is not valid JSON, then 400 malformed_body with the parse error in details', async () => {
    const error = expectError(await app.postAlertmanager('{"alerts": [ {"labels": '), 400, 'malformed_body');
    expect(error.details).toHaveLength(1);
  });

  it('when the body is empty, then 400 malformed_body', async () => {
    expectError(await app.postAlertmanager(''), 400, 'malformed_body');
  });

  it('when the body is JSON null or an array, then 400 validation_failed', async () => {
    expectError(await app.postAlertmanager('null'), 400, 'validation_failed');
    expectError(await app.postAlertmanager('[]'), 400, 'validation_failed');
  });

  it('when alerts is missing, then 400 naming alerts', async () => {
    const { alerts: _omitted, ...body } = oneAlert();
    expect(detailPaths(await app.postAlertmanager(body))).toEqual(['alerts']);
  });

  it('when a label value is a number, then 400 naming alerts.0.labels.severity', async () => {
    const body = oneAlert() as AlertmanagerWebhookBody;
    (body.alerts[0]!.labels as Record<string, unknown>).severity = 3;
    const res = await app.postAlertmanager(body);
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ path: 'alerts.0.labels.severity', message: expect.any(String) }]);
  });

  it('when several fields fail at once, then every failing path is listed', async () => {
    const body = alertmanagerBody([
      { labels: { alertname: 'A' }, startsAt: '2026-11-26T14:00:00Z' },
      { labels: { alertname: 'B' }, startsAt: '2026-11-26T14:00:00Z' },
      { labels: { alertname: 'C' }, startsAt: '2026-11-26T14:00:00Z' },
    ]);
    (body.alerts[0]!.labels as Record<string, unknown>).severity = 3;
    delete body.alerts[1]!.startsAt;
    body.alerts[2]!.annotations = ['not', 'a', 'map'];
    (body as Record<string, unknown>).status = 'exploded';
    expect(detailPaths(await app.postAlertmanager(body))).toEqual(['alerts.0.labels.severity', 'alerts.1.startsAt', 'alerts.2.annotations', 'status']);
  });

  it('when an alert startsAt is not an RFC 3339 time, then 400 naming alerts.N.startsAt', async () => {
    const body = alertmanagerBody([
      { labels: { alertname: 'Fine' }, startsAt: '2026-11-26T14:00:00Z' },
      { labels: { alertname: 'Broken' }, startsAt: 'yesterday at noon' },
    ]);
    const error = expectError(await app.postAlertmanager(body), 400, 'validation_failed');
    expect(error.details.map((d) => d.path)).toEqual(['alerts.1.startsAt']);
    expect(error.details[0]!.message).toContain('yesterday at noon');
  });

  it('when an alert has no start time (Go zero time), then 400 naming its startsAt', async () => {
    const body = alertmanagerBody([{ labels: { alertname: 'NoStart' }, startsAt: GO_ZERO_TIME }]);
    expect(detailPaths(await app.postAlertmanager(body))).toEqual(['alerts.0.startsAt']);
  });

  it('when a resolved alert endsAt is not a time, then 400 naming alerts.0.endsAt', async () => {
    const body = alertmanagerBody([{ labels: { alertname: 'BadEnd' }, startsAt: '2026-11-26T14:00:00Z', endsAt: '26/11/2026' }]);
    expect(detailPaths(await app.postAlertmanager(body))).toEqual(['alerts.0.endsAt']);
  });

  it('when the content type is not JSON, then 415 in the error shape', async () => {
    const res = await app.postAlertmanager(JSON.stringify(oneAlert()), { 'Content-Type': 'text/plain' });
    expectError(res, 415, 'unsupported_media_type');
  });
});

describe('POST /webhooks/:instance tolerance', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  it('when senders add unknown fields at any level, then 202 and the alert is stored', async () => {
    const body = alertmanagerBody([{ labels: { alertname: 'Extra', service: 'api' }, startsAt: '2026-11-26T14:00:00Z' }], {
      extra: { numFiring: 1, notification_reason: 'first notification', routeLabels: {}, vendor: { nested: [1, 2] } },
    });
    body.alerts[0]!.amixr_demo = true;
    const res = await app.postAlertmanager(body);
    expect(res.status).toBe(202);
    await app.settle();
    expect((await allAlerts(app)).map((a) => a.labels.alertname)).toEqual(['Extra']);
  });

  it('when the content type carries a charset, then it is still accepted', async () => {
    const res = await app.postAlertmanager(oneAlert({ alertname: 'Charset' }), { 'Content-Type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(202);
  });
});

describe('POST /webhooks/:instance body size limit', () => {
  const padded = (bytes: number): string => {
    const body = oneAlert();
    const text = JSON.stringify(body);
    (body.alerts[0]!.annotations as Record<string, string>).description = 'x'.repeat(Math.max(0, bytes - text.length - 20));
    const out = JSON.stringify(body);
    return out + ' '.repeat(bytes - out.length);
  };

  it('when no limit is configured, then the default is 5 MiB', () => {
    const config = loadConfig({ file: null, env: {} });
    expect(config.server.webhookBodyLimitBytes).toBe(5 * 1024 * 1024);
  });

  describe('when the limit is set to 2048 bytes', () => {
    let app: TestApp;
    beforeAll(async () => { app = await startTestApp({ overrides: { server: { webhookBodyLimitBytes: 2048 } } }); });
    afterAll(async () => { await app.stop(); });

    it('then a larger body gets 413 in the error shape and nothing is stored', async () => {
      const res = await app.postAlertmanager(padded(4096));
      const error = expectError(res, 413, 'payload_too_large');
      expect(error.message).toContain('2048');
      expect(await inboxEntries(app)).toEqual([]);
    });

    it('then a body just under the limit is accepted', async () => {
      expect((await app.postAlertmanager(padded(2000))).status).toBe(202);
    });
  });

  describe('with the default limit', () => {
    let app: TestApp;
    beforeAll(async () => { app = await startTestApp(); });
    afterAll(async () => { await app.stop(); });

    it('then a 2 MiB body (larger than the API JSON limit) is accepted', async () => {
      expect((await app.postAlertmanager(padded(2 * 1024 * 1024))).status).toBe(202);
    });

    it('then a body one byte over 5 MiB gets 413', async () => {
      expectError(await app.postAlertmanager(padded(5 * 1024 * 1024 + 1)), 413, 'payload_too_large');
    });
  });
});

describe('re-sent notifications (dedup by instance, fingerprint, startsAt)', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  const post202 = async (body: unknown) => {
    const res = await app.postAlertmanager(body);
    expect(res.status).toBe(202);
  };
  const byName = (alerts: AlertBody[], name: string) => alerts.filter((a) => a.labels.alertname === name);

  it('when the same group body arrives 3 times, as a repeat and from an HA peer, then each firing is one alert', async () => {
    const first = readFixture('captured-000013');
    const repeat = readFixture('captured-000019');
    // The SOURCES.md claim this test relies on: 000019 is a byte-for-byte repeat in value.
    expect(repeat).toEqual(first);
    const haPeer = { ...readFixture('captured-000013'), externalURL: 'http://alertmanager-1:9093' };
    for (const body of [first, first, first, repeat, haPeer]) await post202(body);
    await app.settle();

    const incidents = await allIncidentDetails(app);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.alerts).toHaveLength(4);
    expect(incident!.alertCount).toBe(4);
    for (const a of incident!.alerts) expect(a.notificationCount).toBe(5);
    const fired = incident!.timeline.filter((e) => e.kind === 'alert.fired');
    expect(fired).toHaveLength(4);
    expect(new Set(fired.map((e) => e.alertId))).toEqual(new Set(incident!.alerts.map((a) => a.id)));
    expect(incident!.timeline.filter((e) => e.kind === 'alert.resolved')).toEqual([]);
    for (const a of incident!.alerts) expect(fired.find((e) => e.alertId === a.id)!.at).toBe(a.startsAt);
  });

  it('when the resolved snapshot arrives (twice), then those alerts resolve at their own endsAt, once', async () => {
    const resolved = readFixture('captured-000041');
    await post202(resolved);
    await post202(resolved);
    await app.settle();

    const [incident, ...others] = await allIncidentDetails(app);
    expect(others).toEqual([]);
    expect(incident!.alerts).toHaveLength(4);
    const high = byName(incident!.alerts, 'HighErrorRate');
    expect(high).toHaveLength(3);
    for (const a of high) {
      expect(a.status).toBe('resolved');
      expect(a.endsAt).toBe('2026-11-26T14:54:18.361Z');
      expect(a.notificationCount).toBe(7);
    }
    const [crash] = byName(incident!.alerts, 'PodCrashLooping');
    expect(crash!.status).toBe('firing');
    expect(crash!.endsAt).toBeNull();
    expect(incident!.status).toBe('open');

    const resolvedEntries = incident!.timeline.filter((e) => e.kind === 'alert.resolved');
    expect(resolvedEntries.map((e) => e.alertId).sort()).toEqual(high.map((a) => a.id).sort());
    for (const e of resolvedEntries) {
      // Event time from the body, not the time Debrief received it.
      expect(e.at).toBe('2026-11-26T14:54:18.361Z');
      expect(e.at).not.toBe(high.find((a) => a.id === e.alertId)!.lastSeenAt);
    }
    expect(incident!.timeline.filter((e) => e.kind === 'alert.fired')).toHaveLength(4);
  });

  it('when a stale firing re-send arrives after the resolution, then history is not rewritten', async () => {
    await post202(readFixture('captured-000019'));
    await app.settle();
    const [incident] = await allIncidentDetails(app);
    for (const a of byName(incident!.alerts, 'HighErrorRate')) {
      expect(a.status).toBe('resolved');
      expect(a.endsAt).toBe('2026-11-26T14:54:18.361Z');
    }
    expect(incident!.timeline.filter((e) => e.kind === 'alert.resolved')).toHaveLength(3);
    expect(incident!.timeline).toHaveLength(7);
  });

  it('when the last firing alert resolves, then the incident resolves at the latest alert end', async () => {
    const body = readFixture('captured-000041');
    const crash = body.alerts.find((a) => (a.labels as Record<string, string>).alertname === 'PodCrashLooping')!;
    crash.status = 'resolved';
    crash.endsAt = '2026-11-26T14:55:03.361Z';
    body.status = 'resolved';
    await post202(body);
    await app.settle();
    const [incident] = await allIncidentDetails(app);
    expect(incident!.status).toBe('resolved');
    expect(incident!.endedAt).toBe('2026-11-26T14:55:03.361Z');
    expect(incident!.timeline.filter((e) => e.kind === 'alert.resolved').map((e) => e.at).sort()).toEqual([
      '2026-11-26T14:54:18.361Z', '2026-11-26T14:54:18.361Z', '2026-11-26T14:54:18.361Z', '2026-11-26T14:55:03.361Z',
    ]);
  });

  it('when the same alert fires again with a new startsAt (captured re-fire), then it is a new alert', async () => {
    const refire = readFixture('captured-000018');
    // Its earlier firing, 20 s before, as Alertmanager reported it once resolved.
    const earlier = readFixture('captured-000018');
    earlier.alerts[0]!.startsAt = '2026-11-26T14:53:20.361Z';
    earlier.alerts[0]!.endsAt = '2026-11-26T14:53:30.361Z';
    earlier.alerts[0]!.status = 'resolved';
    earlier.status = 'resolved';
    await post202(earlier);
    await post202(refire);
    await post202(refire);
    await app.settle();

    const flapping = (await allAlerts(app)).filter((a) => a.labels.alertname === 'QueueBacklogFlapping');
    expect(flapping).toHaveLength(2);
    expect(new Set(flapping.map((a) => a.fingerprint))).toEqual(new Set(['8147768a601619c3']));
    const [first, second] = [...flapping].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(first).toMatchObject({ startsAt: '2026-11-26T14:53:20.361Z', status: 'resolved', endsAt: '2026-11-26T14:53:30.361Z', notificationCount: 1 });
    expect(second).toMatchObject({ startsAt: '2026-11-26T14:53:40.361Z', status: 'firing', endsAt: null, notificationCount: 2 });
    // 20 s apart in the same group: the second firing joins the first one's incident, by rule.
    expect(second!.incidentId).toBe(first!.incidentId);
    expect(second!.decision.kind).toBe('rule');
    const incident = (await allIncidentDetails(app)).find((i) => i.id === first!.incidentId)!;
    expect(incident.timeline.map((e) => [e.kind, e.at])).toEqual([
      ['alert.fired', '2026-11-26T14:53:20.361Z'],
      ['alert.resolved', '2026-11-26T14:53:30.361Z'],
      ['alert.fired', '2026-11-26T14:53:40.361Z'],
    ]);
  });

  it('when the same alert fires again hours later, then it is a new alert in a new incident and the old one is unchanged', async () => {
    const labels = { alertname: 'ServiceDown', service: 'payments', severity: 'critical' };
    const t0 = '2026-11-20T08:00:00.000Z';
    await post202(alertmanagerBody([{ labels, startsAt: t0 }]));
    await post202(alertmanagerBody([{ labels, startsAt: t0, endsAt: minutesAfter(t0, 5) }]));
    await app.settle();
    const before = (await allAlerts(app)).filter((a) => a.labels.alertname === 'ServiceDown');
    expect(before).toHaveLength(1);

    const t1 = minutesAfter(t0, 180);
    await post202(alertmanagerBody([{ labels, startsAt: t1 }]));
    await app.settle();
    const after = (await allAlerts(app)).filter((a) => a.labels.alertname === 'ServiceDown').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(after).toHaveLength(2);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toMatchObject({ startsAt: t1, status: 'firing', fingerprint: before[0]!.fingerprint });
    expect(after[1]!.incidentId).not.toBe(after[0]!.incidentId);
    expect(after[1]!.decision.kind).toBe('new-incident');
    expect(after[1]!.decision.explanation).toContain('{}:{alertname="ServiceDown"}');
    const incidents = await allIncidentDetails(app);
    expect(incidents.find((i) => i.id === after[0]!.incidentId)).toMatchObject({ status: 'resolved', endedAt: minutesAfter(t0, 5) });
    expect(incidents.find((i) => i.id === after[1]!.incidentId)).toMatchObject({ status: 'open', endedAt: null, startedAt: t1 });
  });
});

describe('bodies mixing firing and resolved alerts', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  it('when Alertmanager issue 1051 body arrives (root "firing"), then each alert keeps its own status and zero endsAt is null', async () => {
    expect((await app.postAlertmanager(readFixture('am-issue-1051-mixed-firing-resolved'))).status).toBe(202);
    await app.settle();
    const alerts = (await allAlerts(app)).filter((a) => a.labels.alertname === 'ServerStop').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(alerts.map((a) => [a.status, a.startsAt, a.endsAt])).toEqual([
      ['firing', '2017-10-21T17:50:17.160Z', null],
      ['resolved', '2017-10-21T17:50:28.806Z', '2017-10-21T17:50:28.806Z'],
    ]);
    // A label literally named "status" is just a label.
    expect(alerts.map((a) => a.labels.status)).toEqual(['firing', 'resolved']);
    expect(alerts.every((a) => a.fingerprintComputed)).toBe(true);
  });

  it('when Grafana 9 sends 2 resolved and 1 firing alert, then 2 are resolved and the firing one has no end', async () => {
    expect((await app.postAlertmanager(readFixture('zulip-grafana-alert-9-mixed'))).status).toBe(202);
    await app.settle();
    const alerts = (await allAlerts(app)).filter((a) => a.source === 'grafana');
    expect(alerts).toHaveLength(3);
    expect(alerts.filter((a) => a.status === 'resolved').map((a) => a.endsAt)).toEqual(['2022-06-17T01:08:28.652Z', '2022-06-17T01:08:28.652Z']);
    expect(alerts.filter((a) => a.status === 'firing').map((a) => a.endsAt)).toEqual([null]);
    const incident = (await allIncidentDetails(app)).find((i) => i.id === alerts[0]!.incidentId)!;
    expect(incident.status).toBe('open');
    expect(incident.timeline.filter((e) => e.kind === 'alert.resolved').map((e) => e.at)).toEqual(['2022-06-17T01:08:28.652Z', '2022-06-17T01:08:28.652Z']);
  });
});

describe('every Alertmanager fixture posted to the real app', () => {
  const names = readdirSync(fixturesDirectory).filter((n) => n.endsWith('.json') && !n.endsWith('.expected.json')).map((n) => n.replace(/\.json$/, '')).sort();
  const identity = (a: { fingerprint: string; startsAt: string }) => `${a.fingerprint}@${a.startsAt}`;
  const observation = (a: AlertBody) => ({
    instance: a.instance, source: a.source, fingerprint: a.fingerprint, fingerprintComputed: a.fingerprintComputed, status: a.status,
    startsAt: a.startsAt, endsAt: a.endsAt, labels: a.labels, annotations: a.annotations, generatorUrl: a.generatorUrl,
    sourceGroupKey: a.sourceGroupKey, sourceGroupLabels: a.sourceGroupLabels,
  });

  it('then there are fixtures to post', () => {
    expect(names.length).toBeGreaterThanOrEqual(16);
  });

  it.each(names)('when %s is posted, then 202 and the stored alerts and incidents match its expected output', async (name) => {
    const expected = JSON.parse(readFileSync(join(fixturesDirectory, `${name}.expected.json`), 'utf8')) as Normalized;
    const app = await startTestApp();
    try {
      const res = await app.postAlertmanager(readFileSync(join(fixturesDirectory, `${name}.json`), 'utf8'));
      expect(res.status).toBe(202);
      expect(res.data).toMatchObject({ duplicate: false, alerts: expected.alerts.length, ignoredReason: expected.ignoredReason });
      await app.settle();

      const [entry] = await inboxEntries(app);
      expect(entry).toMatchObject({ state: 'done', outcome: { alerts: expected.alerts.length, ignoredReason: expected.ignoredReason } });
      const incidents = await allIncidentDetails(app);
      const stored = incidents.flatMap((i) => i.alerts);
      expect(stored.map(observation).sort((a, b) => identity(a).localeCompare(identity(b))))
        .toEqual([...expected.alerts].sort((a, b) => identity(a).localeCompare(identity(b))));
      if (expected.alerts.length === 0) expect(incidents).toEqual([]);
      for (const incident of incidents) {
        expect(incident.alertCount).toBe(incident.alerts.length);
        expect(incident.alerts.length).toBeGreaterThan(0);
        expect(incident.startedAt).toBe(incident.alerts.map((a) => a.startsAt).sort()[0]);
        expect(incident.status).toBe(incident.alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'open');
        expect(incident.timeline.filter((e) => e.kind === 'alert.fired')).toHaveLength(incident.alerts.length);
      }
      expect((await listAllIncidents(app)).length).toBe(incidents.length);
    } finally {
      await app.stop();
    }
  });
});
