import { sha256Hex } from '../../src/domain/correlation/correlation-keys';
import type { CorrelationRuleInput } from '../../src/domain/correlation/rule-config';
import { correlationRulesSchema } from '../../src/domain/correlation/rule-config';
import { at, Harness, observation, pagingEvent } from '../support/correlation-harness';

const rules = (list: CorrelationRuleInput[]) => correlationRulesSchema.parse(list);

const SHOP = [
  { name: 'frontend', customerFacing: true, dependsOn: ['checkout'] },
  { name: 'checkout', customerFacing: true, dependsOn: ['orders'] },
  { name: 'billing', dependsOn: ['orders'] },
  { name: 'orders', dependsOn: ['orders-db'] },
  { name: 'orders-db' },
  { name: 'search', dependsOn: ['search-index'] },
  { name: 'search-index', dependsOn: ['storage'] },
  { name: 'storage', dependsOn: ['disks'] },
  { name: 'disks' },
];

describe('labels rule with a selector', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open({ rules: rules([{ name: 'critical-db', match: ['severity="critical"', 'service=~"db-.*"'], sameLabels: ['cluster'], windowMinutes: 10 }]) });
  });
  afterEach(() => h.close());

  it('when two critical db alerts of one cluster start 5 min apart, then they share an incident and the decision names the rule, labels, gap and evidence', async () => {
    await h.record({ name: 'ReplicationLag', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 0, end: 1 });
    const [second] = await h.record({ name: 'DiskFull', service: 'db-replica', cluster: 'eu1', labels: { severity: 'critical' }, start: 5 });
    const first = await h.alert('ReplicationLag', 0);
    expect(second!.incidentId).toBe(first.incidentId);
    expect(second!.decision).toMatchObject({
      kind: 'rule', rule: 'critical-db', matched: { cluster: 'eu1' }, gapMs: 5 * 60_000, decidedBy: 'debrief',
      evidence: { strength: 'strong', score: 0.638, depth: 0 },
    });
    expect(second!.decision.explanation).toBe('Rule "critical-db", strong evidence (score 0.64): same cluster="eu1" as 1 alert, in the incident\'s core; started 5 min after it (window 10 min).');
  });

  it('when the first alert still fires, then time still counts from its onset: a still-firing alert keeps nothing open', async () => {
    await h.record({ name: 'ReplicationLag', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 0 });
    const [near] = await h.record({ name: 'DiskFull', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 8 });
    expect(near!.decision).toMatchObject({ rule: 'critical-db', gapMs: 8 * 60_000 });
    // 17 min after the latest onset in the incident: both alerts still fire, but that is no evidence.
    const [later] = await h.record({ name: 'Slow', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 25 });
    expect(later!.decision.kind).toBe('new-incident');
    expect(later!.decision.explanation).toContain('critical-db: the nearest matching alerts started 17 min before it (window 10 min)');
  });

  it('when an alert does not match the selector, then the rule does not link it and the explanation says why', async () => {
    await h.record({ name: 'ReplicationLag', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 0 });
    const [warning] = await h.record({ name: 'SlowQueries', service: 'db-main', cluster: 'eu1', labels: { severity: 'warning' }, start: 2 });
    // `service=~"db-.*"` is anchored: "old-db-main" does not match.
    const [other] = await h.record({ name: 'ReplicationLag', service: 'old-db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 3 });
    const first = await h.alert('ReplicationLag', 0);
    for (const a of [warning!, other!]) {
      expect(a.incidentId).not.toBe(first.incidentId);
      expect(a.decision.kind).toBe('new-incident');
      expect(a.decision.explanation).toContain('critical-db: not applicable, its labels do not match severity="critical", service=~"db-.*"');
    }
  });

  it('when the gap exceeds the window, then a new incident opens and the explanation gives the nearest distance', async () => {
    await h.record({ name: 'ReplicationLag', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 0, end: 0 });
    const [late] = await h.record({ name: 'DiskFull', service: 'db-main', cluster: 'eu1', labels: { severity: 'critical' }, start: 25 });
    expect(late!.decision.kind).toBe('new-incident');
    expect(late!.decision.explanation).toContain('critical-db: the nearest matching alerts started 25 min before it (window 10 min)');
  });

  it('when a required label is missing, then the rule does not apply', async () => {
    const [a] = await h.record({ name: 'ReplicationLag', service: 'db-main', labels: { severity: 'critical' }, start: 0 });
    expect(a!.decision.explanation).toContain('critical-db: not applicable, it has no cluster label');
  });
});

