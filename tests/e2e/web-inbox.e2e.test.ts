/**
 * The admin inbox page in real Chromium: an admin sees the dead letter with the error that
 * stopped it, requeues it after confirming, and sees the requeue recorded with their name; the
 * page is in the admin's menu only, and an editor is told it needs the admin role.
 */
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { inboxEntries } from '../support/api-helpers';
import type { TestApp } from '../support/test-app';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { HOSTILE, WEB_TOKENS, startWebApp } from './support/web-fixtures';

declare const window: { __xss?: string };

describe('web pages: the admin inbox', () => {
  let app: TestApp;
  let browser: Browser;
  let deadId: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
    // One alert whose start is not a time (with markup in its name): normalizing fails, the entry is a dead letter.
    const b = alertmanagerBody([{ labels: { alertname: `Broken${HOSTILE.img}`, service: 'api' }, startsAt: '2026-11-26T14:00:00.000Z' }]);
    const raw = JSON.stringify({ ...b, alerts: [{ ...b.alerts[0]!, startsAt: `not a time ${HOSTILE.script}` }] });
    deadId = (await app.debrief.store.appendInbox({
      instance: 'alertmanager', connector: 'alertmanager', receivedAt: new Date().toISOString(),
      headers: { 'content-type': 'application/json' }, body: Buffer.from(raw), deliveryId: null,
    })).id;
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'Fine', service: 'api' }, startsAt: '2026-11-26T14:00:00.000Z' }]))).status).toBe(202);
    await app.settle();
    expect((await inboxEntries(app, 'dead')).map((e) => e.id)).toEqual([deadId]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('when an admin opens the inbox, then the dead letter shows its error, and requeueing it is confirmed and recorded with their name', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.admin });
    await visit(page, `${app.url}/ui/incidents`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    expect(new URL(page.url()).pathname).toBe('/ui/admin/inbox');

    const rows = page.locator('.inbox-table tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    const dead = rows.first();
    await expect(dead.getAttribute('data-entry-id')).resolves.toBe(deadId);
    await expect(dead.locator('.badge').textContent()).resolves.toBe('dead letter');
    const error = (await dead.locator('td.inbox-error').textContent()) ?? '';
    expect(error.length).toBeGreaterThan(0);
    await expect(dead.locator('td', { hasText: 'never' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'More' }).count()).resolves.toBe(0);
    await screenshot(page, 'inbox-dead');

    // The other lists: the processed body is there, nothing is waiting.
    await page.getByLabel('Show').selectOption('done');
    await page.locator('.inbox-table tbody tr .badge', { hasText: 'processed' }).waitFor();
    expect(new URL(page.url()).search).toBe('?state=done');
    await page.getByLabel('Show').selectOption('pending');
    await page.getByText('Nothing is waiting.').waitFor();
    await page.getByLabel('Show').selectOption('dead');

    await page.getByRole('button', { name: /^Requeue entry / }).click();
    const confirm = page.locator('dialog[open]');
    await confirm.getByRole('heading', { name: 'Requeue this dead letter?' }).waitFor();
    await expect(confirm.textContent()).resolves.toContain('It failed with:');
    await confirm.getByRole('button', { name: 'Requeue' }).click();
    await page.locator('.banner-ok', { hasText: /^Requeued entry \d+/ }).waitFor();

    // The body still does not parse: it is a dead letter again, now with the requeue on record.
    await app.settle();
    const entry = (await app.anon.get(`/api/v1/inbox/${deadId}`, { headers: { Authorization: `Bearer ${WEB_TOKENS.admin}` } })).data as { state: string; requeues: Array<{ actor: string }> };
    expect(entry.requeues.map((r) => r.actor)).toEqual(['admin']);
    await page.getByLabel('Show').selectOption('');
    // All entries: the processed one and the requeued one, which names who requeued it.
    await page.locator('.inbox-table tbody tr').nth(1).waitFor();
    await expect(page.locator('.inbox-table tbody tr').count()).resolves.toBe(2);
    await expect(page.locator(`tr[data-entry-id="${deadId}"]`).textContent()).resolves.toMatch(/by admin/);

    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when an editor opens the inbox, then it has no menu link and the page says it needs the admin role', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents`);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).count()).resolves.toBe(0);
    await visit(page, `${app.url}/ui/admin/inbox`);
    await page.getByText('The inbox needs the admin role; you are signed in as editor.').waitFor();
    await expect(page.locator('.inbox-table').count()).resolves.toBe(0);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
