import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/domain/alert';
import { isFiringSpanKey } from '../../src/domain/correlation/correlation-keys';
import type { KeyActivity } from '../../src/domain/correlation/correlation-types';
import { alertKeyActivity } from '../../src/domain/correlation/key-activity';
import { facetsOf, facetWithAlert, facetAfterResend, tallyOf, tallyWithAlert, tallyAfterResend, type AlertFacet } from '../../src/domain/incident-facets';
import { summarizeIncident } from '../../src/domain/incident-summary';
import { SqliteLedgerPort } from '../../src/store/sqlite/sqlite-ledger-port';
import { Harness, SERVICE_LABELS, observation, rng, type AlertSpec } from '../support/correlation-harness';
import { makeAlert } from '../support/domain-builders';

/**
 * Incident summaries and facets are kept incrementally (a placed alert or a status change
 * updates them in O(1)); merges, splits and moves recompute in full. Here random event sequences
 * — new firings, re-sends, resolutions, ends corrected earlier, corrections — run through the
 * real store, and after every step each incident's stored summary and facets must equal the
 * from-scratch computation over its alerts.
 */

const byKey = (facets: AlertFacet[]) => [...facets].sort((a, b) => `${a.alertname}|${a.service}`.localeCompare(`${b.alertname}|${b.service}`));

async function expectIncrementalEqualsFull(h: Harness): Promise<void> {
  const port = new SqliteLedgerPort((sql) => h.store.database.prepare(sql));
  for (const detail of await h.incidents()) {
    if (detail.alerts.length === 0) continue;
    const { incident, alerts } = detail;
    const full = summarizeIncident(alerts, SERVICE_LABELS);
    expect({ ...incident, id: undefined, createdAt: undefined, updatedAt: undefined, mergedInto: undefined }).toEqual({
      ...full, id: undefined, createdAt: undefined, updatedAt: undefined, mergedInto: undefined,
    });
    expect(byKey(port.facetsOf(incident.id))).toEqual(byKey(facetsOf(alerts, SERVICE_LABELS)));
    expect(port.getIncident(incident.id)!.tally).toEqual(tallyOf(alerts));
    // Firing-span keys (critical alerts' `outage:crit:`) follow their holders' firing and ends.
    const stored = port.alertsOf(incident.id);
    const spanKeys = [...new Set(stored.flatMap((a) => a.keys).filter(isFiringSpanKey))];
    const byName = (xs: KeyActivity[]) => [...xs].sort((a, b) => a.key.localeCompare(b.key));
    expect(byName(port.keyActivityOf(incident.id, spanKeys))).toEqual(byName(alertKeyActivity(stored).filter((k) => isFiringSpanKey(k.key))));
  }
}

