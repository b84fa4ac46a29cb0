import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoreClustering, type QualityReport } from '../../src/cli/backtest/correlation-scoring';
import { firingKey, readGroundTruthFile, type GroundTruth } from '../../src/cli/backtest/ground-truth';
import { readHistoryFile } from '../../src/cli/backtest/history-file';
import { loadBacktestConfig, placementsOf, readAllIncidents, replayHistory } from '../../src/cli/backtest/replay';
import type { IncidentDetail } from '../../src/domain/incident';

/*
 * Real Alertmanager traffic, replayed: tests/fixtures/replay/alertmanager-e2e holds what a real
 * Prometheus 2.42 and Alertmanager 0.25 sent Debrief during a scripted outage (a database down
 * with its callers in two clusters, unrelated noise, a flapping alert; see its README and
 * `npm run record:replay-fixture`), and a ground truth written by hand from that scenario.
 * The replay runs the built-in correlation defaults with the recording's service catalog, so
 * it needs no binaries and no network.
 */

const FIXTURE = join(__dirname, '..', 'fixtures', 'replay', 'alertmanager-e2e');
const HISTORY = join(FIXTURE, 'history.jsonl');
const CATALOG = join(FIXTURE, 'services.yaml');
const TRUTH = join(FIXTURE, 'truth.json');

const MIN_PAIRWISE_PRECISION = 0.95;
const MIN_BCUBED_F1 = 0.95;

interface Replayed {
  lines: number;
  skipped: number;
  dead: number;
  incidents: IncidentDetail[];
}

async function replayFixture(): Promise<Replayed> {
  // Built-in rules (no config file) and an empty environment: nothing from the checkout or the shell leaks in.
  const { config, notes } = loadBacktestConfig({ file: null, catalogFile: CATALOG, env: {} });
  expect(notes).toEqual([]);
  const replay = await replayHistory({ config, records: readHistoryFile(HISTORY) });
  try {
    const counts = await replay.debrief.store.inboxCounts();
    return { lines: replay.lines, skipped: replay.skipped.length, dead: counts.dead, incidents: await readAllIncidents(replay.debrief.store) };
  } finally {
    await replay.debrief.close();
  }
}

/** Each predicted incident as the sorted keys of its firings, in a stable order. */
const grouping = (incidents: readonly IncidentDetail[]): string[][] =>
  incidents.map(({ alerts }) => alerts.map((a) => firingKey(a.fingerprint, a.startsAt)).sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));

/** Every alert's decision without ids and processing times, keyed by firing. */
const decisions = (incidents: readonly IncidentDetail[]): Record<string, unknown> =>
  Object.fromEntries(
    incidents.flatMap(({ alerts }) =>
      alerts.map((a) => [firingKey(a.fingerprint, a.startsAt), { kind: a.decision.kind, rule: a.decision.rule, strength: a.decision.evidence?.strength ?? null, depth: a.decision.evidence?.depth ?? null }]),
    ),
  );

/**
 * The predicted incidents that mix true incidents or hold only part of one, each alert with
 * its true incident and the decision that placed it: what a failure must show.
 */
function misplacements(truth: GroundTruth, incidents: readonly IncidentDetail[]): string {
  const truthOf = new Map<string, string>();
  for (const incident of truth.incidents) for (const f of incident.firings) truthOf.set(firingKey(f.fingerprint, f.startsAt), incident.id);
  const predictedCount = new Map<string, number>();
  for (const { alerts } of incidents) {
    const ids = new Set(alerts.map((a) => truthOf.get(firingKey(a.fingerprint, a.startsAt))));
    for (const id of ids) predictedCount.set(id ?? '?', (predictedCount.get(id ?? '?') ?? 0) + 1);
  }
  const lines: string[] = [];
  incidents.forEach(({ incident, alerts }, index) => {
    const ids = new Set(alerts.map((a) => truthOf.get(firingKey(a.fingerprint, a.startsAt)) ?? '?'));
    if (ids.size === 1 && predictedCount.get([...ids][0]!) === 1) return;
    lines.push(`incident ${index + 1} "${incident.title}" holds ${[...ids].join(' + ')}:`);
    for (const a of alerts) {
      lines.push(`  ${a.labels.alertname} ${a.labels.service} ${a.labels.cluster} ${a.startsAt} (truth: ${truthOf.get(firingKey(a.fingerprint, a.startsAt)) ?? '?'}) [${a.decision.rule ?? a.decision.kind}] ${a.decision.explanation}`);
    }
  });
  return lines.join('\n') || '(none)';
}

const figures = (q: QualityReport): string =>
  `pairwise precision ${q.overall.pairwise.precision?.toFixed(3)} recall ${q.overall.pairwise.recall?.toFixed(3)}; B-cubed precision ${q.overall.bcubed.precision.toFixed(3)} recall ${q.overall.bcubed.recall.toFixed(3)} F1 ${q.overall.bcubed.f1.toFixed(3)}; ${q.overall.predictedIncidents} incidents for ${q.overall.trueIncidents} true`;

describe('replaying a recorded real Alertmanager history against its hand-written truth', () => {
  const truth = readGroundTruthFile(TRUTH);
  let first: Replayed;

  beforeAll(async () => {
    first = await replayFixture();
  });

  it('when replayed, then every delivery is processed and the truth names exactly the firings Debrief placed', () => {
    const deliveries = readFileSync(HISTORY, 'utf8').split('\n').filter((line) => line.trim() !== '').length;
    expect(first).toMatchObject({ lines: deliveries, skipped: 0, dead: 0 });
    const placed = first.incidents.flatMap(({ alerts }) => alerts.map((a) => firingKey(a.fingerprint, a.startsAt)));
    const inTruth = truth.incidents.flatMap((incident) => incident.firings.map((f) => firingKey(f.fingerprint, f.startsAt)));
    expect(new Set(placed).size).toBe(placed.length);
    expect([...placed].sort()).toEqual([...inTruth].sort());
  });

  it(`when scored, then pairwise precision is at least ${MIN_PAIRWISE_PRECISION} and B-cubed F1 at least ${MIN_BCUBED_F1}`, () => {
    const quality = scoreClustering(truth, placementsOf(first.incidents));
    const met = (quality.overall.pairwise.precision ?? 0) >= MIN_PAIRWISE_PRECISION && quality.overall.bcubed.f1 >= MIN_BCUBED_F1;
    // A miss shows the figures and the decisions behind each misplaced alert, not just a number.
    if (!met) throw new Error(`${figures(quality)}\nmisplaced:\n${misplacements(truth, first.incidents)}`);
    expect(quality.overall.pairwise.precision).toBeGreaterThanOrEqual(MIN_PAIRWISE_PRECISION);
    expect(quality.overall.bcubed.f1).toBeGreaterThanOrEqual(MIN_BCUBED_F1);
  });

  it('when replayed twice, then the same firings end up together, placed by the same decisions', async () => {
    const second = await replayFixture();
    expect(grouping(second.incidents)).toEqual(grouping(first.incidents));
    expect(decisions(second.incidents)).toEqual(decisions(first.incidents));
  });
});