describe('negation matchers', () => {
  it('when a rule excludes env="dev" with !=, then dev alerts are not linked but alerts without env are', async () => {
    const h = await Harness.open({ rules: rules([{ name: 'not-dev', match: ['env!="dev"', 'team!~"qa|test"'], sameLabels: ['@service'], windowMinutes: 10 }]) });
    await h.record({ name: 'A', service: 'api', labels: { env: 'prod' }, start: 0, group: null });
    const [dev] = await h.record({ name: 'B', service: 'api', labels: { env: 'dev' }, start: 1, group: null });
    const [qa] = await h.record({ name: 'C', service: 'api', labels: { team: 'qa' }, start: 2, group: null });
    const [noEnv] = await h.record({ name: 'D', service: 'api', start: 3, group: null });
    const first = await h.alert('A', 0);
    expect(dev!.incidentId).not.toBe(first.incidentId);
    expect(qa!.incidentId).not.toBe(first.incidentId);
    expect(noEnv!.incidentId).toBe(first.incidentId);
    expect(noEnv!.decision).toMatchObject({ rule: 'not-dev', matched: { service: 'api' } });
    await h.close();
  });
});

describe('topology rule', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open({ services: SHOP, rules: rules([{ name: 'deps', kind: 'topology', hops: 2, windowMinutes: 15, sameLabels: ['cluster?'] }]) });
  });
  afterEach(() => h.close());

  it('when a database fails and its callers alert minutes later, then they join with the dependency path explained', async () => {
    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 0 });
    const [orders] = await h.record({ name: 'HighErrorRate', service: 'orders', cluster: 'eu1', start: 2 });
    const [checkout] = await h.record({ name: 'HighLatency', service: 'checkout', cluster: 'eu1', start: 3 });
    const db = await h.alert('DatabaseDown', 0);
    expect(orders!.incidentId).toBe(db.incidentId);
    expect(orders!.decision).toMatchObject({
      rule: 'deps', matched: { service: 'orders', relatedService: 'orders-db', path: 'orders -> orders-db', hops: '1', cluster: 'eu1' },
      evidence: { strength: 'moderate', depth: 1, via: 'orders-db (1 alert, in the incident\'s core)' },
    });
    expect(orders!.decision.explanation).toBe('Rule "deps", moderate evidence (score 0.56): orders depends on orders-db (catalog dependsOn), which alerted in this incident; the link goes through orders-db (1 alert, in the incident\'s core), same cluster="eu1"; this alert started 2 min after it (window 15 min; a caller may alert up to 5 min before its dependency) and sits 1 topology step from the incident\'s root.');
    // checkout is 1 hop from orders (alerting) and 2 from orders-db: the direct dependency is the stronger evidence.
    expect(checkout!.incidentId).toBe(db.incidentId);
    expect(checkout!.decision.matched).toMatchObject({ path: 'checkout -> orders', hops: '1' });
    expect(checkout!.decision.evidence).toMatchObject({ strength: 'moderate', depth: 2 });
  });

  it('when the intermediate service is silent, then two hops link only as weak evidence, close in time, through the incident\'s core', async () => {
    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 0, end: 5 });
    const [checkout] = await h.record({ name: 'HighLatency', service: 'checkout', cluster: 'eu1', start: 4 });
    expect(checkout!.decision.matched.path).toBe('checkout -> orders -> orders-db');
    expect(checkout!.decision.evidence).toMatchObject({ strength: 'weak', depth: 2 });
    expect(checkout!.decision.explanation).toContain('checkout -> orders -> orders-db (2 dependsOn steps)');
    expect(checkout!.decision.explanation).toContain('started 4 min after it');
    expect(checkout!.incidentId).toBe((await h.alert('DatabaseDown', 0)).incidentId);
    // Weak evidence fades with time: 12 min after the database, the link scores below the threshold.
    const [late] = await h.record({ name: 'HighLatency', service: 'frontend', cluster: 'eu1', start: 30 });
    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 60 });
    const [weak] = await h.record({ name: 'HighLatency', service: 'checkout', cluster: 'eu1', start: 72 });
    expect(late!.decision.kind).toBe('new-incident');
    expect(weak!.decision.kind).toBe('new-incident');
    expect(weak!.decision.explanation).toMatch(/deps: the best link scores 0\.2\d, below the threshold 0\.25/);
  });

  it('when services are three hops apart, siblings, in other clusters, or outside the catalog, then they are not linked', async () => {
    await h.record({ name: 'DisksDegraded', service: 'disks', cluster: 'eu1', start: 0 });
    const [search] = await h.record({ name: 'SearchSlow', service: 'search', cluster: 'eu1', start: 1 });
    expect(search!.decision.kind).toBe('new-incident');

    await h.record({ name: 'CheckoutErrors', service: 'checkout', cluster: 'eu1', start: 30 });
    const [billing] = await h.record({ name: 'BillingErrors', service: 'billing', cluster: 'eu1', start: 31 });
    expect(billing!.decision.kind).toBe('new-incident');

    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 60 });
    const [us] = await h.record({ name: 'HighErrorRate', service: 'orders', cluster: 'us1', start: 61 });
    expect(us!.decision.kind).toBe('new-incident');
    expect(us!.decision.explanation).toContain('deps: no related service (billing, checkout, orders-db, frontend) alerted within 15 min with the same cluster="us1"');

    const [unknown] = await h.record({ name: 'Boom', service: 'mystery', cluster: 'eu1', start: 62 });
    expect(unknown!.decision.explanation).toContain('deps: not applicable, service "mystery" is not in the service catalog');
  });

  it('when an alert carries no cluster, then it links to a related service in any one cluster, but never bridges two clusters', async () => {
    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 0 });
    const [noCluster] = await h.record({ name: 'HighErrorRate', service: 'orders', start: 1 });
    expect(noCluster!.incidentId).toBe((await h.alert('DatabaseDown', 0)).incidentId);
    expect(noCluster!.decision.matched).toMatchObject({ path: 'orders -> orders-db', cluster: '' });

    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'us1', start: 100 });
    await h.record({ name: 'HighErrorRate', service: 'orders', start: 101 });
    await h.record({ name: 'DatabaseDown', service: 'orders-db', cluster: 'eu1', start: 102 });
    const eu = await h.incidentOf('DatabaseDown', 102);
    const us = await h.incidentOf('DatabaseDown', 100);
    expect(eu.incident.id).not.toBe(us.incident.id);
  });
});

