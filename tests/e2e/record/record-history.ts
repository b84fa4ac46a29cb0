/*
 * Records real Alertmanager traffic into a backtest fixture (`npm run record:replay-fixture`).
 *
 * Starts Debrief (the real app, temp-file SQLite store, the scenario's service catalog), a
 * real Alertmanager routing to it, one real Prometheus per cluster (external label
 * `cluster`) scraping the loopback services of scenario.ts, then plays the scenario's
 * timeline in real time (about seven minutes, plus the wait for every alert to resolve).
 * When Alertmanager has nothing left to send, it stops everything and writes Debrief's
 * inbox with `debrief inbox export` as history.jsonl, beside the catalog, the configs that
 * ran and recording.json (versions, times), into the output directory
 * (default tests/fixtures/replay/alertmanager-e2e; `-- --out <dir>` for another).
 *
 * It prints every delivery as it arrives and, at the end, every alert firing of the history
 * (fingerprint, startsAt, what it is): the input for writing truth.json by hand. It never
 * writes truth.json.
 *
 * Needs /usr/bin/prometheus and Alertmanager (Debian packages `prometheus`,
 * `prometheus-alertmanager`). No network beyond loopback.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../../src/cli/program';
import { AM_TOKEN, startTestApp } from '../../support/test-app';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from '../support/capture-server';
import {
  ALERTMANAGER_BINARIES,
  PROMETHEUS_BINARIES,
  requireBinary,
  startAlertmanager,
  startPrometheus,
  type MonitoringProcess,
} from '../support/monitoring';
import { delay, httpRequest, stopAll } from '../support/processes';
import { LoadGenerator } from './fake-estate';
import { buildEstate, catalogYaml, EU, ROUTING, RULES_YAML, SCENARIO_SECONDS, SCRAPE_INTERVAL, TIMELINE, US, type Estate } from './scenario';

const WEBHOOK_PATH = '/webhooks/alertmanager';
/** Rate windows are one minute: let them fill with healthy traffic before the first fault. */
const WARM_UP_MS = 70_000;
/** After the last fault, how long alerts may take to resolve and be delivered. */
const SETTLE_TIMEOUT_MS = 8 * 60_000;
/** No delivery for longer than the longest group_interval (30 s) means Alertmanager is done. */
const QUIET_MS = 45_000;

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}
interface WebhookBody {
  status: string;
  groupKey: string;
  alerts: WebhookAlert[];
}

const started = Date.now();
const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
const log = (text: string): void => {
  process.stdout.write(`${stamp()} ${text}\n`);
};

function parseArgs(argv: readonly string[]): { out: string } {
  let out = path.resolve('tests/fixtures/replay/alertmanager-e2e');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]!);
    else throw new Error(`unknown argument ${argv[i]} (usage: record-history [--out <dir>])`);
  }
  return { out };
}

function versionOf(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
}

const describeAlert = (a: WebhookAlert): string => `${a.labels.alertname}{${a.labels.cluster}/${a.labels.service ?? '-'}}:${a.status}`;

function describeDelivery(req: CapturedRequest): string {
  const body = req.json as WebhookBody | undefined;
  const answer = req.upstream?.ok ? String(req.upstream.status) : `failed (${req.upstream?.ok === false ? req.upstream.error : 'no answer'})`;
  return `delivery #${req.seq} -> Debrief ${answer}: ${body?.status} ${body?.groupKey} [${(body?.alerts ?? []).map(describeAlert).join(', ')}]`;
}

async function json<T>(url: string): Promise<T> {
  const res = await httpRequest(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as T;
}

/** Resolves once every target of this Prometheus is up. */
async function waitForTargets(prometheus: MonitoringProcess, cluster: string, expected: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const res = await json<{ data: { activeTargets: Array<{ health: string }> } }>(`${prometheus.url}/api/v1/targets`);
    const up = res.data.activeTargets.filter((t) => t.health === 'up').length;
    if (up >= expected) {
      log(`Prometheus ${cluster}: ${up} targets up`);
      return;
    }
    await delay(1000);
  }
  throw new Error(`Prometheus ${cluster}: targets did not come up`);
}

/** Alert rules pending or firing in a Prometheus right now. */
async function prometheusAlerts(prometheus: MonitoringProcess): Promise<string[]> {
  const res = await json<{ data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }>(`${prometheus.url}/api/v1/alerts`);
  return res.data.alerts.map((a) => `${a.labels.alertname}{${a.labels.service ?? ''}}:${a.state}`);
}

