import { measureIncident } from '../../src/domain/incident-metrics';
import { alertmanagerBody, readFixture } from '../support/alertmanager-bodies';
import { allIncidentDetails, listAllIncidents } from '../support/api-helpers';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, sha256Hex, type EventSpec } from '../support/pagerduty-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * The end-to-end story of one outage told by both sources. Alertmanager sends the group
 * `{}/{severity="critical"}:{cluster="prod-eu-1", namespace="shop"}` to Debrief (the captured
 * bodies of a real Alertmanager 0.25). Its first notification spans two services: a short
 * billing alert (started first) and the checkout outage, which Debrief's default rules first
 * keep in two incidents, both holding the group's dedup key. From the same receiver Alertmanager
 * pages PagerDuty with dedup key sha256_hex(groupKey), and PagerDuty makes one incident of the whole
 * group: the responder handled one incident. PagerDuty then sends Debrief its V3 webhooks for it:
 * triggered, acknowledged, a note, resolved. The page joins the checkout part (most alerts of the
 * group) and the billing part is merged in, since the page speaks for its whole group; Debrief
 * must tell one story there.
 */

const first = readFixture('captured-000005'); // ManualAmtoolAlert (billing, resolved), 3× HighErrorRate, PodCrashLooping (checkout)
const later = readFixture('captured-000041'); // HighErrorRate resolved at 14:54:18.361
const GROUP_KEY = first.groupKey;
const DEDUP_KEY = sha256Hex(GROUP_KEY);

const page = { id: 'Q0RIUJ9K2NLX4P', number: 4711, title: '[FIRING:4] prod-eu-1 shop (critical)', incidentKey: DEDUP_KEY, serviceId: 'PCHK001', serviceName: 'Checkout' };
const pdEvents: EventSpec[] = [
  // Triggered by the Events API integration: PagerDuty sends no agent for it.
  { id: '01HSTORY0TRIGGERED00000001', type: 'incident.triggered', occurredAt: '2026-11-26T14:53:14.120Z', agent: null },
  { id: '01HSTORY0ACKNOWLEDGED00002', type: 'incident.acknowledged', occurredAt: '2026-11-26T14:53:40.250Z', agent: 'Maya Oncall', assignees: ['Maya Oncall'] },
  { id: '01HSTORY0ANNOTATED00000003', type: 'incident.annotated', occurredAt: '2026-11-26T14:54:05.002Z', agent: 'Maya Oncall', note: 'Rolled back checkout to v1.4.2; error rate back to normal.' },
  { id: '01HSTORY0RESOLVED000000004', type: 'incident.resolved', occurredAt: '2026-11-26T14:54:30.500Z', agent: 'Maya Oncall' },
];
/** PodCrashLooping, the last alert of the group, resolves after the page. */
const podResolved = alertmanagerBody(
  later.alerts.filter((a) => a.labels && (a.labels as Record<string, string>).alertname === 'PodCrashLooping').map((a) => ({
    labels: a.labels as Record<string, string>,
    annotations: a.annotations as Record<string, string>,
    startsAt: a.startsAt as string,
    endsAt: '2026-11-26T14:54:33.361Z',
    fingerprint: a.fingerprint as string,
  })),
  { groupKey: GROUP_KEY, receiver: later.receiver, groupBy: Object.keys(later.groupLabels) },
);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET } });
  // Deliveries in the order they would arrive; each source's own times decide the timeline.
  expect((await app.postAlertmanager(first)).status).toBe(202);
  expect((await postPagerDuty(app, pagerdutyV3Body(page, pdEvents[0]!), { webhookId: 'wh-1' })).status).toBe(202);
  expect((await postPagerDuty(app, pagerdutyV3Body(page, pdEvents[1]!), { webhookId: 'wh-2' })).status).toBe(202);
  expect((await postPagerDuty(app, pagerdutyV3Body(page, pdEvents[2]!), { webhookId: 'wh-3' })).status).toBe(202);
  expect((await app.postAlertmanager(later)).status).toBe(202);
  expect((await postPagerDuty(app, pagerdutyV3Body(page, pdEvents[3]!), { webhookId: 'wh-4' })).status).toBe(202);
  expect((await app.postAlertmanager(podResolved)).status).toBe(202);
  await app.settle();
});
afterAll(async () => {
  await app.stop();
});

