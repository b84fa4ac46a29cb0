import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import type { QualityFigures } from '../../src/cli/backtest/correlation-scoring';
import { num, table } from '../../src/cli/backtest/quality-table';
import { loadBacktestConfig } from '../../src/cli/backtest/replay';
import type { FalseMerge, FalseSplit } from './false-merges';
import { SEED_SETS, selectCells, SWEEP_CELLS, type SweepCell, type SweepWorld } from './sweep-cells';
import { runJob, SERVICE_GAP_MIN, type JobResult, type SweepJob } from './sweep-job';
import { describeKnobs, describeRouting, WORLD_SIZE } from './world';
import type { WorldMeasures } from './world-measures';

/**
 * `npm run bench:correlation:sweep` (or `npm run bench:correlation -- --sweep`): Debrief's
 * correlation against many generated worlds, one knob at a time around a central world plus
 * harsh and easy corners, each with and without the service catalog. Every cell is printed
 * with PASS/MISS per target; nothing is asserted. Work is spread over up to 2 worker processes.
 */
const TARGETS = { pairPrecision: 0.95, pairF1: 0.9, bcubedF1: 0.95, compressionDelta: 0.03 } as const;

export interface CellFigures {
  firings: number;
  trueIncidents: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  bcubedF1: number;
  compression: number;
  truthCompression: number;
  serviceF1: number | null;
  serviceBcubedF1: number;
}

export interface CellTargets {
  pairPrecision: boolean;
  /** With catalog only (null without: see `cellTargets`). */
  pairF1: boolean | null;
  bcubedF1: boolean | null;
  compression: boolean | null;
  /** Without catalog only: B-cubed F1 at least the per-service baseline's; null with catalog. */
  beatsPerService: boolean | null;
  all: boolean;
}

export interface CellResult {
  cell: SweepCell;
  seeds: number[];
  figures: CellFigures;
  targets: CellTargets;
  falseMerges: Array<FalseMerge & { seed: number }>;
  falseSplits: Array<FalseSplit & { seed: number }>;
}

const log = (s = '') => process.stdout.write(`${s}\n`);

