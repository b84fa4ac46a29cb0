import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { alertName, type Alert } from '../../domain/alert';
import type { IncidentDetail } from '../../domain/incident';
import { serviceOf, type ServiceLabels } from '../../domain/service-naming';
import { evaluateTargets, scoreClustering, type QualityReport, type TargetOutcome } from '../backtest/correlation-scoring';
import { readGroundTruthFile } from '../backtest/ground-truth';
import { historyFileBytes, readHistoryFile, type HistoryRecord } from '../backtest/history-file';
import { qualityTable, targetLines } from '../backtest/quality-table';
import { loadBacktestConfig, placementsOf, readAllIncidents, replayHistory } from '../backtest/replay';
import type { CliDeps } from './cli-deps';

/*
 * `debrief backtest --history <file.jsonl> [--config <yaml>] [--catalog <yaml>] [--truth <json>] [--json]`:
 * replays a recorded history (the JSON lines `debrief inbox export` writes) through a rule set
 * into a throwaway in-memory store, never the live one, and prints the incidents that result
 * with every alert's correlation decision; with a ground-truth file, also the quality figures.
 */

export interface BacktestOptions {
  history: string;
  /** Debrief config file with the rules to try; default: the server's own config resolution. */
  config?: string;
  /** Service catalog to use instead of the config's. */
  catalog?: string;
  truth?: string;
  json?: boolean;
  /** Progress bar on stderr; default on for files over 256 KiB. */
  progress?: boolean;
}

export interface BacktestResult {
  lines: number;
  skipped: Array<{ lineNo: number; reason: string }>;
  notes: string[];
  incidents: IncidentDetail[];
  quality: QualityReport | null;
  targets: TargetOutcome[] | null;
}

const PROGRESS_MIN_BYTES = 256 * 1024;

/** Runs one backtest and writes its report to `deps.stdout`; throws on unreadable input. */
export async function runBacktest(options: BacktestOptions, deps: CliDeps = {}): Promise<BacktestResult> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const truth = options.truth ? readGroundTruthFile(options.truth) : null;
  const { config, notes } = loadBacktestConfig({ file: options.config, catalogFile: options.catalog ?? null, env: deps.env });
  const totalBytes = historyFileBytes(options.history);

  const showProgress = options.progress ?? totalBytes >= PROGRESS_MIN_BYTES;
  const bar = showProgress
    ? new SingleBar({
        stream: stderr,
        format: 'backtest |{bar}| {percentage}% | {lines} lines | eta {eta_formatted}',
        hideCursor: true,
        // Without a terminal (CI, pipes) print a line every 2 s and at the end.
        noTTYOutput: true,
        notTTYSchedule: 2000,
      })
    : null;
  bar?.start(totalBytes, 0, { lines: 0 });
  let lastBytes = 0;
  const onProgress = (record: HistoryRecord) => {
    lastBytes = record.bytesRead;
    if (bar && record.lineNo % 50 === 0) bar.update(record.bytesRead, { lines: record.lineNo });
  };
  let replay;
  try {
    replay = await replayHistory({ config, records: readHistoryFile(options.history), onProgress });
  } finally {
    if (bar) {
      bar.update(Math.max(lastBytes, totalBytes));
      bar.stop();
    }
  }
  try {
    const counts = await replay.debrief.store.inboxCounts();
    if (counts.dead > 0) {
      const dead = await replay.debrief.store.listInbox({ state: 'dead', limit: 3 });
      notes.push(`${counts.dead} deliveries could not be processed (dead letters), e.g. ${dead.items.map((item) => item.lastError).join('; ')}`);
    }
    const incidents = await readAllIncidents(replay.debrief.store);
    const quality = truth ? scoreClustering(truth, placementsOf(incidents)) : null;
    const targets = quality ? evaluateTargets(quality) : null;
    const result: BacktestResult = { lines: replay.lines, skipped: replay.skipped, notes, incidents, quality, targets };
    stdout.write(options.json ? `${JSON.stringify(toJson(options, result), null, 2)}\n` : textReport(options, result, config.impact.serviceLabels));
    return result;
  } finally {
    await replay.debrief.close();
  }
}

