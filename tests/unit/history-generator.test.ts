import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import {
  DEFAULT_AM_CONFIG, goTime, groupKeyOf, renderAlertmanager, type AmConfig, type AmFiring, type AmWebhookBody,
} from '../../bench/correlation/alertmanager-render';
import { perGroupBaseline, perServiceBaseline } from '../../bench/correlation/baselines';
import { generateHistory, SCALES } from '../../bench/correlation/generate-history';
import { createRng } from '../../bench/correlation/rng';
import { SCENARIO_KINDS } from '../../bench/correlation/scenarios';
import { firingKey } from '../../src/cli/backtest/ground-truth';
import { historyLineSchema } from '../../src/cli/backtest/history-file';

const MIN = 60_000;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
// No duplicated or late deliveries, so timings are exact up to the small send delays.
const AM: AmConfig = { ...DEFAULT_AM_CONFIG, duplicateRate: 0, lateRate: 0 };

function firing(labels: Record<string, string>, startsAt: number, endsAt: number): AmFiring {
  return { labels, annotations: { summary: 's' }, generatorURL: '', fingerprint: alertmanagerFingerprint(labels), startsAt, endsAt };
}
const warning = (extra: Record<string, string> = {}) => ({ alertname: 'HighLatency', cluster: 'c1', namespace: 'ns', service: 'api', severity: 'warning', ...extra });
const bodies = (firings: AmFiring[]) => renderAlertmanager(firings, AM, createRng(1)).map((l) => ({ at: Date.parse(l.receivedAt), body: l.body as AmWebhookBody }));

