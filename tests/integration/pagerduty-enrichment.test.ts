import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPagerDutyIncident } from '../../src/integrations/pagerduty-enrichment';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allIncidentDetails } from '../support/api-helpers';
import { startPagerDutyReplayServer, type PagerDutyReplayOptions, type PagerDutyReplayServer } from '../support/pagerduty-replay-server';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, type EventSpec, type PageSpec } from '../support/pagerduty-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Enrichment through the REST API against the replay server, which serves PagerDuty's recorded
 * example responses for incident PT4KHLK: one trigger log entry (2015-11-07T00:14:20Z, by the
 * service "My Mail Service") and two notes (2013-03-06, one by an event rule).
 */

const TOKEN = 'u+enrichment-read-only-key';
const PAGE: PageSpec = { id: 'PT4KHLK', number: 1234, title: 'The server is on fire.', incidentKey: 'baf7cf21b1da41b4b0221008339ff357', serviceId: 'PIJ90N7', serviceName: 'My Mail Service' };
const acknowledged: EventSpec = { id: '01ENRICH0ACK000000000000001', type: 'incident.acknowledged', occurredAt: '2015-11-07T00:20:00.000Z', agent: 'Earline Greenholt' };
/** The webhook twin of the recorded trigger log entry (webhooks have milliseconds, log entries seconds). */
const triggered: EventSpec = { id: '01ENRICH0TRIG00000000000001', type: 'incident.triggered', occurredAt: '2015-11-07T00:14:20.431Z', agent: null };

type Entry = { at: string; kind: string; text: string; actor: string | null };

let replay: PagerDutyReplayServer | null = null;
let app: TestApp | null = null;

async function start(replayOptions: PagerDutyReplayOptions | null, token: string | null = TOKEN): Promise<{ app: TestApp; replay: PagerDutyReplayServer | null }> {
  replay = replayOptions ? await startPagerDutyReplayServer({ requireToken: TOKEN, ...replayOptions }) : null;
  app = await startTestApp({
    env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET, ...(token ? { DEBRIEF_PAGERDUTY_REST_TOKEN: token } : {}) },
    overrides: replay ? { pagerduty: { apiBaseUrl: replay.baseUrl } } : {},
  });
  return { app, replay };
}

/** Waits for the inbox, then for the background enrichment it started. */
async function settleAll(a: TestApp): Promise<void> {
  await a.settle();
  await a.debrief.pagerduty.enrichment?.idle();
  await a.settle();
}

async function pagerdutyEntries(a: TestApp): Promise<Entry[]> {
  return (await allIncidentDetails(a)).flatMap((i) => i.timeline as Entry[]).filter((e) => e.kind.startsWith('pagerduty.'));
}

afterEach(async () => {
  await replay?.close();
  await app?.stop();
  replay = null;
  app = null;
});