/** Alerts Alertmanager still considers active (not resolved). */
async function alertmanagerActive(alertmanager: MonitoringProcess): Promise<string[]> {
  const alerts = await json<Array<{ labels: Record<string, string>; status: { state: string } }>>(`${alertmanager.url}/api/v2/alerts`);
  return alerts.map((a) => `${a.labels.alertname}{${a.labels.cluster}/${a.labels.service ?? ''}}`);
}

async function runTimeline(estate: Estate): Promise<void> {
  const t0 = Date.now();
  log(`scenario starts (${TIMELINE.length} steps over ${SCENARIO_SECONDS} s)`);
  for (const step of TIMELINE) {
    const wait = t0 + step.at * 1000 - Date.now();
    if (wait > 0) await delay(wait);
    await step.act(estate);
    log(`t+${step.at}s: ${step.what}`);
  }
}

async function waitUntilSettled(deliveries: () => CapturedRequest[], prometheuses: MonitoringProcess[], alertmanager: MonitoringProcess): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const pending = [...(await Promise.all(prometheuses.map(prometheusAlerts))).flat(), ...(await alertmanagerActive(alertmanager))];
    const lastDelivery = deliveries().at(-1)?.receivedAt.getTime() ?? 0;
    if (pending.length === 0 && Date.now() - lastDelivery >= QUIET_MS) return;
    const now = pending.join(', ');
    if (now !== last) {
      log(pending.length > 0 ? `waiting for alerts to resolve: ${now}` : `all resolved; waiting ${QUIET_MS / 1000} s without deliveries`);
      last = now;
    }
    if (Date.now() > deadline) throw new Error(`alerts did not settle within ${SETTLE_TIMEOUT_MS / 60_000} min: ${now}`);
    await delay(2000);
  }
}

/** `debrief inbox export` on the recording's store, through the real CLI. */
async function exportInbox(dbFile: string, workDir: string, outFile: string): Promise<string> {
  const configFile = path.join(workDir, 'export.yaml');
  fs.writeFileSync(configFile, '{}\n');
  let stderr = '';
  const err = new PassThrough();
  err.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  await buildProgram({ stdout: new PassThrough(), stderr: err, env: { DEBRIEF_CONFIG: configFile, DEBRIEF_STORE_URL: `sqlite:${dbFile}` } })
    .parseAsync(['inbox', 'export', '--instance', 'alertmanager', '--out', outFile], { from: 'user' });
  return stderr.trim();
}