function toJson(options: BacktestOptions, result: BacktestResult) {
  return {
    history: options.history,
    config: options.config ?? null,
    lines: result.lines,
    skipped: result.skipped,
    notes: result.notes,
    incidents: result.incidents.map(({ incident, alerts }) => ({
      ...incident,
      alerts: alerts.map((alert) => ({
        id: alert.id, fingerprint: alert.fingerprint, startsAt: alert.startsAt, endsAt: alert.endsAt, status: alert.status, labels: alert.labels, decision: alert.decision,
      })),
    })),
    quality: result.quality,
    targets: result.targets,
  };
}

function textReport(options: BacktestOptions, result: BacktestResult, serviceLabels: ServiceLabels): string {
  const out: string[] = [];
  const alerts = result.incidents.reduce((count, placed) => count + placed.alerts.length, 0);
  out.push(`Replayed ${result.lines} deliveries from ${options.history} through ${options.config ? `the rules in ${options.config}` : 'the configured rules'} (in-memory store; the live store is not touched).`);
  for (const note of result.notes) out.push(`note: ${note}`);
  if (result.skipped.length > 0) out.push(`skipped ${result.skipped.length} lines, e.g. line ${result.skipped[0]!.lineNo}: ${result.skipped[0]!.reason}`);
  out.push(`${result.incidents.length} incidents from ${alerts} alerts.`, '');
  result.incidents.forEach(({ incident, alerts: list }, index) => {
    out.push(`Incident ${index + 1}/${result.incidents.length} [${incident.status}] ${incident.title}`);
    out.push(`  ${incident.startedAt} -> ${incident.endedAt ?? 'ongoing'}; severity ${incident.severity ?? 'unknown'}; ${incident.alertCount} alerts; id ${incident.id}`);
    for (const alert of list) out.push(...alertLines(alert, serviceLabels));
    out.push('');
  });
  if (result.quality) {
    out.push(`Quality against ${options.truth}:`, qualityTable(result.quality), '', ...targetLines(result.quality), '');
  }
  return `${out.join('\n')}\n`;
}

function alertLines(alert: Alert, serviceLabels: ServiceLabels): string[] {
  const where = [serviceOf(alert.labels, serviceLabels), alert.labels.cluster, alert.labels.namespace, alert.labels.pod].filter(Boolean).join(' ');
  const how = alert.decision.kind === 'new-incident' ? 'new' : alert.decision.rule ?? alert.decision.kind;
  return [
    `  - ${alert.startsAt}  ${alertName(alert)} ${alert.labels.severity ?? ''}  ${where}  fp ${alert.fingerprint}  [${how}]`,
    `      ${alert.decision.explanation}`,
  ];
}

/** The `backtest` subcommand. */
export function backtestCommand(deps: CliDeps = {}): Command {
  return new Command('backtest')
    .description('Replay a recorded history (JSON lines of webhook bodies, as `debrief inbox export` writes) through a rule set, without touching the live store, and print the incidents with every alert\'s explanation.')
    .requiredOption('--history <file>', 'history file: one {"receivedAt","instance","body"} JSON object per line')
    .option('--config <yaml>', 'Debrief config file with the correlation rules to try (default: the server\'s config)')
    .option('--catalog <yaml>', 'service catalog to use instead of the config\'s')
    .option('--truth <file>', 'ground truth (which alert firings form which incident); prints quality figures')
    .option('--json', 'print the result as JSON', false)
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (opts: { history: string; config?: string; catalog?: string; truth?: string; json: boolean; progress: boolean }) => {
      await runBacktest({ ...opts, progress: opts.progress === false ? false : undefined }, deps);
    });
}