describe('group rule', () => {
  let h: Harness;
  beforeEach(async () => { h = await Harness.open(); });
  afterEach(() => h.close());
  const coarse = '{}:{namespace="shop"}';

  it('when alerts of one service share an Alertmanager group, then they join and the decision names the group key', async () => {
    await h.record({ name: 'HighErrorRate', service: 'checkout', start: 0, group: coarse });
    const [crash] = await h.record({ name: 'PodCrashLooping', service: 'checkout', start: 20, group: coarse });
    expect(crash!.decision).toMatchObject({ rule: 'same-alertmanager-group', matched: { groupKey: coarse, service: 'checkout' } });
    expect(crash!.decision.explanation).toContain(`same Alertmanager group ${coarse} and same service="checkout"`);
  });

  it('when an alert joins, then its decision says why each other link and rule did not place it, the winning rule left out', async () => {
    await h.record({ name: 'HighErrorRate', service: 'checkout', cluster: 'eu1', start: 0, group: coarse });
    const [crash] = await h.record({ name: 'PodCrashLooping', service: 'checkout', cluster: 'eu1', start: 2, group: coarse });
    expect(crash!.decision.rule).toBe('same-alertmanager-group');
    const others = crash!.decision.others!;
    expect(others.some((o) => o.startsWith('same-alertmanager-group:'))).toBe(false);
    // The same service and cluster link the same incident too, with less evidence than the group.
    expect(others).toContainEqual(expect.stringMatching(/^same-service: links this incident too, with strong evidence \(score 0\.\d\d\); the link above (scores higher|comes first)$/));
    expect(others).toContainEqual(expect.stringMatching(/^service-dependencies: not applicable, /));
    const [lonely] = await h.record({ name: 'JobFailed', service: 'billing', start: 3, group: '{}:{job="batch"}' });
    expect(lonely!.decision.kind).toBe('new-incident');
    expect(lonely!.decision.others!.length).toBeGreaterThan(0);
    for (const o of lonely!.decision.others!) expect(lonely!.decision.explanation).toContain(o);
  });

  it('when a coarse group holds two services, then the group alone does not link them', async () => {
    await h.record({ name: 'HighErrorRate', service: 'checkout', start: 0, group: coarse });
    const [billing] = await h.record({ name: 'JobFailed', service: 'billing', start: 1, group: coarse });
    expect(billing!.decision.kind).toBe('new-incident');
  });

  it('when an alert names no service, then it joins its group, but cannot bridge two services', async () => {
    await h.record({ name: 'HighErrorRate', service: 'checkout', start: 0, group: coarse });
    const [node] = await h.record({ name: 'NodeDown', start: 1, group: coarse, labels: { instance: 'node-7' } });
    expect(node!.incidentId).toBe((await h.alert('HighErrorRate', 0)).incidentId);
    const [billing] = await h.record({ name: 'JobFailed', service: 'billing', start: 2, group: coarse });
    expect(billing!.incidentId).not.toBe(node!.incidentId);
  });
});

