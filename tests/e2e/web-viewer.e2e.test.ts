/**
 * The pages in real Chromium (Debian's package, driven by playwright-core) against the real
 * app: signing in, the live incident list with filters, what a viewer sees (no control the
 * role cannot use), and hostile alert text rendered inert on every page.
 */
import type { Browser, Page } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import type { TestApp } from '../support/test-app';
import { openPage, screenshot, visit, type PageProblems } from './support/browser';
import {
  HOSTILE, WEB_TOKENS, seedHostileIncident, startWebSuite, stopWebSuite, type SeededIncidents,
} from './support/web-fixtures';

// page.evaluate callbacks run in the browser. The tsconfig has no DOM lib (server code must not
// see browser globals), so the few globals they touch are declared for this module only.
declare const window: any;
declare const document: any;
declare const sessionStorage: any;

/** Console errors that mean the page broke its CSP (inline script/style, foreign loads). */
const cspViolations = (p: PageProblems) => p.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m));

describe('web pages: sign-in, incident list, viewer, hostile text', () => {
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;
  let hostile: { id: string };

  beforeAll(async () => {
    ({ app, browser, seeded } = await startWebSuite());
    hostile = await seedHostileIncident(app);
  });
  afterAll(() => stopWebSuite({ app, browser }));

  it('when a user signs in with a wrong token, then they are told so; with a right one, then they land on the incident list', async () => {
    const { page, context, problems } = await openPage(browser);
    await visit(page, `${app.url}/ui/incidents`);
    await page.waitForURL(/\/ui\/sign-in\?next=/);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await screenshot(page, 'sign-in');
    await page.getByLabel('API token').fill('not-a-real-token-0000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not accepted');

    await page.getByLabel('API token').fill(WEB_TOKENS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/incidents$/);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await expect(page.locator('.who').textContent()).resolves.toContain('viewer');
    // The token is in this tab's sessionStorage only: no cookie carries it.
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.getItem('debrief.apiToken'))).toBe(WEB_TOKENS.viewer);
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });

  it('when a new incident arrives while the list is open, then it appears without a reload, and filters narrow the list', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents`);
    const rows = page.locator('.incidents-table tbody tr');
    await expect(rows.count()).resolves.toBe(3); // checkout, cart and the hostile one
    await expect(page.locator(`tr[data-id="${seeded.checkout.id}"]`).textContent()).resolves.toMatch(/open.*critical.*checkout.*3.*Draft/s);
    await page.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true; });

    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'SearchIndexStale', service: 'search', severity: 'warning' }, startsAt: new Date(Date.UTC(2026, 10, 21, 8)).toISOString() },
    ], { groupBy: ['service'] }))).status).toBe(202);
    await app.settle();
    await page.locator('tr', { hasText: 'SearchIndexStale' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await expect(page.locator('tr', { hasText: 'SearchIndexStale' }).locator('.badge-new').count()).resolves.toBe(1);
    await screenshot(page, 'incidents-list');

    await page.getByLabel('Service').fill('cart');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 1);
    await expect(rows.first().textContent()).resolves.toContain('CartDown');
    expect(page.url()).toContain('service=cart');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Report').selectOption('published');
    await page.locator('td.empty').waitFor();
    await expect(page.locator('td.empty').textContent()).resolves.toContain('No incidents match');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 4);
    await screenshot(page, 'incidents-list-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Paging: 12 incidents at 10 per page.
    for (let i = 0; i < 8; i++) {
      expect((await app.postAlertmanager(alertmanagerBody([
        { labels: { alertname: 'QueueBacklog', service: `worker-${i}`, severity: 'warning' }, startsAt: new Date(Date.UTC(2026, 10, 19, i)).toISOString() },
      ], { groupBy: ['service'] }))).status).toBe(202);
    }
    await app.settle();
    await page.getByLabel('Per page').selectOption('10');
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 10);
    const newer = page.getByRole('button', { name: '← Newer' });
    const older = page.getByRole('button', { name: 'Older →' });
    expect(await newer.isDisabled()).toBe(true);
    await older.click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 2);
    await expect(page.locator('.pager').textContent()).resolves.toContain('Page 2');
    expect(await older.isDisabled()).toBe(true);
    await newer.click();
    await page.waitForFunction(() => document.querySelectorAll('.incidents-table tbody tr').length === 10);
    expect(cspViolations(problems)).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  });

  it('when a viewer opens the incident, review and report pages, then no control that changes something is shown', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.viewer });
    const base = `${app.url}/ui/incidents/${seeded.checkout.id}`;

    await visit(page, base);
    await expect(page.locator('.alert-card').count()).resolves.toBe(3);
    await expect(page.getByRole('link', { name: 'Review correlation' }).count()).resolves.toBe(0);
    await expect(page.getByText('Add a timeline note').count()).resolves.toBe(0);
    await expect(page.locator('.tl-actions, textarea, form').count()).resolves.toBe(0);
    await expect(page.locator('button:has-text("Correct"), button:has-text("Hide"), .hidden-entries').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Read report' }).count()).resolves.toBe(1);
    await screenshot(page, 'incident-viewer');

    await visit(page, `${base}/review`);
    await expect(page.locator('.banner-info').textContent()).resolves.toContain('needs the editor role');
    await expect(page.locator('input[type="checkbox"], button:has-text("Move"), button:has-text("Split"), button:has-text("Merge")').count()).resolves.toBe(0);

    await visit(page, `${base}/report`);
    await expect(page.locator('h2', { hasText: 'What happened' }).count()).resolves.toBe(1);
    await expect(page.locator('textarea, input, select[name="status"], [data-transition], [data-action="save"]').count()).resolves.toBe(0);
    await expect(page.getByText('Add an action item').count()).resolves.toBe(0);
    await expect(page.locator('.postmortem-controls, [data-action="request-postmortem"], [data-action="waive-postmortem"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-postmortem]').count()).resolves.toBe(1);
    await expect(page.locator('.toolbar').textContent()).resolves.toContain('Read only');
    await screenshot(page, 'report-viewer');

    // The server refuses anyway: the viewer's token cannot write.
    const refused = await page.evaluate(async (id) => {
      const token = sessionStorage.getItem('debrief.apiToken');
      const res = await fetch(`/api/v1/incidents/${id}/report`, {
        method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': '"v1.r0"' }, body: JSON.stringify({ customerSummary: 'x' }),
      });
      return res.status;
    }, seeded.checkout.id);
    expect(refused).toBe(403);

    // Phone-sized and printed: the same content, no controls on paper.
    await page.setViewportSize({ width: 390, height: 844 });
    await visit(page, base);
    await screenshot(page, 'incident-phone');
    await visit(page, `${base}/report`);
    await screenshot(page, 'report-phone');
    await page.setViewportSize({ width: 1000, height: 1200 });
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.toolbar').isHidden()).resolves.toBe(true);
    await expect(page.locator('.site-header').isHidden()).resolves.toBe(true);
    await screenshot(page, 'report-print');
    await page.emulateMedia({ media: 'screen' });
    expect(cspViolations(problems)).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  });

  it('when an alert carries <script> and "><img onerror> in its labels and annotations, then every page shows them as inert text', async () => {
    // An editor sees the most controls (review table, pickers), so the most places text lands.
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    const pages = [
      ['incidents', `${app.url}/ui/incidents`],
      ['incident', `${app.url}/ui/incidents/${hostile.id}`],
      ['review', `${app.url}/ui/incidents/${hostile.id}/review`],
      ['report', `${app.url}/ui/incidents/${hostile.id}/report`],
    ] as const;
    for (const [name, url] of pages) {
      await visit(page, url);
      await assertInert(page, name);
      await screenshot(page, `xss-${name}`);
    }
    // The move picker lists the hostile incident's title too.
    await visit(page, `${app.url}/ui/incidents/${seeded.cart.id}/review`);
    await page.getByRole('button', { name: /^Move CartDown/ }).click();
    await page.locator('dialog .pick-row').first().waitFor();
    await assertInert(page, 'move picker');
    // Keyboard: the picker opened with focus in its search field; Escape closes it and focus returns to the opener.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move CartDown to another incident');

    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });
});

/** No script ran, no element was injected, and the hostile text is on screen as text. */
async function assertInert(page: Page, where: string): Promise<void> {
  const found = await page.evaluate((hostileText) => ({
    xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
    inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    injectedImgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
    handlerAttrs: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    injectedSvg: document.querySelectorAll('svg[onload], body svg').length,
    javascriptUrls: [...document.querySelectorAll('[href], [src]')].filter((el) => /^\s*javascript:/i.test(el.getAttribute('href') ?? el.getAttribute('src') ?? '')).length,
    textShown: document.body.innerText.includes(hostileText),
  }), HOSTILE.script);
  expect({ where, ...found }).toEqual({
    where, xss: null, inlineScripts: 0, injectedImgs: 0, handlerAttrs: 0, injectedSvg: 0, javascriptUrls: 0, textShown: true,
  });
}
