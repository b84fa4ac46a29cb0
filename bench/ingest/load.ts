import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';

/**
 * Alertmanager-shaped webhook bodies and a bounded loopback load generator for the ingest
 * benchmark. Bodies are built once, up front, so the generator spends its time sending.
 */

const SERVICES = ['checkout', 'payments', 'search', 'catalog', 'accounts', 'orders', 'shipping', 'inventory', 'pricing', 'reviews',
  'recommendations', 'notifications', 'auth', 'gateway', 'billing', 'reporting', 'media', 'ledger', 'fraud', 'support'];
const ALERTNAMES = ['HighErrorRate', 'HighLatencyP99', 'PodCrashLooping', 'KubePodNotReady', 'TargetDown', 'DiskWillFillIn4h',
  'CPUThrottlingHigh', 'MemoryPressure', 'ContainerOOMKilled', 'EndpointDown'];
const CLUSTERS = ['prod-eu-1', 'prod-us-1'];

/** Alertmanager's label-set fingerprint stand-in (stable per label set; Debrief accepts the sender's). */
const fingerprint = (labels: Record<string, string>) => createHash('sha256').update(JSON.stringify(Object.entries(labels).sort())).digest('hex').slice(0, 16);

export interface Group {
  body: Buffer;
  alerts: number;
}

/**
 * `groups` Alertmanager notification groups of `perGroup` alerts each (group_by: alertname,
 * service, cluster), as `notify/webhook` sends them: version 4, group key, common labels and
 * annotations, per-alert fingerprint, generatorURL, firing with Go's zero endsAt.
 * `spreadMinutes` spaces alert start times (0: the whole group started within a minute).
 */
