/**
 * Same-outage suggestions on the correlation review page in real Chromium: two services behind
 * shared DNS (the catalog marks it `sharedInfrastructure`) fail two minutes apart and stay two
 * incidents; the review page suggests the other one with its explanation, and an SRE merges it
 * "and remember" from the suggestion, which records the link as a catalog suggestion.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { allAlerts, getIncident } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS } from './support/web-fixtures';

const t0 = '2026-06-01T09:00:00.000Z';

describe('web pages: same-outage suggestions and merge and remember', () => {
  let dir: string;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-web-same-outage-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, [
      'services:',
      '  - { name: dns, sharedInfrastructure: true }',
      '  - { name: checkout, customerFacing: true, dependsOn: [dns] }',
      '  - { name: search, customerFacing: true, dependsOn: [dns] }',
    ].join('\n'));
    [app, browser] = await Promise.all([
      startTestApp({ env: { DEBRIEF_API_TOKENS: `admin:admin:${WEB_TOKENS.admin},erin:editor:${WEB_TOKENS.editor}`, DEBRIEF_CATALOG_FILE: catalog } }),
      launchBrowser(),
    ]);
    for (const [service, at] of [['checkout', t0], ['search', minutesAfter(t0, 2)]] as const) {
      const body = alertmanagerBody([{ labels: { alertname: 'HighErrorRate', service, severity: 'critical' }, startsAt: at }], { groupBy: ['service'] });
      expect((await app.postAlertmanager(body)).status).toBe(202);
    }
    await app.settle();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the review page suggests the sibling, then an SRE merges it from there and remembers the link', async () => {
    const alerts = await allAlerts(app);
    const checkoutId = alerts.find((a) => a.labels.service === 'checkout')!.incidentId;
    const searchId = alerts.find((a) => a.labels.service === 'search')!.incidentId;
    expect(checkoutId).not.toBe(searchId);

    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${checkoutId}/review`);
    const card = page.locator('section[aria-labelledby="same-outage-h"]');
    await card.getByText('checkout and search both depend on dns (shared infrastructure); their incidents started 2 min apart').waitFor();
    await screenshot(page, 'review-same-outage');
    await card.getByRole('button', { name: 'Merge into this incident…' }).click();
    const confirm = page.locator('dialog[open]');
    await confirm.getByRole('heading', { name: 'Merge these incidents?' }).waitFor();
    await confirm.getByRole('checkbox', { name: /Remember: these services failed as one outage/ }).check();
    await confirm.getByRole('button', { name: 'Merge 1 incident' }).click();
    const result = page.locator('.result');
    await result.getByText('Merged 1 incident: 1 alert moved here').waitFor();
    await result.getByText('Remembered: checkout and search.').waitFor();
    // Merged: nothing left to suggest.
    await card.waitFor({ state: 'detached' });

    expect((await getIncident(app, checkoutId)).alerts.map((a) => a.labels.service).sort()).toEqual(['checkout', 'search']);
    const suggestions = (await app.api.get('/api/v1/catalog/suggestions')).data as { items: Array<{ services: string[]; lastBy: string; named: boolean }> };
    expect(suggestions.items).toEqual([expect.objectContaining({ services: ['checkout', 'search'], lastBy: 'erin', named: true })]);
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
