/**
 * The incident list's service and severity filters in real Chromium: pickers of the values
 * Debrief knows (the catalog's services, those seen on incidents, the severities incidents
 * have), not free text that has to match exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import type { TestApp } from '../support/test-app';
import { launchBrowser, openPage, visit } from './support/browser';
import { WEB_TOKENS, seedIncidents, startWebApp, type SeededIncidents } from './support/web-fixtures';

describe('web pages: the incident list filters by known values', () => {
  let dir: string;
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-web-filters-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, 'services:\n  - { name: checkout, customerFacing: true }\n  - { name: payments }\n');
    [app, browser] = await Promise.all([startWebApp({ DEBRIEF_CATALOG_FILE: catalog }), launchBrowser()]);
    seeded = await seedIncidents(app);
    const body = alertmanagerBody([{ labels: { alertname: 'SearchSlow', service: 'search', severity: 'warning' }, startsAt: '2026-11-20T14:00:00.000Z' }], { groupBy: ['service'] });
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a viewer filters the list, then service and severity are picked from the known values and the list narrows to them', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents`);
    const rows = page.locator('.incidents-table tbody tr');
    await expect(rows.count()).resolves.toBe(3);

    // Severities seen on incidents, in a select; services of the catalog and of incidents, offered by the service field.
    const severity = page.getByLabel('Severity');
    await page.locator('select[name="severity"] option[value="warning"]').waitFor({ state: 'attached' });
    await expect(severity.evaluate((s: any) => s.tagName)).resolves.toBe('SELECT');
    await expect(severity.locator('option').allTextContents()).resolves.toEqual(['Any severity', 'critical', 'warning']);
    const service = page.getByLabel('Service');
    await expect(service.getAttribute('list')).resolves.toBe('known-services');
    await page.locator('#known-services option[value="payments"]').waitFor({ state: 'attached' });
    const offered = await page.locator('#known-services option').evaluateAll((os: any[]) => os.map((o) => o.value).sort());
    expect(offered).toEqual(['cart', 'checkout', 'payments', 'search']);

    await severity.selectOption('warning');
    await page.waitForURL(/\?severity=warning$/);
    await page.locator(`tr[data-id="${seeded.checkout.id}"]`).waitFor({ state: 'detached' });
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toContain('SearchSlow');

    await severity.selectOption('');
    await service.fill('cart');
    await service.press('Enter');
    await page.waitForURL(/\?service=cart$/);
    await page.locator(`tr[data-id="${seeded.cart.id}"]`).waitFor();
    await page.locator(`tr[data-id="${seeded.checkout.id}"]`).waitFor({ state: 'detached' });
    await expect(rows.count()).resolves.toBe(1);

    // A severity from the URL that no incident has is kept selected, not dropped.
    await visit(page, `${app.url}/ui/incidents?severity=page`);
    await expect(severity.inputValue()).resolves.toBe('page');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
