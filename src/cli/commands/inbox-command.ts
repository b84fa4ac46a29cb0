import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { connectorsById } from '../../../connectors';
import { loadConfig } from '../../config/load-config';
import { openStore } from '../../store/open-store';
import type { InboxState, Store } from '../../store/store';
import { formatHistoryLine } from '../backtest/history-file';
import type { CliDeps } from './cli-deps';

/*
 * `debrief inbox export [--config <yaml>] [--out <file>] [--state <state>] [--instance <id>]`:
 * writes the stored webhook bodies of the configured store as a history file, one
 * `{"receivedAt","instance","body"}` JSON object per line in arrival order: the input of
 * `debrief backtest`. Reads only.
 */

export interface InboxExportOptions {
  state?: InboxState;
  instance?: string;
}

export interface InboxExportResult {
  written: number;
  /** Entries whose stored body is not JSON (never accepted by the webhook route, but possible in old stores). */
  unreadable: number;
}

/** Streams the inbox of `store`, oldest first, as history lines to `out`. */
export async function exportInbox(store: Store, out: NodeJS.WritableStream, options: InboxExportOptions = {}): Promise<InboxExportResult> {
  // The store lists newest first; collect the ids, then write in arrival order.
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listInbox({ limit: 500, cursor, ...(options.state ? { state: options.state } : {}) });
    for (const item of page.items) if (!options.instance || item.instance === options.instance) ids.push(item.id);
    cursor = page.nextCursor;
  } while (cursor);
  ids.reverse();
  const result: InboxExportResult = { written: 0, unreadable: 0 };
  for (const id of ids) {
    const entry = await store.getInboxEntry(id);
    if (!entry) continue;
    let body: unknown;
    try {
      body = JSON.parse(entry.body.toString('utf8'));
    } catch {
      result.unreadable += 1;
      continue;
    }
    if (!out.write(`${formatHistoryLine({ receivedAt: entry.receivedAt, instance: entry.instance, body })}\n`)) await once(out, 'drain');
    result.written += 1;
  }
  return result;
}

/** The `inbox` subcommand group (`inbox export`). */
export function inboxCommand(deps: CliDeps = {}): Command {
  const inbox = new Command('inbox').description('The durable inbox of received webhook bodies');
  inbox
    .command('export')
    .description('Write the stored webhook bodies as a history file (JSON lines) for `debrief backtest`.')
    .option('--config <yaml>', 'Debrief config file (default: DEBRIEF_CONFIG, then config/debrief.yaml); its store is read')
    .option('--out <file>', 'write here instead of stdout')
    .addOption(new Option('--state <state>', 'only entries in this state').choices(['pending', 'done', 'dead']))
    .option('--instance <id>', 'only entries of this connector instance')
    .action(async (opts: { config?: string; out?: string; state?: InboxState; instance?: string }) => {
      const config = loadConfig({ file: opts.config, env: deps.env ?? process.env, knownConnectors: [...connectorsById.keys()] });
      const store = openStore(config.store.url, { mongo: config.store.mongo });
      await store.init();
      const out = opts.out ? createWriteStream(opts.out) : (deps.stdout ?? process.stdout);
      try {
        const result = await exportInbox(store, out, { ...(opts.state ? { state: opts.state } : {}), ...(opts.instance ? { instance: opts.instance } : {}) });
        (deps.stderr ?? process.stderr).write(`exported ${result.written} inbox entries${opts.out ? ` to ${opts.out}` : ''}${result.unreadable ? `; ${result.unreadable} with a non-JSON body skipped` : ''}\n`);
      } finally {
        if (opts.out) {
          (out as NodeJS.WritableStream & { end(): void }).end();
          await once(out, 'finish');
        }
        await store.close();
      }
    });
  return inbox;
}
