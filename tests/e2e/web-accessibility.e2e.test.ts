/**
 * Accessibility of every page in real Chromium: axe-core (WCAG 2 A and AA, best practices) finds
 * no violation on any page, each opened with realistic data by the role that sees the most of it:
 * the sign-in page, the incident list, an incident, its correlation review, a draft and a
 * published report, the declaration form, the admin inbox with a dead letter, and the public
 * status page with a published customer summary. On a phone (390 px wide) the incident page, with
 * its timeline picture and impact list, and the correlation review fit the screen: no sideways
 * scrolling, tables as a card per row, the picture scaled to its box with its hover details.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { expectOk } from '../support/api-helpers';
import type { TestApp } from '../support/test-app';
import { axeViolations, formatViolations } from './support/axe';
import { launchBrowser, openPage, visit } from './support/browser';
import { WEB_TOKENS, seedIncidents, startWebApp, type SeededIncidents } from './support/web-fixtures';

type Role = keyof typeof WEB_TOKENS | null;

describe('web pages: axe-core finds no accessibility violations', () => {
  let dir: string;
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;
  let declaredId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-web-axe-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, [
      'services:',
      '  - { name: checkout, team: payments, customerFacing: true }',
      '  - { name: cart, team: shop, customerFacing: true }',
      '  - { name: login, team: identity, customerFacing: true }',
    ].join('\n'));
    [app, browser] = await Promise.all([startWebApp({ DEBRIEF_CATALOG_FILE: catalog }), launchBrowser()]);
    seeded = await seedIncidents(app);

    // The cart incident's post-mortem is published: its report page is a document, and the status page shows it.
    const cart = seeded.cart.id;
    expectOk(await app.api.post(`/api/v1/incidents/${cart}/action-items`, { title: 'Alert on cart pool saturation', owner: 'shop-team', dueDate: '2026-12-15' }), 201);
    const current = expectOk(await app.api.get(`/api/v1/incidents/${cart}/report`)) as { etag: string };
    expectOk(await app.api.patch(`/api/v1/incidents/${cart}/report`, {
      sections: { 'what-happened': 'The cart database ran out of connections after a **pool resize**.', fix: 'Restored the pool size and restarted cart.' },
      customerSummary: 'Adding items to the cart failed for about 20 minutes.',
    }, { headers: { 'If-Match': current.etag } }));
    expectOk(await app.api.post(`/api/v1/incidents/${cart}/report/transitions`, { to: 'in_review' }));
    expectOk(await app.api.post(`/api/v1/incidents/${cart}/report/transitions`, { to: 'published' }));

    // A declared incident, and a dead letter for the admin inbox.
    declaredId = (expectOk(await app.api.post('/api/v1/incidents', {
      title: 'EU customers cannot log in', services: ['login'], severity: 'critical', start: '2026-11-20T09:15:00.000Z',
    }), 201) as { id: string }).id;
    await app.debrief.store.appendInbox({
      instance: 'alertmanager', connector: 'alertmanager', receivedAt: new Date().toISOString(),
      headers: { 'content-type': 'application/json' }, body: Buffer.from('{"version":"4","alerts":[{"startsAt":"not a time"}]}'), deliveryId: null,
    });
    await app.settle();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const pages: Array<[string, Role, () => string]> = [
    ['sign-in page', null, () => '/ui/sign-in'],
    ['incident list', 'admin', () => '/ui/incidents'],
    ['incident page', 'editor', () => `/ui/incidents/${seeded.checkout.id}`],
    ['incident page of a declared incident', 'editor', () => `/ui/incidents/${declaredId}`],
    ['correlation review', 'editor', () => `/ui/incidents/${seeded.checkout.id}/review`],
    ['report editor, draft', 'editor', () => `/ui/incidents/${seeded.checkout.id}/report`],
    ['report editor, published', 'publisher', () => `/ui/incidents/${seeded.cart.id}/report`],
    ['declaration form', 'editor', () => '/ui/declare'],
    ['admin inbox', 'admin', () => '/ui/admin/inbox'],
  ];

  it.each(pages)('when the %s is opened, then axe finds no violation', async (name, role, path) => {
    const { page, context, problems } = await openPage(browser, { bypassCSP: true, ...(role ? { token: WEB_TOKENS[role] } : {}) });
    await visit(page, `${app.url}${path()}`);
    expect(formatViolations(name, await axeViolations(page))).toBe(`${name}: no violations`);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when the public status page is opened, then it shows the published summary and axe finds no violation', async () => {
    const { page, context } = await openPage(browser, { bypassCSP: true });
    await page.goto(`${app.url}/status`);
    await page.getByText('Adding items to the cart failed for about 20 minutes.').waitFor();
    expect(formatViolations('status page', await axeViolations(page))).toBe('status page: no violations');
    await context.close();
  }, 60_000);

  describe('on a phone, 390 px wide', () => {
    const PHONE = { width: 390, height: 844 };
    // What sticks out to the right, for a failing test to name.
    const overflowing = (page: import('playwright-core').Page) => page.evaluate((width: number) => {
      const doc = (globalThis as any).document;
      return [...doc.querySelectorAll('main *')]
        .filter((el: any) => el.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5).map((el: any) => `${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""}`);
    }, PHONE.width);
    const scrollWidth = (page: import('playwright-core').Page) => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);

    it('when the incident page is opened, then nothing scrolls sideways, the impact list is a card per service, and the timeline picture fits and tells what a bar is', async () => {
      const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor, viewport: PHONE, bypassCSP: true });
      await visit(page, `${app.url}/ui/incidents/${seeded.checkout.id}`);
      const picture = page.locator('.timeline-picture img');
      await picture.waitFor();
      expect({ scrollWidth: await scrollWidth(page), overflowing: await overflowing(page) }).toEqual({ scrollWidth: expect.any(Number), overflowing: [] });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      const box = (await picture.boundingBox())!;
      const figure = (await page.locator('.timeline-picture').boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(figure.width + 0.5);
      expect(box.width).toBeGreaterThan(300);

      // The impact list: one card per service, each value named.
      const row = page.locator('.impact-table tbody tr').first();
      await expect(row.evaluate((el: any) => (globalThis as any).getComputedStyle(el).display)).resolves.toBe('block');
      await expect(row.locator('td').nth(2).evaluate((el: any) => (globalThis as any).getComputedStyle(el, '::before').content)).resolves.toBe('"First seen: "');

      // Pointing at a bar of the scaled picture says which alert it is and when it fired, as people read times.
      const svg = (await app.api.get(`/api/v1/incidents/${seeded.checkout.id}/timeline.svg`, { responseType: 'text' })).data as string;
      const scale = box.width / Number(/viewBox="0 0 (\d+)/.exec(svg)![1]);
      const bar = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*><title>CheckoutLatencyHigh/.exec(svg)!.slice(1).map(Number);
      await picture.hover({ position: { x: (bar[0]! + bar[2]! / 2) * scale, y: (bar[1]! + bar[3]! / 2) * scale } });
      await expect(page.locator('.picture-details').textContent()).resolves.toBe('CheckoutLatencyHigh (warning): 2026-11-20 10:02:00 UTC to 2026-11-20 10:25:00 UTC');
      // A lane's name, drawn shortened when long, gives the whole service name.
      const lane = /<text x="([\d.]+)" y="([\d.]+)" text-anchor="end" font-size="12"[^>]*>[^<]*<title>checkout</.exec(svg)!.slice(1).map(Number);
      await picture.hover({ position: { x: (lane[0]! - 10) * scale, y: (lane[1]! - 4) * scale } });
      await expect(page.locator('.picture-details').textContent()).resolves.toBe('checkout');

      expect(formatViolations('incident page on a phone', await axeViolations(page))).toBe('incident page on a phone: no violations');
      expect(problems.pageErrors).toEqual([]);
      await context.close();
    }, 60_000);

    it('when the correlation review is opened, then nothing scrolls sideways and each alert is a card', async () => {
      const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor, viewport: PHONE, bypassCSP: true });
      await visit(page, `${app.url}/ui/incidents/${seeded.checkout.id}/review`);
      await page.locator('.review-table tbody tr').first().waitFor();
      expect({ scrollWidth: await scrollWidth(page), overflowing: await overflowing(page) }).toEqual({ scrollWidth: expect.any(Number), overflowing: [] });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await expect(page.locator('.review-table tbody tr').first().evaluate((el: any) => (globalThis as any).getComputedStyle(el).display)).resolves.toBe('block');
      // The row's controls are still reachable on the card.
      await page.getByRole('button', { name: /^Move CheckoutLatencyHigh/ }).scrollIntoViewIfNeeded();
      await expect(page.getByRole('button', { name: /^Move CheckoutLatencyHigh/ }).isVisible()).resolves.toBe(true);
      expect(formatViolations('review on a phone', await axeViolations(page))).toBe('review on a phone: no violations');
      expect(problems.pageErrors).toEqual([]);
      await context.close();
    }, 60_000);
  });
});
