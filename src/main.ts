import { dirname, join } from 'node:path';
import { createLogger } from './logger';
import { connectorsById } from '../connectors';
import { createDebrief } from './app';
import { findInstance } from './config/config.schema';
import { ConfigError, loadConfig } from './config/load-config';
import { loadOrCreateFirstRunCredentials } from './config/first-run-credentials';
import { missingRuntimeSettings } from './runtime-settings';
import { INCOMPLETE_REQUEST_GRACE_MS } from './shutdown';

/** Process entry point: config -> app -> listen; SIGTERM/SIGINT stop gracefully. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ knownConnectors: [...connectorsById.keys()] });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // Secrets never reach the log, even if a future log line carries a config object or headers.
  const logger = createLogger(config.log.level);

  const am = findInstance(config, 'alertmanager', 'alertmanager');
  const amUnconfigured = am && am.credentials.bearerTokens.length === 0 && am.credentials.basicAuth.length === 0;
  if (config.api.tokens.length === 0 && amUnconfigured && config.store.url.startsWith('sqlite:')) {
    const file = join(dirname(config.store.url.slice('sqlite:'.length)), 'credentials.json');
    const { credentials, created } = loadOrCreateFirstRunCredentials(file);
    config.api.tokens.push({ name: 'first-run-admin', role: 'admin', token: credentials.apiToken });
    am!.credentials.bearerTokens.push(credentials.alertmanagerBearerToken);
    logger.warn({ file, created }, 'no API tokens or Alertmanager credentials configured: using the generated ones in this file (set DEBRIEF_API_TOKENS and DEBRIEF_ALERTMANAGER_BEARER_TOKENS to choose your own)');
  } else if (config.api.tokens.length === 0) {
    logger.warn('no API tokens configured (DEBRIEF_API_TOKENS): every API call will answer 401');
  }

  const debrief = await createDebrief({ config, logger });
  const url = await debrief.listen();
  logger.info({ url, store: debrief.store.kind, instances: config.instances.map((i) => i.id) }, 'Debrief is listening');
  const missing = missingRuntimeSettings(process.env, process.execArgv);
  if (missing.length > 0) {
    logger.warn({ missing }, 'started without the runtime settings of bin/debrief-server: expect about 40% more memory (docs/scaling.md); start Debrief through bin/debrief-server');
  }

  // SIGTERM (docker stop, Kubernetes, systemd): stop accepting connections, answer requests
  // already received, cut connections still sending a request after INCOMPLETE_REQUEST_GRACE_MS
  // (a stalled client must not hold the stop), process what is in the inbox for up to DRAIN_MS,
  // close the store (which checkpoints the WAL). Past DEADLINE_MS the process exits anyway:
  // every answered webhook is already durable, so a forced exit loses nothing that was acknowledged.
  const DRAIN_MS = 5_000;
  const DEADLINE_MS = 10_000;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'stopping: no new connections; finishing requests and inbox work');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: DEADLINE_MS }, 'graceful stop took too long; exiting without closing the store');
      process.exit(1);
    }, DEADLINE_MS);
    deadline.unref();
    debrief.close({ drainInboxMs: DRAIN_MS, incompleteRequestGraceMs: INCOMPLETE_REQUEST_GRACE_MS }).then(() => {
      logger.info({ ms: Date.now() - started }, 'stopped: store closed');
      process.exit(0);
    }, (err: unknown) => {
      logger.error({ err: (err as Error).message }, 'error while stopping');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Debrief failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
