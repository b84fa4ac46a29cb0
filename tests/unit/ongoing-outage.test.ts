import { sha256Hex } from '../../src/domain/correlation/correlation-keys';
import { outageHold } from '../../src/domain/correlation/ongoing-outage';
import { Harness, pagingEvent } from '../support/correlation-harness';

/*
 * Ongoing outages: an incident whose PagerDuty page is unresolved, or whose critical alerts on a
 * service still fire, keeps taking new alerts on that service (and cluster) long after every
 * onset; nothing else about it stays open, so unrelated alerts never chain into it.
 */

const HOUR = 60;
const GROUP = '{}:{alertname="ReplicationLag", service="orders-db"}';
const SHOP = [
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'orders-db' },
  { name: 'search' },
];

/** An outage on orders-db in eu: a replication alert at 0 (resolved at 30 min), paged at 2 min as P123. */
async function pagedOutage(h: Harness, opts: { resolvePageAt?: number } = {}) {
  await h.record({ name: 'ReplicationLag', service: 'orders-db', cluster: 'eu', start: 0, end: 30, group: GROUP });
  await h.page(pagingEvent({ id: 'P123', eventId: 'E1', kind: 'triggered', at: 2, incidentKey: sha256Hex(GROUP), title: 'orders-db replication broken' }));
  if (opts.resolvePageAt !== undefined) {
    await h.page(pagingEvent({ id: 'P123', eventId: 'E2', kind: 'resolved', at: opts.resolvePageAt, incidentKey: sha256Hex(GROUP), title: 'orders-db replication broken' }));
  }
  return (await h.incidentOf('ReplicationLag', 0)).incident.id;
}

describe('ongoing outage: an unresolved page', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open({ services: SHOP });
  });
  afterEach(() => h.close());

  it('when a new symptom fires on the paged service 18 h in, while the page is unresolved, then it joins the outage and says which page keeps it open', async () => {
    const outage = await pagedOutage(h);
    await h.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'eu', start: 18 * HOUR });
    const a = await h.alert('QueryErrors', 18 * HOUR);
    expect(a.incidentId).toBe(outage);
    expect(a.decision).toMatchObject({ kind: 'rule', rule: 'ongoing-outage-page', matched: { service: 'orders-db', cluster: 'eu', pageId: 'P123' } });
    expect(a.decision.evidence).toMatchObject({ strength: 'strong', depth: 0 });
    expect(a.decision.explanation).toContain('joined the ongoing outage on orders-db in eu');
    expect(a.decision.explanation).toContain('PagerDuty incident #42 "orders-db replication broken" (P123) is unresolved');
    // The incident's alerts had all resolved: the open page reopens it instead of closing it.
    expect(a.decision.explanation).toContain('this alert reopened it');
    expect((await h.incidents()).filter((d) => d.alerts.length > 0)).toHaveLength(1);
  });

  it('when the page was resolved before the new symptom, then the symptom opens a new incident', async () => {
    const outage = await pagedOutage(h, { resolvePageAt: 60 });
    await h.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'eu', start: 18 * HOUR });
    const a = await h.alert('QueryErrors', 18 * HOUR);
    expect(a.incidentId).not.toBe(outage);
    expect(a.decision.kind).toBe('new-incident');
    // Long after the page's resolution the store does not even offer the incident.
    expect(a.decision.explanation).not.toContain('ongoing');
  });

  it('without a page, then the same symptom 18 h later opens a new incident (the quiet gap closes it)', async () => {
    await h.record({ name: 'ReplicationLag', service: 'orders-db', cluster: 'eu', start: 0, end: 30, group: GROUP });
    await h.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'eu', start: 18 * HOUR });
    expect((await h.alert('QueryErrors', 18 * HOUR)).incidentId).not.toBe((await h.alert('ReplicationLag', 0)).incidentId);
  });

  it('when the alert names another service, or the same service in another cluster, then it does not join, however open the page', async () => {
    const outage = await pagedOutage(h);
    await h.record({ name: 'IndexLag', service: 'search', cluster: 'eu', start: 18 * HOUR });
    await h.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'us', start: 18 * HOUR + 1 });
    expect((await h.alert('IndexLag', 18 * HOUR)).incidentId).not.toBe(outage);
    expect((await h.alert('QueryErrors', 18 * HOUR + 1)).incidentId).not.toBe(outage);
  });

  it('when a caller joined the outage by a dependency link, then its later, unrelated alerts do not chain in through the open page', async () => {
    const outage = await pagedOutage(h);
    await h.record({ name: 'OrdersLatency', service: 'orders', cluster: 'eu', start: 5, end: 40 });
    const caller = await h.alert('OrdersLatency', 5);
    expect(caller.incidentId).toBe(outage); // joined by topology: depth 1
    expect(caller.decision.evidence?.depth).toBe(1);
    await h.record({ name: 'OrdersErrors', service: 'orders', cluster: 'eu', start: 18 * HOUR });
    const later = await h.alert('OrdersErrors', 18 * HOUR);
    expect(later.incidentId).not.toBe(outage);
    expect(later.decision.kind).toBe('new-incident');
  });

  it('when the alert starts beyond maxSpanHours from the incident\'s start, then it opens a new incident and says the span is the limit', async () => {
    const outage = await pagedOutage(h);
    await h.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'eu', start: 49 * HOUR });
    const a = await h.alert('QueryErrors', 49 * HOUR);
    expect(a.incidentId).not.toBe(outage);
    expect(a.decision.explanation).toContain('beyond 48 h (correlation.ongoingOutage.maxSpanHours)');
  });

  it('when a fresh onset on the same service is near, then the ordinary link, closer in time, wins over the ongoing outage', async () => {
    const outage = await pagedOutage(h);
    await h.record({ name: 'DiskFull', service: 'orders-db', cluster: 'us', start: 17 * HOUR });
    await h.record({ name: 'DiskFull2', service: 'orders-db', cluster: 'eu', start: 17 * HOUR + 2 });
    const a = await h.alert('DiskFull2', 17 * HOUR + 2);
    // same-service-any-cluster at 2 min scores above an ongoing-outage link at any distance.
    expect(a.incidentId).not.toBe(outage);
    expect(a.decision.rule).toBe('same-service-any-cluster');
  });
});

