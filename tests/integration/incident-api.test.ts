import { incidentDetailSchema, incidentPageSchema } from '../../src/http/api-schemas';
import { alertmanagerBody, minutesAfter, type AlertSpec, type BodyOptions } from '../support/alertmanager-bodies';
import { expectError, getIncident, listAllIncidents, type IncidentDetailBody } from '../support/api-helpers';
import { AM_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/** The parts of the report JSON this test relies on (the full shape is in /openapi.json). */
interface ReportBody {
  incidentId: string;
  summary: { title: string; severity: string | null; status: string; startedAt: string; endedAt: string | null; durationMs: number | null; affectedServices: string[]; alertCount: number };
  timeline: Array<{ at: string; kind: string; text: string }>;
  impact: Array<{ service: string }>;
  sections: Array<{ id: string; title: string; status: string; hints: Array<{ source: string; text: string; url: string | null }> }>;
}

const T = '2026-11-01T10:00:00.000Z';
const at = (minutes: number) => minutesAfter(T, minutes);

/**
 * One incident per Alertmanager group (group_by alertname), at distinct times, plus two that
 * start at the same instant (cursor ties) and one group holding several services.
 */
const SINGLE_GROUPS: Array<{ name: string; labels: Record<string, string>; start: number; end?: number }> = [
  { name: 'CheckoutErrors', labels: { service: 'checkout', severity: 'critical' }, start: 0, end: 30 },
  { name: 'SlowQueries', labels: { app: 'db', severity: 'warning' }, start: 120 },
  { name: 'JobFailed', labels: { job: 'nightly-backup', severity: 'info' }, start: 240 },
  { name: 'CheckoutLatency', labels: { service: 'checkout', severity: 'warning' }, start: 360 },
  { name: 'EdgeTie', labels: { service: 'edge', severity: 'critical' }, start: 360 },
  { name: 'Unlabelled', labels: { severity: 'info' }, start: 480, end: 490 },
];

const SHOP_GROUP: AlertSpec[] = [
  {
    labels: { alertname: 'HighErrorRate', service: 'checkout', team: 'shop', severity: 'critical', cluster: 'eu-1', namespace: 'shop' },
    annotations: {
      summary: 'Checkout 5xx ratio 27%',
      description: 'More than 15% of checkout requests fail.',
      runbook_url: 'https://runbooks.example.invalid/checkout/high-error-rate',
    },
    startsAt: at(600), endsAt: at(620),
  },
  { labels: { alertname: 'HighLatency', service: 'checkout', team: 'shop', severity: 'warning', cluster: 'eu-2' }, startsAt: at(602), endsAt: at(615) },
  { labels: { alertname: 'PodRestarts', app: 'cart', team: 'shop', severity: 'warning' }, annotations: { description: 'Cart pods restart in a loop.' }, startsAt: at(605) },
  { labels: { alertname: 'BackupLate', job: 'backup', team: 'shop', severity: 'info' }, startsAt: at(607), endsAt: at(609) },
];
const SHOP: BodyOptions = { groupBy: ['team'] };

/**
 * The incident API is under test here, not correlation: pin a single rule (same
 * Alertmanager group, by event time), so a group spanning several services is one incident.
 */
const GROUP_RULE_ONLY = { correlation: { rules: [{ name: 'same-alertmanager-group', kind: 'group', windowMinutes: 60 }] } };

describe('incident API', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp({ overrides: GROUP_RULE_ONLY });
    for (const g of SINGLE_GROUPS) {
      const labels = { alertname: g.name, ...g.labels };
      const post = async (body: unknown) => expect((await app.postAlertmanager(body)).status).toBe(202);
      await post(alertmanagerBody([{ labels, startsAt: at(g.start) }]));
      if (g.end !== undefined) await post(alertmanagerBody([{ labels, startsAt: at(g.start), endsAt: at(g.end) }]));
    }
    // The group as Alertmanager reports it over time: first two alerts, then the full snapshot.
    const firing = SHOP_GROUP.map((a) => ({ ...a, endsAt: null }));
    expect((await app.postAlertmanager(alertmanagerBody(firing.slice(0, 2), SHOP))).status).toBe(202);
    expect((await app.postAlertmanager(alertmanagerBody(SHOP_GROUP, SHOP))).status).toBe(202);
    await app.settle();
    for (const i of await listAllIncidents(app)) {
      const detail = await getIncident(app, i.id);
      const names = detail.alerts.map((a) => a.labels.alertname!);
      ids[names.includes('HighErrorRate') ? 'Shop' : names[0]!] = i.id;
    }
  });
  afterAll(async () => { await app.stop(); });

  const list = async (params: Record<string, string | number>) => {
    const res = await app.api.get('/api/v1/incidents', { params });
    expect(res.status).toBe(200);
    return res.data as { items: Array<{ id: string }>; nextCursor: string | null };
  };
  const namesOf = (items: Array<{ id: string }>) => items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0] ?? i.id);

  describe('GET /api/v1/incidents', () => {
    it('when listed without filters, then every incident comes newest first in the documented shape', async () => {
      const page = await list({});
      expect(() => incidentPageSchema.parse(page)).not.toThrow();
      expect(page.nextCursor).toBeNull();
      const names = namesOf(page.items);
      expect(names).toHaveLength(7);
      expect(names).toEqual(['Shop', 'Unlabelled', ...names.slice(2, 4), 'JobFailed', 'SlowQueries', 'CheckoutErrors']);
      expect(names.slice(2, 4).sort()).toEqual(['CheckoutLatency', 'EdgeTie']);
    });

    it('when filtered by status, then only incidents in that status are listed', async () => {
      expect(namesOf((await list({ status: 'resolved' })).items).sort()).toEqual(['CheckoutErrors', 'Unlabelled']);
      expect(namesOf((await list({ status: 'open' })).items).sort()).toEqual(['CheckoutLatency', 'EdgeTie', 'JobFailed', 'Shop', 'SlowQueries']);
    });

    it('when filtered by service, then the service may come from the service, app or job label', async () => {
      expect(namesOf((await list({ service: 'checkout' })).items).sort()).toEqual(['CheckoutErrors', 'CheckoutLatency', 'Shop']);
      expect(namesOf((await list({ service: 'db' })).items)).toEqual(['SlowQueries']);
      expect(namesOf((await list({ service: 'nightly-backup' })).items)).toEqual(['JobFailed']);
      expect(namesOf((await list({ service: 'cart' })).items)).toEqual(['Shop']);
      expect((await list({ service: 'no-such-service' })).items).toEqual([]);
    });

    it('when filtered by severity, then the incident worst severity must match', async () => {
      expect(namesOf((await list({ severity: 'critical' })).items).sort()).toEqual(['CheckoutErrors', 'EdgeTie', 'Shop']);
      expect(namesOf((await list({ severity: 'info' })).items).sort()).toEqual(['JobFailed', 'Unlabelled']);
    });

    it('when filtered by since and until, then only incidents active in that span are listed', async () => {
      // since: still open, or ended at or after it; until: started before it.
      expect(namesOf((await list({ since: at(60) })).items)).not.toContain('CheckoutErrors');
      expect(namesOf((await list({ since: at(60) })).items)).toHaveLength(6);
      expect(namesOf((await list({ until: at(180) })).items).sort()).toEqual(['CheckoutErrors', 'SlowQueries']);
      expect(namesOf((await list({ since: at(485), until: at(500) })).items).sort()).toEqual(['CheckoutLatency', 'EdgeTie', 'JobFailed', 'SlowQueries', 'Unlabelled']);
      // Offsets other than Z name the same instant (10:00:01Z); until is exclusive.
      expect((await list({ until: T })).items).toEqual([]);
      expect(namesOf((await list({ until: '2026-11-01T12:00:01+02:00' })).items)).toEqual(['CheckoutErrors']);
    });

    it('when filters are combined, then all of them apply', async () => {
      expect(namesOf((await list({ service: 'checkout', status: 'open', severity: 'warning' })).items)).toEqual(['CheckoutLatency']);
    });

    it('when paging with limit=2, then following nextCursor yields every incident once, in order', async () => {
      const all = (await list({})).items.map((i) => i.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 20);
      expect(pages).toBe(4);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(7);
    });

    it('when paging a filtered list one by one, then the filter holds on every page', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list({ status: 'open', limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 20);
      expect(namesOf(seen.map((id) => ({ id }))).sort()).toEqual(['CheckoutLatency', 'EdgeTie', 'JobFailed', 'Shop', 'SlowQueries']);
    });

    it('when the cursor is not one this API returned, then 400 naming the cursor', async () => {
      const error = expectError(await app.api.get('/api/v1/incidents', { params: { cursor: 'not a cursor!' } }), 400, 'validation_failed');
      expect(error.details.map((d) => d.path).join(' ')).toMatch(/cursor/);
    });

    it('when filters are invalid, then 400 lists every invalid parameter', async () => {
      const res = await app.api.get('/api/v1/incidents', { params: { status: 'burning', limit: 0, since: 'yesterday' } });
      const error = expectError(res, 400, 'validation_failed');
      expect(error.details.map((d) => d.path).sort()).toEqual(['query.limit', 'query.since', 'query.status']);
      expectError(await app.api.get('/api/v1/incidents?limit=abc'), 400, 'validation_failed');
      expectError(await app.api.get('/api/v1/incidents?limit=501'), 400, 'validation_failed');
      expectError(await app.api.get('/api/v1/incidents?status=open&status=resolved'), 400, 'validation_failed');
    });
  });

  describe('GET /api/v1/incidents/:id', () => {
    let shop: IncidentDetailBody;
    beforeAll(async () => { shop = await getIncident(app, ids.Shop!); });

    it('when fetched, then it matches the documented schema and holds all alerts of the group', () => {
      expect(() => incidentDetailSchema.parse(shop)).not.toThrow();
      expect(shop.alerts.map((a) => a.labels.alertname).sort()).toEqual(['BackupLate', 'HighErrorRate', 'HighLatency', 'PodRestarts']);
      expect(shop).toMatchObject({ status: 'open', severity: 'critical', startedAt: at(600), endedAt: null, alertCount: 4 });
      expect([...shop.services].sort()).toEqual(['backup', 'cart', 'checkout']);
    });

    it('when fetched, then every alert carries its correlation decision with an explanation', () => {
      const byName = Object.fromEntries(shop.alerts.map((a) => [a.labels.alertname, a]));
      expect(byName.HighErrorRate!.decision).toMatchObject({ kind: 'new-incident', explanation: expect.stringContaining('new incident') });
      for (const name of ['HighLatency', 'PodRestarts', 'BackupLate']) {
        expect(byName[name]!.decision).toMatchObject({ kind: 'rule', rule: expect.any(String), explanation: expect.stringContaining('same Alertmanager group') });
      }
    });

    it('when fetched, then the timeline has fired and resolved entries at the alerts own times, in order', () => {
      const rows = shop.timeline.map((e) => [e.at, e.kind, e.text.split(' ')[0]]);
      expect(rows).toEqual([
        [at(600), 'alert.fired', 'HighErrorRate'],
        [at(602), 'alert.fired', 'HighLatency'],
        [at(605), 'alert.fired', 'PodRestarts'],
        [at(607), 'alert.fired', 'BackupLate'],
        [at(609), 'alert.resolved', 'BackupLate'],
        [at(615), 'alert.resolved', 'HighLatency'],
        [at(620), 'alert.resolved', 'HighErrorRate'],
      ]);
      for (const e of shop.timeline) expect(shop.alerts.map((a) => a.id)).toContain(e.alertId);
    });

    it('when fetched, then the impact list has each service with first/last seen, duration, severity and alert count', () => {
      const impact = Object.fromEntries(shop.impact.map((i) => [i.service, i]));
      expect(Object.keys(impact).sort()).toEqual(['backup', 'cart', 'checkout']);
      expect(impact.checkout).toMatchObject({
        firstSeenAt: at(600), lastSeenAt: at(620), durationMs: 20 * 60_000, ongoing: false, severity: 'critical', alertCount: 2,
        clusters: ['eu-1', 'eu-2'], namespaces: ['shop'],
      });
      expect(impact.backup).toMatchObject({ firstSeenAt: at(607), lastSeenAt: at(609), durationMs: 2 * 60_000, ongoing: false, severity: 'info', alertCount: 1 });
      expect(impact.cart).toMatchObject({ firstSeenAt: at(605), ongoing: true, severity: 'warning', alertCount: 1 });
      expect(shop.impact.map((i) => i.service)).toEqual(['checkout', 'cart', 'backup']);
    });

    it('when an alert is fetched by id, then it has its decision', async () => {
      const alert = shop.alerts[0]!;
      const res = await app.api.get(`/api/v1/alerts/${alert.id}`);
      expect(res.status).toBe(200);
      expect(res.data).toEqual(alert);
      expectError(await app.api.get('/api/v1/alerts/no-such-alert'), 404, 'not_found');
    });

    it('when the id is unknown, then 404 in the error shape', async () => {
      expectError(await app.api.get('/api/v1/incidents/no-such-incident'), 404, 'not_found');
      expectError(await app.api.get('/api/v1/incidents/no-such-incident/report'), 404, 'not_found');
      expectError(await app.api.get('/api/v1/incidents/no-such-incident/report.md'), 404, 'not_found');
    });

    it('when the id has characters ids never have, then 400 naming params.id', async () => {
      const error = expectError(await app.api.get(`/api/v1/incidents/${encodeURIComponent('bad id!')}`), 400, 'validation_failed');
      expect(error.details.map((d) => d.path)).toEqual(['params.id']);
    });
  });

  describe('access', () => {
    it('when the API is called without a token, then 401 in the error shape', async () => {
      for (const path of ['/api/v1/incidents', `/api/v1/incidents/${ids.Shop}`, `/api/v1/incidents/${ids.Shop}/report`, `/api/v1/incidents/${ids.Shop}/report.md`, '/api/v1/inbox']) {
        expectError(await app.anon.get(path), 401, 'unauthorized');
      }
    });

    it('when an unknown token or a webhook token is used on the API, then 401', async () => {
      expectError(await app.anon.get('/api/v1/incidents', { headers: { Authorization: 'Bearer some-unknown-token-0123456' } }), 401, 'unauthorized');
      expectError(await app.anon.get('/api/v1/incidents', { headers: { Authorization: `Bearer ${AM_TOKEN}` } }), 401, 'unauthorized');
    });

    it('when a viewer token reads incidents, then 200; on the admin-only inbox, then 403', async () => {
      const viewer = { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } };
      expect((await app.anon.get('/api/v1/incidents', viewer)).status).toBe(200);
      expect((await app.anon.get(`/api/v1/incidents/${ids.Shop}/report`, viewer)).status).toBe(200);
      expectError(await app.anon.get('/api/v1/inbox', viewer), 403, 'forbidden');
      expect((await app.api.get('/api/v1/inbox')).status).toBe(200);
    });
  });

  describe('GET /api/v1/incidents/:id/report', () => {
    it('when fetched as JSON, then the five sections come in order, summary and timeline machine-drafted', async () => {
      const res = await app.api.get(`/api/v1/incidents/${ids.Shop}/report`);
      expect(res.status).toBe(200);
      const report = res.data as ReportBody;
      expect(report.sections.map((s) => [s.id, s.status])).toEqual([
        ['summary', 'machine-drafted'],
        ['timeline', 'machine-drafted'],
        ['what-happened', 'needs-human'],
        ['fix', 'needs-human'],
        ['prevention', 'needs-human'],
      ]);
      expect(report.summary).toMatchObject({ severity: 'critical', status: 'open', startedAt: at(600), endedAt: null, durationMs: null, alertCount: 4 });
      expect([...report.summary.affectedServices].sort()).toEqual(['backup', 'cart', 'checkout']);
      expect(report.timeline).toHaveLength(7);
      expect(report.impact.map((i) => i.service)).toEqual(['checkout', 'cart', 'backup']);
    });

    it('when fetched as JSON, then the human sections carry hints from the alerts', async () => {
      const report = (await app.api.get(`/api/v1/incidents/${ids.Shop}/report`)).data as ReportBody;
      const hints = (id: string) => report.sections.find((s) => s.id === id)!.hints;
      expect(hints('what-happened')).toEqual(expect.arrayContaining([
        expect.objectContaining({ source: 'first alert', text: expect.stringContaining('HighErrorRate') }),
        expect.objectContaining({ text: 'More than 15% of checkout requests fail.' }),
        expect.objectContaining({ text: 'Cart pods restart in a loop.' }),
      ]));
      // The time in the readable format the pages use, not raw ISO.
      expect(hints('what-happened')[0]!.text).toContain(`at ${at(600).slice(0, 10)} ${at(600).slice(11, 19)} UTC`);
      expect(hints('fix')).toEqual(expect.arrayContaining([
        expect.objectContaining({ url: 'https://runbooks.example.invalid/checkout/high-error-rate' }),
      ]));
    });

    it('when fetched as Markdown, then it has the five headings in order and "To complete" markers on the human sections', async () => {
      const res = await app.api.get(`/api/v1/incidents/${ids.Shop}/report.md`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/markdown/);
      const md = res.data as string;
      const five = ['Incident summary', 'Incident timeline', 'What happened', 'What was done to fix it', 'How we will prevent this'];
      const headings = md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
      expect(headings.filter((h) => five.includes(h))).toEqual(five);
      expect(md.match(/To complete/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
      const sectionText = (title: string) => md.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;
      for (const title of ['What happened', 'What was done to fix it', 'How we will prevent this']) expect(sectionText(title)).toContain('To complete');
      for (const title of ['Incident summary', 'Incident timeline']) expect(sectionText(title)).not.toContain('To complete');
      expect(md).toContain(at(600));
      expect(md).toContain('(https://runbooks.example.invalid/checkout/high-error-rate)');
    });
  });
});