describe('incremental incident summaries', () => {
  const runs = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((seed) => (['observations', 'inbox-runs'] as const).map((via) => [seed, via] as const));
  it.each(runs)('when a random sequence of firings, re-sends, resolutions and corrections is recorded (seed %i, through %s), then every stored summary equals the full recompute', async (seed, via) => {
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const h = await Harness.open({ services: [{ name: 'api', dependsOn: ['db'] }, { name: 'db' }, { name: 'web', dependsOn: ['api'] }], via });
    const live: AlertSpec[] = [];
    try {
      for (let step = 0; step < 60; step++) {
        const roll = random();
        if (roll < 0.45 || live.length === 0) {
          // New firings (a notification of one to three alerts), sometimes already resolved.
          const batch: AlertSpec[] = [];
          for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
            const start = Math.floor(random() * 120);
            const spec: AlertSpec = {
              name: pick(['HighErrorRate', 'HighLatency', 'PostgresDown', 'PodCrashLooping']),
              service: pick(['api', 'db', 'web', undefined]),
              cluster: pick(['eu', 'us']),
              labels: { severity: pick(['critical', 'warning', 'info']), pod: `p${Math.floor(random() * 4)}`, namespace: pick(['shop', 'core']) },
              start,
              end: random() < 0.2 ? start + 1 + Math.floor(random() * 30) : undefined,
            };
            batch.push(spec);
          }
          await h.record(...batch);
          live.push(...batch.filter((s) => !live.some((l) => observation(l).fingerprint === observation(s).fingerprint && l.start === s.start)));
        } else if (roll < 0.65) {
          // Re-send unchanged (only bookkeeping changes).
          await h.record(pick(live));
        } else if (roll < 0.85) {
          // Resolution, or a resolved alert's end corrected (sometimes earlier).
          const spec = pick(live);
          const end = spec.end !== undefined && random() < 0.5 ? Math.max(spec.start, spec.end - 1 - Math.floor(random() * 5)) : spec.start + 1 + Math.floor(random() * 60);
          spec.end = end;
          await h.record({ ...spec });
        } else {
          // A correction by a person: split, move or merge.
          const incidents = (await h.incidents()).filter((d) => d.alerts.length > 0);
          const kind = pick(['split', 'move', 'merge']);
          const a = pick(incidents);
          if (kind === 'split' && a.alerts.length > 1) {
            await h.store.splitIncident(a.incident.id, [pick(a.alerts).id], h.correction());
          } else if (kind === 'move' && incidents.length > 1) {
            const b = pick(incidents.filter((d) => d.incident.id !== a.incident.id));
            await h.store.moveAlert(pick(a.alerts).id, b.incident.id, h.correction());
          } else if (kind === 'merge' && incidents.length > 1) {
            const b = pick(incidents.filter((d) => d.incident.id !== a.incident.id));
            await h.store.mergeIncidents(a.incident.id, [b.incident.id], h.correction());
          }
        }
        await expectIncrementalEqualsFull(h);
      }
    } finally {
      await h.close();
    }
  });

  it('when the file was written before summaries were kept incrementally, then the first write recomputes every incident once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-upgrade-'));
    const file = join(dir, 'debrief.db');
    try {
      const first = await Harness.open({}, file);
      await first.record({ name: 'HighErrorRate', service: 'api', start: 0 }, { name: 'HighLatency', service: 'api', start: 1 });
      // What an older version's file looks like: no facets, no tally columns, no version mark.
      first.store.database.exec('DELETE FROM incident_facets; DELETE FROM schema_meta; UPDATE incidents SET firing_count = 0, last_start_at = NULL, last_end_at = NULL');
      await first.close();
      const reopened = await Harness.open({}, file);
      try {
        await reopened.record({ name: 'PodCrashLooping', service: 'api', start: 2 });
        await expectIncrementalEqualsFull(reopened);
        const [detail] = await reopened.incidents();
        expect(detail!.incident).toMatchObject({ status: 'open', alertCount: 3, title: 'HighErrorRate, HighLatency and 1 more on api' });
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when an end moves earlier, then the facet and tally ask for a recompute instead of keeping a maximum that may be gone', () => {
    const before = makeAlert({ status: 'resolved', startsAt: '2026-01-01T10:00:00.000Z', endsAt: '2026-01-01T10:30:00.000Z' });
    const after: Alert = { ...before, endsAt: '2026-01-01T10:20:00.000Z' };
    const facet = facetWithAlert(null, before, SERVICE_LABELS);
    expect(facetAfterResend(facet, before, after)).toBeNull();
    expect(tallyAfterResend(tallyWithAlert(null, before), before, after)).toBeNull();
  });

  it('when a firing alert resolves, then the tally counts one fewer firing and ends at its end', () => {
    const firing = makeAlert({ status: 'firing', startsAt: '2026-01-01T10:00:00.000Z' });
    const resolved: Alert = { ...firing, status: 'resolved', endsAt: '2026-01-01T10:30:00.000Z' };
    expect(tallyAfterResend(tallyWithAlert(null, firing), firing, resolved)).toEqual({
      alertCount: 1, firingCount: 0, startedAt: firing.startsAt, lastStartAt: firing.startsAt, lastEndAt: resolved.endsAt, severity: null,
    });
  });
});
