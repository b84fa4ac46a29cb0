import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectError, expectOk } from '../support/api-helpers';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * What the incident list's filters offer, over HTTP: the catalog's services and the services and
 * severities incidents have had, to a viewer; nobody without a token.
 */
describe('GET /api/v1/incident-filters', () => {
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-filters-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, 'services:\n  - { name: search }\n  - { name: checkout, customerFacing: true }\n');
    app = await startTestApp({ dir, env: { DEBRIEF_CATALOG_FILE: catalog } });
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when no incident exists yet, then the catalog\'s services are offered and no severity', async () => {
    expect(expectOk(await app.api.get('/api/v1/incident-filters'))).toEqual({ services: ['checkout', 'search'], severities: [] });
  });

  it('when incidents arrived, then their services join the catalog\'s and their severities are offered, each once', async () => {
    for (const [service, severity] of [['checkout', 'critical'], ['ledger', 'warning'], ['search', 'critical']] as const) {
      const body = alertmanagerBody([{ labels: { alertname: `Down-${service}-${severity}`, service, severity }, startsAt: '2026-03-01T10:00:00.000Z' }], { groupBy: ['alertname'] });
      expect((await app.postAlertmanager(body)).status).toBe(202);
    }
    await app.settle();
    const viewer = await app.anon.get('/api/v1/incident-filters', { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(expectOk(viewer)).toEqual({ services: ['checkout', 'ledger', 'search'], severities: ['critical', 'warning'] });
    expectError(await app.anon.get('/api/v1/incident-filters'), 401);
  });
});
