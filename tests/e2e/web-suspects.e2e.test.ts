/**
 * Suspects on the report editor in real Chromium: GitHub's published deployment_status (for the
 * repository the catalog maps to checkout) and a config change on a dependency precede an
 * alert. An editor, with text of their own still unsaved in "What happened", marks the config
 * change as the cause and dismisses the deploy; the panel shows both verdicts with who, the
 * typed text is still there, and the report (JSON, Markdown export, audit trail) carries them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allIncidentDetails } from '../support/api-helpers';
import { CHANGES_ENV, changeFixture, postChange, postGitHub } from '../support/change-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS } from './support/web-fixtures';

const DEPLOY = 'github:deployment:Codertocat/Hello-World:145988746';
const CONFIG = 'generic:changes:pool-200';

describe('web pages: suspects on the report editor', () => {
  let dir: string;
  let app: TestApp;
  let browser: Browser;
  let incidentId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-web-suspects-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, ['services:', '  - name: checkout', '    dependsOn: [orders]', '    repositories: [Codertocat/Hello-World]', '  - name: orders'].join('\n'));
    [app, browser] = await Promise.all([
      startTestApp({ env: { ...CHANGES_ENV, DEBRIEF_API_TOKENS: `admin:admin:${WEB_TOKENS.admin},erin:editor:${WEB_TOKENS.editor}`, DEBRIEF_CATALOG_FILE: catalog } }),
      launchBrowser(),
    ]);
    expect((await postGitHub(app, 'deployment_status', changeFixture('github-docs-deployment_status'))).status).toBe(202);
    expect((await postChange(app, { id: 'pool-200', service: 'orders', kind: 'config', summary: 'raise orders connection pool to 200', author: 'bob', time: '2019-05-15T14:45:00Z' })).status).toBe(202);
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: '2019-05-15T15:35:00.000Z' }]))).status).toBe(202);
    await app.settle();
    incidentId = (await allIncidentDetails(app))[0]!.id;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when an editor marks a suspect as the cause and dismisses another, then the page and the report say so, and unsaved text stays', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${incidentId}/report`);
    const section = page.locator('[data-section="what-happened"]');
    const panel = section.getByRole('group', { name: 'Suspects: changes before the first alert' });
    const suspect = (changeId: string) => panel.locator(`li[data-change-id="${changeId}"]`);
    await expect(panel.locator('li.suspect').evaluateAll((items) => items.map((li) => (li as unknown as { dataset: { changeId: string } }).dataset.changeId))).resolves.toEqual([DEPLOY, CONFIG]);
    await expect(suspect(DEPLOY).locator('.suspect-text').textContent()).resolves.toBe('deploy of checkout f95f852 (GitHub deployment by Codertocat) 14 min before the first alert, same service');
    // The suspects are in the panel, not repeated among the hints.
    await expect(section.locator('.hints li').allTextContents()).resolves.not.toContainEqual(expect.stringContaining('deploy of checkout'));
    await screenshot(page, 'report-suspects');

    const textarea = page.getByLabel('Your text for "What happened" (Markdown)');
    await textarea.fill('The orders pool change starved checkout of connections.');

    await suspect(CONFIG).getByRole('button', { name: 'This was the cause' }).click();
    await page.getByText('Marked as the cause.').waitFor();
    await expect(suspect(CONFIG).getAttribute('data-verdict')).resolves.toBe('cause');
    await expect(suspect(CONFIG).locator('.suspect-verdict').textContent()).resolves.toMatch(/^The cause marked by erin /);
    await suspect(DEPLOY).getByRole('button', { name: 'Dismiss' }).click();
    await page.getByText('Suspect dismissed.').waitFor();
    await expect(suspect(DEPLOY).locator('.suspect-verdict').textContent()).resolves.toMatch(/^Dismissed by erin /);
    await expect(suspect(DEPLOY).getByRole('button', { name: 'Undo dismiss' }).count()).resolves.toBe(1);
    await expect(textarea.inputValue()).resolves.toBe('The orders pool change starved checkout of connections.');
    await screenshot(page, 'report-suspects-verdicts');

    // Saving the text afterwards works with the ETag the verdicts left (no conflict).
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/^Saved \(version 1\)\.$/).waitFor();

    const report = (await app.api.get(`/api/v1/incidents/${incidentId}/report`)).data as { suspects: Array<{ changeId: string; verdict: string | null; by: string | null }>; sections: Array<{ id: string; text: string | null; hints: Array<{ source: string; changeId?: string }> }> };
    expect(report.suspects.map((s) => [s.changeId, s.verdict, s.by])).toEqual([[DEPLOY, 'dismissed', 'erin'], [CONFIG, 'cause', 'erin']]);
    const whatHappened = report.sections.find((s) => s.id === 'what-happened')!;
    expect(whatHappened.text).toBe('The orders pool change starved checkout of connections.');
    expect(whatHappened.hints.filter((h) => h.changeId).map((h) => [h.source, h.changeId])).toEqual([['cause, marked by erin', CONFIG]]);
    const markdown = (await app.api.get(`/api/v1/incidents/${incidentId}/report.md`)).data as string;
    const cause = markdown.indexOf('**Cause** (marked by erin');
    expect(cause).toBeGreaterThan(markdown.indexOf('## What happened'));
    expect(cause).toBeLessThan(markdown.indexOf('The orders pool change starved checkout'));
    const audit = (await app.api.get(`/api/v1/incidents/${incidentId}/report/audit`)).data as { items: Array<{ actor: string; changes: Array<{ path: string; to: unknown }> }> };
    expect(audit.items.flatMap((e) => e.changes.map((c) => [e.actor, c.path, c.to]))).toEqual([
      ['erin', `suspects.${CONFIG}`, 'cause'], ['erin', `suspects.${DEPLOY}`, 'dismissed'], ['erin', 'sections.what-happened', 'The orders pool change starved checkout of connections.'],
    ]);

    // After a reload the panel still shows the verdicts.
    await visit(page, `${app.url}/ui/incidents/${incidentId}/report`);
    await expect(suspect(CONFIG).getAttribute('data-verdict')).resolves.toBe('cause');
    await expect(suspect(DEPLOY).getAttribute('data-verdict')).resolves.toBe('dismissed');
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