export function buildGroups(options: { groups: number; perGroup: number; startMs: number; uniquePerAlert?: boolean; spreadMinutes?: number; groupOffsetMinutes?: number }): Group[] {
  const out: Group[] = [];
  for (let g = 0; g < options.groups; g++) {
    const service = options.uniquePerAlert ? null : SERVICES[g % SERVICES.length]!;
    const alertname = ALERTNAMES[Math.floor(g / SERVICES.length) % ALERTNAMES.length]!;
    const cluster = CLUSTERS[g % CLUSTERS.length]!;
    const groupStart = options.startMs + g * (options.groupOffsetMinutes ?? 0) * 60_000;
    const alerts = Array.from({ length: options.perGroup }, (_, i) => {
      const labels: Record<string, string> = options.uniquePerAlert
        ? { alertname: `History${g}x${i}`, service: `svc-${g}-${i}`, cluster, namespace: 'prod', severity: i % 5 === 0 ? 'critical' : 'warning', instance: `10.${g % 250}.${i}.7:9100`, job: 'node' }
        : { alertname, service: service!, cluster, namespace: `${service}-prod`, pod: `${service}-${g}-${i.toString(36)}-7f9c`, instance: `10.${g % 250}.${i}.7:8080`, job: `${service}-api`, severity: i % 10 === 0 ? 'critical' : 'warning', prometheus: 'monitoring/k8s' };
      const startsAt = new Date(groupStart + i * (options.spreadMinutes ?? 0) * 60_000 + i * 1000).toISOString();
      return {
        status: 'firing',
        labels,
        annotations: {
          summary: `${labels.alertname} on ${labels.service}`,
          description: `${labels.alertname} has been active for more than 5 minutes on ${labels.instance} (${labels.cluster}). Check the dashboard and the runbook.`,
          runbook_url: `https://runbooks.example.com/${labels.alertname}`,
        },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus-k8s-0:9090/graph?g0.expr=${encodeURIComponent(`${labels.alertname}{service="${labels.service}"} > 0`)}&g0.tab=1`,
        fingerprint: fingerprint(labels),
      };
    });
    const commonLabels = options.uniquePerAlert ? { cluster, namespace: 'prod', job: 'node' } : { alertname, service: service!, cluster, namespace: `${service}-prod`, job: `${service}-api`, prometheus: 'monitoring/k8s' };
    const groupLabels = options.uniquePerAlert ? { cluster, batch: String(g) } : { alertname, service: service!, cluster };
    const body = {
      receiver: 'debrief',
      status: 'firing',
      alerts,
      groupLabels,
      commonLabels,
      commonAnnotations: {},
      externalURL: 'http://alertmanager-main-0:9093',
      version: '4',
      groupKey: `{}/{severity=~"warning|critical"}:{${Object.entries(groupLabels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
      truncatedAlerts: 0,
    };
    out.push({ body: Buffer.from(JSON.stringify(body)), alerts: alerts.length });
  }
  return out;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  alerts: number;
  seconds: number;
  /** Length of the unmeasured warm-up (its webhooks are processed too). */
  warmupSeconds: number;
  latenciesMs: number[];
}

/**
 * Posts `groups` round-robin over `connections` keep-alive connections, after `warmupMs` of
 * unmeasured traffic, until `maxRequests` measured requests or `maxSeconds` (whichever first).
 */
export async function runLoad(options: {
  url: string; headers: Record<string, string>; groups: Group[]; connections: number; warmupMs: number; maxRequests: number; maxSeconds: number;
  /** Send every group exactly once (a history import) instead of round-robin repeats. */
  once?: boolean;
  /**
   * Bodies made at the moment they are sent (the storm: each notification is the next state of
   * its group), used instead of `groups`. `nowMs` is the time the request is made.
   */
  nextBody?: (nowMs: number) => Group;
  /**
   * Paced load: the k-th measured request is due at start + k / ratePerSec; a connection that
   * falls behind sends at once. Latency counts from the moment the request was sent.
   */
  ratePerSec?: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  let next = 0;
  const post = (body: Buffer) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
      headers: { ...options.headers, 'Content-Type': 'application/json', 'Content-Length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

  const warmupEnd = Date.now() + options.warmupMs;
  let paceStart = 0;
  let paced = 0;
  const worker = async (measure: boolean, until: () => boolean, result: LoadResult) => {
    while (!until()) {
      if (options.once && next >= options.groups.length) return;
      if (options.ratePerSec) {
        const due = paceStart + (paced++ / options.ratePerSec) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (until()) return;
      }
      const group = options.nextBody ? options.nextBody(Date.now()) : options.groups[next++ % options.groups.length]!;
      const t0 = process.hrtime.bigint();
      try {
        const res = await post(group.body);
        if (!measure) continue;
        result.latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        result.sent++;
        if (res.status === 202 || res.status === 200) {
          result.ok++;
          result.alerts += group.alerts;
        } else {
          result.errors++;
          if (result.errorSamples.length < 5) result.errorSamples.push(`${res.status} ${res.text.slice(0, 200)}`);
        }
      } catch (err) {
        if (!measure) continue;
        result.sent++;
        result.errors++;
        if (result.errorSamples.length < 5) result.errorSamples.push((err as Error).message);
      }
    }
  };
  paceStart = Date.now();
  const warm: LoadResult = { sent: 0, ok: 0, errors: 0, errorSamples: [], alerts: 0, seconds: 0, warmupSeconds: 0, latenciesMs: [] };
  await Promise.all(Array.from({ length: options.connections }, () => worker(false, () => Date.now() >= warmupEnd, warm)));

  const result: LoadResult = { sent: 0, ok: 0, errors: 0, errorSamples: [], alerts: 0, seconds: 0, warmupSeconds: options.warmupMs / 1000, latenciesMs: [] };
  const started = process.hrtime.bigint();
  paceStart = Date.now();
  paced = 0;
  const deadline = Date.now() + options.maxSeconds * 1000;
  await Promise.all(Array.from({ length: options.connections }, () => worker(true, () => result.sent >= options.maxRequests || Date.now() >= deadline, result)));
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return result;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Resident set size of a process, now and at its peak (Linux /proc). */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
