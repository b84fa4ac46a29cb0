import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { connectorsById } from '../../connectors';
import type { PagerDutyIncidentStatus } from '../../connectors/pagerduty/pagerduty.rest';
import { createDebrief } from '../app';
import type { Config } from '../config/config.schema';
import { loadConfig } from '../config/load-config';
import { AppError } from '../errors';
import { importPagerDutyIncident } from '../integrations/pagerduty-enrichment';

/*
 * `debrief pagerduty backfill --since <iso> --until <iso> [--statuses ...]`: imports the
 * PagerDuty incidents of a time range, with their log entries and notes, into the configured
 * store. It wires Debrief exactly as the server does (`createDebrief`, without listening), and
 * each incident goes through `importPagerDutyIncident`, the path background enrichment uses:
 * REST timeline -> paging events -> store. Event ids are PagerDuty's (`log_entry:<id>`,
 * `note:<id>`) and the store upserts by them, so running it twice, or over a range the server
 * has already enriched, changes nothing; a change a webhook already recorded under its own id
 * is recognised by the store as its twin (`PagingEvent.identity`) and not added again.
 */

/** A backfill that cannot start (configuration, arguments); the message says what to change. */
export class BackfillError extends AppError {
  readonly code = 'backfill_refused';
}

const STATUSES: readonly PagerDutyIncidentStatus[] = ['triggered', 'acknowledged', 'resolved'];

export interface BackfillOptions {
  since: string;
  until: string;
  statuses?: PagerDutyIncidentStatus[];
  /** PagerDuty connector instance the events are recorded for; default the first configured one. */
  instance?: string;
}

export interface BackfillSummary {
  instance: string;
  incidents: number;
  /** Timeline events PagerDuty returned. */
  fetched: number;
  /** Newly recorded. */
  recorded: number;
  /** Already stored (an earlier run, background enrichment) or already recorded by a webhook. */
  known: number;
  failures: Array<{ pageId: string; error: string }>;
}

export interface BackfillDeps {
  config: Config;
  /** Where the progress bar goes (stderr). */
  progress: NodeJS.WritableStream;
  logger?: Logger;
  clock?: () => Date;
}

/** Runs one backfill; throws on configuration or listing errors, collects per-incident failures. */
export async function runPagerDutyBackfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillSummary> {
  const { config } = deps;
  const instance = options.instance ?? config.instances.find((candidate) => candidate.connector === 'pagerduty')?.id;
  const instanceConfig = config.instances.find((candidate) => candidate.id === instance);
  if (!instance || instanceConfig?.connector !== 'pagerduty') {
    throw new BackfillError(`no PagerDuty connector instance ${instance ? `"${instance}" ` : ''}is configured`);
  }
  const clock = deps.clock ?? (() => new Date());
  const debrief = await createDebrief({ config, logger: deps.logger ?? pino({ level: 'silent' }), clock });
  try {
    const { client, sink } = debrief.pagerduty;
    if (!client) {
      throw new BackfillError('no PagerDuty REST API token is configured: set DEBRIEF_PAGERDUTY_REST_TOKEN (pagerduty.restToken)');
    }
    const incidents = await client.listIncidents({
      since: options.since,
      until: options.until,
      ...(options.statuses && options.statuses.length > 0 ? { statuses: options.statuses } : {}),
    });
    const summary: BackfillSummary = { instance, incidents: incidents.length, fetched: 0, recorded: 0, known: 0, failures: [] };
    const bar = new SingleBar({
      stream: deps.progress,
      format: 'PagerDuty backfill |{bar}| {value}/{total} incidents | {events} events | {failed} failed',
      hideCursor: true,
      // Without a terminal (CI, pipes, tests) print a line every 2 s and at the end.
      noTTYOutput: true,
      notTTYSchedule: 2000,
    });
    bar.start(incidents.length, 0, { events: 0, failed: 0 });
    try {
      for (const incident of incidents) {
        try {
          const result = await importPagerDutyIncident(client, sink, { instance, pageId: incident.id }, clock().toISOString());
          summary.fetched += result.fetched;
          summary.recorded += result.recorded;
          summary.known += result.known + result.twins;
        } catch (err) {
          summary.failures.push({ pageId: incident.id, error: err instanceof Error ? err.message : String(err) });
        }
        bar.increment(1, { events: summary.fetched, failed: summary.failures.length });
      }
    } finally {
      bar.stop();
    }
    return summary;
  } finally {
    await debrief.close();
  }
}

const isoTime = (name: string) => (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/i.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(`${name} must be an ISO 8601 date or time, e.g. 2026-01-01 or 2026-01-01T00:00:00Z`);
  }
  return value;
};

export interface PagerDutyCommandDeps {
  /** Config source; default: `--config`, else the file + environment the server reads. */
  loadConfig?: (file: string | undefined) => Config;
  stdout?: NodeJS.WritableStream;
  /** Progress bar, failures. */
  stderr?: NodeJS.WritableStream;
  /** Environment for config loading; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** `debrief pagerduty ...`; register with `program.addCommand(pagerdutyCommand())`. */
export function pagerdutyCommand(deps: PagerDutyCommandDeps = {}): Command {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const pagerduty = new Command('pagerduty').description('PagerDuty REST API tasks (need DEBRIEF_PAGERDUTY_REST_TOKEN)');
  pagerduty
    .command('backfill')
    .description('Import the PagerDuty incidents of a time range, with their log entries and notes, into the configured store. Safe to run twice.')
    .requiredOption('--since <iso>', 'start of the range (ISO 8601)', isoTime('--since'))
    .requiredOption('--until <iso>', 'end of the range (ISO 8601)', isoTime('--until'))
    .addOption(new Option('--statuses <status...>', 'only incidents in these statuses').choices(STATUSES))
    .option('--instance <id>', 'PagerDuty connector instance to record the events for (default: the first one)')
    .option('--config <file>', 'Debrief config file (default: DEBRIEF_CONFIG, else config/debrief.yaml when present)')
    .action(async (opts: { since: string; until: string; statuses?: PagerDutyIncidentStatus[]; instance?: string; config?: string }) => {
      if (Date.parse(opts.since) >= Date.parse(opts.until)) throw new BackfillError('--since must be before --until');
      // A ConfigError propagates as is: the CLI prints its list of problems.
      const config = deps.loadConfig
        ? deps.loadConfig(opts.config)
        : loadConfig({ ...(opts.config ? { file: opts.config } : {}), env: deps.env ?? process.env, knownConnectors: [...connectorsById.keys()] });
      const summary = await runPagerDutyBackfill(
        { since: opts.since, until: opts.until, ...(opts.statuses ? { statuses: opts.statuses } : {}), ...(opts.instance ? { instance: opts.instance } : {}) },
        { config, progress: stderr, logger: pino({ level: config.log.level === 'info' ? 'warn' : config.log.level }, pino.destination(2)) },
      );
      stdout.write(
        `Imported ${summary.incidents} PagerDuty incident(s) for instance "${summary.instance}": ` +
          `${summary.fetched} timeline event(s) fetched, ${summary.recorded} new, ${summary.known} already recorded.\n`,
      );
      for (const failure of summary.failures) stderr.write(`failed: PagerDuty incident ${failure.pageId}: ${failure.error}\n`);
      if (summary.failures.length > 0) {
        stderr.write(`${summary.failures.length} incident(s) failed; run the same command again to retry them.\n`);
        process.exitCode = 1;
      }
    });
  return pagerduty;
}
