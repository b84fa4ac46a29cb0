import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allAlerts, expectError, inboxEntries, listAllIncidents, metricSamples } from '../support/api-helpers';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

const body = (name: string, startsAt = '2026-11-26T14:00:00.000Z') =>
  alertmanagerBody([{ labels: { alertname: name, service: 'api', severity: 'critical' }, startsAt }]);

describe('restart and recover', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-recovery-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('when a body was stored but not processed before a stop, then the next start processes it', async () => {
    const first = await startTestApp({ dir, processing: false });
    let inboxId: string;
    try {
      const res = await first.postAlertmanager(body('StoredBeforeStop'));
      expect(res.status).toBe(202);
      inboxId = res.data.inboxId;
      expect((await inboxEntries(first)).map((e) => [e.id, e.state])).toEqual([[inboxId, 'pending']]);
      expect(await listAllIncidents(first)).toEqual([]);
    } finally {
      await first.stop();
    }

    const second = await startTestApp({ dir });
    try {
      await second.settle();
      expect((await inboxEntries(second)).map((e) => [e.id, e.state])).toEqual([[inboxId, 'done']]);
      const alerts = await allAlerts(second);
      expect(alerts.map((a) => a.labels.alertname)).toEqual(['StoredBeforeStop']);
      expect(await listAllIncidents(second)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('when a process crashed holding an entry, then another process takes it over once the lease expires', async () => {
    const first = await startTestApp({ dir, processing: false });
    try {
      expect((await first.postAlertmanager(body('ClaimedByCrashedProcess'))).status).toBe(202);
      // What a process that crashed mid-processing leaves behind: a claimed, unfinished entry.
      const claimed = await first.debrief.store.claimInbox('crashed-process', 200, 10, new Date().toISOString());
      expect(claimed).toHaveLength(1);
    } finally {
      await first.stop();
    }

    const second = await startTestApp({ dir });
    try {
      await second.settle();
      const [entry] = await inboxEntries(second);
      expect(entry).toMatchObject({ state: 'done', attempts: 2 });
      expect((await allAlerts(second)).map((a) => a.labels.alertname)).toEqual(['ClaimedByCrashedProcess']);
    } finally {
      await second.stop();
    }
  });
});

describe('dead letters', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  /** What an older Debrief, with looser checks, might have accepted and stored. */
  const storeDirectly = async (raw: string, connector = 'alertmanager') => (await app.debrief.store.appendInbox({
    instance: 'alertmanager', connector, receivedAt: new Date().toISOString(),
    headers: { 'content-type': 'application/json' }, body: Buffer.from(raw), deliveryId: null,
  })).id;

  let deadId: string;
  const badBody = () => {
    const b = body('GoodAlertInBadBody');
    b.alerts.push({ ...b.alerts[0]!, labels: { alertname: 'Broken' }, startsAt: 'the day before yesterday' });
    return JSON.stringify(b);
  };

  it('when a stored body can no longer be normalized, then it is kept as a dead letter naming the field', async () => {
    deadId = await storeDirectly(badBody());
    await app.settle();
    const dead = await inboxEntries(app, 'dead');
    expect(dead.map((e) => e.id)).toEqual([deadId]);
    expect(dead[0]!.lastError).toContain('alerts.1.startsAt');
    expect(dead[0]!.attempts).toBe(1);
    // Nothing from the body was half-applied.
    expect(await allAlerts(app)).toEqual([]);
    const entry = await app.api.get(`/api/v1/inbox/${deadId}`);
    expect(entry.status).toBe(200);
    expect(entry.data.body).toBe(badBody());
  });

  it('when a dead letter exists, then later bodies are still processed', async () => {
    expect((await app.postAlertmanager(body('AfterTheDeadLetter'))).status).toBe(202);
    await app.settle();
    expect((await allAlerts(app)).map((a) => a.labels.alertname)).toEqual(['AfterTheDeadLetter']);
    expect((await inboxEntries(app, 'dead')).map((e) => e.id)).toEqual([deadId]);
  });

  it('when the dead letter is requeued, then it is processed again and dies again with the same reason', async () => {
    const before = (await inboxEntries(app, 'dead'))[0]!.lastError;
    const res = await app.api.post(`/api/v1/inbox/${deadId}/requeue`);
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ id: deadId, state: 'pending', requeue: { at: expect.any(String), actor: 'admin' } });
    await app.settle();
    const dead = await inboxEntries(app, 'dead');
    expect(dead.map((e) => [e.id, e.lastError, e.attempts])).toEqual([[deadId, before, 1]]);
  });

  it('when requeue is asked for an entry that is not dead, or does not exist, then 409 or 404', async () => {
    const [done] = await inboxEntries(app, 'done');
    expectError(await app.api.post(`/api/v1/inbox/${done!.id}/requeue`), 409, 'conflict');
    expectError(await app.api.post('/api/v1/inbox/no-such-entry/requeue'), 404, 'not_found');
  });

  it('when a viewer asks to requeue, then 403', async () => {
    expectError(await app.anon.post(`/api/v1/inbox/${deadId}/requeue`, undefined, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } }), 403, 'forbidden');
  });

  it('when stored bytes are not JSON or name a connector that is gone, then they are dead letters too', async () => {
    const notJson = await storeDirectly('{"alerts": [');
    const goneConnector = await storeDirectly(JSON.stringify(body('FromRemovedConnector')), 'removed-connector');
    await app.settle();
    const dead = Object.fromEntries((await inboxEntries(app, 'dead')).map((e) => [e.id, e.lastError]));
    expect(Object.keys(dead).sort()).toEqual([deadId, notJson, goneConnector].sort());
    expect(dead[notJson]).toMatch(/JSON/);
    expect(dead[goneConnector]).toContain('removed-connector');
  });

  it('when metrics are scraped, then the dead letters are counted and the backlog is empty', async () => {
    const text = (await app.anon.get('/metrics')).data as string;
    expect(metricSamples(text, 'debrief_inbox_dead_letters')).toEqual([{ labels: {}, value: 3 }]);
    expect(metricSamples(text, 'debrief_inbox_backlog')).toEqual([{ labels: {}, value: 0 }]);
  });
});
