import pino, { type Logger } from 'pino';
import { connectorsById } from '../../../connectors';
import { createDebrief, type Debrief } from '../../app';
import type { Config } from '../../config/config.schema';
import { ConfigError, loadConfig } from '../../config/load-config';
import type { Alert } from '../../domain/alert';
import type { IncidentDetail } from '../../domain/incident';
import { openStore } from '../../store/open-store';
import type { Page, Store } from '../../store/store';
import { firingKey } from './ground-truth';
import type { HistoryRecord } from './history-file';

export interface BacktestConfigOptions {
  /**
   * Debrief config file with the rule set to try; null for the built-in defaults; undefined
   * for the server's own resolution (`DEBRIEF_CONFIG`, then `config/debrief.yaml`).
   */
  file?: string | null;
  /** Service catalog to use instead of the file's (the bench passes its generated catalog). */
  catalogFile?: string | null;
  /** Further overrides layered over the file (tests, the bench). */
  overrides?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export interface BacktestConfig {
  config: Config;
  /** Things the reader should know, e.g. that this build has no service catalog setting. */
  notes: string[];
}

/**
 * The config a replay runs with: the user's rules, but never the user's store. Processing is
 * driven explicitly by the replay, so the poll timer is parked, and logs are silenced.
 */
export function loadBacktestConfig(options: BacktestConfigOptions = {}): BacktestConfig {
  const notes: string[] = [];
  // The live store's URL from the environment must not leak in; replays use their own store.
  const { DEBRIEF_STORE_URL: _ignored, DEBRIEF_LOG_LEVEL: _level, ...env } = options.env ?? process.env;
  // An explicit catalog wins over the environment's (env bindings are applied after overrides).
  if (options.catalogFile) delete env.DEBRIEF_CATALOG_FILE;
  const base = {
    ...options.overrides,
    store: { url: 'sqlite::memory:' },
    log: { level: 'silent' },
    inbox: { pollIntervalMs: 3_600_000, ...(options.overrides?.inbox as object | undefined) },
  };
  const load = (overrides: Record<string, unknown>) =>
    loadConfig({ file: options.file, env, overrides, knownConnectors: [...connectorsById.keys()] });
  if (!options.catalogFile) return { config: load(base), notes };
  try {
    return { config: load({ ...base, catalog: { file: options.catalogFile } }), notes };
  } catch (err) {
    // Until the service catalog setting exists, the schema rejects the key; replay without it.
    if (err instanceof ConfigError && err.problems.some((problem) => problem.includes('catalog'))) {
      notes.push(`this Debrief build has no \`catalog.file\` setting; the service catalog ${options.catalogFile} was not used`);
      return { config: load(base), notes };
    }
    throw err;
  }
}

export interface ReplayOptions {
  config: Config;
  records: AsyncIterable<HistoryRecord> | Iterable<HistoryRecord>;
  /** Called after each replayed line. */
  onProgress?: (record: HistoryRecord) => void;
  logger?: Logger;
  /** Store to replay into; default a fresh in-memory SQLite store. Never the live store. */
  store?: Store;
}

export interface ReplayResult {
  debrief: Debrief;
  /** Lines fed to Debrief. */
  lines: number;
  /** Lines for an instance the config does not know, by line number. */
  skipped: Array<{ lineNo: number; reason: string }>;
}

/**
 * Feeds recorded webhook bodies through Debrief's real ingest path (durable inbox -> inbox
 * processor -> normalize -> correlate -> store), one line at a time, with a virtual clock
 * that follows the lines' receive times, so processing time is what it was when the
 * history was recorded and event times come from the bodies. The caller closes
 * `result.debrief` when done reading results.
 */
export async function replayHistory(options: ReplayOptions): Promise<ReplayResult> {
  let nowMs = 0;
  const debrief = await createDebrief({
    config: options.config,
    store: options.store ?? openStore('sqlite::memory:'),
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: () => new Date(nowMs),
  });
  const connectorOf = new Map(options.config.instances.map((instance) => [instance.id, instance.connector]));
  const skipped: ReplayResult['skipped'] = [];
  let lines = 0;
  try {
    for await (const record of options.records) {
      const { line } = record;
      const connector = connectorOf.get(line.instance);
      if (!connector) {
        skipped.push({ lineNo: record.lineNo, reason: `no connector instance "${line.instance}" is configured` });
        options.onProgress?.(record);
        continue;
      }
      // Monotonic: a line received "earlier" than the previous one does not turn time back.
      nowMs = Math.max(nowMs, Date.parse(line.receivedAt));
      await debrief.store.appendInbox({
        instance: line.instance,
        connector,
        receivedAt: new Date(nowMs).toISOString(),
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(line.body)),
        deliveryId: null,
      });
      if (lines === 0) debrief.processor.start();
      else debrief.processor.kick();
      await debrief.processor.idle();
      lines += 1;
      options.onProgress?.(record);
    }
  } catch (err) {
    await debrief.close();
    throw err;
  }
  return { debrief, lines, skipped };
}

/**
 * Every incident in the store with all its alerts (paged: a read of one incident holds a
 * sample of a large one's alerts) and its events, oldest first.
 */
export async function readAllIncidents(store: Store): Promise<IncidentDetail[]> {
  const out: IncidentDetail[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listIncidents({ limit: 500, cursor });
    for (const incident of page.items) {
      const detail = await store.getIncident(incident.id);
      if (!detail) continue;
      out.push((detail.alertsOmitted ?? 0) > 0 ? { ...detail, alerts: await allAlerts(store, incident.id), facets: undefined, alertsOmitted: 0 } : detail);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out.reverse();
}

async function allAlerts(store: Store, incidentId: string): Promise<Alert[]> {
  const alerts: Alert[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Alert> | null = await store.listIncidentAlerts(incidentId, { limit: 500, cursor });
    alerts.push(...(page?.items ?? []));
    cursor = page?.nextCursor ?? null;
  } while (cursor);
  return alerts;
}

/** Firing key (fingerprint + startsAt) -> incident id, the input of `scoreClustering`. */
export function placementsOf(incidents: readonly IncidentDetail[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { incident, alerts } of incidents) {
    for (const alert of alerts) map.set(firingKey(alert.fingerprint, alert.startsAt), incident.id);
  }
  return map;
}
