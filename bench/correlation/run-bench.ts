import { Command } from 'commander';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluateTargets, scoreClustering, type QualityFigures, type QualityReport } from '../../src/cli/backtest/correlation-scoring';
import { formatHistoryLine } from '../../src/cli/backtest/history-file';
import { num, qualityTable, table, targetLines } from '../../src/cli/backtest/quality-table';
import { loadBacktestConfig, placementsOf, readAllIncidents, replayHistory } from '../../src/cli/backtest/replay';
import { perGroupBaseline, perServiceBaseline } from './baselines';
import { measureDecisionCost, type CostRow } from './decision-cost';
import { generateHistory, SCALES, type GeneratedHistory } from './generate-history';
import { SCENARIO_KINDS } from './scenarios';
import { sweepMain } from './sweep';

/**
 * `npm run bench:correlation`: correlation quality of Debrief against generated histories
 * with ground truth, beside naive baselines, on several seeds and two scales; then the cost
 * of one correlation decision as open incidents grow. Prints figures; asserts nothing.
 */
const SERVICE_GAP_MIN = 30;
const SYSTEMS = ['Debrief', 'per-group', `per-service-${SERVICE_GAP_MIN}m`] as const;
type SystemName = (typeof SYSTEMS)[number];

interface RunResult {
  seed: number;
  scale: string;
  deliveries: number;
  alertsInBodies: number;
  firings: number;
  trueIncidents: number;
  undelivered: number;
  replayMs: number;
  notes: string[];
  reports: Record<SystemName, QualityReport>;
}

const log = (s = '') => process.stdout.write(`${s}\n`);

