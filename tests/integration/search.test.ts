import axios from 'axios';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { expectError, expectOk, listAllIncidents } from '../support/api-helpers';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * Search through HTTP: a post-mortem is published with its cause; a viewer finds it by a word of
 * that cause, with what matched, and the filters and refusals work as documented.
 */

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.stop();
});

type Page = { terms: string[]; items: Array<{ incident: { id: string; title: string }; matches: Array<{ part: string; ref: string; label: string; snippet: string; highlights: Array<{ start: number; end: number }> }> }>; nextCursor: string | null };

async function publish(id: string): Promise<void> {
  expectOk(await app.api.post(`/api/v1/incidents/${id}/action-items`, { title: 'Lint pool size in CI', owner: 'alice', dueDate: '2026-02-05' }), 201);
  const current = expectOk(await app.api.get(`/api/v1/incidents/${id}/report`)) as { etag: string };
  expectOk(await app.api.patch(`/api/v1/incidents/${id}/report`, {
    sections: { 'what-happened': 'A config push set the checkout connection pool to 1, so requests queued until they timed out.', fix: 'Rolled the config back.' },
    customerSummary: 'Some checkouts failed for ten minutes.',
  }, { headers: { 'If-Match': current.etag } }));
  expectOk(await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'in_review' }));
  expectOk(await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'published' }));
}

describe('GET /api/v1/search', () => {
  it('when a post-mortem is published, then a viewer finds it by a word of its cause, with what matched, and filters narrow it', async () => {
    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: '2026-02-02T08:00:00.000Z', endsAt: '2026-02-02T08:10:00.000Z' },
    ]))).status).toBe(202);
    expect((await app.postAlertmanager(alertmanagerBody([
      { labels: { alertname: 'SearchLatency', service: 'search', severity: 'warning' }, startsAt: '2026-02-03T08:00:00.000Z' },
    ]))).status).toBe(202);
    await app.settle();
    const checkout = (await listAllIncidents(app, { service: 'checkout' }))[0]!;
    await publish(checkout.id);

    const viewer = axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${VIEWER_TOKEN}` }, validateStatus: () => true });
    const page = expectOk(await viewer.get('/api/v1/search', { params: { q: 'queued timed' } })) as Page;
    expect(page.terms).toEqual(['queued', 'timed']);
    expect(page.items.map((item) => item.incident.id)).toEqual([checkout.id]);
    expect(page.items[0]!.matches).toEqual([expect.objectContaining({ part: 'section', ref: 'what-happened', label: 'What happened', snippet: expect.stringContaining('requests queued until they timed out') })]);
    const [match] = page.items[0]!.matches;
    expect(match!.highlights.map((h) => match!.snippet.slice(h.start, h.end))).toEqual(['queued', 'timed']);
    expect(match).not.toHaveProperty('text'); // the snippet, never the whole section

    // Words from different parts (an action item and the title's service) find it together.
    const across = expectOk(await viewer.get('/api/v1/search', { params: { q: 'lint checkout' } })) as Page;
    expect(across.items.map((item) => item.incident.id)).toEqual([checkout.id]);
    expect(across.items[0]!.matches.map((m) => m.part)).toEqual(expect.arrayContaining(['action-item']));

    expect((expectOk(await viewer.get('/api/v1/search', { params: { q: 'config', service: 'search' } })) as Page).items).toEqual([]);
    expect((expectOk(await viewer.get('/api/v1/search', { params: { q: 'config', severity: 'critical', status: 'resolved' } })) as Page).items).toHaveLength(1);
    expect((expectOk(await viewer.get('/api/v1/search', { params: { q: 'config', since: '2026-02-02T09:00:00Z' } })) as Page).items).toEqual([]);
    expect((expectOk(await viewer.get('/api/v1/search', { params: { q: 'config', until: '2026-02-02T09:00:00Z' } })) as Page).items).toHaveLength(1);
  });

  it('when the search is missing, holds no word, or a filter is malformed, then 400 names the field', async () => {
    expect(expectError(await app.api.get('/api/v1/search'), 400).details.map((d) => d.path)).toContain('query.q');
    expect(expectError(await app.api.get('/api/v1/search', { params: { q: 'the, of!' } }), 400).details).toEqual([{ path: 'query.q', message: expect.stringContaining('no word') }]);
    expect(expectError(await app.api.get('/api/v1/search', { params: { q: 'x', since: 'yesterday' } }), 400).details.map((d) => d.path)).toContain('query.since');
    expect(expectError(await app.api.get('/api/v1/search', { params: { q: 'x', limit: '1000' } }), 400).details.map((d) => d.path)).toContain('query.limit');
    expect(expectError(await app.api.get('/api/v1/search', { params: { q: 'x', status: 'gone' } }), 400).details.map((d) => d.path)).toContain('query.status');
    expect((await axios.get(`${app.url}/api/v1/search?q=x`, { validateStatus: () => true })).status).toBe(401);
  });
});