describe('maxSpanHours', () => {
  it('when a rule would stretch an incident beyond its maximum span, then a new incident opens', async () => {
    const h = await Harness.open({ rules: rules([{ name: 'svc', sameLabels: ['@service'], windowMinutes: 10, maxSpanHours: 1 }]) });
    for (let m = 0; m <= 56; m += 8) await h.record({ name: `Blip${m}`, service: 'api', start: m, end: m + 1, group: null });
    const [over] = await h.record({ name: 'Blip64', service: 'api', start: 64, group: null });
    expect((await h.alert('Blip56', 56)).incidentId).toBe((await h.alert('Blip0', 0)).incidentId);
    expect(over!.incidentId).not.toBe((await h.alert('Blip0', 0)).incidentId);
    expect(over!.decision.explanation).toContain('svc: joining the matching incident would stretch it beyond the rule\'s maxSpanHours');
    await h.close();
  });
});

describe('explicit links: PagerDuty', () => {
  const group = '{}/{severity="critical"}:{alertname="CheckoutDown"}';
  const dedupKey = sha256Hex(group);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open({ services: [{ name: 'checkout', pagerdutyServices: ['PCHK'] }, { name: 'payments' }] });
  });
  afterEach(() => h.close());

  it('when a page carries sha256(groupKey) as incident key, then it joins the alerts\' incident and its events follow it', async () => {
    const [alert] = await h.record({ name: 'CheckoutDown', service: 'checkout', start: 0, group });
    const triggered = await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 1, incidentKey: dedupKey, serviceId: 'POTHER' }));
    expect(triggered.placed).toEqual([expect.objectContaining({ incidentId: alert!.incidentId, rule: 'pagerduty-dedup-key' })]);
    expect(triggered.placed[0]!.explanation).toContain(`its incident key ${dedupKey.slice(0, 12)}… is the SHA-256 of the Alertmanager group key`);

    const ack = await h.page(pagingEvent({ eventId: 'E2', kind: 'acknowledged', at: 50, actor: 'Bob', incidentKey: dedupKey }));
    expect(ack.placed[0]).toMatchObject({ incidentId: alert!.incidentId, rule: 'pagerduty-incident' });
    const redelivered = await h.page(pagingEvent({ eventId: 'E2', kind: 'acknowledged', at: 50, actor: 'Bob', incidentKey: dedupKey }));
    expect(redelivered).toEqual({ placed: [], duplicates: 1, twins: 0, incidentIds: [] });

    const detail = (await h.store.getIncident(alert!.incidentId))!;
    expect(detail.events.map((e) => [e.kind, e.at, e.actor])).toEqual([
      ['pagerduty.triggered', at(1), null],
      ['pagerduty.acknowledged', at(50), 'Bob'],
    ]);
    expect((await h.incidents()).length).toBe(1);
  });

  it('when the page arrives first, then a later alert of that group joins the page\'s incident by explicit link', async () => {
    const r = await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 0, incidentKey: dedupKey, serviceId: 'POTHER' }));
    expect(r.placed[0]!.rule).toBeNull();
    const pageOnly = (await h.store.getIncident(r.placed[0]!.incidentId))!.incident;
    expect(pageOnly).toMatchObject({ title: 'PagerDuty: Checkout is down', status: 'open', alertCount: 0, severity: 'high' });
    const [alert] = await h.record({ name: 'CheckoutDown', service: 'checkout', start: 1, group });
    expect(alert!.incidentId).toBe(r.placed[0]!.incidentId);
    expect(alert!.decision).toMatchObject({ kind: 'rule', rule: 'pagerduty-dedup-key', matched: { dedupKey, groupKey: group } });
    expect(alert!.decision.explanation).toMatch(/^Explicit link \(strongest evidence\): a PagerDuty incident in this incident has dedup key [0-9a-f]{12}…, the SHA-256 of this alert's Alertmanager group key/);
    expect(alert!.decision.explanation).toContain('while that page is unresolved');
    expect(alert!.decision.evidence).toMatchObject({ strength: 'explicit', depth: 0 });
    expect((await h.store.getIncident(alert!.incidentId))!.incident.title).toBe('CheckoutDown on checkout');
  });

  it('when a page\'s PagerDuty service maps to a catalog service, then it joins that service\'s incident within the window', async () => {
    const [alert] = await h.record({ name: 'HighErrorRate', service: 'checkout', start: 0 });
    const r = await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 3, serviceId: 'PCHK', serviceName: 'Checkout PD' }));
    expect(r.placed[0]).toMatchObject({ incidentId: alert!.incidentId, rule: 'pagerduty-service' });
    expect(r.placed[0]!.explanation).toContain('PagerDuty service "Checkout PD" maps to catalog service "checkout"');
    // A payments alert does not follow the checkout page.
    const [other] = await h.record({ name: 'HighErrorRate', service: 'payments', start: 4 });
    expect(other!.incidentId).not.toBe(alert!.incidentId);
  });

  it('when a page has no link, then it opens its own incident and the audit trail says why', async () => {
    const r = await h.page(pagingEvent({ eventId: 'E1', kind: 'triggered', at: 0, serviceId: 'PUNMAPPED', serviceName: 'legacy' }));
    expect(r.placed[0]!.explanation).toBe('Opened a new incident for PagerDuty incident #42 "Checkout is down" (PAGE1) because it carries no incident key (dedup key); its PagerDuty service is not mapped to a catalog service.');
    const audit = (await h.store.getIncidentAudit(r.placed[0]!.incidentId))!;
    expect(audit.map((e) => e.kind).sort()).toEqual(['correlation.decided', 'pagerduty.triggered']);
    const resolved = await h.page(pagingEvent({ eventId: 'E2', kind: 'resolved', at: 30 }));
    expect((await h.store.getIncident(resolved.placed[0]!.incidentId))!.incident).toMatchObject({ status: 'resolved', endedAt: at(30) });
  });
});

