import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { alertDedupKey, sha256Hex } from '../../src/domain/correlation/correlation-keys';
import { createCorrelator, type IncidentCandidate, type KeyActivity } from '../../src/domain/correlation/correlator';
import { makeIncident } from '../support/domain-builders';
import { at, Harness, pagingEvent, SERVICE_LABELS } from '../support/correlation-harness';

/*
 * One Alertmanager group split into several Debrief incidents (the rules keep services apart)
 * means several incidents hold the page's dedup key. Which one the page joins: the one on the
 * page's mapped catalog service, else the one with the most alerts of the group, else the
 * nearest / earliest started; the decision text says why.
 */

const GROUP = '{}/{severity="critical"}:{cluster="prod-eu-1", namespace="shop"}';
const DEDUP = sha256Hex(GROUP);
const correlator = createCorrelator({
  serviceLabels: SERVICE_LABELS,
  catalog: ServiceCatalog.create([{ name: 'checkout', pagerdutyServices: ['PCHK'] }, { name: 'billing', pagerdutyServices: ['PBILL'] }, { name: 'search' }]),
});

/** An incident on `service` started at `start` minutes, holding `alerts` firing alerts of the group. */
function candidate(id: string, service: string, start: number, alerts: number): IncidentCandidate {
  const activity: KeyActivity = { key: alertDedupKey(GROUP), firstAt: at(start), lastAt: at(start), activeUntil: at(start), firing: alerts, holders: alerts, depth: 0 };
  return {
    incident: makeIncident({ id, services: [service], startedAt: at(start), lastActivityAt: at(start), endedAt: null, status: 'open', alertCount: alerts }),
    keys: [activity], origin: 'rule', humanPlaced: false, fencedWith: [],
  };
}

const page = (serviceId: string, serviceName: string) => pagingEvent({ eventId: 'E1', kind: 'triggered', at: 2, incidentKey: DEDUP, serviceId, serviceName });

describe('decidePaging when several incidents hold the page\'s dedup key', () => {
  const billing = candidate('inc-billing', 'billing', 0, 3); // started first, most alerts
  const checkout = candidate('inc-checkout', 'checkout', 1, 1);

  it('when the page\'s PagerDuty service maps to a catalog service one of them is on, then it joins that one and says so', () => {
    const p = correlator.decidePaging(page('PCHK', 'Checkout'), [billing, checkout], at(3));
    expect(p).toMatchObject({ action: 'join', incidentId: 'inc-checkout', rule: 'pagerduty-dedup-key' });
    expect(p.explanation).toContain('2 incidents hold this key (the correlation rules split the group); this one is on catalog service "checkout", which its PagerDuty service "Checkout" maps to.');
  });

  it('when the page\'s service maps to none of their services, then it joins the one with the most alerts of the group', () => {
    const p = correlator.decidePaging(page('PSEARCH', 'Search'), [checkout, candidate('inc-billing', 'billing', 1, 3)], at(3));
    expect(p).toMatchObject({ action: 'join', incidentId: 'inc-billing' });
    expect(p.explanation).toContain('its PagerDuty service maps to no catalog service; this one holds the most alerts of the group (3, the next 1).');
  });

  it('when they are alike on service and alerts, then it joins the nearest in time (the onsets 1 and 2 min before the page), and says it was a tie', () => {
    const a = candidate('inc-a', 'search', 0, 2);
    const b = candidate('inc-b', 'search', 1, 2);
    const p = correlator.decidePaging(page('PBILL', 'Billing'), [b, a], at(3));
    expect(p).toMatchObject({ action: 'join', incidentId: 'inc-b' });
    expect(p.explanation).toContain('none of them is on catalog service "billing"');
    expect(p.explanation).toContain('2 hold as many alerts of the group (2), so it joined the nearest in time, then the earliest started.');
  });

  it('when only one incident holds the key, then the decision text has no comparison', () => {
    const p = correlator.decidePaging(page('PCHK', 'Checkout'), [billing], at(3));
    expect(p).toMatchObject({ action: 'join', incidentId: 'inc-billing' });
    expect(p.explanation).not.toContain('incidents hold this key');
  });
});

