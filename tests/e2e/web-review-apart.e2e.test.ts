/**
 * Telling alerts and decisions apart in real Chromium. Three `HighErrorRate` alerts on pods a, b
 * and c, a latency alert, and the PagerDuty page Alertmanager sent for their group: the review
 * table names each pod beside the alert name, each decision reads as its rule and evidence in
 * one line with the other rules folded behind "Why not others", the audit trail leads each entry
 * with the alert or page it is about, and splitting pod b off names pod b in the dialog and in
 * the new incident's title. The incident and report pages name the page by number and title.
 * Moving one pod's alert into an older incident places that alert only: the group's later
 * alerts stay with the group.
 */
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { getIncident, listAllIncidents } from '../support/api-helpers';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, sha256Hex } from '../support/pagerduty-webhooks';
import type { TestApp } from '../support/test-app';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebApp } from './support/web-fixtures';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 21, 9, 0) + minutes * 60_000).toISOString();
const PAGE = { id: 'P4242XY', number: 4242, title: 'Payments are failing', url: 'https://acme-test.pagerduty.com/incidents/P4242XY' };

describe('web pages: alerts and decisions told apart', () => {
  let app: TestApp;
  let browser: Browser;
  let incidentId: string;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startWebApp({ DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET }), launchBrowser()]);
    const pod = (p: string, minutes: number) => ({
      labels: { alertname: 'HighErrorRate', service: 'payments', severity: 'critical', cluster: 'prod-eu', pod: `payments-${p}` }, startsAt: at(minutes),
    });
    const body = alertmanagerBody([
      pod('a', 0), pod('b', 1), pod('c', 2),
      { labels: { alertname: 'PaymentsLatencyHigh', service: 'payments', severity: 'warning', cluster: 'prod-eu' }, startsAt: at(3) },
    ], { groupBy: ['service'] });
    expect((await app.postAlertmanager(body)).status).toBe(202);
    const page = { id: PAGE.id, number: PAGE.number, title: PAGE.title, incidentKey: sha256Hex(body.groupKey), serviceName: 'Payments' };
    expect((await postPagerDuty(app, pagerdutyV3Body(page, { id: '01HAPARTTRIGGERED000000001', type: 'incident.triggered', occurredAt: at(4), agent: null }))).status).toBe(202);
    await app.settle();
    const incidents = await listAllIncidents(app);
    expect(incidents).toHaveLength(1);
    incidentId = incidents[0]!.id;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('when a viewer opens the incident and its report, then the PagerDuty page is named by number and title and linked, and each pod is named on its alert', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents/${incidentId}`);
    const name = `PagerDuty #${PAGE.number} "${PAGE.title}"`;
    const paged = page.locator('.facts .fact', { has: page.locator('dt', { hasText: 'Paged' }) });
    await expect(paged.getByRole('link', { name }).getAttribute('href')).resolves.toBe(PAGE.url);
    await expect(paged.textContent()).resolves.toContain('(triggered)');
    // By the card's heading: a decision's "why not others" may name HighErrorRate on another card.
    const cards = page.locator('article.alert-card', { has: page.locator('h4', { hasText: 'HighErrorRate' }) });
    await expect(cards.count()).resolves.toBe(3);
    await expect(cards.locator('ul.labels.apart').allTextContents()).resolves.toEqual(['pod=payments-a', 'pod=payments-b', 'pod=payments-c']);
    await expect(page.locator('article.alert-card', { hasText: 'PaymentsLatencyHigh' }).locator('ul.labels.apart').count()).resolves.toBe(0);
    await screenshot(page, 'incident-paged');

    await visit(page, `${app.url}/ui/incidents/${incidentId}/report`);
    const reportPaged = page.locator('.fact', { has: page.locator('dt', { hasText: 'Paged' }) });
    await expect(reportPaged.getByRole('link', { name }).getAttribute('href')).resolves.toBe(PAGE.url);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when an SRE reviews the incident, then decisions show rule and evidence first with the misses folded, the audit leads with the alert, and splitting pod b names pod b', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${incidentId}/review`);
    const rows = page.locator('.review-table tbody tr');
    await expect(rows.count()).resolves.toBe(4);

    // ---- the labels that tell same-named alerts apart, beside the name
    const rowOf = (p: string) => rows.filter({ has: page.getByRole('checkbox', { name: new RegExp(`^Select HighErrorRate \\(pod=payments-${p}\\)`) }) });
    await expect(rowOf('b').locator('th').textContent()).resolves.toBe('HighErrorRatepod=payments-b');

    // ---- each decision: one line with the rule and its evidence, the sentence, the misses folded
    const joined = rowOf('b').locator('td.explain');
    await expect(joined.locator('.decision-line').textContent()).resolves.toMatch(/^(explicit link|strong evidence|moderate evidence|weak evidence) Rule \S+ · score \d\.\d\d/);
    const whyNot = joined.locator('details.why-not');
    await expect(whyNot.getAttribute('open')).resolves.toBeNull();
    await expect(whyNot.locator('summary').textContent()).resolves.toMatch(/^Why not others \(\d+\)$/);
    expect(await whyNot.locator('li').first().isVisible()).toBe(false);
    await whyNot.locator('summary').click();
    expect(await whyNot.locator('li code').first().isVisible()).toBe(true);
    // The alert that opened the incident: its lead sentence, every rule's miss folded below it.
    const opened = rows.filter({ hasText: 'Opened this incident' });
    await expect(opened.count()).resolves.toBe(1);
    await expect(opened.locator('p.decision-text').textContent()).resolves.toBe('Opened a new incident because no explicit link or rule found an open incident for it.');
    await expect(opened.locator('details.why-not summary').textContent()).resolves.toMatch(/^Why not others \(\d+\)$/);

    // ---- the audit trail: each entry leads with the alert or page it is about
    const subjects = await page.locator('ol.audit li .audit-subject').allTextContents();
    expect(subjects.filter((x) => x.startsWith('PagerDuty'))).toEqual([`PagerDuty #${PAGE.number} "${PAGE.title}"`, `PagerDuty #${PAGE.number} "${PAGE.title}"`]);
    expect(subjects).toEqual(expect.arrayContaining([
      'HighErrorRate (pod=payments-a)', 'HighErrorRate (pod=payments-b)', 'HighErrorRate (pod=payments-c)', 'PaymentsLatencyHigh', `PagerDuty #${PAGE.number} "${PAGE.title}"`,
    ]));
    await screenshot(page, 'review-told-apart');

    // ---- split pod b off: the dialog and the new incident's title name pod b
    await page.getByRole('checkbox', { name: /^Select HighErrorRate \(pod=payments-b\)/ }).check();
    await page.getByRole('button', { name: 'Split selected into a new incident' }).click();
    const confirm = page.locator('dialog[open]');
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toMatch(
      /new incident is created with 1 alert:HighErrorRate \(pod=payments-b\) \(firing\).*keeps 3 alerts:.*HighErrorRate \(pod=payments-a\).*HighErrorRate \(pod=payments-c\).*PaymentsLatencyHigh/s);
    await confirm.getByRole('button', { name: 'Split 1 alert off' }).click();
    const result = page.locator('.result');
    await result.getByRole('link', { name: 'HighErrorRate on payments (pod=payments-b)' }).waitFor();
    await rows.nth(3).waitFor({ state: 'detached' });
    const left = await getIncident(app, incidentId);
    expect(left.alerts.map((a) => a.labels.pod ?? '-').sort()).toEqual(['-', 'payments-a', 'payments-c']);
    const created = (await listAllIncidents(app)).find((i) => i.id !== incidentId)!;
    expect(created.title).toBe('HighErrorRate on payments (pod=payments-b)');

    // The audit names the alert that left, though it is no longer here.
    await page.locator('ol.audit li .audit-subject', { hasText: 'now in another incident' }).waitFor();
    await expect(page.locator('ol.audit li .audit-subject').first().textContent()).resolves.toBe('HighErrorRate (now in another incident)');
    await expect(page.locator('ol.audit li', { hasText: 'correlation.split' }).locator('.audit-subject').textContent()).resolves.toBe('HighErrorRate (now in another incident)');
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when an SRE moves one pod\'s alert into an older incident, then the group\'s later alerts stay with the group while that alert stays where it was put', async () => {
    const search = (p: string, minutes: number) => ({
      labels: { alertname: 'SearchErrors', service: 'search', severity: 'critical', cluster: 'prod-eu', pod: `search-${p}` }, startsAt: at(minutes),
    });
    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'IndexerStuck', service: 'indexer', severity: 'warning', cluster: 'prod-eu' }, startsAt: at(100) },
    ], { groupBy: ['service'] }))).status).toBe(202);
    expect((await app.postAlertmanager(alertmanagerBody([search('a', 110), search('b', 110)], { groupBy: ['service'] }))).status).toBe(202);
    await app.settle();
    const incidents = await listAllIncidents(app);
    const older = incidents.find((i) => (i.services as string[]).includes('indexer'))!;
    const group = incidents.find((i) => (i.services as string[]).includes('search'))!;

    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${group.id}/review`);
    await page.getByRole('button', { name: 'Move SearchErrors (pod=search-a) to another incident' }).click();
    const picker = page.locator('dialog[open]');
    await picker.getByRole('heading', { name: 'Move SearchErrors (pod=search-a) to…' }).waitFor();
    // Service and severity are pickers of the values the listed incidents hold; choosing one asks the API.
    await picker.locator('.pick-row').first().waitFor();
    await expect(picker.getByLabel('Severity').locator('option').allTextContents()).resolves.toEqual(['Any severity', 'critical', 'warning']);
    await expect(picker.getByLabel('Service').locator('option').allTextContents()).resolves.toEqual(['Any service', 'indexer', 'payments']);
    await picker.getByLabel('Service').selectOption('indexer');
    await picker.locator('.pick-row', { hasText: 'payments' }).first().waitFor({ state: 'detached' });
    await expect(picker.locator('.pick-row').count()).resolves.toBe(1);
    await picker.getByRole('radio', { name: /IndexerStuck on indexer/ }).check();
    await picker.getByRole('button', { name: 'Continue' }).click();
    const confirm = page.locator('dialog[open]');
    await confirm.getByRole('heading', { name: 'Move this alert?' }).waitFor();
    await expect(confirm.textContent()).resolves.toMatch(/Alert SearchErrors \(pod=search-a\) moves/);
    await confirm.getByRole('button', { name: 'Move alert' }).click();
    await page.locator('.review-table tbody tr').nth(1).waitFor({ state: 'detached' });

    // A third pod of the group errors, and pod a fires again later. Pods a and b started together, so the
    // group's incident and the older one would tie for pod c, and ties go to the older incident: only the
    // keys a moved alert took along could draw pod c there.
    expect((await app.postAlertmanager(alertmanagerBody([search('c', 114)], { groupBy: ['service'] }))).status).toBe(202);
    expect((await app.postAlertmanager(alertmanagerBody([search('a', 120)], { groupBy: ['service'] }))).status).toBe(202);
    await app.settle();
    const where = async (id: string) => (await getIncident(app, id)).alerts.map((a) => `${a.labels.pod ?? a.labels.alertname}@${a.startsAt.slice(11, 16)}`).sort();
    await expect(where(group.id)).resolves.toEqual(['search-b@10:50', 'search-c@10:54']);
    await expect(where(older.id)).resolves.toEqual(['IndexerStuck@10:40', 'search-a@10:50', 'search-a@11:00']);

    // The page shows the same: pods b and c here, told apart by pod.
    await visit(page, `${app.url}/ui/incidents/${group.id}/review`);
    await expect(page.locator('.review-table tbody th').allTextContents()).resolves.toEqual(['SearchErrorspod=search-b', 'SearchErrorspod=search-c']);
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
