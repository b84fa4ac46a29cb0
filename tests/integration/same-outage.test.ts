import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { allAlerts } from '../support/api-helpers';
import { API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * One outage, one incident, without merging on weak evidence: siblings behind shared
 * infrastructure the catalog names are suggested as one outage, and a person's merge "and
 * remember" teaches Debrief a link it suggests again and asks the catalog to name. Nothing
 * here is ever merged by the rules.
 */

const EDITOR_TOKEN = 'alice-editor-token-0123456789';
const t0 = '2026-06-01T09:00:00.000Z';
const labels = (service: string) => ({ alertname: 'HighErrorRate', service, cluster: 'eu1', severity: 'critical' });

type Client = ReturnType<typeof axios.create>;

describe('same-outage suggestions and merge and remember', () => {
  let dir: string;
  let app: TestApp;
  let alice: Client;
  let viewer: Client;

  const incidentOf = async (service: string, startsAt: string) => (await allAlerts(app)).find((a) => a.labels.service === service && a.startsAt === startsAt)!.incidentId;
  const fire = async (service: string, startsAt: string) => {
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: labels(service), startsAt }], { groupBy: ['service'] }))).status).toBe(202);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-same-outage-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, [
      'services:',
      '  - { name: dns, sharedInfrastructure: true }',
      '  - { name: checkout, customerFacing: true, dependsOn: [dns] }',
      '  - { name: search, customerFacing: true, dependsOn: [dns] }',
      '  - { name: orders }',
      '  - { name: reports }',
    ].join('\n'));
    app = await startTestApp({ env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},viewer:viewer:${VIEWER_TOKEN},alice:editor:${EDITOR_TOKEN}`, DEBRIEF_CATALOG_FILE: catalog } });
    const mk = (token: string) => axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true });
    alice = mk(EDITOR_TOKEN);
    viewer = mk(VIEWER_TOKEN);
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when two services behind shared DNS fail 2 min apart, then they stay two incidents and each is suggested as the other\'s outage, explained', async () => {
    await fire('checkout', t0);
    await fire('search', minutesAfter(t0, 2));
    await app.settle();
    const checkoutId = await incidentOf('checkout', t0);
    const searchId = await incidentOf('search', minutesAfter(t0, 2));
    expect(checkoutId).not.toBe(searchId);
    const res = await viewer.get(`/api/v1/incidents/${checkoutId}/same-outage`);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      incidentId: checkoutId,
      suggestions: [expect.objectContaining({
        incidentId: searchId, evidence: 'shared-infrastructure', services: ['checkout', 'search'], via: ['dns'], gapMinutes: 2,
        explanation: 'checkout and search both depend on dns (shared infrastructure); their incidents started 2 min apart',
      })],
    });
    expect((await viewer.get(`/api/v1/incidents/${searchId}/same-outage`)).data.suggestions.map((s: { incidentId: string }) => s.incidentId)).toEqual([checkoutId]);
  });

  it('when services share nothing the catalog names, then nothing is suggested; merged with remember, the link is recorded and the catalog asked to name it', async () => {
    const at = minutesAfter(t0, 60);
    await fire('orders', at);
    await fire('reports', minutesAfter(at, 1));
    await app.settle();
    const ordersId = await incidentOf('orders', at);
    const reportsId = await incidentOf('reports', minutesAfter(at, 1));
    expect((await viewer.get(`/api/v1/incidents/${ordersId}/same-outage`)).data.suggestions).toEqual([]);
    expect((await viewer.get('/api/v1/catalog/suggestions')).data).toEqual({ items: [] });

    const merged = await alice.post(`/api/v1/incidents/${ordersId}/merge`, { sourceIncidentIds: [reportsId], reason: 'same cloud network outage', remember: true });
    expect(merged.status).toBe(200);
    expect(merged.data.remembered).toEqual({ links: [['orders', 'reports']], failed: false });
    const suggestions = await viewer.get('/api/v1/catalog/suggestions');
    expect(suggestions.data.items).toEqual([expect.objectContaining({
      services: ['orders', 'reports'], merges: 1, lastBy: 'alice', named: false,
      text: expect.stringMatching(/^orders and reports were merged as one outage \(by alice\): if they fail together through something they share .* sharedInfrastructure: true/),
    })]);
  });

  it('when the same two services fail together again, then the pair is suggested as one outage from the remembered merge, and not merged', async () => {
    const at = minutesAfter(t0, 3000);
    await fire('orders', at);
    await fire('reports', minutesAfter(at, 4));
    await app.settle();
    const ordersId = await incidentOf('orders', at);
    const reportsId = await incidentOf('reports', minutesAfter(at, 4));
    expect(ordersId).not.toBe(reportsId);
    const res = await viewer.get(`/api/v1/incidents/${reportsId}/same-outage`);
    expect(res.data.suggestions).toEqual([expect.objectContaining({
      incidentId: ordersId, evidence: 'remembered-merge', services: ['reports', 'orders'], via: [], gapMinutes: 4,
      explanation: 'incidents on reports and orders were merged as one outage before by alice, and remembered; their incidents started 4 min apart',
    })]);
  });

  it('when a merge is made without remember, then nothing is remembered', async () => {
    const checkoutId = await incidentOf('checkout', t0);
    const searchId = await incidentOf('search', minutesAfter(t0, 2));
    const merged = await alice.post(`/api/v1/incidents/${checkoutId}/merge`, { sourceIncidentIds: [searchId] });
    expect(merged.status).toBe(200);
    expect(merged.data.remembered).toBeNull();
    expect((await viewer.get('/api/v1/catalog/suggestions')).data.items).toHaveLength(1);
    expect((await viewer.get(`/api/v1/incidents/${searchId}/same-outage`)).data.suggestions).toEqual([]);
  });

  it('when the incident is unknown, then 404', async () => {
    expect((await viewer.get('/api/v1/incidents/nope/same-outage')).status).toBe(404);
  });
});