describe('PagerDuty enrichment with a REST token', () => {
  it('when a PagerDuty incident is first seen by webhook, then its log entries and notes fill the timeline, through a 429', async () => {
    const { app, replay } = await start({ rateLimit: { count: 4, retryAfter: '1' } });
    expect((await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged))).status).toBe(202);
    await settleAll(app);

    expect((await pagerdutyEntries(app)).map((e) => [e.at, e.kind, e.actor, e.text])).toEqual([
      ['2013-03-06T20:28:42.000Z', 'pagerduty.annotated', 'A Global Event Rule', 'Initial alert information indicates a 1-alarm fire'],
      ['2013-03-06T20:28:51.000Z', 'pagerduty.annotated', 'Earline Greenholt', 'Firefighters are on the scene.'],
      ['2015-11-07T00:14:20.000Z', 'pagerduty.triggered', 'My Mail Service', 'Triggered by My Mail Service: The server is on fire.'],
      ['2015-11-07T00:20:00.000Z', 'pagerduty.acknowledged', 'Earline Greenholt', 'Acknowledged by Earline Greenholt'],
    ]);
    expect((await allIncidentDetails(app))).toHaveLength(1);
    const served = replay!.requests.map((r) => r.path);
    expect(served.filter((p) => p === '/incidents/PT4KHLK')).toHaveLength(5); // 4 × 429, then the answer
    expect(served.slice(4)).toEqual(['/incidents/PT4KHLK', '/incidents/PT4KHLK/log_entries', '/incidents/PT4KHLK/notes', '/incidents/PT4KHLK/related_change_events']);
    for (const r of replay!.requests) expect(r.headers.authorization).toBe(`Token token=${TOKEN}`);
  });

  it('when later webhooks of the same incident arrive, then it is fetched again only once it resolves, and nothing is duplicated', async () => {
    const { app, replay } = await start({});
    await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged));
    await settleAll(app);
    const afterFirst = replay!.requests.length;
    expect(afterFirst).toBe(4); // the incident, its log entries, notes and related change events

    const note: EventSpec = { id: '01ENRICH0NOTE00000000000001', type: 'incident.annotated', occurredAt: '2015-11-07T00:25:00.000Z', agent: 'Earline Greenholt', note: 'Hoses deployed.' };
    await postPagerDuty(app, pagerdutyV3Body(PAGE, note));
    await settleAll(app);
    expect(replay!.requests.length).toBe(afterFirst);

    const resolved: EventSpec = { id: '01ENRICH0RES000000000000001', type: 'incident.resolved', occurredAt: '2015-11-07T00:30:00.000Z', agent: 'Earline Greenholt' };
    await postPagerDuty(app, pagerdutyV3Body(PAGE, resolved));
    await settleAll(app);
    expect(replay!.requests.length).toBe(afterFirst + 4);

    const kinds = (await pagerdutyEntries(app)).map((e) => `${e.at} ${e.kind}`);
    expect(kinds).toEqual([
      '2013-03-06T20:28:42.000Z pagerduty.annotated',
      '2013-03-06T20:28:51.000Z pagerduty.annotated',
      '2015-11-07T00:14:20.000Z pagerduty.triggered',
      '2015-11-07T00:20:00.000Z pagerduty.acknowledged',
      '2015-11-07T00:25:00.000Z pagerduty.annotated',
      '2015-11-07T00:30:00.000Z pagerduty.resolved',
    ]);
  });

  it('when a webhook already recorded a change, then the REST copy of it is not added a second time', async () => {
    const { app } = await start({});
    await postPagerDuty(app, pagerdutyV3Body(PAGE, triggered));
    await settleAll(app);
    const entries = await pagerdutyEntries(app);
    expect(entries.filter((e) => e.kind === 'pagerduty.triggered').map((e) => [e.at, e.text])).toEqual([
      ['2015-11-07T00:14:20.431Z', 'Triggered: The server is on fire.'],
    ]);
    expect(entries.filter((e) => e.kind === 'pagerduty.annotated')).toHaveLength(2);
  });

  it('when enrichment stored a note before its webhook arrived, then the timeline shows it once, at the webhook\'s time', async () => {
    const { app } = await start({});
    await postPagerDuty(app, pagerdutyV3Body(PAGE, triggered));
    await settleAll(app);
    expect((await pagerdutyEntries(app)).find((e) => e.actor === 'Earline Greenholt')?.at).toBe('2013-03-06T20:28:51.000Z');
    const note: EventSpec = { id: '01ENRICH0NOTE0LATE00000001', type: 'incident.annotated', occurredAt: '2013-03-06T20:28:51.377Z', agent: 'Earline Greenholt', note: 'Firefighters are on the scene.', noteId: 'PWL7QXS' };
    await postPagerDuty(app, pagerdutyV3Body(PAGE, note));
    await settleAll(app);
    expect((await pagerdutyEntries(app)).filter((e) => e.actor === 'Earline Greenholt').map((e) => [e.at, e.kind])).toEqual([
      ['2013-03-06T20:28:51.377Z', 'pagerduty.annotated'],
    ]);
    // A backfill-style replay then knows the REST note (stored) and the trigger (a webhook twin).
    const { client, sink } = app.debrief.pagerduty;
    expect(await importPagerDutyIncident(client!, sink, { instance: 'pagerduty', pageId: PAGE.id }, '2026-01-01T00:00:00.000Z'))
      .toEqual({ pageId: PAGE.id, fetched: 3, twins: 1, recorded: 0, known: 2 });
  });

  it('when webhooks brought the trigger and a note, then enrichment and a later backfill-style replay add each change once', async () => {
    const { app } = await start({});
    const note: EventSpec = { id: '01ENRICH0NOTE0TWIN00000001', type: 'incident.annotated', occurredAt: '2013-03-06T20:28:51.377Z', agent: 'Earline Greenholt', note: 'Firefighters are on the scene.', noteId: 'PWL7QXS' };
    await postPagerDuty(app, pagerdutyV3Body(PAGE, triggered));
    await postPagerDuty(app, pagerdutyV3Body(PAGE, note));
    await settleAll(app);
    // The note comes twice: by webhook (milliseconds) and in the log entries enrichment fetches
    // after the first webhook (whole seconds). Whichever is stored first stays and the other is
    // its twin, and which comes first is a race between the second webhook and the REST answer.
    // What must hold either way: each change once, at the webhook's time.
    const expected = [
      ['2013-03-06T20:28:42.000Z', 'pagerduty.annotated', 'A Global Event Rule'],
      ['2013-03-06T20:28:51.377Z', 'pagerduty.annotated', 'Earline Greenholt'],
      ['2015-11-07T00:14:20.431Z', 'pagerduty.triggered', null],
    ];
    expect((await pagerdutyEntries(app)).map((e) => [e.at, e.kind, e.actor])).toEqual(expected);

    // What `debrief pagerduty backfill` does for each incident, on the same store.
    const { client, sink } = app.debrief.pagerduty;
    const replayed = await importPagerDutyIncident(client!, sink, { instance: 'pagerduty', pageId: PAGE.id }, '2026-01-01T00:00:00.000Z');
    // Nothing new either way; the REST copies are twins of webhook entries or already known (REST).
    // Which copy of the note was stored shows in the audit trail: the REST one is "note:<id>".
    const incidentId = (await allIncidentDetails(app))[0]!.id;
    const storedNote = (await app.debrief.store.getIncidentAudit(incidentId))!.find((e) => e.kind === 'pagerduty.annotated' && e.actor === 'Earline Greenholt');
    expect(['note:PWL7QXS', note.id]).toContain(storedNote?.data.eventId);
    const restNoteFirst = storedNote!.data.eventId === 'note:PWL7QXS';
    expect(replayed).toEqual({ pageId: PAGE.id, fetched: 3, twins: restNoteFirst ? 1 : 2, recorded: 0, known: restNoteFirst ? 2 : 1 });
    expect((await pagerdutyEntries(app)).map((e) => [e.at, e.kind, e.actor])).toEqual(expected);
  });

  it('when the REST API is slow, then ingest does not wait for it', async () => {
    const { app, replay } = await start({ delayMs: 5_000 });
    await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged));
    await app.settle();
    // The webhook's own entry is there while the REST request is still unanswered.
    expect((await pagerdutyEntries(app)).map((e) => e.kind)).toEqual(['pagerduty.acknowledged']);
    expect(replay!.requests.map((r) => r.path)).toEqual(['/incidents/PT4KHLK']);
  });

  it('when PagerDuty does not know the incident, then the webhook events stay and nothing else changes', async () => {
    const { app, replay } = await start({});
    const unknown = { ...PAGE, id: 'PUNKNOWN' };
    await postPagerDuty(app, pagerdutyV3Body(unknown, acknowledged));
    await settleAll(app);
    expect((await pagerdutyEntries(app)).map((e) => e.kind)).toEqual(['pagerduty.acknowledged']);
    expect(replay!.requests.map((r) => r.path)).toEqual(['/incidents/PUNKNOWN']);
  });
});

