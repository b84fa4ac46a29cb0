/**
 * "Create GitHub issue" on the report editor in real Chromium, against the loopback server that
 * speaks GitHub's REST protocol: an editor presses it on a saved action item; one issue is made
 * and the item then shows the issue's key and link instead of the button. The overdue page lists
 * an item past its due date under its owner, with no accessibility violation.
 */
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allIncidentDetails } from '../support/api-helpers';
import { GitHubIssuesServer } from '../support/github-issues-server';
import { startTestApp, type TestApp } from '../support/test-app';
import { axeViolations, formatViolations } from './support/axe';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS } from './support/web-fixtures';

const TOKEN = 'ghp_e2e-token-0123456789';

describe('web pages: action items in GitHub', () => {
  let github: GitHubIssuesServer;
  let app: TestApp;
  let browser: Browser;
  let incidentId: string;

  beforeAll(async () => {
    github = new GitHubIssuesServer('acme', 'api', TOKEN);
    await github.start();
    [app, browser] = await Promise.all([
      startTestApp({
        env: { DEBRIEF_API_TOKENS: `admin:admin:${WEB_TOKENS.admin},erin:editor:${WEB_TOKENS.editor}`, DEBRIEF_PUBLIC_URL: 'https://debrief.acme.example' },
        overrides: { trackers: { github: { baseUrl: github.url, token: TOKEN, repo: 'acme/api' }, reconcileSeconds: 0 } },
      }),
      launchBrowser(),
    ]);
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: '2026-03-01T10:00:00.000Z' }]))).status).toBe(202);
    await app.settle();
    incidentId = (await allIncidentDetails(app))[0]!.id;
    expect((await app.api.post(`/api/v1/incidents/${incidentId}/action-items`, { title: 'Alert on pool saturation', owner: 'erin' })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await github?.stop();
  });

  it('when an editor presses Create GitHub issue, then one issue is made and the item shows it', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${incidentId}/report`);
    const form = page.getByRole('form', { name: 'Action item: Alert on pool saturation' });
    await form.getByRole('button', { name: 'Create GitHub issue' }).click();
    await page.getByText('Issue created').first().waitFor();
    const issueLink = page.getByRole('link', { name: 'acme/api#1' });
    await issueLink.waitFor();
    await expect(issueLink.getAttribute('href')).resolves.toBe('https://github.com/acme/api/issues/1');
    await expect(page.getByRole('button', { name: 'Create GitHub issue' }).count()).resolves.toBe(0);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.body).toContain(`https://debrief.acme.example/ui/incidents/${incidentId}/report`);
    await screenshot(page, 'report-action-item-issue');
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('when an item is past its due date, then the overdue page counts it under its owner and lists it, and axe finds no violation', async () => {
    expect((await app.api.post(`/api/v1/incidents/${incidentId}/action-items`, { title: 'Rotate the pool credentials', owner: 'bob', dueDate: '2020-01-01' })).status).toBe(201);
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor, bypassCSP: true });
    await visit(page, `${app.url}/ui/incidents`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Action items' }).click();
    await page.getByRole('heading', { name: 'Overdue action items' }).waitFor();
    const table = page.getByRole('region', { name: 'Overdue per team and owner' });
    await table.waitFor();
    await expect(table.locator('tbody tr').allTextContents()).resolves.toEqual(['no team in the catalogbob1']);
    await expect(page.getByRole('link', { name: 'Rotate the pool credentials' }).getAttribute('href')).resolves.toBe(`/ui/incidents/${incidentId}/report`);
    expect(formatViolations('overdue page', await axeViolations(page))).toBe('overdue page: no violations');
    await screenshot(page, 'overdue-action-items');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
