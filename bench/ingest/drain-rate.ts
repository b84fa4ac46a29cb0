import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { buildInboxProcessor } from '../../src/ingest/inbox-processor';
import { createMetrics } from '../../src/metrics';
import { openStores } from '../../src/store/open-stores';
import { StormTraffic } from './storm-traffic';

/**
 * Processing alone, on one thread: the storm's bodies are put straight into a fresh SQLite
 * inbox (no HTTP), then one inbox processor drains them. Prints alerts/s of wall and of CPU
 * time. For comparing builds of the processing path; `npm run bench` measures the whole path.
 * It covers the storm's traffic shape only (bench/ingest/notes.md says what it leaves out).
 */
async function main(): Promise<void> {
  const bodies = Number(process.env.DRAIN_BODIES ?? 3000);
  const dir = mkdtempSync(join(tmpdir(), 'debrief-drain-'));
  const stores = await openStores({ url: `sqlite:${join(dir, 'debrief.db')}` });
  const { store } = stores;
  const startMs = Date.parse('2026-12-01T10:00:00Z');
  const traffic = new StormTraffic({ groups: Number(process.env.DRAIN_GROUPS ?? 200), alertsPerGroup: 50, resolveRatio: 0.1, services: 20 }, startMs);
  let alerts = 0;
  for (let i = 0; i < bodies; i++) {
    const nowMs = startMs + i * 3;
    const { body, alerts: n } = traffic.body(nowMs);
    alerts += n;
    await store.appendInbox({ instance: 'alertmanager', connector: 'alertmanager', receivedAt: new Date(nowMs).toISOString(), headers: {}, body, deliveryId: null });
  }
  const config = loadConfig({ file: null, env: {} });
  const processor = buildInboxProcessor(config, ServiceCatalog.empty(), {
    store, metrics: createMetrics({ inboxBacklog: async () => 0, deadLetters: async () => 0, openIncidents: async () => 0 }),
    logger: pino({ level: 'silent' }), breathe: async () => undefined,
  });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  processor.start();
  await processor.idle();
  await processor.stop();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const backlog = await store.inboxBacklog();
  console.log(JSON.stringify({ bodies, alerts, firings: traffic.firings, wallS: +wallS.toFixed(2), cpuS: +cpuS.toFixed(2), alertsPerWallS: Math.round(alerts / wallS), alertsPerCpuS: Math.round(alerts / cpuS), left: backlog, rssMb: Math.round(process.memoryUsage().rss / 1e6) }));
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