/** The incident of the outage, with its timeline. */
async function checkout() {
  const found = (await allIncidentDetails(app)).filter((i) => i.services.includes('checkout'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('an Alertmanager group paged through PagerDuty', () => {
  it('when both sources report the outage, then the page joins the checkout part and the billing part of its group is merged in: one incident for one page', async () => {
    const incidents = await listAllIncidents(app);
    expect(incidents.map((i) => [i.services, i.alertCount, i.status])).toEqual([[['billing', 'checkout'], 5, 'resolved']]);
    const incident = await checkout();
    const audit = (await app.debrief.store.getIncidentAudit(incident.id))!;
    const decision = audit.find((e) => e.kind === 'correlation.decided' && e.data.pageId === page.id)!;
    expect(decision.text).toContain('2 incidents hold this key (the correlation rules split the group)');
    expect(decision.text).toContain('this one holds the most alerts of the group (4, the next 1)');
    const merged = incident.timeline.find((e) => e.kind === 'correlation.merged')!;
    expect(merged.text).toContain('covers its alerts too: they are in the same Alertmanager group');
    const detail = (await app.debrief.store.getIncident(incident.id))!;
    expect(detail.alerts.find((a) => a.labels.alertname === 'ManualAmtoolAlert')!.decision.rule).toBe('page-group-merge');
  });

  it('then its timeline interleaves alerts and PagerDuty events in event-time order', async () => {
    const incident = await checkout();
    const rows = incident!.timeline.map((e) => `${e.at} ${e.kind}`);
    const at = incident!.timeline.map((e) => e.at);
    expect(at).toEqual([...at].sort());
    expect(rows).toEqual([
      '2026-11-26T14:53:12.000Z alert.fired', // ManualAmtoolAlert (billing)
      '2026-11-26T14:53:13.361Z alert.fired', // HighErrorRate ×3
      '2026-11-26T14:53:13.361Z alert.fired',
      '2026-11-26T14:53:13.361Z alert.fired',
      '2026-11-26T14:53:14.120Z correlation.merged', // the page brings the billing part of its group
      '2026-11-26T14:53:14.120Z pagerduty.triggered',
      '2026-11-26T14:53:15.361Z alert.fired', // PodCrashLooping
      '2026-11-26T14:53:18.000Z alert.resolved', // ManualAmtoolAlert
      '2026-11-26T14:53:40.250Z pagerduty.acknowledged',
      '2026-11-26T14:54:05.002Z pagerduty.annotated',
      '2026-11-26T14:54:18.361Z alert.resolved', // HighErrorRate ×3
      '2026-11-26T14:54:18.361Z alert.resolved',
      '2026-11-26T14:54:18.361Z alert.resolved',
      '2026-11-26T14:54:30.500Z pagerduty.resolved',
      '2026-11-26T14:54:33.361Z alert.resolved', // PodCrashLooping
    ]);
    const pd = incident!.timeline.filter((e) => e.kind.startsWith('pagerduty.'));
    expect(pd.map((e) => [e.kind, (e as { actor: string | null }).actor, e.text])).toEqual([
      ['pagerduty.triggered', null, `Triggered: ${page.title}`],
      ['pagerduty.acknowledged', 'Maya Oncall', 'Acknowledged by Maya Oncall'],
      ['pagerduty.annotated', 'Maya Oncall', 'Rolled back checkout to v1.4.2; error rate back to normal.'],
      ['pagerduty.resolved', 'Maya Oncall', 'Resolved by Maya Oncall'],
    ]);
  });

  it('then the draft names who acknowledged and what resolved it', async () => {
    const incident = await checkout();
    const res = await app.api.get(`/api/v1/incidents/${incident!.id}/report.md`);
    expect(res.status).toBe(200);
    const md = res.data as string;
    expect(md).toContain('Acknowledged by Maya Oncall');
    const fix = md.slice(md.indexOf('What was done to fix it'), md.indexOf('How we will prevent this'));
    expect(fix).toContain('Rolled back checkout to v1.4.2; error rate back to normal.');
    expect(fix).toContain('Maya Oncall');
    expect(fix).toContain('Resolved by Maya Oncall');
  });

  it('then the acknowledgement and resolution give its response times', async () => {
    const listed = await checkout();
    const detail = await app.debrief.store.getIncident(listed!.id);
    const measures = measureIncident(detail!);
    // The group's first alert (billing) starts the incident.
    expect(measures.firstAlertAt).toBe('2026-11-26T14:53:12.000Z');
    expect(measures.acknowledgedAt).toBe('2026-11-26T14:53:40.250Z');
    expect(measures.timeToAcknowledgeMs).toBe(28_250);
    expect(measures.resolvedAt).toBe('2026-11-26T14:54:33.361Z');
    expect(measures.timeToResolveMs).toBe(81_361);
  });
});

describe('the drafted span of the paged outage', () => {
  it('then the report ends when the page was resolved, before the last alert, and says which signal set the end', async () => {
    const incident = await checkout();
    const res = await app.api.get(`/api/v1/incidents/${incident.id}/report`);
    expect(res.status).toBe(200);
    expect(res.data.summary).toMatchObject({
      endedAt: '2026-11-26T14:54:30.500Z', endSignal: 'page-resolved', lastAlertEndedAt: '2026-11-26T14:54:33.361Z',
      endNote: 'ended at 14:54 UTC when the page was resolved (the last alert resolved at 14:54 UTC)',
    });
    expect(res.data.impactWindow.endedAt).toMatchObject({ at: '2026-11-26T14:54:30.500Z', origin: 'machine-drafted', machineNote: res.data.summary.endNote });
    const md = (await app.api.get(`/api/v1/incidents/${incident.id}/report.md`)).data as string;
    expect(md).toContain('- **Ended:** 2026-11-26T14:54:30.500Z (ended at 14:54 UTC when the page was resolved');
    expect(md).toContain('- **Last alert ended:** 2026-11-26T14:54:33.361Z');
  });

  it('when a person records the mitigation, then it sets the drafted end, which the export and the picture follow', async () => {
    const incident = await checkout();
    const before = await app.api.get(`/api/v1/incidents/${incident.id}/report`);
    const patched = await app.api.patch(`/api/v1/incidents/${incident.id}/report`, { mitigatedAt: '2026-11-26T14:54:05.002Z' }, { headers: { 'If-Match': before.data.etag } });
    expect(patched.status).toBe(200);
    expect(patched.data.summary).toMatchObject({ endedAt: '2026-11-26T14:54:05.002Z', endSignal: 'mitigation', durationMs: 53_002 });
    expect(patched.data.summary.endNote).toBe('ended at 14:54 UTC when mitigation was recorded (the last alert resolved at 14:54 UTC)');
    const exported = await app.api.get(`/api/v1/incidents/${incident.id}/report.json`);
    expect(exported.data.report.impactWindow.endedAt.at).toBe('2026-11-26T14:54:05.002Z');
    expect(exported.data.timelinePicture.markers).toContainEqual(expect.objectContaining({ kind: 'resolved', at: '2026-11-26T14:54:05.002Z' }));
  });
});