describe('PagerDuty related change events in enrichment', () => {
  /** The catalog maps the service of PagerDuty's recorded change events (`PEYSGRV`) to `mail`. */
  async function startWithCatalog(replayOptions: PagerDutyReplayOptions): Promise<{ app: TestApp; replay: PagerDutyReplayServer }> {
    const catalogFile = join(tmpdir(), `debrief-catalog-pd-changes-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(catalogFile, ['services:', '  - name: mail', '    pagerdutyServices: [PEYSGRV]'].join('\n'));
    replay = await startPagerDutyReplayServer({ requireToken: TOKEN, ...replayOptions });
    app = await startTestApp({
      env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET, DEBRIEF_PAGERDUTY_REST_TOKEN: TOKEN, DEBRIEF_CATALOG_FILE: catalogFile },
      overrides: { pagerduty: { apiBaseUrl: replay.baseUrl } },
    });
    return { app, replay };
  }
  const storedChanges = (a: TestApp) => a.debrief.store.listChanges({ from: '2020-07-17T00:00:00.000Z', to: '2020-07-18T00:00:00.000Z', limit: 10 });

  it('when enrichment reads an incident, then the change events PagerDuty relates to it are stored and become suspects of an incident on their service', async () => {
    const { app, replay } = await startWithCatalog({});
    await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged));
    await settleAll(app);
    const asked = replay.requests.find((r) => r.path === '/incidents/PT4KHLK/related_change_events');
    expect(asked?.query).toEqual({ limit: '100' });
    expect((await storedChanges(app)).map((c) => [c.id, c.origin, c.kind, c.service, c.at, c.summary, c.url])).toEqual([
      ['pagerduty:pagerduty:01BBYA6PDIXPL8KO1HPIUL9CZN', 'pagerduty', 'other', 'mail', '2020-07-17T07:42:58.000Z', 'Build Success - Increase snapshot create timeout to 15 seconds', 'https://acme.pagerduty.dev/build/1'],
      ['pagerduty:pagerduty:01BBYA6PEVW6A852BUO6QYUE7O', 'pagerduty', 'other', 'mail', '2020-07-17T08:42:58.000Z', 'Build Success - Increase snapshot create timeout to 30 seconds', 'https://acme.pagerduty.dev/build/2'],
    ]);

    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'MailQueueStuck', service: 'mail', severity: 'critical' }, startsAt: '2020-07-17T09:00:00.000Z' }]))).status).toBe(202);
    await app.settle();
    const mail = (await allIncidentDetails(app)).find((i) => i.alerts.some((a) => a.labels.alertname === 'MailQueueStuck'))!;
    expect((mail as unknown as { changes: Array<{ timing: string; reason: string }> }).changes.map((c) => [c.timing, c.reason])).toEqual([
      ['before', 'change on mail: Build Success - Increase snapshot create timeout to 30 seconds (PagerDuty change event) 17 min before the first alert, same service'],
      ['before', 'change on mail: Build Success - Increase snapshot create timeout to 15 seconds (PagerDuty change event) 1 h 17 min before the first alert, same service'],
    ]);
    expect((mail.timeline as Array<{ kind: string; source: string; url?: string | null }>).filter((e) => e.source === 'change').map((e) => [e.kind, e.url]))
      .toEqual([['change.other', 'https://acme.pagerduty.dev/build/1'], ['change.other', 'https://acme.pagerduty.dev/build/2']]);
  });

  it('when the account cannot read related change events (403), then the timeline is enriched all the same and no change is stored', async () => {
    const { app, replay } = await startWithCatalog({ relatedChangeEventsStatus: 403 });
    await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged));
    await settleAll(app);
    expect(replay.requests.map((r) => r.path)).toContain('/incidents/PT4KHLK/related_change_events');
    expect((await pagerdutyEntries(app)).map((e) => e.kind)).toEqual(['pagerduty.annotated', 'pagerduty.annotated', 'pagerduty.triggered', 'pagerduty.acknowledged']);
    expect(await storedChanges(app)).toEqual([]);
  });
});

describe('PagerDuty without a REST token', () => {
  it('when no token is configured, then webhooks are recorded and no enrichment runs', async () => {
    const { app } = await start(null, null);
    expect(app.debrief.pagerduty.client).toBeNull();
    expect(app.debrief.pagerduty.enrichment).toBeNull();
    expect((await postPagerDuty(app, pagerdutyV3Body(PAGE, acknowledged))).status).toBe(202);
    await app.settle();
    expect((await pagerdutyEntries(app)).map((e) => e.kind)).toEqual(['pagerduty.acknowledged']);
  });
});
