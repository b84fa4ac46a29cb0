import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import { planSeeding } from '../../bench/ingest/cost-traffic';
import { composeResults, readSections } from '../../bench/ingest/results-file';
import { drainHalves } from '../../bench/ingest/storm';
import { AlertGroup, GO_ZERO_TIME, StormGroupState, StormTraffic, stormGroupIdentities } from '../../bench/ingest/storm-traffic';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');

interface WebhookAlert { status: string; labels: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string; generatorURL: string }
interface WebhookBody { status: string; alerts: WebhookAlert[]; groupLabels: Record<string, string>; groupKey: string; version: string }

const parse = (body: Buffer) => JSON.parse(body.toString('utf8')) as WebhookBody;
/** A firing is one alert series with one `startsAt`. */
const firingsOf = (bodies: WebhookBody[]) => new Set(bodies.flatMap((b) => b.alerts.map((a) => `${a.fingerprint}@${a.startsAt}`)));

describe('storm group state', () => {
  it('sends every alert firing first, then resolves a share and fires the resolved ones again with a new startsAt', () => {
    const state = StormGroupState.starting(50, T0);
    const first = state.next(T0, 0.1);
    expect(first.alerts.every((a) => a.endsAtMs === null)).toBe(true);
    expect(first.refired).toBe(0);

    const second = state.next(T0 + 1000, 0.1);
    const resolved = second.alerts.filter((a) => a.endsAtMs !== null);
    expect(second.resolved).toBe(5);
    expect(resolved).toHaveLength(5);
    expect(resolved.every((a) => a.endsAtMs === T0 + 1000)).toBe(true);

    const third = state.next(T0 + 2000, 0.1);
    expect(third.refired).toBe(5);
    for (const a of resolved) {
      const again = third.alerts[a.index]!;
      expect(again.endsAtMs).toBeNull();
      expect(again.startsAtMs).toBe(T0 + 2000);
    }
    // The alerts that just fired again do not resolve in the same notification.
    const resolvedNow = third.alerts.filter((a) => a.endsAtMs !== null).map((a) => a.index);
    expect(resolvedNow).toHaveLength(5);
    expect(resolvedNow.some((i) => resolved.some((r) => r.index === i))).toBe(false);
  });

  it('takes resolving alerts in turn, so every alert resolves and fires again over time', () => {
    const state = StormGroupState.starting(50, T0);
    const everResolved = new Set<number>();
    for (let n = 0; n < 12; n++) {
      for (const a of state.next(T0 + n * 1000, 0.1).alerts) if (a.endsAtMs !== null) everResolved.add(a.index);
    }
    expect(everResolved.size).toBe(50);
  });

  it('never ends a firing before it started, even when notifications share a millisecond', () => {
    const state = StormGroupState.starting(4, T0);
    for (let n = 0; n < 6; n++) {
      for (const a of state.next(T0, 0.5).alerts) if (a.endsAtMs !== null) expect(a.endsAtMs).toBeGreaterThan(a.startsAtMs);
    }
  });
});

describe('alert group rendering', () => {
  const group = new AlertGroup({ alertname: 'HighErrorRate', service: 'checkout', cluster: 'prod-eu-1' });

  it('renders Alertmanager v4 webhook bodies with real fingerprints, Go zero endsAt while firing', () => {
    const body = parse(group.webhookBody([{ index: 0, startsAtMs: T0, endsAtMs: null }, { index: 1, startsAtMs: T0, endsAtMs: T0 + 5000 }]));
    expect(body.version).toBe('4');
    expect(body.status).toBe('firing');
    expect(body.groupLabels).toEqual({ alertname: 'HighErrorRate', service: 'checkout', cluster: 'prod-eu-1' });
    expect(body.groupKey).toBe('{}/{severity=~"warning|critical"}:{alertname="HighErrorRate", service="checkout", cluster="prod-eu-1"}');
    const [firing, resolved] = body.alerts;
    expect(firing!.status).toBe('firing');
    expect(firing!.endsAt).toBe(GO_ZERO_TIME);
    expect(firing!.fingerprint).toBe(alertmanagerFingerprint(firing!.labels));
    expect(resolved!.status).toBe('resolved');
    expect(resolved!.endsAt).toBe(new Date(T0 + 5000).toISOString());
    expect(firing!.labels.pod).not.toBe(resolved!.labels.pod);
  });

  it('says resolved when every alert of the notification is resolved', () => {
    expect(parse(group.webhookBody([{ index: 3, startsAtMs: T0, endsAtMs: T0 + 1 }])).status).toBe('resolved');
  });

  it('renders the same alerts for Alertmanager\'s API: a firing alert ends in the future, a resolved one when it resolved', () => {
    const now = T0 + 60_000;
    const api = JSON.parse(group.apiBody([{ index: 0, startsAtMs: T0, endsAtMs: null }, { index: 1, startsAtMs: T0, endsAtMs: T0 + 5000 }], now).toString()) as Array<Record<string, unknown>>;
    expect(Object.keys(api[0]!).sort()).toEqual(['annotations', 'endsAt', 'generatorURL', 'labels', 'startsAt']);
    expect(Date.parse(api[0]!.endsAt as string)).toBeGreaterThan(now);
    expect(api[1]!.endsAt).toBe(new Date(T0 + 5000).toISOString());
    expect(api[0]!.labels).toEqual(group.labels(0));
  });
});

