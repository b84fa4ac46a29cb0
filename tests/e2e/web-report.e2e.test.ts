/**
 * The report editor in real Chromium: an engineer completes a report with Markdown preview
 * and an action item, a publisher publishes it (first seeing the 422 reasons next to the
 * missing fields), version history shows the difference of a later edit; and a stale edit
 * shows the other person's change and lets the user merge.
 */
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/test-app';
import { openPage, screenshot, visit } from './support/browser';
import { WEB_TOKENS, startWebSuite, stopWebSuite, type SeededIncidents } from './support/web-fixtures';

// page.evaluate callbacks run in the browser; the tsconfig has no DOM lib.
declare const sessionStorage: any;

const textarea = (page: Page, sectionTitle: string) => page.getByLabel(`Your text for "${sectionTitle}" (Markdown)`);

describe('web pages: report editor', () => {
  let app: TestApp;
  let browser: Browser;
  let seeded: SeededIncidents;

  beforeAll(async () => {
    ({ app, browser, seeded } = await startWebSuite());
  });
  afterAll(() => stopWebSuite({ app, browser }));

  const reportOf = async (id: string) => (await app.api.get(`/api/v1/incidents/${id}/report`)).data as {
    status: string; version: number; etag: string; updatedBy: string | null; publishedBy: string | null;
    sections: Array<{ id: string; text: string | null; status: string }>; customerSummary: { text: string | null }; actionItems: Array<{ title: string; owner: string | null }>;
  };

  it('when an engineer completes the report and a publisher publishes it, then missing parts are named at their fields first and the published report holds the engineer\'s text', async () => {
    const engineer = await openPage(browser, { token: WEB_TOKENS.editor });
    const url = `${app.url}/ui/incidents/${seeded.checkout.id}/report`;
    await visit(engineer.page, url);
    await screenshot(engineer.page, 'report-editor');
    const { page } = engineer;

    // One time format on the page and in Debrief's drafted text and hints: never raw ISO.
    const drafted = (await page.locator('.machine-text, .hints li').allTextContents()).join('\n');
    expect(drafted).toContain('since 2026-11-20 10:00:00 UTC, still ongoing');
    expect(drafted).toContain('fired first, at 2026-11-20 10:00:00 UTC');
    expect(drafted).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    await expect(page.locator('[data-section="summary"] .facts time').first().textContent()).resolves.toBe('2026-11-20 10:00:00 UTC');

    // Cause, with a Markdown preview.
    await textarea(page, 'What happened').fill('A **config push** set the payment timeout to 50 ms.\n\n- retries piled up\n- checkout failed');
    const whatHappened = page.locator('[data-section="what-happened"]');
    await whatHappened.getByRole('button', { name: 'Show preview' }).click();
    await expect(whatHappened.locator('.md-preview strong').textContent()).resolves.toBe('config push');
    await expect(whatHappened.locator('.md-preview li').count()).resolves.toBe(2);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    await expect(whatHappened.locator('.section-head .badge').textContent()).resolves.toBe('Completed by a person');

    // The checklist follows the form: the cause is there, the fix is not; an empty fix cannot go to review.
    const checklist = page.locator('.checklist');
    await expect(checklist.locator('[data-requirement="sections.what-happened"]').getAttribute('data-done')).resolves.toBe('true');
    await expect(checklist.locator('[data-requirement="sections.fix"]').getAttribute('data-done')).resolves.toBe('false');
    await expect(checklist.locator('[data-requirement="customerSummary"]').textContent()).resolves.toContain('to publish');
    await screenshot(page, 'report-checklist');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const fixProblem = page.locator('[data-problem-for="sections.fix"]');
    await fixProblem.waitFor();
    await expect(fixProblem.textContent()).resolves.toContain('describe what was done to fix it');
    await expect(textarea(page, 'What was done to fix it').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('.banner-error').first().textContent()).resolves.toMatch(/cannot be submitted for review yet: one required part is missing.*What was done to fix it/s);
    await expect(page.locator('[data-problem-for="sections.what-happened"]').isHidden()).resolves.toBe(true);
    expect((await reportOf(seeded.checkout.id)).status).toBe('draft');
    await screenshot(page, 'report-submit-refused');

    await textarea(page, 'What was done to fix it').fill('Rolled the config back at 10:40.');
    await expect(checklist.locator('[data-requirement="sections.fix"]').getAttribute('data-done')).resolves.toBe('true');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('The report is now in review').waitFor();
    // An editor cannot publish, so the button is not there.
    await expect(page.locator('[data-transition="published"]').count()).resolves.toBe(0);

    // The publisher tries: every missing part is named next to its field, in the page's words.
    const publisher = await openPage(browser, { token: WEB_TOKENS.publisher });
    await visit(publisher.page, url);
    await publisher.page.getByRole('button', { name: 'Publish' }).click();
    await publisher.page.locator('dialog[open]').getByRole('button', { name: 'Publish' }).click();
    const summaryProblem = publisher.page.locator('[data-problem-for="customerSummary"]');
    await summaryProblem.waitFor();
    await expect(summaryProblem.textContent()).resolves.toContain('summary customers');
    const preventionProblem = await publisher.page.locator('[data-problem-for="actionItems"]').textContent();
    expect(preventionProblem).toContain('action item');
    expect(preventionProblem).toContain('"No action items needed because"');
    const errorTexts = (await publisher.page.locator('.banner-error, [data-problem-for]').allTextContents()).join('\n');
    expect(errorTexts).toContain('Customer summary: write the summary customers');
    expect(errorTexts).not.toMatch(/preventionNoneNeeded|customerSummary|sections\.|body\./);
    await expect(publisher.page.locator('[data-problem-for="sections.fix"]').isHidden()).resolves.toBe(true);
    await expect(publisher.page.getByLabel('Customer summary (Markdown)').getAttribute('aria-invalid')).resolves.toBe('true');
    await screenshot(publisher.page, 'report-publish-422');

    // The engineer completes the rest: a longer fix, customer summary, an action item.
    await textarea(page, 'What was done to fix it').fill('Rolled the config back at 10:40; payments recovered within two minutes.');
    await page.getByLabel('Customer summary (Markdown)').fill('Checkout failed for some customers for about 40 minutes.');
    await page.getByText('Add an action item').click();
    const add = page.getByRole('form', { name: 'New action item' });
    await add.getByLabel('Title').fill('Validate timeouts in config CI');
    await add.getByLabel('Owner').fill('payments-team');
    await add.getByLabel('Due date').fill('2026-12-15');
    await add.getByRole('button', { name: 'Add item' }).click();
    await page.getByRole('form', { name: 'Action item: Validate timeouts in config CI' }).waitFor();
    // No tracker is configured here: no "Create ... issue" button that could only fail.
    await expect(page.getByRole('form', { name: 'Action item: Validate timeouts in config CI' }).getByRole('button', { name: /^Create .* issue$/ }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    await screenshot(page, 'report-completed');

    // The publisher's page is stale now: it says so, shows the current report, then publishes.
    await publisher.page.getByRole('button', { name: 'Publish' }).click();
    await publisher.page.locator('dialog[open]').getByRole('button', { name: 'Publish' }).click();
    await publisher.page.getByText('erin changed the report while you had it open').waitFor();
    await expect(textarea(publisher.page, 'What was done to fix it').inputValue()).resolves.toContain('Rolled the config back');
    await publisher.page.getByRole('button', { name: 'Publish' }).click();
    await publisher.page.locator('dialog[open]').getByRole('button', { name: 'Publish' }).click();
    await publisher.page.getByText('The report is now published (version 1).').waitFor();
    await expect(publisher.page.locator('.page-head').textContent()).resolves.toMatch(/Published.*published by pat/s);
    // Published and frozen: a document, no boxes, no waiver; only "Start a new version".
    await publisher.page.locator('[data-frozen]').waitFor();
    await expect(publisher.page.locator('main textarea, main input, main select, [data-action="save"]').count()).resolves.toBe(0);
    await expect(publisher.page.getByText('Waive the post-mortem').count()).resolves.toBe(0);
    await expect(publisher.page.locator('.checklist').count()).resolves.toBe(0);
    await expect(publisher.page.locator('[data-section="what-happened"] .md-rendered strong').textContent()).resolves.toBe('config push');
    await expect(publisher.page.locator('[data-transition]').allTextContents()).resolves.toEqual(['Start a new version']);
    await screenshot(publisher.page, 'report-published');

    const published = await reportOf(seeded.checkout.id);
    expect(published).toMatchObject({ status: 'published', version: 1, publishedBy: 'pat' });
    expect(published.sections.find((s) => s.id === 'what-happened')?.text).toContain('**config push**');
    expect(published.customerSummary.text).toBe('Checkout failed for some customers for about 40 minutes.');
    expect(published.actionItems).toEqual([expect.objectContaining({ title: 'Validate timeouts in config CI', owner: 'payments-team' })]);

    // The incident list filters by report status.
    await visit(page, `${app.url}/ui/incidents?report=published`);
    await expect(page.locator('.incidents-table tbody tr').count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-id="${seeded.checkout.id}"]`).textContent()).resolves.toContain('Published v1');

    // A later edit starts version 2 from the published document; the history shows what changed.
    await visit(page, url);
    await expect(page.locator('main textarea').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Start a new version' }).click();
    await page.getByText('The report is now draft (version 2).').waitFor();
    await page.getByLabel('Customer summary (Markdown)').fill('Checkout failed for some customers for 38 minutes.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved (version 2).').waitFor();
    const diff = page.locator('.diff-out');
    await diff.locator('del', { hasText: 'about 40 minutes' }).waitFor();
    await expect(diff.locator('ins', { hasText: 'for 38 minutes' }).count()).resolves.toBe(1);
    await expect(page.locator('.versions').textContent()).resolves.toMatch(/Version 1: Published by pat.*Version 2: Draft \(current\)/s);
    await screenshot(page, 'report-history');

    // The list says both: what is published and what is being written.
    await visit(page, `${app.url}/ui/incidents?report=published`);
    await expect(page.locator(`tr[data-id="${seeded.checkout.id}"] [data-report-state]`).textContent()).resolves.toBe('Published v1, draft v2 in progress');
    await visit(page, `${app.url}/ui/incidents?report=draft`);
    await expect(page.locator(`tr[data-id="${seeded.checkout.id}"]`).count()).resolves.toBe(1);

    for (const p of [engineer, publisher]) {
      expect(p.problems.dialogs).toEqual([]);
      expect(p.problems.pageErrors).toEqual([]);
      await p.context.close();
    }
  }, 60_000);

  it('when someone else saved the report meanwhile, then saving shows their change beside mine, and keeping mine saves it on top of theirs', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${seeded.cart.id}/report`);

    // pat saves first, through the API.
    const before = await reportOf(seeded.cart.id);
    const patched = await app.api.patch(`/api/v1/incidents/${seeded.cart.id}/report`, {
      sections: { fix: 'Theirs: restarted the cart pods.' }, customerSummary: 'The cart was unavailable for a short time.',
    }, { headers: { Authorization: `Bearer ${WEB_TOKENS.publisher}`, 'If-Match': before.etag } });
    expect(patched.status).toBe(200);

    await textarea(page, 'What was done to fix it').fill('Mine: rolled back release 42.');
    await textarea(page, 'What happened').fill('A bad release.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const panel = page.locator('section.conflict');
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toMatch(/Someone else changed this report.*pat saved version 1/s);
    const field = panel.locator('[data-conflict-field="sections.fix"]');
    await expect(field.locator('[data-side="theirs"]').textContent()).resolves.toBe('Theirs: restarted the cart pods.');
    await expect(field.locator('[data-side="mine"]').textContent()).resolves.toBe('Mine: rolled back release 42.');
    // Only one field clashed; pat's customer summary (untouched here) is taken into the form.
    await expect(panel.locator('fieldset.conflict-field').count()).resolves.toBe(1);
    await expect(page.getByLabel('Customer summary (Markdown)').inputValue()).resolves.toBe('The cart was unavailable for a short time.');
    await screenshot(page, 'report-conflict');

    await field.getByLabel('Keep mine').check();
    await panel.getByRole('button', { name: 'Save merged version' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    await expect(page.locator('section.conflict').count()).resolves.toBe(0);

    const merged = await reportOf(seeded.cart.id);
    expect(merged.sections.find((s) => s.id === 'fix')?.text).toBe('Mine: rolled back release 42.');
    expect(merged.sections.find((s) => s.id === 'what-happened')?.text).toBe('A bad release.');
    expect(merged.customerSummary.text).toBe('The cart was unavailable for a short time.');
    expect(merged.updatedBy).toBe('erin');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when an editor adds a timeline note on the incident page and corrects it, then the note sits between the alert entries', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${seeded.checkout.id}`);
    await page.getByText('Add a timeline note').click();
    const add = page.locator('details.add-note');
    await add.getByLabel('Time').fill('2026-11-20T10:03');
    await add.getByLabel('Note (Markdown)').fill('Paged the **payments** on-call');
    await add.getByRole('button', { name: 'Add note' }).click();
    const note = page.locator('.tl-human');
    await note.waitFor();
    await expect(note.locator('strong').textContent()).resolves.toBe('payments');
    // Sorted by time among the machine entries: after 10:02, before 10:04 (browser local time = the input's zone).
    const texts = await page.locator('.timeline .tl-text').allTextContents();
    const at = texts.findIndex((t) => t.includes('Paged the payments'));
    expect(texts[at - 1]).toContain('CheckoutLatencyHigh fired');
    expect(texts[at + 1]).toContain('NodeDiskFilling fired');

    await note.getByRole('button', { name: /^Edit note/ }).click();
    await page.locator('.tl-edit').getByLabel('Note (Markdown)').fill('Paged the payments on-call (Sam)');
    await page.locator('.tl-edit').getByRole('button', { name: 'Save note' }).click();
    await page.locator('.tl-human', { hasText: 'Paged the payments on-call (Sam)' }).waitFor();
    await screenshot(page, 'incident-timeline-note');
    const timeline = (await reportOf(seeded.checkout.id) as unknown as { timeline: Array<{ origin: string; text: string; actor: string | null }> }).timeline;
    expect(timeline.filter((e) => e.origin === 'human-completed')).toEqual([expect.objectContaining({ text: 'Paged the payments on-call (Sam)' })]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
  it('when an editor hides a machine entry with a reason and corrects another, then the report leaves it out, and the page refreshes itself without losing an open edit', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${seeded.checkout.id}`);
    await page.evaluate(() => { (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true; });

    await page.locator('.tl-machine', { hasText: 'NodeDiskFilling fired' }).getByRole('button', { name: /^Hide entry/ }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByLabel('Reason').fill('belongs to the node incident');
    await dialog.getByRole('button', { name: 'Hide entry', exact: true }).click();
    await page.locator('.tl-machine', { hasText: 'NodeDiskFilling fired' }).waitFor({ state: 'detached' });
    const hidden = page.locator('details.hidden-entries');
    await hidden.locator('summary').click();
    await expect(hidden.textContent()).resolves.toContain('hidden by erin: belongs to the node incident');

    await page.locator('.tl-machine', { hasText: 'CheckoutLatencyHigh fired' }).getByRole('button', { name: /^Correct entry/ }).click();
    await page.locator('.tl-edit').getByLabel('Text (Markdown)').fill('Latency alert fired (p99 above 2s)');
    await page.locator('.tl-edit').getByRole('button', { name: 'Save correction' }).click();
    const corrected = page.locator('.tl-machine', { hasText: 'Latency alert fired (p99 above 2s)' });
    await corrected.waitFor();
    await expect(corrected.textContent()).resolves.toContain('corrected by erin');
    await screenshot(page, 'incident-timeline-corrections');

    const report = await reportOf(seeded.checkout.id) as unknown as {
      timeline: Array<{ id: string; text: string; editedBy: string | null }>; hiddenTimeline: Array<{ id: string; text: string; hidden: { reason: string; by: string } }>;
    };
    expect(report.hiddenTimeline).toEqual([expect.objectContaining({ hidden: expect.objectContaining({ reason: 'belongs to the node incident', by: 'erin' }) })]);
    expect(report.hiddenTimeline[0]!.text).toContain('NodeDiskFilling');
    expect(report.timeline.map((e) => e.text).join('\n')).not.toContain('NodeDiskFilling fired');
    expect(report.timeline.find((e) => e.text === 'Latency alert fired (p99 above 2s)')?.editedBy).toBe('erin');

    // Live: a note someone adds elsewhere waits while a correction form is open, then appears without a reload.
    await page.locator('.tl-machine', { hasText: 'CheckoutHighErrorRate fired' }).getByRole('button', { name: /^Correct entry/ }).click();
    await page.locator('.tl-edit').getByLabel('Text (Markdown)').fill('Half-typed correction');
    const current = await reportOf(seeded.checkout.id);
    const added = await app.api.patch(`/api/v1/incidents/${seeded.checkout.id}/report`, { timeline: { add: [{ at: '2026-11-20T10:05:00.000Z', text: 'Status page updated' }] } },
      { headers: { Authorization: `Bearer ${WEB_TOKENS.publisher}`, 'If-Match': current.etag } });
    expect(added.status).toBe(200);
    await page.getByText('Live: paused while you edit').waitFor({ timeout: 15_000 });
    await expect(page.locator('.tl-edit').getByLabel('Text (Markdown)').inputValue()).resolves.toBe('Half-typed correction');
    await expect(page.locator('.tl-human', { hasText: 'Status page updated' }).count()).resolves.toBe(0);
    await page.locator('.tl-edit').getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.tl-human', { hasText: 'Status page updated' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when an editor waives the post-mortem with a reason, then the page and the incident list say so, unsaved text stays, and it can be requested again', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    await visit(page, `${app.url}/ui/incidents/${seeded.cart.id}/report`);
    const status = page.locator('[data-postmortem]');
    await expect(status.getAttribute('data-postmortem')).resolves.toBe('required');
    await textarea(page, 'What happened').fill('Unsaved: the cart database failed over.');

    await page.locator('details.waive summary').click();
    await expect(page.getByLabel('Reason for waiving').getAttribute('required')).resolves.not.toBeNull();
    await page.getByLabel('Reason for waiving').fill('Synthetic check outage, no customer traffic');
    await page.getByRole('button', { name: 'Waive post-mortem' }).click();
    await page.getByText('Post-mortem waived.').waitFor();
    await expect(status.textContent()).resolves.toContain('waived by erin: Synthetic check outage, no customer traffic');
    await expect(status.getAttribute('data-postmortem')).resolves.toBe('not-required');
    await screenshot(page, 'report-postmortem-waived');
    expect((await reportOf(seeded.cart.id) as unknown as { postmortem: { required: boolean; waived: { by: string } | null } }).postmortem)
      .toMatchObject({ required: false, waived: { by: 'erin' } });
    const listed = (await app.api.get('/api/v1/incidents')).data.items as Array<{ id: string; postmortem: { required: boolean; reason: string } }>;
    expect(listed.find((i) => i.id === seeded.cart.id)?.postmortem).toEqual({ required: false, reason: 'waived by erin: Synthetic check outage, no customer traffic' });
    // The incident list has a state and a filter of its own for waived post-mortems.
    const list = await openPage(browser, { token: WEB_TOKENS.viewer });
    await visit(list.page, `${app.url}/ui/incidents?report=waived`);
    await expect(list.page.locator('.incidents-table tbody tr').count()).resolves.toBe(1);
    await expect(list.page.locator(`tr[data-id="${seeded.cart.id}"] [data-report-state="waived"]`).textContent()).resolves.toBe('Waived');
    await visit(list.page, `${app.url}/ui/incidents?report=draft`);
    await expect(list.page.locator(`tr[data-id="${seeded.cart.id}"]`).count()).resolves.toBe(0);
    await list.context.close();

    // The waiver did not touch the text being written; it saves on top without a conflict.
    await expect(textarea(page, 'What happened').inputValue()).resolves.toBe('Unsaved: the cart database failed over.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    expect((await reportOf(seeded.cart.id)).sections.find((s) => s.id === 'what-happened')?.text).toBe('Unsaved: the cart database failed over.');

    await page.getByRole('button', { name: 'Request a post-mortem' }).click();
    await page.getByText('Post-mortem requested.').waitFor();
    await expect(status.getAttribute('data-postmortem')).resolves.toBe('required');
    await expect(status.textContent()).resolves.toContain('requested by erin');
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
  it('when an engineer types without saving, then the text survives a reload and the timeline link, and restored onto a report someone changed it shows the conflict', async () => {
    const { page, context, problems } = await openPage(browser, { token: WEB_TOKENS.editor });
    const url = `${app.url}/ui/incidents/${seeded.cart.id}/report`;
    const autosaveOf = () => page.evaluate(async (id) => {
      const res = await fetch(`/api/v1/incidents/${id}/report/autosave`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('debrief.apiToken')}` } });
      return ((await res.json()) as { autosave: { fields: Record<string, { value: string }> } | null }).autosave;
    }, seeded.cart.id);
    await visit(page, url);
    const before = await reportOf(seeded.cart.id);
    const typed = 'Typed, not saved: failed the cart database over.';
    await textarea(page, 'What was done to fix it').fill(typed);
    await page.locator('[data-autosave]', { hasText: 'kept as your draft' }).first().waitFor();
    expect((await autosaveOf())?.fields['sections.fix']?.value).toBe(typed);

    // A reload brings it back, unsaved: the report itself has not changed.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.locator('[data-autosave-restored]').waitFor();
    await expect(textarea(page, 'What was done to fix it').inputValue()).resolves.toBe(typed);
    await expect(page.locator('.toolbar [data-save-state]').textContent()).resolves.toContain('Unsaved changes (1)');
    expect((await reportOf(seeded.cart.id)).etag).toBe(before.etag);
    await screenshot(page, 'report-autosave-restored');

    // Following the editor's own link to the incident page right after typing keeps the text too.
    await page.getByLabel('Customer summary (Markdown)').fill('The cart was down for a while.');
    await page.getByRole('link', { name: 'See and edit the timeline on the incident page' }).click();
    await page.waitForURL(`${app.url}/ui/incidents/${seeded.cart.id}`);
    await visit(page, url);
    await expect(textarea(page, 'What was done to fix it').inputValue()).resolves.toBe(typed);
    await expect(page.getByLabel('Customer summary (Markdown)').inputValue()).resolves.toBe('The cart was down for a while.');

    // Pat saves the fix meanwhile. Coming back shows the conflict instead of overwriting Pat's text.
    await page.locator('[data-autosave]', { hasText: 'kept as your draft' }).first().waitFor();
    const current = await reportOf(seeded.cart.id);
    expect((await app.api.patch(`/api/v1/incidents/${seeded.cart.id}/report`, { sections: { fix: 'Pat: restarted the cart pods.' } },
      { headers: { Authorization: `Bearer ${WEB_TOKENS.publisher}`, 'If-Match': current.etag } })).status).toBe(200);
    await visit(page, url);
    const panel = page.locator('section.conflict');
    await panel.waitFor();
    const clash = panel.locator('[data-conflict-field="sections.fix"]');
    await expect(clash.locator('[data-side="theirs"]').textContent()).resolves.toBe('Pat: restarted the cart pods.');
    await expect(clash.locator('[data-side="mine"]').textContent()).resolves.toBe(typed);
    await expect(panel.locator('fieldset.conflict-field').count()).resolves.toBe(1);
    await expect(page.getByLabel('Customer summary (Markdown)').inputValue()).resolves.toBe('The cart was down for a while.');
    expect((await reportOf(seeded.cart.id)).sections.find((sec) => sec.id === 'fix')?.text).toBe('Pat: restarted the cart pods.');
    await screenshot(page, 'report-autosave-conflict');

    // On a phone the save button is at the bottom of the screen too; saving forgets the autosave.
    await clash.getByLabel('Take theirs').check();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.mouse.wheel(0, 1500);
    const bottomSave = page.locator('.save-bar [data-action="save"]');
    await bottomSave.waitFor();
    const box = await bottomSave.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
    expect(box!.y).toBeGreaterThan(600);
    await screenshot(page, 'report-phone-save-bar');
    await panel.getByRole('button', { name: 'Save merged version' }).click();
    await page.getByText('Saved (version 1).').waitFor();
    const saved = await reportOf(seeded.cart.id);
    expect(saved.sections.find((sec) => sec.id === 'fix')?.text).toBe('Pat: restarted the cart pods.');
    expect(saved.customerSummary.text).toBe('The cart was down for a while.');
    await page.waitForFunction(async (id) => {
      const res = await fetch(`/api/v1/incidents/${id}/report/autosave`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('debrief.apiToken')}` } });
      return ((await res.json()) as { autosave: unknown }).autosave === null;
    }, seeded.cart.id);
    expect(problems.dialogs).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
