/**
 * Correlation review in real Chromium: an SRE (editor role) splits an alert off into a new
 * incident, moves another to a different incident through the searchable picker, and merges
 * incidents, confirming each change first and seeing the recorded explanation right after.
 */
import type { Browser } from 'playwright-core';
import { getIncident } from '../support/api-helpers';
import type { TestApp } from '../support/test-app';
import { openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebSuite, stopWebSuite, type SeededIncidents } from './support/web-fixtures';

describe('web pages: correlation review', () => {
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;

  beforeAll(async () => {
    ({ app, browser, seeded } = await startWebSuite());
  });
  afterAll(() => stopWebSuite({ app, browser }));

  it('when an SRE splits an alert off and moves another, then each change is confirmed first and its explanation shows at once', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${seeded.checkout.id}/review`);
    await screenshot(page, 'review');

    // ---- split: the disk alert has another cause
    const split = page.getByRole('button', { name: 'Split selected into a new incident' });
    expect(await split.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /^Select NodeDiskFilling/ }).check();
    await page.getByLabel('Reason (recorded in the timeline)').fill('disk pressure is a separate problem');
    await split.click();
    const confirm = page.locator('dialog[open]');
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toMatch(/new incident is created with 1 alert:.*NodeDiskFilling.*keeps 2 alerts:.*CheckoutHighErrorRate.*CheckoutLatencyHigh/s);
    await screenshot(page, 'review-split-confirm', { fullPage: false });
    await confirm.getByRole('button', { name: 'Split 1 alert off' }).click();
    const result = page.locator('.result');
    await result.getByText('Split: 1 alert moved to a new incident').waitFor();
    await expect(result.locator('.decision-human').textContent()).resolves.toMatch(/Placed by erin.*disk pressure is a separate problem/s);
    await page.locator('.review-table tbody tr').nth(2).waitFor({ state: 'detached' });
    await expect(page.locator('.review-table tbody tr').count()).resolves.toBe(2);

    const checkout = await getIncident(app, seeded.checkout.id);
    expect(checkout.alerts.map((a) => a.labels.alertname).sort()).toEqual(['CheckoutHighErrorRate', 'CheckoutLatencyHigh']);
    const disk = (await app.api.get(`/api/v1/alerts/${seeded.checkoutAlerts.NodeDiskFilling}`)).data as { incidentId: string; decision: { kind: string; decidedBy: string } };
    expect(disk.incidentId).not.toBe(seeded.checkout.id);
    expect(disk.decision).toMatchObject({ kind: 'human', decidedBy: 'erin' });

    // ---- move: the latency alert belongs with the cart outage
    await page.getByRole('button', { name: /^Move CheckoutLatencyHigh/ }).click();
    const picker = page.locator('dialog[open]');
    await picker.locator('.pick-row').first().waitFor();
    await picker.getByLabel('Find incident').fill('cart');
    await expect(picker.locator('.pick-row').count()).resolves.toBe(1);
    await screenshot(page, 'review-move-picker', { fullPage: false });
    await picker.getByRole('radio', { name: /CartDown on cart/ }).check();
    await picker.getByRole('button', { name: 'Continue' }).click();
    const moveConfirm = page.locator('dialog[open]');
    await moveConfirm.getByRole('heading', { name: 'Move this alert?' }).waitFor();
    await expect(moveConfirm.textContent()).resolves.toMatch(/CheckoutLatencyHigh moves\s*from .*checkout\s*to CartDown on cart/s);
    await moveConfirm.getByRole('button', { name: 'Move alert' }).click();
    // The target's title now names both alerts.
    await result.getByText(/^Moved CheckoutLatencyHigh to ".*CartDown.*"$/).waitFor();
    await expect(result.locator('.decision-human').textContent()).resolves.toContain('Placed by erin');
    // The table re-renders after the confirmation shows: wait for the moved row to go.
    await page.locator('.review-table tbody tr').nth(1).waitFor({ state: 'detached' });
    await expect(page.locator('.review-table tbody tr').count()).resolves.toBe(1);
    await screenshot(page, 'review-after-move');

    const latency = (await app.api.get(`/api/v1/alerts/${seeded.checkoutAlerts.CheckoutLatencyHigh}`)).data as { incidentId: string; decision: { decidedBy: string; explanation: string } };
    expect(latency.incidentId).toBe(seeded.cart.id);
    expect(latency.decision.decidedBy).toBe('erin');

    // ---- the target incident's page explains where the alert came from
    await visit(page, `${app.url}/ui/incidents/${seeded.cart.id}`);
    const card = page.locator(`article[data-alert-id="${seeded.checkoutAlerts.CheckoutLatencyHigh}"]`);
    await expect(card.locator('.decision-human').textContent()).resolves.toMatch(/Placed by erin/);
    await expect(page.locator('.timeline').textContent()).resolves.toMatch(/erin/);
    await screenshot(page, 'incident-after-move');

    // ---- merge the split-off disk incident into the cart incident
    await visit(page, `${app.url}/ui/incidents/${seeded.cart.id}/review`);
    await page.getByRole('button', { name: 'Merge other incidents into this one…' }).click();
    const mergePicker = page.locator('dialog[open]');
    await mergePicker.getByLabel('Find incident').fill('NodeDiskFilling');
    await mergePicker.getByRole('checkbox', { name: /NodeDiskFilling/ }).check();
    await mergePicker.getByRole('button', { name: 'Continue' }).click();
    const mergeConfirm = page.locator('dialog[open]');
    await mergeConfirm.getByRole('heading', { name: 'Merge these incidents?' }).waitFor();
    await expect(mergeConfirm.textContent()).resolves.toMatch(/1 alert from 1 incident move into ".*CartDown.*"/);
    await mergeConfirm.getByRole('button', { name: 'Merge 1 incident' }).click();
    await result.getByText('Merged 1 incident: 1 alert moved here').waitFor();
    expect((await getIncident(app, seeded.cart.id)).alerts.map((a) => a.labels.alertname).sort()).toEqual(['CartDown', 'CheckoutLatencyHigh', 'NodeDiskFilling']);

    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