/** The primary down and replication broken on orders-db in eu: two critical alerts of one outage (`end`: both resolve then). */
const criticalPair = (end?: number) => [
  { name: 'PrimaryDown', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical' }, start: 0, end },
  { name: 'ReplicationBroken', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical' }, start: 1, end },
];

describe('ongoing outage: critical alerts still firing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open({ services: SHOP });
  });
  afterEach(() => h.close());

  it('when critical alerts on the service still fire, then a new alert there hours later joins and the decision says what still fires', async () => {
    await h.record(...criticalPair());
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', labels: { severity: 'warning' }, start: 6 * HOUR });
    const a = await h.alert('SlowQueries', 6 * HOUR);
    expect(a.incidentId).toBe((await h.alert('PrimaryDown', 0)).incidentId);
    expect(a.decision).toMatchObject({ rule: 'ongoing-outage-critical', evidence: { strength: 'moderate' } });
    expect(a.decision.explanation).toContain('critical alerts on orders-db in eu have been firing since 2026-03-02T10:00:00.000Z (2 still firing, 2 in all)');
  });

  it('when a single critical alert fires for hours (what a chronic one looks like), then a new failure on its service does not join it, and the decision says why', async () => {
    await h.record({ name: 'DiskAlmostFull', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical' }, start: 0 });
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
    const a = await h.alert('SlowQueries', 6 * HOUR);
    expect(a.incidentId).not.toBe((await h.alert('DiskAlmostFull', 0)).incidentId);
    expect(a.decision.explanation).toContain('ongoing-outage-critical: only one critical alert (DiskAlmostFull) fired on orders-db in eu when this alert started: one alone, flapping or on several pods, may be chronic; an ongoing outage takes 2 different ones');
  });

  it('when one critical alert flaps or fires on several pods (one symptom, many firings), then it is still no ongoing outage', async () => {
    await h.record(
      { name: 'PodCrashLooping', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical', pod: 'a' }, start: 0, end: 20 },
      { name: 'PodCrashLooping', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical', pod: 'b' }, start: 1 },
    );
    await h.record({ name: 'PodCrashLooping', service: 'orders-db', cluster: 'eu', labels: { severity: 'critical', pod: 'a' }, start: 22 });
    const flapping = (await h.alert('PodCrashLooping', 0)).incidentId;
    expect((await h.alert('PodCrashLooping', 22)).incidentId).toBe(flapping);
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
    expect((await h.alert('SlowQueries', 6 * HOUR)).incidentId).not.toBe(flapping);
  });

  it('when the critical alerts resolved before the new alert, then it opens a new incident', async () => {
    await h.record(...criticalPair());
    await h.record(...criticalPair(3 * HOUR));
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
    const a = await h.alert('SlowQueries', 6 * HOUR);
    expect(a.incidentId).not.toBe((await h.alert('PrimaryDown', 0)).incidentId);
    expect(a.decision.kind).toBe('new-incident');
    expect(a.decision.explanation).not.toContain('ongoing');
  });

  it.each(['observations', 'inbox-runs'] as const)('when one notification resolves a critical alert and carries a new alert after it, then the decision sees the resolution (%s)', async (via) => {
    const one = await Harness.open({ services: SHOP, via });
    try {
      await one.record(...criticalPair());
      // One notification: PrimaryDown resolved at 3 h, then SlowQueries at 6 h. Placed after the
      // resolution, SlowQueries must see one critical alert left (ReplicationBroken), not two.
      await one.record({ ...criticalPair(3 * HOUR)[0]! }, { name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
      const a = await one.alert('SlowQueries', 6 * HOUR);
      expect(a.incidentId).not.toBe((await one.alert('PrimaryDown', 0)).incidentId);
      expect(a.decision.explanation).toContain('only one critical alert (ReplicationBroken)');
    } finally {
      await one.close();
    }
  });

  it('when a late alert started while the critical alerts fired (they have since resolved), then it still joins: event time decides', async () => {
    await h.record(...criticalPair(8 * HOUR));
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
    const a = await h.alert('SlowQueries', 6 * HOUR);
    expect(a.incidentId).toBe((await h.alert('PrimaryDown', 0)).incidentId);
    expect(a.decision.explanation).toContain('fired from 2026-03-02T10:00:00.000Z to 2026-03-02T18:00:00.000Z');
  });

  it('when only a warning still fires (a chronic warning), then a new alert hours later does not join', async () => {
    await h.record({ name: 'HighCpu', service: 'orders-db', cluster: 'eu', labels: { severity: 'warning' }, start: 0 });
    await h.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
    expect((await h.alert('SlowQueries', 6 * HOUR)).incidentId).not.toBe((await h.alert('HighCpu', 0)).incidentId);
  });

  it('when critical alerts joined by a dependency link (not the core), then they keep no door open for later alerts on their service', async () => {
    await h.record(...criticalPair());
    await h.record(
      { name: 'OrdersDown', service: 'orders', cluster: 'eu', labels: { severity: 'critical' }, start: 5 },
      { name: 'OrdersErrorBudget', service: 'orders', cluster: 'eu', labels: { severity: 'critical' }, start: 6 },
    );
    const outage = (await h.alert('PrimaryDown', 0)).incidentId;
    expect((await h.alert('OrdersDown', 5)).incidentId).toBe(outage);
    expect((await h.alert('OrdersErrorBudget', 6)).incidentId).toBe(outage);
    await h.record({ name: 'OrdersErrors', service: 'orders', cluster: 'eu', start: 6 * HOUR });
    expect((await h.alert('OrdersErrors', 6 * HOUR)).incidentId).not.toBe(outage);
  });

  it('when criticalAlerts is off, then still-firing critical alerts link only around their onsets', async () => {
    const off = await Harness.open({ services: SHOP, ongoingOutage: { criticalAlerts: false } });
    try {
      await off.record(...criticalPair());
      await off.record({ name: 'SlowQueries', service: 'orders-db', cluster: 'eu', start: 6 * HOUR });
      expect((await off.alert('SlowQueries', 6 * HOUR)).incidentId).not.toBe((await off.alert('PrimaryDown', 0)).incidentId);
    } finally {
      await off.close();
    }
  });

  it('when unresolvedPages is off, then an open page does not keep the outage going', async () => {
    const off = await Harness.open({ services: SHOP, ongoingOutage: { unresolvedPages: false } });
    try {
      const outage = await pagedOutage(off);
      await off.record({ name: 'QueryErrors', service: 'orders-db', cluster: 'eu', start: 18 * HOUR });
      expect((await off.alert('QueryErrors', 18 * HOUR)).incidentId).not.toBe(outage);
    } finally {
      await off.close();
    }
  });
});

describe('outageHold: which placed alerts keep an outage open', () => {
  const hold = ['svc:orders', 'outage:svc:orders@eu', 'outage:crit:orders@eu'];
  const decision = (rule: string | null, strength: 'explicit' | 'strong' | 'moderate' | 'weak' | null, depth: number) => ({ rule, evidence: { strength, score: 0.5, depth, via: null } });

  it.each([
    ['the alert that opened the incident', decision(null, null, 0)],
    ['an explicit link', decision('pagerduty-dedup-key', 'explicit', 0)],
    ['a strong link through the core', decision('same-service', 'strong', 0)],
    ['the ongoing outage on its own service', decision('ongoing-outage-critical', 'moderate', 0)],
  ])('when placed by %s, then it holds its outage keys', (_what, d) => {
    expect(outageHold(hold, d)).toEqual(hold);
  });

  it.each([
    ['a dependency link', decision('service-dependencies', 'moderate', 1)],
    ['weak evidence', decision('service-dependencies', 'weak', 0)],
    ['a strong link through a member that joined by topology', decision('same-service', 'strong', 1)],
  ])('when placed by %s, then it holds every key but the outage ones', (_what, d) => {
    expect(outageHold(hold, d)).toEqual(['svc:orders']);
  });
});
