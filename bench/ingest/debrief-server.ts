import pino from 'pino';
import { connectorsById } from '../../connectors';
import { createDebrief } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/**
 * The real Debrief for the benchmark: the same wiring as `src/main.ts` (createDebrief with
 * config from the environment, the embedded SQLite store, inbox processing in the process),
 * except that the SQLite `synchronous` level comes from BENCH_SYNCHRONOUS, so both durability
 * settings can be measured. Prints its port as one JSON line.
 */
async function main(): Promise<void> {
  const config = loadConfig({ knownConnectors: [...connectorsById.keys()] });
  const file = config.store.url.slice('sqlite:'.length);
  const synchronous = (process.env.BENCH_SYNCHRONOUS ?? 'FULL') as 'FULL' | 'NORMAL';
  const debrief = await createDebrief({ config, store: new SqliteStore({ file, synchronous }), logger: pino({ level: config.log.level }) });
  const url = await debrief.listen(config.server.port, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ listening: Number(new URL(url).port) })}\n`);
  process.on('SIGTERM', () => { debrief.close().then(() => process.exit(0), () => process.exit(1)); });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
