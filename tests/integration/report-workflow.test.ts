import Database from 'better-sqlite3';
import type { AxiosInstance } from 'axios';
import axios from 'axios';
import type { Alert } from '../../src/domain/alert';
import type { IncidentDetail } from '../../src/domain/incident';
import { summarizeIncident } from '../../src/domain/incident-summary';
import type { ReportView } from '../../src/domain/report/report-model';
import type { ReportPatch } from '../../src/domain/report/report-patch';
import { StaleVersionError } from '../../src/errors';
import { reportViewSchema } from '../../src/http/report-schemas';
import { ReportService } from '../../src/services/report-service';
import { SqliteReportStore } from '../../src/store/sqlite/sqlite-report-store';
import type { Store } from '../../src/store/store';
import { alertmanagerBody, minutesAfter, type AlertSpec } from '../support/alertmanager-bodies';
import { expectError, expectOk } from '../support/api-helpers';
import { rng } from '../support/correlation-harness';
import { alert as makeAlert, event as makeEvent, SERVICE_LABELS } from '../support/report-fixtures';
import { API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

const ALICE = 'alice-editor-token-0123456789';
const BOB = 'bob-editor-token-0123456789';
const PAT = 'pat-publisher-token-0123456789';
const TOKENS = `admin:admin:${API_TOKEN},viewer:viewer:${VIEWER_TOKEN},alice:editor:${ALICE},bob:editor:${BOB},pat:publisher:${PAT}`;

const T = '2026-11-02T08:00:00.000Z';
const at = (minutes: number) => minutesAfter(T, minutes);

describe('report workflow over HTTP', () => {
  let app: TestApp;
  let alice: AxiosInstance;
  let bob: AxiosInstance;
  let pat: AxiosInstance;
  let viewer: AxiosInstance;

  beforeAll(async () => {
    app = await startTestApp({ env: { DEBRIEF_API_TOKENS: TOKENS } });
    const client = (token: string) => axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true });
    alice = client(ALICE);
    bob = client(BOB);
    pat = client(PAT);
    viewer = client(VIEWER_TOKEN);
  });
  afterAll(async () => { await app.stop(); });

  /** Ingests one Alertmanager group and returns its incident id. */
  async function ingest(alerts: AlertSpec[]): Promise<string> {
    expect((await app.postAlertmanager(alertmanagerBody(alerts))).status).toBe(202);
    await app.settle();
    const name = alerts[0]!.labels.alertname!;
    const list = (await app.api.get('/api/v1/incidents', { params: { limit: 500 } })).data as { items: Array<{ id: string; title: string }> };
    const found = list.items.find((i) => i.title.startsWith(name));
    if (!found) throw new Error(`no incident for ${name}`);
    return found.id;
  }

  const report = async (id: string, client: AxiosInstance = viewer) => {
    const res = await client.get(`/api/v1/incidents/${id}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(res.data.etag);
    return reportViewSchema.parse(res.data) as ReportView;
  };
  const patch = (client: AxiosInstance, id: string, body: unknown, etag?: string) =>
    client.patch(`/api/v1/incidents/${id}/report`, body, { headers: etag === undefined ? {} : { 'If-Match': etag } });
  const transition = (client: AxiosInstance, id: string, to: string) => client.post(`/api/v1/incidents/${id}/report/transitions`, { to });
  const section = (r: ReportView, id: string) => r.sections.find((s) => s.id === id)!;

  it('when engineers complete, review and publish a report, then nothing is overwritten and every version stays readable', async () => {
    const checkout = {
      labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' },
      annotations: { summary: 'Checkout 5xx at 27%', runbook_url: 'https://runbooks.example.invalid/checkout' },
      startsAt: at(0),
    };
    const id = await ingest([checkout]);

    // Read the draft: machine parts filled in, the rest waiting for people.
    const draft = await report(id);
    expect(draft).toMatchObject({ version: 1, status: 'draft', postmortem: { required: true } });
    expect(draft.sections.map((s) => s.status)).toEqual(['machine-drafted', 'machine-drafted', 'needs-human', 'needs-human', 'needs-human']);
    const firedId = draft.timeline[0]!.id;
    expect(firedId).toMatch(/^alert:.+:fired$/);

    // Writes need the current ETag, a writer's role and a valid body.
    expectError(await patch(alice, id, { sections: { fix: 'x' } }), 428, 'precondition_required');
    // `*` would match any version: it is no lost-update check, so it counts as no If-Match.
    for (const any of ['*', ` *`, `"v0.r0", *`]) {
      const wildcard = expectError(await patch(alice, id, { sections: { fix: 'x' } }, any), 428, 'precondition_required');
      expect(wildcard.message).toContain(draft.etag);
    }
    expect(section(await report(id), 'fix').status).toBe('needs-human');
    expectError(await patch(viewer, id, { sections: { fix: 'x' } }, draft.etag), 403, 'forbidden');
    const invalid = expectError(await patch(alice, id, { sections: { fix: '  ', cause: 'x' }, impactStartedAt: 'yesterday', colour: 'red' }, draft.etag), 400, 'validation_failed');
    expect(invalid.details.map((d) => d.path).sort()).toEqual(['body', 'body.impactStartedAt', 'body.sections', 'body.sections.fix']);

    // An empty draft cannot go to review: the answer names each missing part.
    const empty = expectError(await transition(alice, id, 'in_review'), 422, 'unprocessable');
    expect(empty.details.map((d) => d.path)).toEqual(['sections.what-happened', 'sections.fix']);
    expect(empty.message).toContain('sections.what-happened, sections.fix');
    expect((await report(id)).status).toBe('draft');

    // Alice writes the cause.
    const afterAlice = expectOk(await patch(alice, id, { sections: { 'what-happened': 'A config push set the **pool size to 1**.' } }, draft.etag)) as ReportView;
    expect(section(afterAlice, 'what-happened')).toMatchObject({ status: 'human-completed', completedBy: 'alice' });
    expect(afterAlice.etag).not.toBe(draft.etag);

    // Bob, still holding the first read, is told what changed instead of overwriting it.
    const stale = await patch(bob, id, { sections: { 'what-happened': 'Bob\'s version' } }, draft.etag);
    expect(stale.status).toBe(409);
    expect(stale.data.error.code).toBe('stale_version');
    expect(stale.data.current).toMatchObject({ version: 1, etag: afterAlice.etag });
    expect(section(stale.data.current.report, 'what-happened').text).toBe('A config push set the **pool size to 1**.');

    // Bob retries on the current version with the fix; Alice's text stays.
    const afterBob = expectOk(await patch(bob, id, { sections: { fix: 'Rolled the config back at 08:20.' } }, stale.data.current.etag)) as ReportView;
    expect(section(afterBob, 'what-happened').text).toBe('A config push set the **pool size to 1**.');
    expect(section(afterBob, 'fix')).toMatchObject({ text: 'Rolled the config back at 08:20.', completedBy: 'bob' });

    // Review; an editor cannot publish; a publisher learns exactly what is missing.
    expectOk(await transition(alice, id, 'in_review'));
    expectError(await transition(alice, id, 'published'), 403, 'forbidden');
    const missing = expectError(await transition(pat, id, 'published'), 422, 'unprocessable');
    expect(missing.details.map((d) => d.path)).toEqual(['sections.prevention', 'customerSummary']);

    // Prevention and the customer summary.
    expectError(await alice.post(`/api/v1/incidents/${id}/action-items`, { title: 'Lint pool size', trackerUrl: 'javascript:alert(1)' }), 400, 'validation_failed');
    const item = expectOk(await alice.post(`/api/v1/incidents/${id}/action-items`, {
      title: 'Lint pool size in CI', owner: 'alice', dueDate: '2020-01-15', trackerUrl: 'https://tracker.example.invalid/OPS-1',
    }), 201);
    expectOk(await alice.post(`/api/v1/incidents/${id}/action-items`, { title: 'Alert on pool saturation', owner: 'bob', dueDate: '2999-01-01' }), 201);
    const current = await report(id);
    const completed = expectOk(await patch(alice, id, {
      customerSummary: 'Some checkouts failed between 08:00 and 08:20 UTC.',
      impactStartedAt: at(-5),
      mitigatedAt: at(20),
      timeline: {
        add: [{ at: at(-5), text: 'Config push started' }],
        entries: { [firedId]: { text: 'Error-rate alert fired (first signal)' } },
      },
    }, current.etag)) as ReportView;
    expect(completed.impactWindow.startedAt).toMatchObject({ at: at(-5), origin: 'human-completed', setBy: 'alice' });
    expect(completed.timeline.map((e) => [e.source, e.origin])).toEqual([['human', 'human-completed'], ['alertmanager', 'human-completed']]);

    // Publish.
    const published = expectOk(await transition(pat, id, 'published')) as ReportView;
    expect(published).toMatchObject({ version: 1, status: 'published', publishedBy: 'pat' });
    expect(published.actionItems.map((a) => a.title)).toEqual(['Lint pool size in CI', 'Alert on pool saturation']);

    // A new alert joins the incident: the published report does not change.
    await ingest([checkout, { labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', pod: 'b' }, startsAt: at(3) }]);
    const frozen = await report(id);
    expect(frozen.summary.alertCount).toBe(1);
    expect(frozen.status).toBe('published');

    // A later edit makes version 2; the published version 1 stays readable as it was.
    const v2 = expectOk(await patch(bob, id, { sections: { fix: 'Rolled back at 08:20, then raised the pool limit.' } }, frozen.etag)) as ReportView;
    expect(v2).toMatchObject({ version: 2, status: 'draft' });
    expect(v2.summary.alertCount).toBe(2);
    expect(section(v2, 'what-happened').text).toBe('A config push set the **pool size to 1**.');
    const versions = expectOk(await viewer.get(`/api/v1/incidents/${id}/report/versions`));
    expect(versions.items.map((v: { version: number; status: string; current: boolean }) => [v.version, v.status, v.current])).toEqual([[1, 'published', false], [2, 'draft', true]]);
    const v1 = expectOk(await viewer.get(`/api/v1/incidents/${id}/report/versions/1`)) as ReportView;
    expect(section(v1, 'fix').text).toBe('Rolled the config back at 08:20.');
    expect(v1.summary.alertCount).toBe(1);
    expect(section(expectOk(await viewer.get(`/api/v1/incidents/${id}/report/versions/2`)), 'fix').text).toBe('Rolled back at 08:20, then raised the pool limit.');
    expectError(await viewer.get(`/api/v1/incidents/${id}/report/versions/3`), 404, 'not_found');

    // Markdown shows the human text as written, with the ETag.
    const md = await viewer.get(`/api/v1/incidents/${id}/report.md`);
    expect(md.status).toBe(200);
    expect(md.headers.etag).toBe(v2.etag);
    expect(md.data).toContain('A config push set the **pool size to 1**.');
    expect(md.data).toContain('Some checkouts failed between 08:00 and 08:20 UTC.');
    expect(md.data).toContain('| Lint pool size in CI | alice | 2020-01-15 | open | [link](https://tracker.example.invalid/OPS-1) |');

    // The audit trail says who changed what, in order.
    const audit = expectOk(await viewer.get(`/api/v1/incidents/${id}/report/audit`));
    expect(audit.items.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`)).toEqual([
      'alice report.updated', 'bob report.updated', 'alice report.transitioned', 'alice action-item.created', 'alice action-item.created',
      'alice report.updated', 'pat report.transitioned', 'bob report.version-created', 'bob report.updated',
    ]);
    expect(audit.items[1].changes).toEqual([{ path: 'sections.fix', from: null, to: 'Rolled the config back at 08:20.' }]);

    // Overdue action items across incidents.
    const overdue = expectOk(await viewer.get('/api/v1/action-items', { params: { status: 'open', overdue: 'true' } }));
    expect(overdue.items.map((i: { id: string }) => i.id)).toEqual([item.id]);
    expectOk(await alice.patch(`/api/v1/action-items/${item.id}`, { status: 'done' }));
    expect(expectOk(await viewer.get('/api/v1/action-items', { params: { overdue: 'true' } })).items).toEqual([]);
  });

  it('when the policy does not require a post-mortem, then a person can request one and another can waive it with a reason', async () => {
    const id = await ingest([{ labels: { alertname: 'DiskFilling', service: 'batch', severity: 'warning' }, startsAt: at(100) }]);
    const before = await report(id);
    expect(before.postmortem).toMatchObject({ required: false, reason: 'not required: severity warning is below critical', requested: null, waived: null });
    const requested = expectOk(await alice.post(`/api/v1/incidents/${id}/report/request`, { reason: 'second time this month' })) as ReportView;
    expect(requested.postmortem).toMatchObject({ required: true, requested: { reason: 'second time this month', by: 'alice' }, policy: { required: false } });
    expectError(await bob.post(`/api/v1/incidents/${id}/report/waive`, {}), 400, 'validation_failed');
    const waived = expectOk(await bob.post(`/api/v1/incidents/${id}/report/waive`, { reason: 'known batch job; tracked elsewhere' })) as ReportView;
    expect(waived.postmortem).toMatchObject({ required: false, waived: { reason: 'known batch job; tracked elsewhere', by: 'bob' } });
    expect(waived.etag).not.toBe(before.etag);
  });

  it('when an engineer\'s unsaved text is autosaved, then it is theirs alone, never a revision, and saving it still needs the current ETag', async () => {
    const id = await ingest([{ labels: { alertname: 'PaymentsDown', service: 'payments', severity: 'critical' }, startsAt: at(300) }]);
    const url = `/api/v1/incidents/${id}/report/autosave`;
    const before = await report(id);
    expect(expectOk(await alice.get(url))).toEqual({ autosave: null });

    const fields = { 'sections.fix': { base: '', value: 'Restarted the <b>payments</b> pods' }, impactStartedAt: { base: '', value: '2026-11-02T12:55' } };
    const put = expectOk(await alice.put(url, { baseEtag: before.etag, fields }));
    expect(put.autosave).toMatchObject({ incidentId: id, author: 'alice', baseEtag: before.etag, fields });
    expect(expectOk(await alice.get(url))).toEqual(put);
    // Bob has none; the report, its ETag and its audit trail are untouched.
    expect(expectOk(await bob.get(url))).toEqual({ autosave: null });
    expect((await report(id)).etag).toBe(before.etag);
    expect((await viewer.get(`/api/v1/incidents/${id}/report/audit`)).data.items).toEqual([]);

    // Meanwhile Bob saves the fix. Alice's autosave stays as typed, and saving it on her old ETag is a conflict, not an overwrite.
    const bobs = expectOk(await patch(bob, id, { sections: { fix: 'Bob: failed over to the standby' } }, before.etag)) as ReportView;
    expect(expectOk(await alice.get(url)).autosave.fields).toEqual(fields);
    const stale = await patch(alice, id, { sections: { fix: fields['sections.fix'].value } }, put.autosave.baseEtag);
    expect(stale.status).toBe(409);
    expect(section(stale.data.current.report, 'fix').text).toBe('Bob: failed over to the standby');
    expect(section(await report(id), 'fix').text).toBe('Bob: failed over to the standby');

    // Roles, field names and incidents are checked; viewers have no autosave.
    expectError(await viewer.put(url, { baseEtag: before.etag, fields }), 403, 'forbidden');
    expectError(await viewer.get(url), 403, 'forbidden');
    const misspelt = expectError(await alice.put(url, { baseEtag: bobs.etag, fields: { cause: { base: '', value: 'x' } } }), 400, 'validation_failed');
    expect(misspelt.details.map((d) => d.path)).toEqual(['body.fields']);
    expectError(await alice.put('/api/v1/incidents/no-such/report/autosave', { baseEtag: bobs.etag, fields }), 404, 'not_found');

    // Forgotten on request (saved or discarded); twice is fine.
    expect((await alice.delete(url)).status).toBe(204);
    expect((await alice.delete(url)).status).toBe(204);
    expect(expectOk(await alice.get(url))).toEqual({ autosave: null });

    // Text typed on a published version is refused: it is edited only through a new version.
    const ready = expectOk(await patch(alice, id, {
      sections: { 'what-happened': 'Pool exhausted' }, customerSummary: 'Payments failed briefly.', preventionNoneNeeded: 'one-off hardware fault',
    }, bobs.etag)) as ReportView;
    expectOk(await transition(alice, id, 'in_review'));
    const published = expectOk(await transition(pat, id, 'published')) as ReportView;
    expect(ready.version).toBe(1);
    expectError(await alice.put(url, { baseEtag: published.etag, fields }), 409, 'conflict');
  });

  it('when the workflow is misused, then the answer says why', async () => {
    const id = await ingest([{ labels: { alertname: 'QueueBacklog', service: 'queue', severity: 'critical' }, startsAt: at(200) }]);
    expectError(await transition(pat, id, 'published'), 409, 'conflict');
    expectError(await transition(alice, id, 'draft'), 409, 'conflict');
    expectError(await transition(alice, id, 'archived'), 400, 'validation_failed');
    expectError(await viewer.get('/api/v1/incidents/no-such/report/versions'), 404, 'not_found');
    const r = await report(id);
    const hideOnly = expectOk(await patch(alice, id, { timeline: { entries: { [r.timeline[0]!.id]: { hiddenReason: 'test alert' } } } }, r.etag)) as ReportView;
    expect(hideOnly.timeline).toEqual([]);
    expect(hideOnly.hiddenTimeline[0]!.hidden).toMatchObject({ reason: 'test alert', by: 'alice' });
    expectError(await patch(alice, id, { timeline: { entries: { 'alert:nope:fired': { text: 'x' } } } }, hideOnly.etag), 400, 'validation_failed');
  });

  it('when alerts arrive over HTTP between random human edits, then human text is never overwritten', async () => {
    const rnd = rng(20261102);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const labels = (pod: number) => ({ alertname: 'PropHttp', service: 'search', severity: 'critical', pod: `p${pod}` });
    const firing: AlertSpec[] = [{ labels: labels(0), startsAt: at(300) }];
    const id = await ingest(firing);
    const expected: Record<string, string> = {};
    for (let step = 0; step < 16; step++) {
      if (rnd() < 0.4) {
        firing.push({ labels: labels(firing.length), startsAt: at(300 + firing.length) });
        expect((await app.postAlertmanager(alertmanagerBody(firing))).status).toBe(202);
        await app.settle();
      } else {
        const which = pick(['summary', 'what-happened', 'fix', 'prevention'] as const);
        const text = `step ${step}: ${which} by a person`;
        const r = await report(id);
        expectOk(await patch(pick([alice, bob]), id, { sections: { [which]: text } }, r.etag));
        expected[which] = text;
      }
      const r = await report(id);
      expect(r.summary.alertCount).toBe(firing.length);
      for (const [sid, text] of Object.entries(expected)) expect(section(r, sid)).toMatchObject({ text, status: 'human-completed' });
    }
  });
});

