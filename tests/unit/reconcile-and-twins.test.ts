import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerAlertGroupsSchema, pulledAlerts, reconciledGroupKey } from '../../connectors/alertmanager/alertmanager.pull';
import type { PagingEvent } from '../../src/domain/paging-event';
import { withoutWebhookTwins, type StoredPagingEvent } from '../../src/integrations/pagerduty-enrichment';

const groups = alertmanagerAlertGroupsSchema.parse(
  JSON.parse(readFileSync(join(__dirname, '../../connectors/alertmanager/fixtures/api-v2/karma-mock-am-0.31.0-GET-alerts-groups.json'), 'utf8')),
);

describe('pulledAlerts (Alertmanager /api/v2/alerts/groups)', () => {
  it('when an alert is listed under two receivers, then it appears once, under the first group', () => {
    const { alerts, skipped } = pulledAlerts(groups, { instance: 'am' });
    expect(skipped).toEqual([]);
    expect(alerts).toHaveLength(12);
    expect(new Set(alerts.map((a) => a.observation.fingerprint)).size).toBe(12);
    expect(alerts.every((a) => a.receiver === 'by-name')).toBe(true);
    const server1 = alerts.find((a) => a.observation.fingerprint === '7013294faf5f854d')!;
    expect(server1).toMatchObject({ state: 'active', leaseEndsAt: '2026-03-11T12:54:18.427Z' });
    expect(server1.observation).toMatchObject({
      instance: 'am', status: 'firing', endsAt: null, startsAt: '2026-03-11T12:48:38.413Z', fingerprintComputed: false,
      sourceGroupKey: 'reconciled:by-name:{alertname="Host_Down"}', sourceGroupLabels: { alertname: 'Host_Down' },
    });
    expect(alerts.filter((a) => a.state === 'suppressed')).toHaveLength(4);
  });

  it('when receivers are named, then their groups come first', () => {
    const { alerts } = pulledAlerts(groups, { instance: 'am', receivers: ['by-cluster-service'] });
    expect(alerts.every((a) => a.receiver === 'by-cluster-service')).toBe(true);
    expect(alerts.find((a) => a.observation.fingerprint === '7013294faf5f854d')!.observation.sourceGroupKey)
      .toBe(reconciledGroupKey('by-cluster-service', { cluster: 'prod', alertname: 'Host_Down' }));
  });

  it('when an alert has no usable start time, then it is skipped with the reason', () => {
    const broken = [{ ...groups[0]!, alerts: [{ ...groups[0]!.alerts[0]!, startsAt: '0001-01-01T00:00:00Z' }] }];
    const { alerts, skipped } = pulledAlerts(broken, { instance: 'am' });
    expect(alerts).toEqual([]);
    expect(skipped).toEqual([{ fingerprint: 'aae7a1432b5d2f1b', reason: expect.stringContaining('not a start time') }]);
  });
});

describe('withoutWebhookTwins', () => {
  const page = { id: 'P1', number: 1, title: 'T', url: null, status: null, urgency: null, priority: null, serviceId: null, serviceName: null, incidentKey: null };
  const rest = (eventId: string, kind: string, occurredAt: string, text = ''): PagingEvent =>
    ({ instance: 'pd', source: 'pagerduty', eventId, kind, vendorType: kind, occurredAt, actor: null, text, page });
  const stored = (eventId: string, kind: string, occurredAt: string, text = ''): StoredPagingEvent => ({ eventId, kind, occurredAt, text });

  it('when a webhook recorded the same change within 2 s, then the REST copy is dropped; further away it is kept', () => {
    const incoming = [rest('log_entry:A', 'acknowledged', '2026-01-01T00:00:01.000Z'), rest('log_entry:B', 'acknowledged', '2026-01-01T00:10:00.000Z')];
    const out = withoutWebhookTwins(incoming, [stored('01WEBHOOK', 'pagerduty.acknowledged', '2026-01-01T00:00:01.734Z')]);
    expect(out.map((e) => e.eventId)).toEqual(['log_entry:B']);
  });

  it('when a webhook note was trimmed by PagerDuty, then the full REST note counts as its twin; another note at that time does not', () => {
    const trimmed = 'Restarted the primary […] (cut by PagerDuty; full text via the REST API)';
    const incoming = [
      rest('note:N1', 'annotated', '2026-01-01T00:00:00.000Z', 'Restarted the primary database and failed over the replica.'),
      rest('note:N2', 'annotated', '2026-01-01T00:00:00.000Z', 'Paged the DBA.'),
    ];
    const out = withoutWebhookTwins(incoming, [stored('01NOTE', 'pagerduty.annotated', '2026-01-01T00:00:00.200Z', trimmed)]);
    expect(out.map((e) => e.eventId)).toEqual(['note:N2']);
  });

  it('when an id is already stored, then it is dropped, and one webhook event is the twin of one REST event only', () => {
    const incoming = [rest('log_entry:A', 'escalated', '2026-01-01T00:00:00Z'), rest('log_entry:C', 'escalated', '2026-01-01T00:00:00Z'), rest('log_entry:D', 'escalated', '2026-01-01T00:00:00Z')];
    const out = withoutWebhookTwins(incoming, [stored('log_entry:A', 'pagerduty.escalated', '2026-01-01T00:00:00.000Z'), stored('01ESC', 'pagerduty.escalated', '2026-01-01T00:00:00.500Z')]);
    expect(out.map((e) => e.eventId)).toEqual(['log_entry:D']);
  });
});
