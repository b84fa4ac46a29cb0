import { incidentDetailSchema } from '../../src/http/api-schemas';
import { DETAIL_ALERT_LIMIT } from '../../src/store/bounded-detail';
import { alertmanagerBody, minutesAfter, type AlertSpec } from '../support/alertmanager-bodies';
import { everyAlertOf, getIncident, listAllIncidents } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An incident larger than one read: a flapping group whose alerts fire again and again (each a
 * new firing), through the webhook, the inbox and the real store. The detail holds a sample and
 * says how many it left out; the timeline, impact list, report and picture count every firing
 * and say them once per alert name, as a person would write it; every alert can be paged.
 */
const T = '2026-11-01T14:00:00.000Z';
const at = (minutes: number) => minutesAfter(T, minutes);
const PODS = 40;
const ROUNDS = Math.ceil((DETAIL_ALERT_LIMIT + 200) / PODS);

describe('reading an incident larger than one read', () => {
  let app: TestApp;
  let id: string;
  const firings = PODS * ROUNDS;

  beforeAll(async () => {
    app = await startTestApp({ overrides: { correlation: { rules: [{ name: 'same-alertmanager-group', kind: 'group', windowMinutes: 60 }] } } });
    // Each round every pod's alert fires anew (a new startsAt) and the previous firing resolves.
    for (let round = 0; round < ROUNDS; round++) {
      const alerts: AlertSpec[] = [];
      for (let pod = 0; pod < PODS; pod++) {
        const labels = { alertname: 'HighErrorRate', service: 'checkout', pod: `checkout-${pod}`, severity: 'critical', cluster: 'eu-1' };
        if (round > 0) alerts.push({ labels, startsAt: at((round - 1) * 0.5), endsAt: at(round * 0.5 - 0.1) });
        alerts.push({ labels, startsAt: at(round * 0.5), ...(round === ROUNDS - 1 ? { endsAt: at(round * 0.5 + 0.2) } : {}) });
      }
      expect((await app.postAlertmanager(alertmanagerBody(alerts, { groupBy: ['alertname'] }))).status).toBe(202);
    }
    await app.settle();
    const incidents = await listAllIncidents(app);
    expect(incidents).toHaveLength(1);
    id = incidents[0]!.id;
  }, 120_000);
  afterAll(async () => { await app.stop(); });

  it('when the detail is read, then it holds a sample, says how many alerts it left out, and sums every firing in the timeline and impact', async () => {
    const detail = await getIncident(app, id) as unknown as { alerts: unknown[]; alertsOmitted: number; timeline: Array<{ kind: string; text: string; count?: number }>; impact: Array<{ alertCount: number }> };
    expect(() => incidentDetailSchema.parse(detail)).not.toThrow();
    expect(detail.alerts.length).toBeLessThanOrEqual(DETAIL_ALERT_LIMIT + 1);
    expect(detail.alerts.length + detail.alertsOmitted).toBe(firings);
    const fired = detail.timeline.filter((e) => e.kind === 'alert.fired');
    expect(fired).toEqual([expect.objectContaining({ count: firings, text: `HighErrorRate fired ${firings.toLocaleString('en-US')} times on checkout between 14:00 and ${at((ROUNDS - 1) * 0.5).slice(11, 16)} UTC` })]);
    expect(detail.timeline.filter((e) => e.kind === 'alert.resolved')).toEqual([expect.objectContaining({ count: firings, text: `HighErrorRate resolved on checkout: the last of its ${firings.toLocaleString('en-US')} firings ended` })]);
    expect(detail.impact).toEqual([expect.objectContaining({ service: 'checkout', alertCount: firings, ongoing: false })]);
  });

  it('when every alert is paged, then each firing comes once', async () => {
    const paged = await everyAlertOf(app, id);
    const seen = new Set(paged.map((a) => a.id));
    expect(seen.size).toBe(firings);
    // No alert on two pages.
    expect(paged).toHaveLength(firings);
    expect((await app.api.get('/api/v1/incidents/no-such-incident/alerts')).status).toBe(404);
  });

  it('when the report and the picture are drawn, then the repeated firings are one line and one bar', async () => {
    const md = await app.api.get(`/api/v1/incidents/${id}/report.md`);
    expect(md.status).toBe(200);
    expect(String(md.data)).toContain(`HighErrorRate fired ${firings.toLocaleString('en-US')} times on checkout`);
    // One timeline row (the hints name the first alert apart).
    expect(String(md.data).match(/\| HighErrorRate fired/g)).toHaveLength(1);
    const svg = await app.api.get(`/api/v1/incidents/${id}/timeline.svg`);
    expect(svg.status).toBe(200);
    expect(String(svg.data)).toContain(`HighErrorRate ×${firings.toLocaleString('en-US')}`);
  });
});
