import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectOk, listAllIncidents } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * "This happened before": a failure is published with its cause and an action item that is
 * still open and overdue; the same failure a week later gets a draft naming the first incident,
 * its cause, and the promise that did not stop it.
 */

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.stop();
});

type Report = { etag: string; sections: Array<{ id: string; hints: Array<{ source: string; text: string; url: string | null }> }> };
const FIRST = '2026-02-02T08:00:00.000Z';
const AGAIN = '2026-02-09T08:00:00.000Z';
const checkoutErrors = (startsAt: string, endsAt: string) => alertmanagerBody([
  { labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt, endsAt },
]);

async function publishFirst(id: string): Promise<void> {
  expectOk(await app.api.post(`/api/v1/incidents/${id}/action-items`, { title: 'Lint pool size in CI', owner: 'alice', dueDate: '2026-02-05', trackerUrl: 'https://tracker.example.invalid/OPS-1' }), 201);
  const current = expectOk(await app.api.get(`/api/v1/incidents/${id}/report`)) as Report;
  expectOk(await app.api.patch(`/api/v1/incidents/${id}/report`, {
    sections: { 'what-happened': 'A config push set the checkout connection pool to 1.', fix: 'Rolled the config back.' },
    customerSummary: 'Some checkouts failed for ten minutes.',
  }, { headers: { 'If-Match': current.etag } }));
  expectOk(await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'in_review' }));
  expectOk(await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'published' }));
}

describe('this happened before', () => {
  it('when a published failure recurs, then the second draft names the first incident, its cause and its overdue action item', async () => {
    expect((await app.postAlertmanager(checkoutErrors(FIRST, '2026-02-02T08:10:00.000Z'))).status).toBe(202);
    await app.settle();
    const [first] = await listAllIncidents(app);
    await publishFirst(first!.id);

    expect((await app.postAlertmanager(checkoutErrors(AGAIN, '2026-02-09T08:10:00.000Z'))).status).toBe(202);
    await app.settle();
    const incidents = await listAllIncidents(app);
    expect(incidents).toHaveLength(2);
    const second = incidents.find((i) => i.id !== first!.id)!;

    const report = expectOk(await app.api.get(`/api/v1/incidents/${second.id}/report`)) as Report;
    const hints = (id: string) => report.sections.find((s) => s.id === id)!.hints;
    expect(hints('what-happened')).toContainEqual({
      source: 'this happened before',
      text: `"${first!.title as string}" on 2026-02-02 also had CheckoutErrors on checkout. Its published cause: A config push set the checkout connection pool to 1.`,
      url: null,
    });
    expect(hints('prevention')[0]).toEqual({
      source: 'overdue promise from an earlier post-mortem',
      text: `"Lint pool size in CI" (open, due 2026-02-05, alice) from the post-mortem of "${first!.title as string}" did not stop this one.`,
      url: 'https://tracker.example.invalid/OPS-1',
    });
    const markdown = expectOk(await app.api.get(`/api/v1/incidents/${second.id}/report.md`)) as string;
    expect(markdown).toContain('did not stop this one');

    // The first incident's own draft names nothing before it.
    const firstReport = expectOk(await app.api.get(`/api/v1/incidents/${first!.id}/report`)) as Report;
    expect(firstReport.sections.flatMap((s) => s.hints).filter((h) => h.source === 'this happened before')).toEqual([]);
  });
});
