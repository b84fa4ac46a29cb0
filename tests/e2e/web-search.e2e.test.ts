/**
 * Searching from the incident list in real Chromium: a post-mortem's cause is written (the
 * ongoing incident cannot be published; publishing is the HTTP and contract tests'), and a viewer finds its incident by a word of that cause, sees what matched (the word marked),
 * keeps the search in the page URL, and goes back to the whole list.
 */
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/test-app';
import { openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebSuite, stopWebSuite, type SeededIncidents } from './support/web-fixtures';

declare const document: any;

describe('web pages: searching incidents and post-mortems', () => {
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;

  beforeAll(async () => {
    ({ app, browser, seeded } = await startWebSuite());
    const id = seeded.checkout.id;
    const current = (await app.api.get(`/api/v1/incidents/${id}/report`)).data as { etag: string };
    expect((await app.api.patch(`/api/v1/incidents/${id}/report`, {
      sections: { 'what-happened': 'The payments connection pool was exhausted by a retry storm from the cart.', fix: 'Capped retries.' },
      customerSummary: 'Some checkouts failed.',
    }, { headers: { 'If-Match': current.etag } })).status).toBe(200);
  });
  afterAll(() => stopWebSuite({ app, browser }));

  it('when a viewer searches the list for a word of a written cause, then only that incident is listed with the word marked, and "Show all" brings the list back', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents`);
    const rows = page.locator('.incidents-table tbody tr');
    await expect(rows.count()).resolves.toBe(2);

    await page.getByLabel('Search incidents and post-mortems').fill('exhausted');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 1);
    const hit = page.locator(`tr[data-id="${seeded.checkout.id}"]`);
    await expect(hit.locator('.search-matches').textContent()).resolves.toContain('What happened: The payments connection pool was exhausted');
    await expect(hit.locator('.search-matches mark').allTextContents()).resolves.toEqual(['exhausted']);
    expect(page.url()).toContain('q=exhausted');
    await screenshot(page, 'incidents-search');

    // The search stays in the URL: a reload shows the same results.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr .search-matches').length === 1);
    await expect(page.getByLabel('Search incidents and post-mortems').inputValue()).resolves.toBe('exhausted');

    // A filter applies to the search too: nothing on cart holds the word.
    await page.getByLabel('Service').fill('cart');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody td.empty').length === 1);
    await page.getByLabel('Service').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();

    await page.getByRole('button', { name: 'Show all' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 2);
    expect(page.url()).not.toContain('q=');
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