describe('storm traffic', () => {
  it('spreads groups over services, several groups each, with distinct group keys', () => {
    const identities = stormGroupIdentities(200, 20);
    expect(new Set(identities.map((i) => `${i.alertname}/${i.service}/${i.cluster}`)).size).toBe(200);
    const perService = new Map<string, number>();
    for (const i of identities) perService.set(i.service, (perService.get(i.service) ?? 0) + 1);
    expect(perService.size).toBe(20);
    expect([...perService.values()].every((n) => n === 10)).toBe(true);
    // A service keeps one cluster, so its groups meet under same-service correlation.
    for (const service of perService.keys()) expect(new Set(identities.filter((i) => i.service === service).map((i) => i.cluster)).size).toBe(1);
  });

  it('keeps group keys distinct beyond the list of alert names', () => {
    expect(new Set(stormGroupIdentities(1000, 20).map((i) => `${i.alertname}/${i.service}/${i.cluster}`)).size).toBe(1000);
  });

  it('sends groups round-robin and counts the new firings it sent', () => {
    const traffic = new StormTraffic({ groups: 4, alertsPerGroup: 10, resolveRatio: 0.1 }, T0);
    const bodies = Array.from({ length: 12 }, (_, n) => parse(traffic.body(T0 + n * 1000).body));
    expect(bodies.map((b) => b.groupKey).slice(0, 4)).toEqual(bodies.map((b) => b.groupKey).slice(4, 8));
    // 40 first firings, then one firing again per group in its third notification.
    expect(traffic.firings).toBe(44);
    expect(firingsOf(bodies).size).toBe(44);
  });
});

describe('cost seeding', () => {
  const group = new AlertGroup({ alertname: 'HighErrorRate', service: 'checkout', cluster: 'prod-eu-1' });

  it.each([10, 1000, 1005, 10_000])('grows one group to exactly %i firings with bodies of at most the group width', (size) => {
    const plan = planSeeding(group, { size, width: 1000, measuredAlerts: 10, notifications: 20, nowMs: T0 });
    const bodies = plan.bodies.map(parse);
    expect(plan.firings).toBe(size);
    expect(firingsOf(bodies).size).toBe(size);
    expect(Math.max(...bodies.map((b) => b.alerts.length))).toBeLessThanOrEqual(1000);
    expect(new Set(bodies.map((b) => b.groupKey)).size).toBe(1);
    // Every body has firing alerts, so the incident never resolves while it grows.
    expect(bodies.every((b) => b.alerts.some((a) => a.status === 'firing'))).toBe(true);
    // The alerts keep firing again: at 10,000 firings each alert of the group fired 20 times.
    if (size === 10_000) expect(new Set(bodies.flatMap((b) => b.alerts.map((a) => a.fingerprint))).size).toBe(1000);
  });

  it('leaves the group with its measured alerts firing, and times everything in the past, in order', () => {
    const plan = planSeeding(group, { size: 10_000, width: 1000, measuredAlerts: 10, notifications: 20, nowMs: T0 });
    const bodies = plan.bodies.map(parse);
    const last = bodies[bodies.length - 1]!;
    const firing = last.alerts.filter((a) => a.status === 'firing');
    expect(firing.map((a) => a.labels.pod)).toEqual(Array.from({ length: 10 }, (_, i) => group.labels(i).pod));
    const times = bodies.flatMap((b) => b.alerts.flatMap((a) => [a.startsAt, a.endsAt].filter((t) => t !== GO_ZERO_TIME).map(Date.parse)));
    expect(Math.max(...times, plan.notificationAtMs(19))).toBeLessThan(T0);
    expect(plan.notificationAtMs(0)).toBeGreaterThan(Math.max(...times));
    const step = plan.measured.next(plan.notificationAtMs(0), 0.1);
    expect(step.alerts).toHaveLength(10);
    expect(step.resolved).toBe(1);
  });
});

describe('RESULTS.md sections', () => {
  const notes = '## How to read these figures\n\n- notes\n';

  it('replaces one section and keeps the others and the notes', () => {
    const file = composeResults({ ingest: 'ingest v1', storm: 'storm v1' }, notes);
    const sections = readSections(file, notes);
    expect(sections).toEqual({ ingest: 'ingest v1', storm: 'storm v1' });
    const next = composeResults({ ...sections, storm: 'storm v2', cost: 'cost v1' }, notes);
    expect(readSections(next, notes)).toEqual({ ingest: 'ingest v1', storm: 'storm v2', cost: 'cost v1' });
    expect(next.endsWith(notes)).toBe(true);
    expect(next.indexOf('ingest v1')).toBeLessThan(next.indexOf('storm v2'));
    expect(next.indexOf('storm v2')).toBeLessThan(next.indexOf('cost v1'));
  });

  it('reads a file written before the sections had markers as the ingest section', () => {
    const legacy = `# Ingest benchmark\n\nGenerated by \`npm run bench\` on 2026-11-27.\n\n| table |\n\n${notes}`;
    expect(readSections(legacy, notes)).toEqual({ ingest: 'Generated by `npm run bench` on 2026-11-27.\n\n| table |' });
  });
});

describe('drain halves', () => {
  it('gives the processing rate in each half of the drain', () => {
    // 100 webhooks of 50 alerts: 60 in the first 10 s, 40 in the next 10 s.
    const curve = [{ at: 0, backlog: 100 }, { at: 5000, backlog: 70 }, { at: 10_000, backlog: 40 }, { at: 15_000, backlog: 20 }, { at: 20_000, backlog: 0 }];
    expect(drainHalves(curve, 50)).toEqual([300, 200]);
  });

  it('has nothing to say about a drain of fewer than three readings', () => {
    expect(drainHalves([{ at: 0, backlog: 3 }, { at: 500, backlog: 0 }], 50)).toBeNull();
  });
});
