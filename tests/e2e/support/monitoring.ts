import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { freePort } from './ports';
import {
  defaultRegistry,
  httpRequest,
  startProcess,
  tail,
  type ManagedProcess,
  type ProcessRegistry,
  type Stoppable,
} from './processes';

/** Directories searched after $PATH (Debian puts daemons in /usr/bin, some tools in /usr/sbin). */
const EXTRA_BIN_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** Debian 12 names the Alertmanager binary `prometheus-alertmanager`; upstream builds call it `alertmanager`. */
export const ALERTMANAGER_BINARIES = ['prometheus-alertmanager', 'alertmanager'];
export const PROMETHEUS_BINARIES = ['prometheus'];
export const AMTOOL_BINARIES = ['amtool'];

export const INSTALL_HINT =
  'install Prometheus and Alertmanager: on Debian/Ubuntu run ' +
  '`apt-get install -y --no-install-recommends prometheus prometheus-alertmanager` ' +
  '(CI does this in .ci/run)';

/**
 * First executable found for any of `names`, searched in $PATH and then
 * /usr/bin, /usr/sbin (and /usr/local/*). Returns the absolute path or null.
 */
export function findBinary(names: readonly string[], extraDirs: readonly string[] = EXTRA_BIN_DIRS): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const name of names) {
    if (name.includes('/')) {
      if (isExecutable(name)) return path.resolve(name);
      continue;
    }
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** Like `findBinary` but throws an error that says what to install. */
export function requireBinary(names: readonly string[], what = names[0] ?? 'binary'): string {
  const found = findBinary(names);
  if (found === null) {
    throw new Error(`${what} not found (looked for ${names.join(', ')} in $PATH and ${EXTRA_BIN_DIRS.join(', ')}); ${INSTALL_HINT}`);
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface MonitoringProcess extends Stoppable {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Temp dir holding the config and storage (removed by stop()). */
  readonly dir: string;
  /** Path of the generated config file. */
  readonly configFile: string;
  readonly process: ManagedProcess;
  /** Recent stdout/stderr of the process. */
  logs(): string;
  stop(): Promise<void>;
}

/** Prometheus-style duration, e.g. `500ms`, `1s`, `2m`. */
export type Duration = string;

export interface StartAlertmanagerOptions {
  /** Where the single webhook receiver posts notifications. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Sent as HTTP basic auth (mutually exclusive with bearerToken). */
  basicAuth?: { username: string; password: string };
  /** Default `1s`. */
  groupWait?: Duration;
  /** Default `2s`. */
  groupInterval?: Duration;
  /** Default `1h` (long, so repeats don't muddle tests unless asked for). */
  repeatInterval?: Duration;
  /** Root route `group_by`; default `['alertname']`. Use `['...']` to disable grouping. */
  routeGroupBy?: string[];
  /** Global `resolve_timeout` for alerts posted without endsAt; default `5m`. */
  resolveTimeout?: Duration;
  /** Receiver name (appears as `receiver` in the webhook payload); default `debrief-webhook`. */
  receiverName?: string;
  /** Child routes under the root route (Alertmanager `routes:` entries, e.g. `{ matchers, group_by, group_wait }`); they inherit the receiver. */
  childRoutes?: ReadonlyArray<Record<string, unknown>>;
  /** Override the binary (default: found with findBinary). */
  binary?: string;
  /** Readiness timeout (default 20000 ms). */
  startTimeoutMs?: number;
  registry?: ProcessRegistry;
}

/** Start a real Alertmanager on a free loopback port with a generated config; resolves once `/-/ready` answers. */
export async function startAlertmanager(opts: StartAlertmanagerOptions): Promise<MonitoringProcess> {
  if (opts.bearerToken !== undefined && opts.basicAuth !== undefined) {
    throw new Error('startAlertmanager: bearerToken and basicAuth are mutually exclusive');
  }
  const binary = opts.binary ?? requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
  const receiver = opts.receiverName ?? 'debrief-webhook';

  const httpConfig: Record<string, unknown> = {};
  if (opts.bearerToken !== undefined) httpConfig.authorization = { type: 'Bearer', credentials: opts.bearerToken };
  if (opts.basicAuth !== undefined) httpConfig.basic_auth = { ...opts.basicAuth };

  const config = {
    global: { resolve_timeout: opts.resolveTimeout ?? '5m' },
    route: {
      receiver,
      group_by: opts.routeGroupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '2s',
      repeat_interval: opts.repeatInterval ?? '1h',
      ...(opts.childRoutes && opts.childRoutes.length > 0 ? { routes: opts.childRoutes } : {}),
    },
    receivers: [
      {
        name: receiver,
        webhook_configs: [
          {
            url: opts.webhookUrl,
            send_resolved: true,
            ...(Object.keys(httpConfig).length > 0 ? { http_config: httpConfig } : {}),
          },
        ],
      },
    ],
  };

  return startWithPortRetry('alertmanager', opts.registry, opts.startTimeoutMs, async (dir, port) => {
    const configFile = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(configFile, YAML.stringify(config));
    const storage = path.join(dir, 'data');
    fs.mkdirSync(storage);
    const args = [
      `--config.file=${configFile}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=debug',
    ];
    return { binary, args, configFile };
  });
}

export interface ScrapeTarget {
  job: string;
  /** `host:port` entries. */
  targets: string[];
  labels?: Record<string, string>;
  metricsPath?: string;
}

export interface StartPrometheusOptions {
  /** Alertmanager base URL (e.g. from startAlertmanager().url); omit to run without alerting. */
  alertmanagerUrl?: string;
  /** Contents of rules.yml (a `groups:` document). */
  rulesYaml?: string;
  /** Scraped in addition to Prometheus itself (job `prometheus`). */
  extraScrapeTargets?: ScrapeTarget[];
  /** Default `1s` for scrape and evaluation intervals. */
  interval?: Duration;
  /** `--rules.alert.resend-delay`, default `1s`. */
  resendDelay?: Duration;
  externalLabels?: Record<string, string>;
  binary?: string;
  startTimeoutMs?: number;
  registry?: ProcessRegistry;
}

/** Start a real Prometheus on a free loopback port, scraping itself; resolves once `/-/ready` answers. */
export async function startPrometheus(opts: StartPrometheusOptions = {}): Promise<MonitoringProcess> {
  const binary = opts.binary ?? requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
  const interval = opts.interval ?? '1s';

  let alerting: Record<string, unknown> | undefined;
  if (opts.alertmanagerUrl !== undefined) {
    const am = new URL(opts.alertmanagerUrl);
    alerting = {
      alertmanagers: [
        {
          scheme: am.protocol.replace(/:$/, ''),
          ...(am.pathname !== '/' && am.pathname !== '' ? { path_prefix: am.pathname } : {}),
          static_configs: [{ targets: [am.host] }],
        },
      ],
    };
  }

  return startWithPortRetry('prometheus', opts.registry, opts.startTimeoutMs, async (dir, port) => {
    const rulesFile = path.join(dir, 'rules.yml');
    fs.writeFileSync(rulesFile, opts.rulesYaml ?? 'groups: []\n');
    const config = {
      global: {
        scrape_interval: interval,
        scrape_timeout: interval,
        evaluation_interval: interval,
        ...(opts.externalLabels ? { external_labels: opts.externalLabels } : {}),
      },
      rule_files: [rulesFile],
      ...(alerting ? { alerting } : {}),
      scrape_configs: [
        { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
        ...(opts.extraScrapeTargets ?? []).map((t) => ({
          job_name: t.job,
          ...(t.metricsPath ? { metrics_path: t.metricsPath } : {}),
          static_configs: [{ targets: t.targets, ...(t.labels ? { labels: t.labels } : {}) }],
        })),
      ],
    };
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, YAML.stringify(config));
    const storage = path.join(dir, 'tsdb');
    fs.mkdirSync(storage);
    const args = [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      `--rules.alert.resend-delay=${opts.resendDelay ?? '1s'}`,
    ];
    return { binary, args, configFile };
  });
}

interface LaunchSpec {
  binary: string;
  args: string[];
  configFile: string;
}

/**
 * Create a temp dir, pick a free port, start the process and wait for
 * `/-/ready`. freePort() releases the port before the child binds it, so if
 * the child dies with "address already in use" we retry on a new port.
 */
async function startWithPortRetry(
  name: string,
  registry: ProcessRegistry | undefined,
  startTimeoutMs: number | undefined,
  prepare: (dir: string, port: number) => Promise<LaunchSpec>,
): Promise<MonitoringProcess> {
  const reg = registry ?? defaultRegistry;
  const attempts = 3;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `debrief-e2e-${name}-`));
    const port = await freePort();
    let proc: ManagedProcess | undefined;
    try {
      const spec = await prepare(dir, port);
      proc = startProcess(spec.binary, spec.args, { name, cwd: dir, registry: reg });
      const url = `http://127.0.0.1:${port}`;
      await proc.waitForHttp(`${url}/-/ready`, { timeoutMs: startTimeoutMs ?? 20_000 });
      const p = proc;
      let stopped = false;
      const handle: MonitoringProcess = {
        url,
        port,
        dir,
        configFile: spec.configFile,
        process: p,
        logs: () => p.logs(),
        async stop() {
          reg.untrack(handle);
          if (stopped) return;
          stopped = true;
          try {
            await p.stop();
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        },
      };
      // The handle (which also removes the dir) replaces the bare process in the registry.
      reg.untrack(p);
      reg.track(handle);
      return handle;
    } catch (err) {
      lastError = err as Error;
      const output = proc?.logs() ?? '';
      if (proc) await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      if (!/address already in use/i.test(output) || attempt === attempts) break;
    }
  }
  throw new Error(`failed to start ${name}: ${lastError?.message ?? 'unknown error'}`);
}

export interface PostedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default: now. */
  startsAt?: Date | string;
  /** Omit for "firing until resolve_timeout"; set in the future to make it resolve by itself. */
  endsAt?: Date | string;
  generatorURL?: string;
}

/**
 * POST alerts straight to Alertmanager's `/api/v2/alerts` (what Prometheus
 * and `amtool alert add` do). An alert with `endsAt` in the near future
 * resolves by itself, and Alertmanager then sends a resolved notification.
 */
export async function postAlerts(alertmanagerUrl: string, alerts: readonly PostedAlert[]): Promise<void> {
  const iso = (d: Date | string | undefined): string | undefined =>
    d === undefined ? undefined : typeof d === 'string' ? d : d.toISOString();
  const body = JSON.stringify(
    alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: iso(a.startsAt) ?? new Date().toISOString(),
      ...(a.endsAt !== undefined ? { endsAt: iso(a.endsAt) } : {}),
      generatorURL: a.generatorURL ?? `${alertmanagerUrl.replace(/\/$/, '')}/#/alerts`,
    })),
  );
  const res = await httpRequest(`${alertmanagerUrl.replace(/\/$/, '')}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`POST /api/v2/alerts answered HTTP ${res.status}: ${tail(res.body.toString('utf8'), 500)}`);
  }
}
