/**
 * Declaring an incident by hand in real Chromium: an editor reports an outage no alert did,
 * from the incident list through the form (problems named by the form's labels) to the new
 * incident's report draft; the incident page says monitoring missed it. A viewer is offered no
 * way to declare one.
 */
import type { Browser } from 'playwright-core';
import { listAllIncidents } from '../support/api-helpers';
import type { TestApp } from '../support/test-app';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebApp } from './support/web-fixtures';

describe('web pages: declaring an incident by hand', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('when an editor declares an incident from the list, then problems are named by label, and the declared incident opens on its report draft', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents`);
    await page.getByRole('link', { name: 'Declare an incident' }).click();
    await page.waitForURL(/\/ui\/declare$/);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });

    // Nothing filled in: the form says what is missing, by label, and declares nothing.
    await page.getByRole('button', { name: 'Declare incident' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/Title: must not be empty.*Affected services: name at least one/s);
    expect(await listAllIncidents(app)).toEqual([]);

    await page.getByLabel('Title').fill('EU customers cannot log in');
    await page.getByLabel('Affected services').fill('login, auth');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByLabel('Impact started').fill('2026-11-20T09:15');
    // An end before the start is refused by the API; its field is named by its label, not its API path.
    await page.getByLabel('Impact ended').fill('2026-11-20T09:00');
    await page.getByRole('button', { name: 'Declare incident' }).click();
    await page.getByRole('alert').filter({ hasText: 'Impact ended' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Impact ended: end (2026-11-20T09:00:00.000Z) is before start');
    await expect(page.getByRole('alert').textContent()).resolves.not.toContain('body.');
    await page.getByLabel('Impact ended').fill('');
    await expect(page.getByLabel('Monitoring missed this (no alert reported it)').isChecked()).resolves.toBe(true);
    await screenshot(page, 'declare-incident');
    await page.getByRole('button', { name: 'Declare incident' }).click();

    await page.waitForURL(/\/ui\/incidents\/[^/]+\/report$/);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const [incident] = await listAllIncidents(app);
    expect(incident).toMatchObject({ title: 'EU customers cannot log in', services: ['login', 'auth'], severity: 'critical', startedAt: '2026-11-20T09:15:00.000Z', status: 'open' });
    expect(page.url()).toBe(`${app.url}/ui/incidents/${incident!.id}/report`);
    await expect(page.locator('main').textContent()).resolves.toContain('EU customers cannot log in');
    await expect(page.getByRole('button', { name: 'Save changes' }).count()).resolves.toBe(1);
    const report = (await app.api.get(`/api/v1/incidents/${incident!.id}/report`)).data as { status: string; postmortem: { required: boolean } };
    expect(report).toMatchObject({ status: 'draft', postmortem: { required: true } });
    await screenshot(page, 'declared-incident-report');

    await visit(page, `${app.url}/ui/incidents/${incident!.id}`);
    await expect(page.locator('.facts').textContent()).resolves.toMatch(/Declared\s*by hand by erin\s*Monitoring missed this/);
    await expect(page.locator('.timeline, main').first().textContent()).resolves.toContain('Declared by hand by erin');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
    await context.close();
  });

  it('when a viewer opens the list or the form, then there is no way to declare an incident', async () => {
    const { page, context } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents`);
    await expect(page.getByRole('link', { name: 'Declare an incident' }).count()).resolves.toBe(0);
    await visit(page, `${app.url}/ui/declare`);
    await expect(page.locator('main').textContent()).resolves.toContain('needs the editor role');
    await expect(page.getByRole('button', { name: 'Declare incident' }).count()).resolves.toBe(0);
    await context.close();
  });
});