describe('renderAlertmanager (Alertmanager notification behaviour)', () => {
  it('when one warning fires for 10 minutes, then one firing body arrives after group_wait and one resolved body after the next flush', () => {
    const out = bodies([firing(warning(), T0, T0 + 10 * MIN)]);
    expect(out).toHaveLength(2);
    expect(out[0]!.at - T0).toBeGreaterThanOrEqual(30_000);
    expect(out[0]!.at - T0).toBeLessThan(30_000 + 3_200);
    expect(out[0]!.body.status).toBe('firing');
    expect(out[0]!.body.alerts[0]).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', startsAt: goTime(T0) });
    // Flushes run every group_interval (5 min) after the first: the resolution goes out at +10m30s.
    expect(out[1]!.at - T0).toBeGreaterThanOrEqual(10 * MIN + 30_000);
    expect(out[1]!.body.status).toBe('resolved');
    expect(out[1]!.body.alerts[0]).toMatchObject({ status: 'resolved', endsAt: goTime(T0 + 10 * MIN) });
  });

  it('when a warning keeps firing for 9 hours, then the unchanged group is re-sent after each repeat_interval (4 h)', () => {
    const out = bodies([firing(warning(), T0, T0 + 9 * 60 * MIN)]);
    expect(out.map((b) => b.body.status)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    expect(new Set(out.map((b) => b.body.alerts[0]!.startsAt)).size).toBe(1);
    const gapMin = (out[1]!.at - out[0]!.at) / MIN;
    expect(gapMin).toBeGreaterThanOrEqual(240);
    expect(gapMin).toBeLessThan(246);
  });

  it('when a second alert joins a group, then the next body is a snapshot holding both, and resolved alerts carry their endsAt', () => {
    const a = firing(warning({ pod: 'a' }), T0, T0 + 6 * MIN);
    const b = firing(warning({ pod: 'b' }), T0 + 2 * MIN, T0 + 20 * MIN);
    const out = bodies([a, b]);
    expect(out[0]!.body.alerts.map((x) => x.labels.pod)).toEqual(['a']);
    expect(out[1]!.body.alerts.map((x) => [x.labels.pod, x.status])).toEqual([['a', 'firing'], ['b', 'firing']]);
    expect(out[2]!.body.alerts.map((x) => [x.labels.pod, x.status])).toEqual([['a', 'resolved'], ['b', 'firing']]);
    expect(out[2]!.body.status).toBe('firing');
    expect(out[2]!.body.commonLabels).toEqual({ alertname: 'HighLatency', cluster: 'c1', namespace: 'ns', service: 'api', severity: 'warning' });
  });

  it('when an alert resolves and fires again between two flushes, then the new episode is not "new" and is only seen resolved', () => {
    // Alertmanager compares notifications by fingerprint: the refire is a firing alert it already notified.
    const first = firing(warning(), T0, T0 + 1 * MIN);
    const second = firing(warning(), T0 + 2 * MIN, T0 + 20 * MIN);
    const out = bodies([first, second]);
    expect(out).toHaveLength(2);
    expect(out[0]!.body.alerts[0]).toMatchObject({ status: 'firing', startsAt: goTime(T0) });
    expect(out[1]!.body.alerts[0]).toMatchObject({ status: 'resolved', startsAt: goTime(T0 + 2 * MIN) });
  });

  it('when an alert fires and resolves within group_wait, then nothing is sent', () => {
    expect(bodies([firing(warning(), T0, T0 + 10_000)])).toHaveLength(0);
  });

  it('when alerts are critical, then they go to the critical route grouped by cluster and namespace, with Alertmanager\'s groupKey', () => {
    const crit = firing({ ...warning({ alertname: 'PodCrashLooping' }), severity: 'critical' }, T0, T0 + 5 * MIN);
    const warn = firing(warning(), T0, T0 + 5 * MIN);
    const keys = new Set(bodies([crit, warn]).map((b) => b.body.groupKey));
    expect(keys).toEqual(new Set(['{}/{severity="critical"}:{cluster="c1", namespace="ns"}', '{}:{alertname="HighLatency", cluster="c1"}']));
  });

  it('when formatting times and group keys, then they look like Go\'s and Alertmanager\'s', () => {
    expect(goTime(Date.parse('2026-01-05T00:00:13.360Z'))).toBe('2026-01-05T00:00:13.36Z');
    expect(goTime(Date.parse('2026-01-05T00:00:10.000Z'))).toBe('2026-01-05T00:00:10Z');
    expect(groupKeyOf('{}/{severity="critical"}', { namespace: 'y', cluster: 'x' })).toBe('{}/{severity="critical"}:{cluster="x", namespace="y"}');
  });
});

describe('generateHistory', () => {
  const h = generateHistory(5, SCALES.tiny!);

  it('when generated twice with one seed, then the output is identical; with another seed, it differs', () => {
    const again = generateHistory(5, SCALES.tiny!);
    expect(JSON.stringify(again.lines)).toBe(JSON.stringify(h.lines));
    expect(JSON.stringify(again.truth)).toBe(JSON.stringify(h.truth));
    expect(again.catalogYaml).toBe(h.catalogYaml);
    expect(JSON.stringify(generateHistory(6, SCALES.tiny!).lines)).not.toBe(JSON.stringify(h.lines));
  });

  it('when generated, then every scenario kind is in the truth', () => {
    expect(new Set(h.truth.incidents.map((i) => i.kind))).toEqual(new Set(SCENARIO_KINDS));
  });

  it('when generated, then the firings in the bodies and in the truth are the same set', () => {
    const inBodies = new Set(h.lines.flatMap((l) => (l.body as AmWebhookBody).alerts.map((a) => firingKey(a.fingerprint, a.startsAt))));
    const inTruth = h.truth.incidents.flatMap((i) => i.firings.map((f) => firingKey(f.fingerprint, f.startsAt)));
    expect(new Set(inTruth)).toEqual(inBodies);
    expect(inTruth).toHaveLength(inBodies.size);
  });

  it('when generated, then every line is a valid history line of an Alertmanager v4 body, in receive order', () => {
    let previous = '';
    for (const line of h.lines) {
      expect(historyLineSchema.safeParse(line).success).toBe(true);
      expect(line.receivedAt >= previous).toBe(true);
      previous = line.receivedAt;
      const body = line.body as AmWebhookBody;
      expect(body.version).toBe('4');
      expect(body.groupKey).toMatch(/^\{\}(\/\{severity="critical"\})?:\{.+\}$/);
      expect(body.status).toBe(body.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
      for (const a of body.alerts) {
        expect(a.fingerprint).toBe(alertmanagerFingerprint(a.labels));
        if (a.status === 'firing') expect(a.endsAt).toBe('0001-01-01T00:00:00Z');
        else expect(Date.parse(a.endsAt)).toBeGreaterThan(Date.parse(a.startsAt));
        for (const [k, v] of Object.entries(body.groupLabels)) expect(a.labels[k]).toBe(v);
      }
    }
  });

  it('when a flapping incident is generated, then it holds one series firing several times (same fingerprint, new startsAt)', () => {
    const flapping = h.truth.incidents.filter((i) => i.kind === 'flapping');
    expect(flapping.some((i) => i.firings.length > new Set(i.firings.map((f) => f.fingerprint)).size)).toBe(true);
  });

  it('when a failure recurs, then the later incident re-uses a fingerprint of the earlier one at least two hours later', () => {
    const later = h.truth.incidents.filter((i) => i.recurrenceOf);
    expect(later.length).toBeGreaterThan(0);
    for (const inc of later) {
      const earlier = h.truth.incidents.find((i) => i.id === inc.recurrenceOf)!;
      const shared = inc.firings.filter((f) => earlier.firings.some((e) => e.fingerprint === f.fingerprint));
      expect(shared.length).toBeGreaterThan(0);
      const lastEarlier = Math.max(...earlier.firings.map((f) => Date.parse(f.startsAt)));
      expect(Math.min(...inc.firings.map((f) => Date.parse(f.startsAt))) - lastEarlier).toBeGreaterThan(110 * MIN);
    }
  });

  it('when a failure spans two clusters, then its truth incident holds alerts of both', () => {
    for (const inc of h.truth.incidents.filter((i) => i.kind === 'two-cluster')) {
      expect(new Set(inc.firings.map((f) => f.cluster)).size).toBe(2);
    }
  });

  it('when the catalog is generated, then it lists every alerting service with team, customerFacing and dependsOn', () => {
    const services = new Set(h.truth.incidents.flatMap((i) => i.firings.map((f) => f.service)));
    for (const s of services) expect(h.catalogYaml).toContain(`- name: ${s}\n`);
    expect(h.catalogYaml).toMatch(/team: \S+\n\s+customerFacing: (true|false)\n\s+dependsOn:/);
  });
});

describe('baselines', () => {
  it('when a group resolves completely and fires again, then the per-group baseline opens a second incident', () => {
    const lines = renderAlertmanager([firing(warning(), T0, T0 + 10 * MIN), firing(warning(), T0 + 60 * MIN, T0 + 70 * MIN)], AM, createRng(1));
    const m = perGroupBaseline(lines);
    expect(new Set(m.values()).size).toBe(2);
  });

  it('when one service alerts twice 20 minutes apart and again an hour later, then the per-service baseline (30 min gap) makes two incidents', () => {
    const lines = renderAlertmanager([
      firing(warning({ pod: 'a' }), T0, T0 + 5 * MIN),
      firing(warning({ pod: 'b' }), T0 + 20 * MIN, T0 + 25 * MIN),
      firing(warning({ pod: 'c' }), T0 + 80 * MIN, T0 + 85 * MIN),
    ], AM, createRng(1));
    const m = perServiceBaseline(lines, 30 * MIN);
    const ids = ['a', 'b', 'c'].map((p) => [...m.entries()].find(([k]) => k.startsWith(alertmanagerFingerprint(warning({ pod: p }))))![1]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});
