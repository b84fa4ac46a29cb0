import type { AlertObservation } from '../../src/domain/alert';
import { isPlainResend } from '../../src/domain/alert';
import { Harness, identity, observation, rng, type AlertSpec } from '../support/correlation-harness';

/**
 * Inbox runs decide most re-sends from a probe of a few stored fields and only count them
 * (`recordNotifications`); `recordObservations` reads and rewrites every re-sent alert. The two
 * must leave the same store behind: here one random sequence of notifications — new firings,
 * unchanged re-sends, re-sends with new annotations or generator URL, resolutions, re-sends of
 * resolved alerts, ends corrected, late firings that merge incidents, notifications naming an
 * alert twice or mixing all of these — goes through both, and every alert and incident is
 * compared.
 */

type Spec = AlertSpec & { note?: string; url?: string };

const obsOf = (spec: Spec): AlertObservation => ({
  ...observation(spec),
  annotations: spec.note ? { summary: spec.note } : {},
  generatorUrl: spec.url ?? null,
});

async function snapshot(h: Harness) {
  const incidents = (await h.incidents()).filter((d) => d.alerts.length > 0);
  const alerts = incidents.flatMap((d) => d.alerts).map((a) => ({
    id: identity(a), status: a.status, endsAt: a.endsAt, annotations: a.annotations, generatorUrl: a.generatorUrl, labels: a.labels,
    lastSeenAt: a.lastSeenAt, notificationCount: a.notificationCount,
    incident: d(incidents.find((x) => x.incident.id === a.incidentId)!),
  }));
  function d(detail: (typeof incidents)[number]) {
    const { incident } = detail;
    return {
      members: detail.alerts.map(identity).sort(), title: incident.title, status: incident.status, severity: incident.severity, services: incident.services,
      startedAt: incident.startedAt, endedAt: incident.endedAt, lastActivityAt: incident.lastActivityAt, alertCount: incident.alertCount,
    };
  }
  return alerts.sort((a, b) => a.id.localeCompare(b.id));
}

describe('plain re-sends in inbox runs', () => {
  // Some sequences merge incidents (a late firing or a new link joins two): they must cover that case.
  let mergesSeen = 0;
  afterAll(() => expect(mergesSeen).toBeGreaterThan(0));

  it.each([11, 12, 13, 14, 15, 16])('when one random sequence of notifications goes through both store paths (seed %i), then they leave the same alerts and incidents', async (seed) => {
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const services = [{ name: 'api', dependsOn: ['db'] }, { name: 'db' }];
    const full = await Harness.open({ services, via: 'observations' });
    const runs = await Harness.open({ services, via: 'inbox-runs' });
    const live: Spec[] = [];
    let plain = 0;
    let mixed = 0;
    try {
      for (let step = 0; step < 80; step++) {
        const roll = random();
        let batch: Spec[];
        // One start per new firing: titles break ties between equally early alerts by their random
        // ids. A late firing (a negative start, before everything stored) may link incidents that
        // opened after it and merge them, in the middle of a notification.
        const fresh = (late: boolean): Spec => {
          const spec: Spec = {
            name: pick(['HighErrorRate', 'HighLatency', 'PostgresDown']), service: pick(['api', 'db', undefined]), cluster: pick(['eu', 'us']),
            labels: { severity: pick(['critical', 'warning']), pod: `p${Math.floor(random() * 3)}` }, start: late ? -step - 0.5 : step,
          };
          if (!live.some((l) => identity(obsOf(l)) === identity(obsOf(spec)))) live.push(spec);
          return spec;
        };
        if (roll < 0.3 || live.length === 0) {
          batch = [fresh(random() < 0.2)];
        } else if (roll < 0.7) {
          // A group re-sent: several known alerts (one may be named twice), most unchanged; now
          // and then with a new or late firing and a resolution among them, so the plain re-sends
          // are counted before placements and merges of the same notification.
          batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(live));
          if (random() < 0.4) {
            const ending = pick(live);
            if (ending.end === undefined) ending.end = ending.start + 1 + Math.floor(random() * 30);
            batch.push(ending, fresh(random() < 0.3));
          }
        } else if (roll < 0.8) {
          const spec = pick(live);
          if (random() < 0.5) spec.note = `note ${step}`;
          else spec.url = `http://prometheus.example/graph?g0.expr=${step}`;
          batch = [spec];
        } else {
          const spec = pick(live);
          spec.end = spec.end !== undefined && random() < 0.4 ? Math.max(spec.start, spec.end - 1) : spec.start + 1 + Math.floor(random() * 30);
          batch = [spec];
        }
        const observations = batch.map(obsOf);
        for (const o of new Map(observations.map((x) => [identity(x), x])).values()) {
          const before = (await runs.alerts()).find((a) => identity(a) === identity(o));
          if (before && isPlainResend({ ...before, labelsJson: JSON.stringify(before.labels), annotationsJson: JSON.stringify(before.annotations) }, o)) plain += 1;
        }
        if (new Set(observations.map(identity)).size < observations.length || batch.length > 4) mixed += 1;
        await full.record(...observations);
        await runs.record(...observations);
      }
      expect(await snapshot(runs)).toEqual(await snapshot(full));
      const merged = (await runs.incidents('merged')).length;
      expect(merged).toBe((await full.incidents('merged')).length);
      mergesSeen += merged;
      // The comparison covers the probe path, not only full reads.
      expect(plain).toBeGreaterThan(20);
      expect(mixed).toBeGreaterThan(3);
    } finally {
      await full.close();
      await runs.close();
    }
  });

  const stored = { status: 'firing' as const, endsAt: null, generatorUrl: 'http://p/g', labelsJson: '{"alertname":"A"}', annotationsJson: '{"summary":"s"}' };
  const obs = (over: Partial<AlertObservation>): AlertObservation => ({
    ...observation({ name: 'A', start: 0 }), labels: { alertname: 'A' }, annotations: { summary: 's' }, generatorUrl: 'http://p/g', ...over,
  });

  it('when a firing is re-sent as it was, then it is a plain re-send', () => {
    expect(isPlainResend(stored, obs({}))).toBe(true);
    // A notification without a generator URL keeps the stored one.
    expect(isPlainResend(stored, obs({ generatorUrl: null }))).toBe(true);
  });

  it.each<[string, Partial<AlertObservation>]>([
    ['it resolves', { status: 'resolved', endsAt: '2030-01-01T00:05:00.000Z' }],
    ['its annotations changed', { annotations: { summary: 'other' } }],
    ['its generator URL changed', { generatorUrl: 'http://p/other' }],
    ['its labels differ from the stored ones', { labels: { alertname: 'A', pod: 'p1' } }],
  ])('when %s, then it is not a plain re-send', (_what, over) => {
    expect(isPlainResend(stored, obs(over))).toBe(false);
  });

  it('when a resolved alert is re-sent with the same end, then it is plain; with another end, it is not', () => {
    const resolved = { ...stored, status: 'resolved' as const, endsAt: '2030-01-01T00:05:00.000Z' };
    expect(isPlainResend(resolved, obs({ status: 'resolved', endsAt: '2030-01-01T00:05:00.000Z' }))).toBe(true);
    expect(isPlainResend(resolved, obs({ status: 'resolved', endsAt: '2030-01-01T00:04:00.000Z' }))).toBe(false);
    // A late firing re-send of a resolved alert changes nothing either (resolved stays resolved).
    expect(isPlainResend(resolved, obs({}))).toBe(true);
  });
});