const mean = (xs: Array<number | null>): number | null => {
  const v = xs.filter((x): x is number => x !== null && !Number.isNaN(x));
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

/** Figures of one cell: means over its seeds. */
export function cellFigures(results: readonly JobResult[], catalog: boolean): CellFigures {
  const d = (f: (o: QualityFigures) => number | null) => mean(results.map((r) => { const x = r.replays.find((p) => p.catalog === catalog); return x ? f(x.debrief.overall) : null; }));
  const s = (f: (o: QualityFigures) => number | null) => mean(results.map((r) => f(r.perService.overall)));
  return {
    firings: mean(results.map((r) => r.firings)) ?? 0,
    trueIncidents: mean(results.map((r) => r.trueIncidents)) ?? 0,
    precision: d((o) => o.pairwise.precision),
    recall: d((o) => o.pairwise.recall),
    f1: d((o) => o.pairwise.f1),
    bcubedF1: d((o) => o.bcubed.f1) ?? 0,
    compression: d((o) => o.compression) ?? 0,
    truthCompression: d((o) => o.truthCompression) ?? 0,
    serviceF1: s((o) => o.pairwise.f1),
    serviceBcubedF1: s((o) => o.bcubed.f1) ?? 0,
  };
}

/**
 * With the catalog every target counts. Without it, precision still counts and the bar for the
 * rest is the per-service baseline: a cascade across services is invisible to any rule without
 * topology (the catalog) or an alert naming what it calls, so pairwise F1, B-cubed F1 and
 * compression are shown but not judged there (`null`).
 */
export function cellTargets(f: CellFigures, catalog: boolean): CellTargets {
  const judged = (pass: boolean): boolean | null => (catalog ? pass : null);
  const t: Omit<CellTargets, 'all'> = {
    pairPrecision: (f.precision ?? 0) >= TARGETS.pairPrecision,
    pairF1: judged((f.f1 ?? 0) >= TARGETS.pairF1),
    bcubedF1: judged(f.bcubedF1 >= TARGETS.bcubedF1),
    compression: judged(Math.abs(f.compression - f.truthCompression) <= TARGETS.compressionDelta + 1e-12),
    beatsPerService: catalog ? null : f.bcubedF1 >= f.serviceBcubedF1,
  };
  return { ...t, all: t.pairPrecision && t.pairF1 !== false && t.bcubedF1 !== false && t.compression !== false && t.beatsPerService !== false };
}

const mark = (pass: boolean | null): string => (pass === null ? '—' : pass ? 'PASS' : 'MISS');

function cellTable(cells: CellResult[]): string {
  const header = ['cell', 'firings', 'true inc', 'pair P', 'pair R', 'pair F1', 'B3 F1', 'compr', 'truth compr',
    `svc${SERVICE_GAP_MIN}m F1`, `svc${SERVICE_GAP_MIN}m B3`, 'P>=.95', 'F1>=.9', 'B3>=.95', '|Δcompr|<=.03', 'B3>=svc', 'all'];
  return table(header, cells.map(({ cell, figures: f, targets: t }) => [
    cell.id, num(f.firings, 0), num(f.trueIncidents, 0), num(f.precision), num(f.recall), num(f.f1), num(f.bcubedF1),
    num(f.compression), num(f.truthCompression), num(f.serviceF1), num(f.serviceBcubedF1),
    mark(t.pairPrecision), mark(t.pairF1), mark(t.bcubedF1), mark(t.compression), mark(t.beatsPerService), mark(t.all),
  ]));
}

function estateTable(worlds: SweepWorld[], results: JobResult[]): string {
  const header = ['world', 'dependsOn', 'max callers', 'cross calls', 'multi-cluster fail', 'noise near', 'root late', 'hop delay min', 'chronic', 'chronic on failing', 'concurrent near', 'exporter labels', 'deliveries', 'firings', 'true inc'];
  const rows = worlds.map((w) => {
    const rs = results.filter((r) => r.world === w.name);
    const m = (f: (x: WorldMeasures) => number | null, d = 2) => num(mean(rs.map((r) => f(r.measures))), d);
    return [w.name, m((x) => x.meanDependsOn), m((x) => x.maxCallers, 0), m((x) => x.crossClusterCallShare), m((x) => x.multiClusterFailureShare),
      m((x) => x.noiseNearShare), m((x) => x.rootLateShare), m((x) => x.meanHopDelayMin, 1), m((x) => x.chronicFirings, 1), m((x) => x.chronicOnFailingInstances, 1),
      m((x) => x.concurrentNearPairs, 1), m((x) => x.exporterLabelShare), num(mean(rs.map((r) => r.deliveries)), 0), num(mean(rs.map((r) => r.firings)), 0), num(mean(rs.map((r) => r.trueIncidents)), 0)];
  });
  return table(header, rows);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function falseMergeLines(c: CellResult, limit: number): string[] {
  const lines: string[] = [];
  for (const fm of c.falseMerges.slice(0, limit)) {
    lines.push(`- seed ${fm.seed}, incident "${clip(fm.title, 90)}": ${fm.trueIncidents.length} true incidents, ${fm.wrongPairs} wrong pairs`);
    for (const t of fm.trueIncidents) lines.push(`    ${t.id} (${t.firings} firing${t.firings === 1 ? '' : 's'}): ${t.title}`);
    for (const b of fm.bridges) {
      lines.push(`    bridged ${b.trueIncident} by ${b.alertname} on ${b.service || '(no service label)'}@${b.cluster} (started ${b.startsAt}), rule ${b.rule ?? '(opened its own incident)'}:`);
      lines.push(`      ${clip(b.explanation, 600)}`);
    }
  }
  return lines;
}

function falseSplitLines(c: CellResult, limit: number): string[] {
  const lines: string[] = [];
  for (const fs of c.falseSplits.slice(0, limit)) {
    lines.push(`- seed ${fs.seed}, ${fs.trueIncident.id} (${fs.trueIncident.firings} firings): ${fs.trueIncident.title}; in ${fs.parts.length} incidents (${fs.parts.map((p) => p.firings).join(' + ')}), ${fs.missedPairs} missed pairs`);
    for (const o of fs.openers) {
      lines.push(`    part opened by ${o.alertname} on ${o.service || '(no service label)'}@${o.cluster} (started ${o.startsAt}), rule ${o.rule ?? '(opened its own incident)'}:`);
      lines.push(`      ${clip(o.explanation, 700)}`);
    }
  }
  return lines;
}

/** Runs jobs over at most `workers` child processes (in-process when 0). */
async function runPool(jobs: SweepJob[], workers: number, onDone: (r: JobResult, done: number) => void): Promise<JobResult[]> {
  const results: JobResult[] = [];
  if (workers <= 0) {
    for (const job of jobs) { const r = await runJob(job); results.push(r); onDone(r, results.length); }
    return results;
  }
  const queue = [...jobs];
  const children: ChildProcess[] = [];
  const runChild = (child: ChildProcess) => new Promise<void>((resolve, reject) => {
    const next = () => {
      const job = queue.shift();
      if (!job) { child.send({ stop: true }); resolve(); return; }
      child.send({ job });
    };
    child.on('message', (msg: { result?: JobResult; error?: string }) => {
      if (msg.error) { reject(new Error(msg.error)); return; }
      results.push(msg.result!);
      onDone(msg.result!, results.length);
      next();
    });
    child.on('exit', (code) => { if (code !== 0 && code !== null) reject(new Error(`sweep worker exited with ${code}`)); });
    next();
  });
  try {
    for (let i = 0; i < Math.min(workers, jobs.length); i++) children.push(fork(__filename, ['--sweep-worker'], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map(runChild));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
  return results;
}

function workerMain(): void {
  process.on('message', (msg: { job?: SweepJob; stop?: boolean }) => {
    if (msg.stop) { process.disconnect(); return; }
    runJob(msg.job!).then(
      (result) => process.send!({ result }),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
}

export async function sweepMain(argv: string[]): Promise<void> {
  const program = new Command('bench:correlation:sweep')
    .description('Correlation quality over a sweep of generated worlds (one knob at a time, plus corners), each with and without the service catalog.')
    .option('--seed-set <name>', 'seeds to run: report (the figures to quote) or tune (the ones to tune rules on)', 'report')
    .option('--seeds <list>', 'comma-separated seeds instead of a seed set (neither tune nor report: say so when quoting)')
    .option('--cells <filter>', 'comma-separated parts of cell ids to run (e.g. "central,harsh" or "/no-catalog"); a leading ! excludes')
    .option('--config <yaml>', 'Debrief config file with the rule set to measure')
    .option('--json <file>', 'also write every figure as JSON')
    .option('--out <dir>', 'keep each generated history.jsonl, truth.json and services.yaml here')
    .option('--workers <n>', 'worker processes (at most 2; 0 runs in this process)', (v) => Number(v), 2)
    .option('--list', 'list the cells and exit', false)
    .option('--verbose', 'print false merges (true incidents put together, with the decisions that bridged them) of the worst cells', false)
    .parse(argv, { from: 'user' });
  const opts = program.opts<{ seedSet: string; seeds?: string; cells?: string; config?: string; json?: string; out?: string; workers: number; list: boolean; verbose: boolean }>();
  const cells = selectCells(SWEEP_CELLS, opts.cells);
  if (opts.list) { for (const c of cells) log(`${c.id}  (${describeKnobs(c.world.knobs)})`); return; }
  if (cells.length === 0) throw new Error(`--cells "${opts.cells}" selects no cell; --list shows them`);
  if (!opts.seeds && opts.seedSet !== 'tune' && opts.seedSet !== 'report') throw new Error(`--seed-set must be tune or report, not "${opts.seedSet}"`);
  const seeds = opts.seeds ? opts.seeds.split(',').filter(Boolean).map(Number) : SEED_SETS[opts.seedSet as 'tune' | 'report'];
  const seedLabel = opts.seeds ? `explicit seeds ${seeds.join(', ')}` : `seed set "${opts.seedSet}" (${seeds.join(', ')})`;
  // Fail on a bad rule file here, not in every worker.
  loadBacktestConfig({ file: opts.config ?? null });
  const workers = Math.max(0, Math.min(2, Number.isFinite(opts.workers) ? opts.workers : 2));

  const worlds = worldsOf(cells);
  const jobs: SweepJob[] = [];
  for (const world of worlds) {
    const catalog = cells.filter((c) => c.world === world).map((c) => c.catalog);
    for (const seed of seeds) jobs.push({ world, seed, catalog, config: opts.config ?? null, out: opts.out });
  }
  // Heaviest worlds first, so the two workers finish together.
  jobs.sort((a, b) => weight(b.world) - weight(a.world));

  const started = performance.now();
  log('# Debrief correlation sweep');
  log(`${seedLabel}; ${cells.length} cells over ${worlds.length} worlds; rules: ${opts.config ?? 'built-in defaults'}`);
  log(`each world: ${WORLD_SIZE.services} services in ${WORLD_SIZE.clusters.length} clusters, ${WORLD_SIZE.hours} h of history; figures are means over the seeds`);
  const results = await runPool(jobs, workers, (r, done) => {
    process.stderr.write(`[${done}/${jobs.length}] ${r.world} seed ${r.seed}: ${r.deliveries} deliveries, ${r.firings} firings, replays ${r.replays.map((x) => `${(x.replayMs / 1000).toFixed(1)} s`).join(' + ')}\n`);
  });

  const cellResults: CellResult[] = cells.map((cell) => {
    const rs = results.filter((r) => r.world === cell.world.name).sort((a, b) => a.seed - b.seed);
    const figures = cellFigures(rs, cell.catalog);
    return {
      cell, seeds: rs.map((r) => r.seed), figures, targets: cellTargets(figures, cell.catalog),
      falseMerges: rs.flatMap((r) => r.replays.find((x) => x.catalog === cell.catalog)!.falseMerges.map((fm) => ({ ...fm, seed: r.seed })))
        .sort((a, b) => b.wrongPairs - a.wrongPairs),
      falseSplits: rs.flatMap((r) => r.replays.find((x) => x.catalog === cell.catalog)!.falseSplits.map((fs) => ({ ...fs, seed: r.seed })))
        .sort((a, b) => b.missedPairs - a.missedPairs),
    };
  });
  const notes = [...new Set(results.flatMap((r) => [
    ...r.replays.flatMap((x) => x.notes),
    ...(Object.keys(r.unplaced).length > 0 ? [`${r.world} seed ${r.seed}: could not place ${JSON.stringify(r.unplaced)}`] : []),
  ]))];

  log('\n## Worlds as generated (measured, means over the seeds)');
  for (const w of worlds) log(`- ${w.name}: ${describeKnobs(w.knobs)}`);
  log(`routings: ${(['default', 'by-service', 'by-namespace'] as const).map((r) => `${r} = ${describeRouting(r)}`).join(' | ')}`);
  log('');
  log(estateTable(worlds, results));

  log(`\n## Every cell against the targets (pairwise precision >= ${TARGETS.pairPrecision}, pairwise F1 >= ${TARGETS.pairF1}, B-cubed F1 >= ${TARGETS.bcubedF1}, |compression - truth| <= ${TARGETS.compressionDelta}; without catalog also B-cubed F1 >= the per-service-${SERVICE_GAP_MIN}m baseline's)`);
  log(cellTable(cellResults));
  const pass = cellResults.filter((c) => c.targets.all).length;
  const withCat = cellResults.filter((c) => c.cell.catalog);
  const noCat = cellResults.filter((c) => !c.cell.catalog);
  log(`\ncells meeting all targets: ${pass} / ${cellResults.length} (with catalog ${withCat.filter((c) => c.targets.all).length} / ${withCat.length}, without catalog ${noCat.filter((c) => c.targets.all).length} / ${noCat.length}); ${seedLabel}`);
  for (const n of notes) log(`note: ${n}`);

  if (opts.verbose) {
    for (const [label, group] of [['with catalog', withCat], ['without catalog', noCat]] as const) {
      const worst = [...group].filter((c) => c.falseMerges.length > 0).sort((a, b) => (a.figures.precision ?? 1) - (b.figures.precision ?? 1))[0];
      if (!worst) continue;
      log(`\n## False merges of the worst cell ${label} by pairwise precision: ${worst.cell.id} (pair P ${num(worst.figures.precision)}, F1 ${num(worst.figures.f1)})`);
      for (const l of falseMergeLines(worst, 5)) log(l);
    }
    for (const [label, group] of [['with catalog', withCat], ['without catalog', noCat]] as const) {
      const worst = [...group].filter((c) => c.falseSplits.length > 0).sort((a, b) => (a.figures.recall ?? 1) - (b.figures.recall ?? 1))[0];
      if (!worst) continue;
      log(`\n## False splits of the worst cell ${label} by pairwise recall: ${worst.cell.id} (pair R ${num(worst.figures.recall)}, F1 ${num(worst.figures.f1)})`);
      for (const l of falseSplitLines(worst, 5)) log(l);
    }
  }
  log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify({
      seedSet: opts.seeds ? null : opts.seedSet, seeds, config: opts.config ?? null, worldSize: WORLD_SIZE, targets: TARGETS,
      summary: { cells: cellResults.length, meetingAllTargets: pass },
      worlds: worlds.map((w) => ({ ...w, measures: results.filter((r) => r.world === w.name).map((r) => ({ seed: r.seed, ...r.measures })) })),
      cells: cellResults.map((c) => ({
        id: c.cell.id, world: c.cell.world.name, catalog: c.cell.catalog, knobs: c.cell.world.knobs, seeds: c.seeds, figures: c.figures, targets: c.targets,
        perSeed: results.filter((r) => r.world === c.cell.world.name).sort((a, b) => a.seed - b.seed).map((r) => {
          const x = r.replays.find((p) => p.catalog === c.cell.catalog)!;
          return {
            seed: r.seed, deliveries: r.deliveries, firings: r.firings, trueIncidents: r.trueIncidents, undelivered: r.undelivered, replayMs: x.replayMs, notes: x.notes,
            debrief: x.debrief, perService: r.perService, perGroup: r.perGroup, falseMerges: x.falseMerges,
          };
        }),
      })),
    }, null, 1)}\n`);
    log(`figures written to ${opts.json}`);
  }
}

/** The worlds of the selected cells, in sweep order. */
function worldsOf(cells: SweepCell[]): SweepWorld[] {
  return [...new Set(cells.map((c) => c.world))];
}

const weight = (w: SweepWorld): number => w.knobs.dependsOnMean + (w.knobs.chronic === 'high' ? 1 : 0) + (w.group === 'corner' ? 2 : 0);

if (require.main === module) {
  if (process.argv.includes('--sweep-worker')) workerMain();
  else sweepMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