async function runOne(seed: number, scaleName: string, opts: { config?: string; out?: string; days?: number }): Promise<RunResult> {
  const scale = { ...SCALES[scaleName]!, ...(opts.days ? { days: opts.days } : {}) };
  const h: GeneratedHistory = generateHistory(seed, scale);
  const notes: string[] = Object.keys(h.plan.unplaced).length > 0 ? [`could not place ${JSON.stringify(h.plan.unplaced)} scenarios`] : [];
  const dir = opts.out ? join(opts.out, `${scale.name}-seed${seed}`) : mkdtempSync(join(tmpdir(), 'debrief-bench-'));
  mkdirSync(dir, { recursive: true });
  const catalogFile = join(dir, 'services.yaml');
  writeFileSync(catalogFile, h.catalogYaml);
  if (opts.out) {
    writeFileSync(join(dir, 'history.jsonl'), `${h.lines.map(formatHistoryLine).join('\n')}\n`);
    writeFileSync(join(dir, 'truth.json'), `${JSON.stringify(h.truth, null, 1)}\n`);
  }
  try {
    const loaded = loadBacktestConfig({ file: opts.config ?? null, catalogFile });
    const config = loaded.config;
    notes.push(...loaded.notes);
    const t0 = performance.now();
    const replay = await replayHistory({ config, records: h.lines.map((line, i) => ({ lineNo: i + 1, line, bytesRead: 0 })) });
    const replayMs = performance.now() - t0;
    let debrief: QualityReport;
    try {
      const counts = await replay.debrief.store.inboxCounts();
      if (counts.dead > 0 || counts.pending > 0) notes.push(`${counts.dead} dead letters and ${counts.pending} pending inbox entries after the replay`);
      debrief = scoreClustering(h.truth, placementsOf(await readAllIncidents(replay.debrief.store)));
    } finally {
      await replay.debrief.close();
    }
    const firings = h.truth.incidents.reduce((n, i) => n + i.firings.length, 0);
    return {
      seed,
      scale: scale.name,
      deliveries: h.lines.length,
      alertsInBodies: h.lines.reduce((n, l) => n + (l.body as { alerts: unknown[] }).alerts.length, 0),
      firings,
      trueIncidents: h.truth.incidents.length,
      undelivered: h.undelivered,
      replayMs,
      notes,
      reports: {
        Debrief: debrief,
        'per-group': scoreClustering(h.truth, perGroupBaseline(h.lines)),
        [`per-service-${SERVICE_GAP_MIN}m`]: scoreClustering(h.truth, perServiceBaseline(h.lines, SERVICE_GAP_MIN * 60_000)),
      } as Record<SystemName, QualityReport>,
    };
  } finally {
    if (!opts.out) rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: Array<number | null>): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

/** Per kind (and overall), each system's key figures averaged over the seeds of one scale. */
function kindTable(runs: RunResult[]): string {
  const kinds = ['overall', ...SCENARIO_KINDS.filter((k) => runs.some((r) => r.reports.Debrief.byKind[k]))];
  const pick = (r: RunResult, s: SystemName, k: string): QualityFigures | undefined => (k === 'overall' ? r.reports[s].overall : r.reports[s].byKind[k]);
  const header = ['kind', 'firings', 'true inc', 'truth compr'];
  for (const s of SYSTEMS) header.push(`${s}: pair F1`, 'B3 F1', 'exact', 'compr');
  const rows = kinds.map((k) => {
    const first = (f: (x: QualityFigures) => number | null) => mean(runs.map((r) => { const x = pick(r, 'Debrief', k); return x ? f(x) : null; }));
    const row = [k, num(first((x) => x.firings), 0), num(first((x) => x.trueIncidents), 0), num(first((x) => x.truthCompression))];
    for (const s of SYSTEMS) {
      const m = (f: (x: QualityFigures) => number | null) => num(mean(runs.map((r) => { const x = pick(r, s, k); return x ? f(x) : null; })));
      row.push(m((x) => x.pairwise.f1), m((x) => x.bcubed.f1), m((x) => x.exactShare), m((x) => x.compression));
    }
    return row;
  });
  return table(header, rows);
}

function runTable(runs: RunResult[]): string {
  const header = ['scale', 'seed', 'deliveries', 'alerts in bodies', 'firings', 'replay s', 'Debrief pair F1', 'B3 F1', 'compr Δ', 'recur merged', 'flap split', '2-cluster split', 'targets', 'per-group pair F1', 'per-service pair F1'];
  const rows = runs.map((r) => {
    const d = r.reports.Debrief;
    const outcome = evaluateTargets(d);
    const c = d.checks;
    return [
      r.scale, String(r.seed), String(r.deliveries), String(r.alertsInBodies), String(r.firings), (r.replayMs / 1000).toFixed(1),
      num(d.overall.pairwise.f1), num(d.overall.bcubed.f1), num(d.overall.compression - d.overall.truthCompression),
      `${c.recurringMerged.violations}/${c.recurringMerged.checked}`, `${c.flappingSplit.violations}/${c.flappingSplit.checked}`, `${c.twoClusterSplit.violations}/${c.twoClusterSplit.checked}`,
      outcome.every((o) => o.pass) ? 'PASS' : `MISS (${outcome.filter((o) => !o.pass).map((o) => o.name).join(', ')})`,
      num(r.reports['per-group'].overall.pairwise.f1), num(r.reports[`per-service-${SERVICE_GAP_MIN}m`].overall.pairwise.f1),
    ];
  });
  return table(header, rows, 2);
}

function costTable(rows: CostRow[]): string {
  const base = rows[0];
  return table(
    ['open incidents', 'open when measured', 'seeded in s', 'decisions', 'median µs', 'mean µs', 'p95 µs', `median vs ${base?.openIncidents ?? '-'}`],
    rows.map((r) => [
      String(r.openIncidents), String(r.openMeasured), (r.seedMs / 1000).toFixed(1), String(r.decisions),
      r.medianUs.toFixed(0), r.meanUs.toFixed(0), r.p95Us.toFixed(0), base ? `${(r.medianUs / base.medianUs).toFixed(2)}x` : '-',
    ]),
    0,
  );
}

async function main(): Promise<void> {
  const program = new Command('bench:correlation')
    .description('Correlation quality against generated Alertmanager histories with ground truth, and decision cost.')
    .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
    .option('--scales <list>', `comma-separated scales (${Object.keys(SCALES).join(', ')})`, 'small,large')
    .option('--days <n>', 'override the days of history per scale', (v) => Number(v))
    .option('--config <yaml>', 'Debrief config file with the rule set to measure')
    .option('--out <dir>', 'keep each generated history.jsonl, truth.json and services.yaml here')
    .option('--json <file>', 'also write all figures as JSON')
    .option('--cost-sizes <list>', 'open incidents for the decision-cost measurement; empty to skip', '100,1000,10000')
    .option('--verbose', 'print every run\'s full per-kind table for each system', false)
    .parse();
  const opts = program.opts<{ seeds: string; scales: string; days?: number; config?: string; out?: string; json?: string; costSizes: string; verbose: boolean }>();
  const seeds = opts.seeds.split(',').filter(Boolean).map(Number);
  const scales = opts.scales.split(',').filter(Boolean);
  for (const s of scales) if (!SCALES[s]) throw new Error(`unknown scale "${s}" (known: ${Object.keys(SCALES).join(', ')})`);
  const started = performance.now();

  log('# Debrief correlation bench');
  log(`seeds ${seeds.join(', ')}; scales ${scales.join(', ')}; rules: ${opts.config ?? 'built-in defaults'}`);
  log('Alertmanager routing: root group_by [alertname, cluster] (wait 30s, interval 5m, repeat 4h); severity="critical" group_by [cluster, namespace] (wait 10s, interval 2m, repeat 1h); send_resolved; 1% HA duplicates, 0.5% late retries.');
  const runs: RunResult[] = [];
  for (const scale of scales) {
    for (const seed of seeds) {
      const r = await runOne(seed, scale, { config: opts.config, out: opts.out, days: opts.days });
      runs.push(r);
      log(`ran ${scale} seed ${seed}: ${r.deliveries} deliveries, ${r.firings} firings in ${r.trueIncidents} true incidents (${r.undelivered} planned firings never delivered), replay ${(r.replayMs / 1000).toFixed(1)} s${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`);
      if (opts.verbose) {
        for (const s of SYSTEMS) {
          log(`\n## ${scale} seed ${seed}: ${s}`);
          log(qualityTable(r.reports[s]));
          if (s === 'Debrief') for (const l of targetLines(r.reports[s])) log(l);
        }
        log();
      }
    }
  }

  for (const scale of scales) {
    const sub = runs.filter((r) => r.scale === scale);
    const def = SCALES[scale]!;
    log(`\n## ${scale}: ${def.services} services, ${def.clusters.length} clusters, ${opts.days ?? def.days} days; figures are means over seeds ${seeds.join(', ')}`);
    log(kindTable(sub));
  }

  log('\n## Each run against the targets (pairwise F1 >= 0.9, B-cubed F1 >= 0.95, |compression - truth| <= 0.03, no recurring merged, no flapping or two-cluster split)');
  log(runTable(runs));
  // `tiny` exists for tests: too few incidents for the hardness check to mean anything.
  const judged = runs.filter((r) => r.scale !== 'tiny');
  if (judged.length > 0) {
    const groupMax = Math.max(...judged.map((r) => r.reports['per-group'].overall.pairwise.f1 ?? 0));
    log(`\nper-group baseline pairwise F1: max ${num(groupMax)} over the ${judged.length} runs — ${groupMax < 0.2 ? 'below 0.2, the data is hard enough' : 'ABOVE 0.2: the generator is too easy'}`);
  }

  const cost: CostRow[] = [];
  const sizes = opts.costSizes.split(',').filter(Boolean).map(Number);
  if (sizes.length > 0) {
    log('\n## Cost of one correlation decision as open incidents grow (real ingest path, in-memory SQLite; timings, not assertions)');
    const { config } = loadBacktestConfig({ file: opts.config ?? null });
    for (const size of sizes) {
      const row = await measureDecisionCost(config, size);
      cost.push(row);
      if (row.seedMs > 120_000) { log(`(seeding ${size} took ${(row.seedMs / 1000).toFixed(0)} s; larger sizes skipped)`); break; }
    }
    log(costTable(cost));
    if (cost.length > 1) {
      const first = cost[0]!;
      const last = cost.at(-1)!;
      const growth = last.medianUs / first.medianUs;
      const linear = last.openIncidents / first.openIncidents;
      log(`median time per decision grows ${growth.toFixed(2)}x while open incidents grow ${linear}x (${growth < Math.sqrt(linear) ? 'sub-linear' : 'CLOSE TO LINEAR: look for scans'})`);
    }
  }
  log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify({ runs: runs.map((r) => ({ ...r, targets: evaluateTargets(r.reports.Debrief) })), cost }, null, 1)}\n`);
    log(`figures written to ${opts.json}`);
  }
}

// `--sweep` runs the world sweep instead (sweep.ts); everything else is the single-world run.
const run = process.argv.includes('--sweep') ? sweepMain(process.argv.slice(2).filter((a) => a !== '--sweep')) : main();
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
