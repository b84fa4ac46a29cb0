/**
 * Declaring an incident by hand in real Chromium: an editor reports an outage no alert did,
 * from the incident list through the form (problems named by the form's labels) to the new
 * incident's report draft; the incident page says monitoring missed it. A declared incident
 * goes all the way to a published post-mortem on the pages. A viewer is offered no way to
 * declare one.
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

  it('when an editor declares an incident and completes its report, then a publisher publishes it, and the list shows the post-mortem published', async () => {
    const editor = await openPage(browser, { token: WEB_TOKENS.editor });
    const { page } = editor;
    await visit(page, `${app.url}/ui/declare`);
    await page.getByLabel('Title').fill('Search returns no results for EU shoppers');
    await page.getByLabel('Affected services').fill('search');
    await page.getByLabel('Severity').selectOption('warning');
    await page.getByLabel('Impact started').fill('2026-11-21T08:00');
    await page.getByLabel('Impact ended').fill('2026-11-21T08:45');
    await page.getByRole('button', { name: 'Declare incident' }).click();
    await page.waitForURL(/\/ui\/incidents\/[^/]+\/report$/);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const id = /\/ui\/incidents\/([^/]+)\/report$/.exec(page.url())![1]!;

    // The engineer completes the report on the page and submits it.
    await page.getByLabel('Your text for "What happened" (Markdown)').fill('A reindex left the EU search index empty.');
    await page.getByLabel('Your text for "What was done to fix it" (Markdown)').fill('Restored the index from the 07:00 snapshot.');
    await page.getByLabel('Customer summary (Markdown)').fill('Search showed no results in the EU for 45 minutes.');
    await page.getByLabel('No action items needed because (instead of action items)').fill('The reindex job now refuses to swap in an empty index.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('The report is now in review').waitFor();

    // The publisher publishes it from the page; it is a read-only document from then on.
    const publisher = await openPage(browser, { token: WEB_TOKENS.publisher });
    await visit(publisher.page, `${app.url}/ui/incidents/${id}/report`);
    await publisher.page.getByRole('button', { name: 'Publish' }).click();
    await publisher.page.locator('dialog[open]').getByRole('button', { name: 'Publish' }).click();
    await publisher.page.getByText('The report is now published (version 1).').waitFor();
    await publisher.page.locator('[data-frozen]').waitFor();
    await expect(publisher.page.locator('main textarea, main input, main select').count()).resolves.toBe(0);
    await screenshot(publisher.page, 'declared-incident-published');

    const report = (await app.api.get(`/api/v1/incidents/${id}/report`)).data as { status: string; version: number; publishedBy: string; customerSummary: { text: string } };
    expect(report).toMatchObject({ status: 'published', version: 1, publishedBy: 'pat', customerSummary: { text: 'Search showed no results in the EU for 45 minutes.' } });
    const incident = (await app.api.get(`/api/v1/incidents/${id}`)).data as { status: string; endedAt: string };
    expect(incident).toMatchObject({ status: 'resolved', endedAt: '2026-11-21T08:45:00.000Z' });
    // The list says so.
    await visit(page, `${app.url}/ui/incidents?report=published`);
    await expect(page.locator(`tr[data-id="${id}"]`).textContent()).resolves.toContain('Published v1');
    expect(editor.problems.pageErrors).toEqual([]);
    expect(publisher.problems.pageErrors).toEqual([]);
    await editor.context.close();
    await publisher.context.close();
  }, 60_000);

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