describe('report Markdown with hostile label values', () => {
  let app: TestApp;
  let incidentId: string;
  beforeAll(async () => {
    app = await startTestApp();
    const body = alertmanagerBody([{
      labels: { alertname: '[x](javascript:alert(1))', service: '<script>alert(1)</script>', severity: 'critical' },
      annotations: {
        summary: '<img src=x onerror=alert(1)> [click](javascript:alert(2))',
        description: '<script>alert(3)</script>\n# not a heading',
        runbook_url: 'javascript:alert(4)',
      },
      startsAt: T,
    }]);
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    [{ id: incidentId }] = (await listAllIncidents(app)) as unknown as [{ id: string }];
  });
  afterAll(async () => { await app.stop(); });

  it('when rendered, then no raw HTML and no javascript: link reach the Markdown, and the text stays readable', async () => {
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report.md`);
    expect(res.status).toBe(200);
    const md = res.data as string;
    expect(md).not.toMatch(/<script/i);
    expect(md).not.toMatch(/<img/i);
    // A link needs an unescaped "](": escaped brackets read as text.
    expect(md).not.toMatch(/(?<!\\)\]\(\s*javascript:/i);
    expect(md).not.toMatch(/<javascript:/i);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('\\[x\\](javascript:alert(1))');
    expect(md.split('\n').filter((l) => l.startsWith('#')).every((l) => /^#{1,3} /.test(l) && !l.includes('not a heading'))).toBe(true);
  });

  it('when fetched as JSON, then values are returned as they were sent (escaping is the renderer job)', async () => {
    const report = (await app.api.get(`/api/v1/incidents/${incidentId}/report`)).data as ReportBody;
    expect(report.summary.affectedServices).toEqual(['<script>alert(1)</script>']);
  });
});
