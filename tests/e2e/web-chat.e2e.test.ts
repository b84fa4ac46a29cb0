/**
 * Chat on the timeline in real Chromium: an editor imports a Slack thread (a loopback server
 * speaking Slack's Web API) from the incident page, sees the candidates with the ticked one
 * pre-selected, ticks another, and both appear on the timeline with their authors. A viewer
 * sees the candidates but cannot import or tick.
 */
import type { Browser } from 'playwright-core';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { SLACK_TOKEN, slackFixture, startSlackApiServer, type SlackApiServer, type SlackMessage } from '../support/slack-api-server';
import type { TestApp } from '../support/test-app';
import { axeViolations, formatViolations } from './support/axe';
import { launchBrowser, openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebApp } from './support/web-fixtures';

const CHANNEL = 'C0INCIDENT1';
const PARENT_TS = '1482960137.003543';

describe('web pages: chat on the timeline', () => {
  let app: TestApp;
  let browser: Browser;
  let slack: SlackApiServer;
  let incidentId: string;

  beforeAll(async () => {
    slack = await startSlackApiServer();
    const [parent, one, two, three] = slackFixture<{ messages: SlackMessage[] }>('conversations.replies').messages;
    slack.addChannel(CHANNEL, [parent!, one!, { ...two!, reactions: [{ name: 'white_check_mark', users: ['U061F7AUR'], count: 1 }] }, three!]);
    slack.addUser('U061F7AUR', 'Winston Zeddemore');
    [app, browser] = await Promise.all([startWebApp({ DEBRIEF_SLACK_BOT_TOKEN: SLACK_TOKEN, DEBRIEF_SLACK_API_URL: slack.apiUrl }), launchBrowser()]);
    const at = '2026-11-20T10:00:00.000Z';
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: at }]))).status).toBe(202);
    await app.settle();
    incidentId = (await listAllIncidents(app))[0]!.id;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await slack?.close();
  });

  it('when an editor imports a thread and ticks a message, then the ticked and pre-selected ones show on the timeline with their author', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${incidentId}`);
    const panel = page.getByRole('region', { name: 'Chat on the timeline' });
    await panel.getByText('No chat imported yet.').waitFor();
    await panel.getByLabel('Slack channel id').fill(CHANNEL);
    await panel.getByLabel('Thread (optional)').fill(PARENT_TS);
    await panel.getByRole('button', { name: 'Import from Slack' }).click();
    await panel.getByText('Read 4 messages, 4 new.').waitFor();
    const boxes = panel.getByRole('checkbox');
    await expect(boxes.count()).resolves.toBe(4);
    await expect(boxes.nth(2).isChecked()).resolves.toBe(true); // the ticked one came pre-selected
    await expect(boxes.nth(3).isChecked()).resolves.toBe(false);

    await boxes.nth(3).check();
    await panel.getByText('Kept on the timeline.').waitFor();
    const timeline = page.locator('ol.timeline');
    await timeline.getByText('three for the land').waitFor();
    await expect(timeline.locator('li', { hasText: 'two island' }).textContent()).resolves.toContain('Winston Zeddemore');
    await expect(timeline.locator('li', { hasText: 'three for the land' }).locator('a').getAttribute('href')).resolves.toContain(`/archives/${CHANNEL}/p1483125339020269`);
    await screenshot(page, 'incident-chat-kept');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
    await context.close();
  });

  it('when a viewer opens the incident, then the candidates show without a way to import or tick', async () => {
    const { page, context } = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(page, `${app.url}/ui/incidents/${incidentId}`);
    const panel = page.getByRole('region', { name: 'Chat on the timeline' });
    await panel.getByRole('checkbox').first().waitFor();
    await expect(panel.getByRole('button', { name: 'Import from Slack' }).count()).resolves.toBe(0);
    await expect(panel.getByRole('checkbox').first().isDisabled()).resolves.toBe(true);
    await context.close();
  });

  it('when the chat panel holds candidates, then axe finds no accessibility violation on the incident page', async () => {
    const { page, context } = await openPage(browser, { bypassCSP: true, token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${incidentId}`);
    await page.getByRole('region', { name: 'Chat on the timeline' }).getByRole('checkbox').first().waitFor();
    expect(formatViolations('incident page with chat', await axeViolations(page))).toBe('incident page with chat: no violations');
    await context.close();
  }, 60_000);
});