describe('audit trail', () => {
  it('when alerts are placed, then each decision is in the audit trail but not in the timeline events', async () => {
    const h = await Harness.open();
    const [a] = await h.record(observation({ name: 'X', service: 'api', start: 0 }));
    await h.record(observation({ name: 'X', service: 'api', start: 0, end: 3 }));
    const detail = (await h.store.getIncident(a!.incidentId))!;
    expect(detail.events).toEqual([]);
    const audit = (await h.store.getIncidentAudit(a!.incidentId))!;
    expect(audit).toEqual([expect.objectContaining({ kind: 'correlation.decided', at: at(0), actor: 'debrief', text: a!.decision.explanation, data: expect.objectContaining({ alertId: a!.id }) })]);
    expect(await h.store.getIncidentAudit('nope')).toBeNull();
    await h.close();
  });
});

describe('default rules across clusters', () => {
  const services = [{ name: 'partners-api', dependsOn: ['partners-db'] }, { name: 'partners-db' }];

  it('when a catalog service fails in two clusters with different symptoms, then one incident; a job label such as node_exporter is not enough', async () => {
    const h = await Harness.open({ services });
    await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'eu1', start: 0 });
    const [us] = await h.record({ name: 'PostgresSlowQueries', service: 'partners-db', cluster: 'us1', start: 2 });
    expect(us!.incidentId).toBe((await h.alert('PostgresDown', 0)).incidentId);
    expect(us!.decision).toMatchObject({ rule: 'same-service-any-cluster', matched: { service: 'partners-db' } });
    expect(us!.decision.explanation).toBe('Rule "same-service-any-cluster", strong evidence (score 0.77): same service="partners-db" as 1 alert, in the incident\'s core; started 2 min after it (window 10 min).');

    // An exporter is no service: node-level alerts of two clusters name two nodes, not one "node_exporter".
    await h.record({ name: 'MemoryHigh', labels: { job: 'node_exporter', instance: 'node-a:9100' }, cluster: 'prod', start: 100 });
    const [dev] = await h.record({ name: 'ProbeFailed', labels: { job: 'node_exporter', instance: 'node-b:9100' }, cluster: 'dev', start: 100 });
    expect(dev!.incidentId).not.toBe((await h.alert('MemoryHigh', 100)).incidentId);
    expect(dev!.decision.explanation).toContain('same-service-any-cluster: no incident with the same service="node/node-b" within 10 min');
    await h.close();
  });

  it('when the second cluster\'s cascade opened from a caller before its root alerted, then the root joins the same database\'s outage, and one weak link does not merge the running caller incident into it', async () => {
    const h = await Harness.open({ services });
    const group = (c: string) => `{}:{cluster="${c}", namespace="partners"}`;
    await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'eu1', start: 0, group: group('eu1') });
    const [caller] = await h.record({ name: 'HighErrorRate', service: 'partners-api', cluster: 'us1', start: 0.1, group: group('us1') });
    expect(caller!.decision.kind).toBe('new-incident');
    const [root] = await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'us1', start: 0.3, group: group('us1') });
    // The same database down in the other cluster 18 s later is the strongest link. Its caller
    // alerted 12 s before it: a dependency alerting after its caller is weak evidence, too weak
    // to merge two incidents that were both running already (the SRE can merge them).
    expect(root!.decision.rule).toBe('same-service-any-cluster');
    expect(root!.incidentId).toBe((await h.alert('PostgresDown', 0)).incidentId);
    expect((await h.incidents()).map((d) => d.alerts.length).sort()).toEqual([1, 2]);
    await h.close();
  });

  it('when a late alert links an incident that opened after it started by a direct dependency, then it merges it in, as in event-time order', async () => {
    const h = await Harness.open({ services });
    const [caller] = await h.record({ name: 'HighErrorRate', service: 'partners-api', cluster: 'us1', start: 2 });
    // The database alert started first but arrived later (its group flushed later).
    const [root] = await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'us1', start: 0 });
    const incidents = await h.incidents();
    expect(incidents).toHaveLength(1);
    expect(root!.incidentId).toBe(caller!.incidentId);
    await h.close();
  });

  it('when an unrelated incident is merely still open, then a new alert linked to it by a weaker rule does not bridge', async () => {
    const h = await Harness.open({ services });
    await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'eu1', start: 0 });
    await h.record({ name: 'HighErrorRate', service: 'partners-api', cluster: 'us1', start: 30 });
    // 32 min after eu1's incident began: eu1's database still fires, but that is no evidence; the
    // database's own caller alerted 2 min before it, so it joins that one.
    await h.record({ name: 'PostgresDown', service: 'partners-db', cluster: 'us1', start: 32 });
    expect((await h.incidents()).length).toBe(2);
    await h.close();
  });
});

