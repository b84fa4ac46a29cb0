import type { AxiosResponse } from 'axios';
import type { RouteDef } from '../../src/http/route';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectError, inboxEntries } from '../support/api-helpers';
import { API_TOKEN, startTestApp, type TestApp } from '../support/test-app';

/**
 * "every write records its actor" (README, Security), for dead letters: a requeue is
 * recorded on the inbox entry with the name of the API token that asked for it, and an admin
 * reading the entry sees who requeued it and when.
 */

const ALICE = 'alice-admin-token-0123456789';
const BOB = 'bob-admin-token-0123456789';
const VIEWER = 'carol-viewer-token-0123456789';

describe('requeue of a dead letter records its actor', () => {
  let app: TestApp;
  let deadId: string;
  let doneId: string;
  const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
  const requeue = (token: string, id = deadId) => app.anon.post(`/api/v1/inbox/${id}/requeue`, undefined, as(token));
  const entry = async (): Promise<AxiosResponse> => app.anon.get(`/api/v1/inbox/${deadId}`, as(ALICE));
  /** The response as the route declares it (the same schema is in the OpenAPI document). */
  const declared = (operationId: string, status: number) => {
    const route = (app.debrief.routes as readonly RouteDef[]).find((r) => r.operationId === operationId);
    const schema = route?.responses[status]?.schema;
    if (!schema) throw new Error(`no ${status} schema declared for ${operationId}`);
    return schema;
  };

  beforeAll(async () => {
    app = await startTestApp({ env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},alice:admin:${ALICE},bob:admin:${BOB},carol:viewer:${VIEWER}` } });
    // A body with one alert whose start is not a time: normalization fails, the entry is a dead letter.
    const b = alertmanagerBody([{ labels: { alertname: 'Broken', service: 'api' }, startsAt: '2026-11-26T14:00:00.000Z' }]);
    const raw = JSON.stringify({ ...b, alerts: [{ ...b.alerts[0]!, startsAt: 'not a time' }] });
    deadId = (await app.debrief.store.appendInbox({
      instance: 'alertmanager', connector: 'alertmanager', receivedAt: new Date().toISOString(),
      headers: { 'content-type': 'application/json' }, body: Buffer.from(raw), deliveryId: null,
    })).id;
    const good = await app.postAlertmanager(b);
    expect(good.status).toBe(202);
    doneId = good.data.inboxId;
    await app.settle();
    expect((await inboxEntries(app, 'dead')).map((e) => e.id)).toEqual([deadId]);
    expect((await inboxEntries(app, 'done')).map((e) => e.id)).toEqual([doneId]);
  });
  afterAll(async () => { await app.stop(); });

  it('when a dead letter was never requeued, then its entry shows no requeue', async () => {
    const res = await entry();
    expect(res.status).toBe(200);
    expect(res.data.requeues).toEqual([]);
    expect(declared('getInboxEntry', 200).safeParse(res.data).success).toBe(true);
  });

  it('when an admin token requeues it, then the answer and the entry name that token as the actor, with the time', async () => {
    const before = new Date().toISOString();
    const res = await requeue(ALICE);
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ id: deadId, state: 'pending', requeue: { at: expect.any(String), actor: 'alice' } });
    expect(declared('requeueInboxEntry', 202).safeParse(res.data).success).toBe(true);
    expect(res.data.requeue.at >= before && res.data.requeue.at <= new Date().toISOString()).toBe(true);

    const got = await entry();
    expect(got.data.requeues).toEqual([{ at: res.data.requeue.at, actor: 'alice' }]);
    expect(declared('getInboxEntry', 200).safeParse(got.data).success).toBe(true);
    await app.settle();
  });

  it('when another admin token requeues it after it died again, then both requeues are kept, oldest first, each with its own actor', async () => {
    expect((await entry()).data.state).toBe('dead');
    const res = await requeue(BOB);
    expect(res.status).toBe(202);
    expect(res.data.requeue.actor).toBe('bob');
    await app.settle();
    const got = await entry();
    expect(got.data.requeues.map((r: { actor: string }) => r.actor)).toEqual(['alice', 'bob']);
    expect(got.data.requeues[1].at).toBe(res.data.requeue.at);
  });

  it('when the inbox is listed, then each entry shows its requeues too, so dead letters requeued before stand out', async () => {
    const list = await app.api.get('/api/v1/inbox', { params: { limit: 500 } });
    expect(list.status).toBe(200);
    expect(declared('listInbox', 200).safeParse(list.data).success).toBe(true);
    const byId = new Map((list.data.items as Array<{ id: string; requeues: Array<{ actor: string }> }>).map((e) => [e.id, e]));
    expect(byId.get(deadId)!.requeues.map((r) => r.actor)).toEqual(['alice', 'bob']);
    expect(byId.get(doneId)!.requeues).toEqual([]);
    expect((await inboxEntries(app, 'dead')).find((e) => e.id === deadId)?.requeues).toEqual((await entry()).data.requeues);
  });

  it('when a requeue is refused (viewer token, entry not dead), then nothing is recorded', async () => {
    expectError(await requeue(VIEWER), 403, 'forbidden');
    expectError(await requeue(ALICE, doneId), 409, 'conflict');
    expect((await entry()).data.requeues.map((r: { actor: string }) => r.actor)).toEqual(['alice', 'bob']);
    expect((await app.anon.get(`/api/v1/inbox/${doneId}`, as(BOB))).data.requeues).toEqual([]);
  });
});