/** Every alert firing (fingerprint + startsAt) of the history, in order of first delivery: the input of a hand-written truth. */
function firingsTable(historyFile: string): string {
  const firings = new Map<string, { alert: WebhookAlert; firstLine: number; lastStatus: string; endsAt: string }>();
  fs.readFileSync(historyFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .forEach((text, index) => {
      const body = (JSON.parse(text) as { body: WebhookBody }).body;
      for (const alert of body.alerts) {
        const key = `${alert.fingerprint}@${alert.startsAt}`;
        const seen = firings.get(key) ?? { alert, firstLine: index + 1, lastStatus: alert.status, endsAt: alert.endsAt };
        seen.lastStatus = alert.status;
        seen.endsAt = alert.endsAt;
        firings.set(key, seen);
      }
    });
  const rows = [...firings.values()].map(
    ({ alert, firstLine, lastStatus, endsAt }) =>
      `line ${String(firstLine).padStart(3)}  ${alert.fingerprint}  ${alert.startsAt}  ${(alert.labels.alertname ?? '').padEnd(16)} ${(alert.labels.service ?? '').padEnd(21)} ${alert.labels.cluster ?? ''}  last ${lastStatus} ${lastStatus === 'resolved' ? endsAt : ''}`,
  );
  return `${firings.size} firings:\n${rows.join('\n')}`;
}

async function main(): Promise<void> {
  const { out } = parseArgs(process.argv.slice(2));
  const prometheusBinary = requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
  const alertmanagerBinary = requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
  const versions = { prometheus: versionOf(prometheusBinary), alertmanager: versionOf(alertmanagerBinary), node: process.version };
  log(`${versions.prometheus}; ${versions.alertmanager}`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'debrief-record-'));
  const catalogFile = path.join(workDir, 'services.yaml');
  fs.writeFileSync(catalogFile, catalogYaml());

  const estate = buildEstate();
  const load = new LoadGenerator(estate.entryPoints);
  const app = await startTestApp({ dir: workDir, overrides: { catalog: { file: catalogFile } } });
  let proxy: CaptureServer | undefined;
  const configs: Record<string, string> = {};
  let recordedFrom = '';
  let recordedTo = '';
  let reporter: NodeJS.Timeout | undefined;
  let recorded = false;
  try {
    proxy = await startCaptureServer({ forwardTo: app.url });
    const deliveries = (): CapturedRequest[] => proxy!.requests.filter((r) => r.url === WEBHOOK_PATH);
    let reported = 0;
    reporter = setInterval(() => {
      for (const req of deliveries().slice(reported)) log(describeDelivery(req));
      reported = deliveries().length;
    }, 500);

    const alertmanager = await startAlertmanager({
      webhookUrl: `${proxy.url}${WEBHOOK_PATH}`,
      bearerToken: AM_TOKEN,
      receiverName: 'debrief',
      routeGroupBy: ROUTING.groupBy,
      groupWait: ROUTING.groupWait,
      groupInterval: ROUTING.groupInterval,
      repeatInterval: ROUTING.repeatInterval,
      childRoutes: ROUTING.childRoutes,
    });
    configs['alertmanager.yml'] = fs.readFileSync(alertmanager.configFile, 'utf8');

    for (const part of estate.all) await part.start();
    load.start();

    const prometheuses: MonitoringProcess[] = [];
    for (const cluster of [EU, US] as const) {
      const prometheus = await startPrometheus({
        alertmanagerUrl: alertmanager.url,
        rulesYaml: RULES_YAML,
        interval: SCRAPE_INTERVAL,
        resendDelay: '2s',
        externalLabels: { cluster },
        extraScrapeTargets: estate.scraped[cluster].map((part) => ({ job: part.job, targets: [part.server.target], labels: { ...part.labels } })),
        startTimeoutMs: 30_000,
      });
      prometheuses.push(prometheus);
      configs[`prometheus-${cluster}.yml`] = fs.readFileSync(prometheus.configFile, 'utf8');
      await waitForTargets(prometheus, cluster, estate.scraped[cluster].length + 1);
    }
    configs['rules.yml'] = RULES_YAML.trimStart();

    log(`warming up ${WARM_UP_MS / 1000} s so the rate windows hold healthy traffic`);
    await delay(WARM_UP_MS);
    const early = (await Promise.all(prometheuses.map(prometheusAlerts))).flat();
    if (early.length > 0 || deliveries().length > 0) throw new Error(`alerts before any fault (the scenario would be muddled): ${early.join(', ')}`);

    recordedFrom = new Date().toISOString();
    await runTimeline(estate);
    await waitUntilSettled(deliveries, prometheuses, alertmanager);
    recordedTo = new Date().toISOString();
    clearInterval(reporter);
    for (const req of deliveries().slice(reported)) log(describeDelivery(req));
    const refused = deliveries().filter((r) => !r.upstream?.ok || r.upstream.status !== 202);
    if (refused.length > 0) throw new Error(`Debrief did not accept ${refused.length} deliveries: ${refused.map(describeDelivery).join('\n')}`);
    log(`${deliveries().length} deliveries, all accepted`);
    recorded = true;
  } finally {
    clearInterval(reporter);
    load.stop();
    await stopAll().catch((err: unknown) => log(`stopping processes: ${String(err)}`));
    for (const part of [...estate.all].reverse()) await part.stop();
    if (!recorded) {
      await app.stop({ keepFiles: true }).catch(() => undefined);
      log(`recording failed; Debrief's store is left in ${workDir}`);
    }
  }

  // Everything that sent is stopped; let Debrief process what it accepted, then close its store.
  await app.settle();
  await app.stop({ keepFiles: true });

  fs.mkdirSync(out, { recursive: true });
  const historyFile = path.join(out, 'history.jsonl');
  log(await exportInbox(app.dbFile, workDir, historyFile));
  fs.copyFileSync(catalogFile, path.join(out, 'services.yaml'));
  const configDir = path.join(out, 'recorded-config');
  fs.mkdirSync(configDir, { recursive: true });
  for (const [name, text] of Object.entries(configs)) fs.writeFileSync(path.join(configDir, name), text);
  fs.writeFileSync(
    path.join(out, 'recording.json'),
    `${JSON.stringify({ recordedFrom, recordedTo, versions, deliveries: fs.readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).length, scenario: TIMELINE.map((s) => `t+${s.at}s: ${s.what}`) }, null, 2)}\n`,
  );
  fs.rmSync(workDir, { recursive: true, force: true });
  log(`wrote ${out}: history.jsonl, services.yaml, recording.json, recorded-config/ (truth.json is written by hand)`);
  process.stdout.write(`\n${firingsTable(historyFile)}\n`);
}

// Closing Debrief's SQLite store waits for its checkpoint worker, which holds no reference on
// the event loop: without a timer of our own, node would exit silently half-way through the close.
const keepAlive = setInterval(() => undefined, 60_000);
main()
  .catch((err: unknown) => {
    process.stderr.write(`record-history: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => clearInterval(keepAlive));
