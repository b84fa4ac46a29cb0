import { alertmanagerBody, minutesAfter, type AlertSpec } from '../support/alertmanager-bodies';
import { allIncidentDetails } from '../support/api-helpers';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, sha256Hex } from '../support/pagerduty-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * A day-long outage replayed through both webhooks, in the order and with the times the sources
 * would send them. The database behind orders fails at 02:00: Alertmanager sends the critical
 * replication alert, PagerDuty pages on it (dedup key sha256_hex(groupKey), as Alertmanager's
 * PagerDuty notifier sets it), the alert resolves an hour later while the page stays open; the
 * responders work through the day, and at 16:00 a new symptom fires on the same database. The
 * page is resolved at 22:00. Meanwhile a chronic warning on search fires all day without a page,
 * and an unrelated search alert fires at 12:00.
 *
 * One outage is one incident: the late symptom joins the paged incident, with the page named in
 * its decision. A chronic warning without a page keeps nothing open: the search alert at 12:00
 * is an incident of its own.
 */

const T0 = '2026-11-20T02:00:00.000Z';
const at = (hours: number) => minutesAfter(T0, hours * 60);
const ORDERS_DB = { service: 'orders-db', cluster: 'eu-1', namespace: 'orders' };
const replication: AlertSpec = { labels: { alertname: 'PostgresReplicationBroken', severity: 'critical', ...ORDERS_DB }, startsAt: at(0) };
const queryErrors: AlertSpec = { labels: { alertname: 'PostgresQueryErrors', severity: 'warning', ...ORDERS_DB }, startsAt: at(14) };
const chronic: AlertSpec = { labels: { alertname: 'DiskSpaceLow', severity: 'warning', service: 'search', cluster: 'eu-1' }, startsAt: at(-1) };
const searchLatency: AlertSpec = { labels: { alertname: 'SearchLatencyHigh', severity: 'warning', service: 'search', cluster: 'eu-1' }, startsAt: at(10) };

const byAlertname = { groupBy: ['alertname', 'service'] };
const replicationGroup = alertmanagerBody([replication], byAlertname).groupKey;
const page = { id: 'PDAYLONG01', number: 9001, title: '[FIRING:1] PostgresReplicationBroken orders-db', incidentKey: sha256Hex(replicationGroup), serviceId: 'PORDDB1', serviceName: 'orders-db' };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET } });
  const am = async (alerts: AlertSpec[]) => expect((await app.postAlertmanager(alertmanagerBody(alerts, byAlertname))).status).toBe(202);
  const pd = async (id: string, type: string, hours: number, agent: string | null) =>
    expect((await postPagerDuty(app, pagerdutyV3Body(page, { id, type, occurredAt: at(hours), agent }), { webhookId: id })).status).toBe(202);

  await am([chronic]);
  await am([replication]);
  await pd('01HDAYLONG0TRIGGERED00001', 'incident.triggered', 0.05, null);
  await pd('01HDAYLONG0ACKNOWLEDGED02', 'incident.acknowledged', 0.1, 'Ana Oncall');
  await am([{ ...replication, endsAt: at(1) }]);
  await am([chronic]);
  await am([searchLatency]);
  await am([{ ...searchLatency, endsAt: at(10.5) }]);
  await am([chronic]);
  await am([queryErrors]);
  await am([{ ...queryErrors, endsAt: at(15) }]);
  await pd('01HDAYLONG0RESOLVED000003', 'incident.resolved', 20, 'Ana Oncall');
  await app.settle();
}, 60_000);
afterAll(async () => {
  await app.stop();
});

describe('a day-long outage with an open page', () => {
  it('when a new symptom fires on the paged database 14 h in, then it joins the outage, and the decision names the open page', async () => {
    const incidents = await allIncidentDetails(app);
    const outage = incidents.filter((i) => i.alerts.some((a) => a.labels.service === 'orders-db'));
    expect(outage).toHaveLength(1);
    const names = outage[0]!.alerts.map((a) => a.labels.alertname).sort();
    expect(names).toEqual(['PostgresQueryErrors', 'PostgresReplicationBroken']);
    const late = outage[0]!.alerts.find((a) => a.labels.alertname === 'PostgresQueryErrors')!;
    expect(late.decision.kind).toBe('rule');
    expect(late.decision.explanation).toContain('PDAYLONG01');
    expect(late.decision.explanation).toContain('is unresolved');
  });

  it('when a chronic warning fires all day without a page, then it keeps nothing open: the unrelated search alert is an incident of its own', async () => {
    const incidents = await allIncidentDetails(app);
    const chronicIncident = incidents.find((i) => i.alerts.some((a) => a.labels.alertname === 'DiskSpaceLow'))!;
    const latencyIncident = incidents.find((i) => i.alerts.some((a) => a.labels.alertname === 'SearchLatencyHigh'))!;
    expect(latencyIncident.id).not.toBe(chronicIncident.id);
    expect(latencyIncident.alerts.map((a) => a.labels.alertname)).toEqual(['SearchLatencyHigh']);
  });
});