describe('alerts an exporter reported', () => {
  const ksm = (name: string, extra: Record<string, string>, start: number) => ({
    name, start, group: '{}:{namespace="shop"}',
    labels: { job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics', endpoint: 'http', instance: '10.42.0.17:8080', ...extra },
  });

  it('when kube-state-metrics reports two unrelated workloads at once, then the exporter does not make them one busy service', async () => {
    const h = await Harness.open();
    const [a] = await h.record(ksm('KubePodCrashLooping', { namespace: 'shop', pod: 'cart-api-6f9c8d7b4-q8wz2' }, 0));
    const [b] = await h.record(ksm('KubeDeploymentReplicasMismatch', { namespace: 'shop', deployment: 'search-api' }, 1));
    expect(b!.incidentId).not.toBe(a!.incidentId);
    expect(b!.decision.explanation).toContain('Its service is search-api (kube-state-metrics alert: deployment "search-api").');
    await h.close();
  });

  it('when the workload itself alerts too, then the exporter\'s alert joins it as the same service, and says how it named the service', async () => {
    const h = await Harness.open();
    const [errors] = await h.record({ name: 'HighErrorRate', service: 'cart-api', start: 0 });
    const [crash] = await h.record(ksm('KubePodCrashLooping', { namespace: 'shop', pod: 'cart-api-6f9c8d7b4-q8wz2' }, 2));
    expect(crash!.incidentId).toBe(errors!.incidentId);
    expect(crash!.decision.rule).toBe('same-service');
    expect(crash!.decision.explanation).toContain('Its service is cart-api (kube-state-metrics alert: pod "cart-api-6f9c8d7b4-q8wz2").');
    const detail = (await h.store.getIncident(errors!.incidentId))!;
    expect(detail.incident.services).toEqual(['cart-api']);
    await h.close();
  });
});