describe('a split Alertmanager group paged through PagerDuty (through the store)', () => {
  const services = [{ name: 'checkout', pagerdutyServices: ['PCHK'] }, { name: 'billing' }];
  const recordGroup = (h: Harness) => h.record(
    { name: 'HighErrorRate', service: 'billing', start: 0, group: GROUP },
    { name: 'HighLatency', service: 'billing', start: 0, group: GROUP },
    { name: 'HighErrorRate', service: 'checkout', start: 1, group: GROUP },
  );

  it('when the group\'s alerts of checkout and billing went to two incidents, then the checkout page joins the checkout one and the billing part is merged in: the page speaks for its whole group', async () => {
    const h = await Harness.open({ services });
    try {
      const alerts = await recordGroup(h);
      const byService = (s: string) => alerts.find((a) => a.labels.service === s)!.incidentId;
      expect(byService('billing')).not.toBe(byService('checkout'));
      const r = await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 2, incidentKey: DEDUP, serviceId: 'PCHK', serviceName: 'Checkout' }));
      expect(r.placed[0]).toMatchObject({ incidentId: byService('checkout'), rule: 'pagerduty-dedup-key' });
      const [only] = await h.incidents();
      expect(await h.incidents()).toHaveLength(1);
      expect(only!.incident.id).toBe(byService('checkout'));
      expect(only!.alerts.map((a) => a.labels.service).sort()).toEqual(['billing', 'billing', 'checkout']);
      const billing = only!.alerts.find((a) => a.labels.service === 'billing')!;
      expect(billing.decision.rule).toBe('page-group-merge');
      expect(billing.decision.explanation).toContain('covers its alerts too: they are in the same Alertmanager group');
      expect(only!.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['pagerduty.triggered', 'correlation.merged']));
      // A later page of the same group joins the same incident.
      const other = await h.page(pagingEvent({ id: 'PAGE2', eventId: 'E2', kind: 'triggered', at: 2, incidentKey: DEDUP, serviceId: 'PUNMAPPED', serviceName: 'legacy' }));
      expect(other.placed[0]).toMatchObject({ incidentId: byService('checkout'), rule: 'pagerduty-dedup-key' });
    } finally {
      await h.close();
    }
  });

  it('when a person had split the group apart before the page came, then the page does not undo it', async () => {
    const h = await Harness.open({ services });
    try {
      const alerts = await recordGroup(h);
      const checkout = alerts.find((a) => a.labels.service === 'checkout')!;
      const billing = alerts.filter((a) => a.labels.service === 'billing');
      // Put everything in one incident by hand, then split billing off: the two are fenced.
      await h.store.moveAlert(checkout.id, billing[0]!.incidentId, h.correction());
      const split = await h.store.splitIncident(billing[0]!.incidentId, [checkout.id], h.correction());
      await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 2, incidentKey: DEDUP, serviceId: 'PCHK', serviceName: 'Checkout' }));
      const open = await h.incidents();
      expect(open).toHaveLength(2);
      expect(open.find((d) => d.incident.id === split.newIncident.id)!.alerts.map((a) => a.id)).toEqual([checkout.id]);
    } finally {
      await h.close();
    }
  });

  it('when the group holds only the part the page is on, then nothing is merged', async () => {
    const h = await Harness.open({ services });
    try {
      const [alert] = await h.record({ name: 'HighErrorRate', service: 'checkout', start: 1, group: GROUP });
      await h.record({ name: 'HighErrorRate', service: 'billing', start: 1, group: '{}:{alertname="Other"}' });
      await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 2, incidentKey: DEDUP, serviceId: 'PCHK', serviceName: 'Checkout' }));
      expect(await h.incidents()).toHaveLength(2);
      expect((await h.store.getIncident(alert!.incidentId))!.events.map((e) => e.kind)).toEqual(['pagerduty.triggered']);
    } finally {
      await h.close();
    }
  });
});