describe('machine refresh never overwrites human text (property, service level)', () => {
  const NOW = '2026-11-02T12:00:00.000Z';
  const SECTIONS = ['summary', 'timeline', 'what-happened', 'fix', 'prevention'] as const;

  /** A Store that only serves one in-memory incident the test changes directly (the "machine refresh"). */
  function fakeStore(holder: { detail: IncidentDetail }): Store {
    return { getIncident: async (id: string) => (id === holder.detail.incident.id ? holder.detail : null) } as unknown as Store;
  }

  function detailOf(alerts: Alert[], events: IncidentDetail['events']): IncidentDetail {
    const s = summarizeIncident(alerts, SERVICE_LABELS);
    return { incident: { id: 'inc-1', mergedInto: null, ...s, createdAt: s.startedAt, updatedAt: NOW }, alerts, events };
  }

  it('when 50 seeded random interleavings of alert changes and edits run, then every human part reads back as written', async () => {
    const db = new Database(':memory:');
    try {
      for (let seed = 1; seed <= 50; seed++) {
        const rnd = rng(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
        let n = 0;
        const minute = (m: number) => minutesAfter('2026-11-02T09:00:00.000Z', m);
        let alerts: Alert[] = [makeAlert({ id: `s${seed}-a0`, labels: { alertname: 'Base', service: 'api', severity: 'critical' }, startsAt: minute(0) }, 'inc-1')];
        let events: IncidentDetail['events'] = [];
        const holder = { detail: detailOf(alerts, events) };
        const reports = new SqliteReportStore(() => db);
        await reports.init();
        db.exec('DELETE FROM reports; DELETE FROM report_audit;');
        const service = new ReportService({
          store: fakeStore(holder), reports, view: { serviceLabels: SERVICE_LABELS }, clock: () => new Date(NOW),
          policy: { minSeverity: null, minDurationMinutes: null, customerFacing: false, pagedOnly: false }, newId: () => `s${seed}-${++n}`,
        });
        const expectSections: Partial<Record<(typeof SECTIONS)[number], string>> = {};
        let expectCustomer: string | null = null;
        const expectEntries = new Map<string, string>(); // human entry id -> text
        const expectEdits = new Map<string, string>(); // machine entry id -> corrected text
        const expectHidden = new Set<string>();

        for (let step = 0; step < 12; step++) {
          const r = rnd();
          if (r < 0.35) {
            // Machine refresh: a new alert, a resolution, a PagerDuty event, or an alert moved away.
            const kind = pick(['add', 'add', 'resolve', 'event', 'move'] as const);
            if (kind === 'add') {
              alerts = [...alerts, makeAlert({ id: `s${seed}-a${alerts.length}-${step}`, labels: { alertname: pick(['Base', 'Latency', 'Errors']), service: pick(['api', 'db', 'web']), severity: pick(['critical', 'warning']) }, startsAt: minute(step + 1) }, 'inc-1')];
            } else if (kind === 'resolve') {
              const target = pick(alerts);
              alerts = alerts.map((a) => (a === target && a.status === 'firing' ? { ...a, status: 'resolved', endsAt: minute(30 + step) } : a));
            } else if (kind === 'event') {
              events = [...events, makeEvent(pick(['pagerduty.acknowledged', 'pagerduty.annotated']), minute(step + 2), `PD ${step}`, 'inc-1', 'oncall')];
            } else if (alerts.length > 1) {
              alerts = alerts.filter((a) => a !== alerts[alerts.length - 1]);
            }
            holder.detail = detailOf(alerts, events);
          } else {
            const view = await service.getReport('inc-1');
            const machineIds = view.timeline.concat(view.hiddenTimeline).filter((e) => e.source !== 'human').map((e) => e.id);
            const humanIds = [...expectEntries.keys()];
            const body: ReportPatch = {};
            const op = pick(['section', 'section', 'clear', 'customer', 'add', 'editMachine', 'hide', 'editHuman'] as const);
            const text = `seed ${seed} step ${step} *${op}*`;
            if (op === 'section') body.sections = { [pick(SECTIONS)]: text };
            else if (op === 'clear') body.sections = { [pick(SECTIONS)]: null };
            else if (op === 'customer') body.customerSummary = text;
            else if (op === 'add') body.timeline = { add: [{ at: minute(step), text }] };
            else if (op === 'editMachine' && machineIds.length) body.timeline = { entries: { [pick(machineIds)]: { text } } };
            else if (op === 'hide' && machineIds.length) body.timeline = { entries: { [pick(machineIds)]: { hiddenReason: text } } };
            else if (op === 'editHuman' && humanIds.length) body.timeline = { entries: { [pick(humanIds)]: { text } } };
            // Sometimes the edit is based on a stale read: it must fail and change nothing.
            const stale = rnd() < 0.15 && view.etag !== '"v1.r0"';
            const etag = stale ? '"v1.r0"' : view.etag;
            if (stale) {
              await expect(service.patchReport('inc-1', body, etag, 'mallory')).rejects.toBeInstanceOf(StaleVersionError);
            } else {
              const after = await service.patchReport('inc-1', body, etag, pick(['alice', 'bob']));
              for (const [sid, value] of Object.entries(body.sections ?? {})) {
                if (value === null) delete expectSections[sid as (typeof SECTIONS)[number]];
                else expectSections[sid as (typeof SECTIONS)[number]] = value;
              }
              if (body.customerSummary !== undefined) expectCustomer = body.customerSummary;
              for (const added of body.timeline?.add ?? []) {
                const created = after.timeline.filter((e) => e.source === 'human' && !expectEntries.has(e.id));
                expect(created).toHaveLength(1);
                expectEntries.set(created[0]!.id, added.text);
              }
              for (const [eid, change] of Object.entries(body.timeline?.entries ?? {})) {
                if (expectEntries.has(eid)) expectEntries.set(eid, change!.text!);
                else if (change?.text) expectEdits.set(eid, change.text);
                else if (change?.hiddenReason) expectHidden.add(eid);
              }
            }
          }

          // The property: every human part reads back exactly as written, whatever the alerts did.
          const view = await service.getReport('inc-1');
          expect(view.summary.alertCount).toBe(alerts.length);
          for (const sid of SECTIONS) {
            const s = view.sections.find((x) => x.id === sid)!;
            if (expectSections[sid] !== undefined) expect([seed, step, sid, s.text, s.status]).toEqual([seed, step, sid, expectSections[sid], 'human-completed']);
            else expect([seed, step, sid, s.text]).toEqual([seed, step, sid, null]);
          }
          expect(view.customerSummary.text).toBe(expectCustomer);
          const all = new Map(view.timeline.concat(view.hiddenTimeline).map((e) => [e.id, e]));
          for (const [eid, text] of expectEntries) expect([seed, step, eid, all.get(eid)?.text]).toEqual([seed, step, eid, text]);
          for (const [eid, text] of expectEdits) {
            // An entry whose alert moved away is not shown; while it is, it shows the person's text.
            if (all.has(eid)) expect([seed, step, eid, all.get(eid)!.text, all.get(eid)!.origin]).toEqual([seed, step, eid, text, 'human-completed']);
          }
          for (const eid of expectHidden) {
            if (all.has(eid)) expect([seed, step, eid, view.timeline.some((e) => e.id === eid)]).toEqual([seed, step, eid, false]);
          }
        }
      }
    } finally {
      db.close();
    }
  });
});
