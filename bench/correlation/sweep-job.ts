import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scoreClustering, type QualityReport } from '../../src/cli/backtest/correlation-scoring';
import { formatHistoryLine } from '../../src/cli/backtest/history-file';
import { loadBacktestConfig, placementsOf, readAllIncidents, replayHistory } from '../../src/cli/backtest/replay';
import { perGroupBaseline, perServiceBaseline } from './baselines';
import { falseMerges, falseSplits, type FalseMerge, type FalseSplit } from './false-merges';
import type { SweepWorld } from './sweep-cells';
import { generateWorldHistory } from './world';
import { measureWorld, type WorldMeasures } from './world-measures';

/**
 * One unit of sweep work: generate one world for one seed, then replay it through Debrief with
 * the catalog and/or without it, and score Debrief and the baselines. Runs in a worker process.
 */
export const SERVICE_GAP_MIN = 30;

export interface SweepJob {
  world: SweepWorld;
  seed: number;
  /** Which replays to make: with the generated catalog (true), without any (false). */
  catalog: boolean[];
  /** Debrief config file with the rule set to measure; null for the built-in defaults. */
  config: string | null;
  /** Keep history.jsonl, truth.json and services.yaml under this directory. */
  out?: string;
}

export interface ReplayOutcome {
  catalog: boolean;
  debrief: QualityReport;
  replayMs: number;
  notes: string[];
  falseMerges: FalseMerge[];
  falseSplits: FalseSplit[];
}

export interface JobResult {
  world: string;
  seed: number;
  deliveries: number;
  firings: number;
  trueIncidents: number;
  undelivered: number;
  unplaced: Record<string, number>;
  measures: WorldMeasures;
  perService: QualityReport;
  perGroup: QualityReport;
  replays: ReplayOutcome[];
}

/** No catalog: a file with no services, so neither `--config`'s catalog nor config/services.yaml slips in. */
const NO_CATALOG = '# no service catalog: the sweep\'s without-catalog cells\n';

export async function runJob(job: SweepJob): Promise<JobResult> {
  const h = generateWorldHistory(job.seed, job.world.knobs);
  const dir = job.out ? join(job.out, `${job.world.name.replace(/[^A-Za-z0-9=%.-]+/g, '_')}-seed${job.seed}`) : mkdtempSync(join(tmpdir(), 'debrief-sweep-'));
  mkdirSync(dir, { recursive: true });
  const catalogFile = join(dir, 'services.yaml');
  const noCatalogFile = join(dir, 'no-services.yaml');
  writeFileSync(catalogFile, h.catalogYaml);
  writeFileSync(noCatalogFile, NO_CATALOG);
  if (job.out) {
    writeFileSync(join(dir, 'history.jsonl'), `${h.lines.map(formatHistoryLine).join('\n')}\n`);
    writeFileSync(join(dir, 'truth.json'), `${JSON.stringify(h.truth, null, 1)}\n`);
  }
  try {
    const replays: ReplayOutcome[] = [];
    for (const withCatalog of job.catalog) {
      const loaded = loadBacktestConfig({ file: job.config, catalogFile: withCatalog ? catalogFile : noCatalogFile });
      const notes = [...loaded.notes];
      const t0 = performance.now();
      const replay = await replayHistory({ config: loaded.config, records: h.lines.map((line, i) => ({ lineNo: i + 1, line, bytesRead: 0 })) });
      const replayMs = performance.now() - t0;
      try {
        const counts = await replay.debrief.store.inboxCounts();
        if (counts.dead > 0 || counts.pending > 0) notes.push(`${counts.dead} dead letters and ${counts.pending} pending inbox entries after the replay`);
        const incidents = await readAllIncidents(replay.debrief.store);
        replays.push({ catalog: withCatalog, debrief: scoreClustering(h.truth, placementsOf(incidents)), replayMs, notes, falseMerges: falseMerges(h.truth, incidents, 5), falseSplits: falseSplits(h.truth, incidents, 5) });
      } finally {
        await replay.debrief.close();
      }
    }
    return {
      world: job.world.name,
      seed: job.seed,
      deliveries: h.lines.length,
      firings: h.truth.incidents.reduce((n, i) => n + i.firings.length, 0),
      trueIncidents: h.truth.incidents.length,
      undelivered: h.undelivered,
      unplaced: h.plan.unplaced as Record<string, number>,
      measures: measureWorld(h.topology, h.graph, h.plan, h.exporterLabels),
      perService: scoreClustering(h.truth, perServiceBaseline(h.lines, SERVICE_GAP_MIN * 60_000)),
      perGroup: scoreClustering(h.truth, perGroupBaseline(h.lines)),
      replays,
    };
  } finally {
    if (!job.out) rmSync(dir, { recursive: true, force: true });
  }
}
