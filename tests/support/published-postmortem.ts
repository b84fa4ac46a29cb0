import { alertmanagerBody, minutesAfter } from './alertmanager-bodies';
import { listAllIncidents } from './api-helpers';
import type { TestApp } from './test-app';

/**
 * An incident from one Alertmanager firing, with one prevention action item, whose post-mortem
 * is completed and published: what the follow-through starts from. Returns the incident's id.
 */
export async function publishedPostmortem(app: TestApp, itemTitle: string, startsAt = '2026-03-01T10:00:00.000Z'): Promise<string> {
  const body = alertmanagerBody([
    { labels: { alertname: 'CheckoutErrors', service: 'checkout', cluster: 'eu-1', severity: 'critical' }, startsAt, endsAt: minutesAfter(startsAt, 30) },
  ], { groupBy: ['cluster'] });
  expect((await app.postAlertmanager(body)).status).toBe(202);
  await app.settle();
  const incidentId = (await listAllIncidents(app))[0]!.id;
  expect((await app.api.post(`/api/v1/incidents/${incidentId}/action-items`, { title: itemTitle, owner: 'alice', dueDate: '2026-03-20' })).status).toBe(201);
  const current = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
  const patch = await app.api.patch(`/api/v1/incidents/${incidentId}/report`, {
    sections: { 'what-happened': 'A migration exhausted connections.', fix: 'Rolled back the migration.' },
    customerSummary: 'Some checkout requests failed for about 30 minutes.',
  }, { headers: { 'If-Match': current.headers.etag } });
  expect(patch.status).toBe(200);
  expect((await app.api.post(`/api/v1/incidents/${incidentId}/report/transitions`, { to: 'in_review' })).status).toBe(200);
  expect((await app.api.post(`/api/v1/incidents/${incidentId}/report/transitions`, { to: 'published' })).status).toBe(200);
  return incidentId;
}
