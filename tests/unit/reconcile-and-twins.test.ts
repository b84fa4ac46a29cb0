import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerAlertGroupsSchema, pulledAlerts, reconciledGroupKey } from '../../connectors/alertmanager/alertmanager.pull';
import type { PagingChangeIdentity, PagingEvent } from '../../src/domain/paging-event';
import { findPagingTwin, twinTimeToKeep, type StoredPagingChange } from '../../src/domain/paging-twins';

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

describe('findPagingTwin (one change reported by webhook and by the REST API)', () => {
  const page = { id: 'P1', number: 1, title: 'T', url: null, status: null, urgency: null, priority: null, serviceId: null, serviceName: null, incidentKey: null };
  const event = (eventId: string, kind: string, occurredAt: string, identity: PagingChangeIdentity | undefined, actor: string | null = null): PagingEvent =>
    ({ instance: 'pd', source: 'pagerduty', eventId, kind, vendorType: kind, occurredAt, actor, text: '', page, ...(identity ? { identity } : {}) });
  const webhook = (objectId: string | null = null): PagingChangeIdentity => ({ channel: 'webhook', objectId });
  const rest = (objectId: string | null = null): PagingChangeIdentity => ({ channel: 'rest', objectId });
  const stored = (eventId: string, kind: string, occurredAt: string, identity: PagingChangeIdentity | null, actor: string | null = null): StoredPagingChange =>
    ({ eventId, kind, occurredAt, actor, channel: identity?.channel ?? null, objectId: identity?.objectId ?? null });

  it('when a webhook recorded the same change within 2 s, then the REST copy is its twin; further away, or another kind, it is not', () => {
    const ack = stored('01WEBHOOK', 'acknowledged', '2026-01-01T00:00:01.734Z', webhook());
    expect(findPagingTwin(event('log_entry:A', 'acknowledged', '2026-01-01T00:00:01.000Z', rest()), [ack])).toBe(ack);
    expect(findPagingTwin(event('log_entry:B', 'acknowledged', '2026-01-01T00:10:00.000Z', rest()), [ack])).toBeNull();
    expect(findPagingTwin(event('log_entry:C', 'resolved', '2026-01-01T00:00:01.000Z', rest()), [ack])).toBeNull();
  });

  it('when the REST copy came first, then the webhook event is the twin', () => {
    const fromRest = stored('log_entry:A', 'resolved', '2026-01-01T00:00:01.000Z', rest(), 'Ben');
    expect(findPagingTwin(event('01WEBHOOK', 'resolved', '2026-01-01T00:00:01.358Z', webhook(), 'Ben'), [fromRest])).toBe(fromRest);
  });

  it('when both name different actors, then they are two changes; when one names none (automation), then they are one', () => {
    const ack = stored('01WEBHOOK', 'acknowledged', '2026-01-01T00:00:00.100Z', webhook(), 'Maya');
    expect(findPagingTwin(event('log_entry:A', 'acknowledged', '2026-01-01T00:00:00Z', rest(), 'Ben'), [ack])).toBeNull();
    const trig = stored('01TRIG', 'triggered', '2026-01-01T00:00:00.431Z', webhook(), null);
    expect(findPagingTwin(event('log_entry:T', 'triggered', '2026-01-01T00:00:00Z', rest(), 'My Mail Service'), [trig])).toBe(trig);
  });

  it('when notes carry ids, then only the same note id is a twin, whatever the times and texts', () => {
    const note = stored('01NOTE', 'annotated', '2026-01-01T00:00:00.200Z', webhook('note:N1'));
    expect(findPagingTwin(event('note:N1', 'annotated', '2026-01-01T00:05:00Z', rest('note:N1')), [note])).toBe(note);
    expect(findPagingTwin(event('note:N2', 'annotated', '2026-01-01T00:00:00Z', rest('note:N2')), [note])).toBeNull();
  });

  it('when both come from the same channel, or the stored one has no identity, or the event has none, then there is no twin', () => {
    const esc = stored('log_entry:A', 'escalated', '2026-01-01T00:00:00.000Z', rest());
    const legacy = stored('01OLD', 'escalated', '2026-01-01T00:00:00.000Z', null);
    expect(findPagingTwin(event('log_entry:B', 'escalated', '2026-01-01T00:00:00Z', rest()), [esc, legacy])).toBeNull();
    expect(findPagingTwin(event('01ESC', 'escalated', '2026-01-01T00:00:00.100Z', undefined), [esc])).toBeNull();
  });

  it('when a stored event is already taken as a twin in this batch, then a second REST event at that time is kept', () => {
    const esc = stored('01ESC', 'escalated', '2026-01-01T00:00:00.500Z', webhook());
    expect(findPagingTwin(event('log_entry:D', 'escalated', '2026-01-01T00:00:00Z', rest()), [esc], new Set(['01ESC']))).toBeNull();
  });

  it('when the webhook copy of a change arrives after its REST copy, then the stored copy takes the webhook time; the other way round it keeps its own', () => {
    const fromRest = stored('log_entry:R', 'resolved', '2026-01-01T00:00:01Z', rest());
    expect(twinTimeToKeep(event('01WEBHOOK', 'resolved', '2026-01-01T00:00:01.358Z', webhook()), fromRest)).toBe('2026-01-01T00:00:01.358Z');
    const fromWebhook = stored('01WEBHOOK', 'resolved', '2026-01-01T00:00:01.358Z', webhook());
    expect(twinTimeToKeep(event('log_entry:R', 'resolved', '2026-01-01T00:00:01Z', rest()), fromWebhook)).toBeNull();
    // Same time already: nothing to write.
    expect(twinTimeToKeep(event('01WEBHOOK', 'resolved', '2026-01-01T00:00:01Z', webhook()), fromRest)).toBeNull();
  });
});
