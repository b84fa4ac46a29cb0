import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the two Prometheus HTTP API endpoints metric snapshots use, answering
 * in the published formats (prometheus.io/docs/prometheus/latest/querying/api/):
 *
 * - `GET /api/v1/rules` (`type=alert`, `rule_name[]` filtering as Prometheus 2.54+ does):
 *   `{ status: "success", data: { groups: [{ name, file, rules: [{ type: "alerting", name, query,
 *   duration (the rule's \`for:\` in seconds), labels, ... }] }] } }`;
 * - `POST /api/v1/query_range` (form): `{ status: "success", data: { resultType: "matrix",
 *   result: [{ metric, values: [[<unix seconds>, "<value>"], ...] }] } }`, one point per step
 *   from start to end, `seriesCount` series, honouring `limit` as Prometheus 3 does.
 *
 * Every request is recorded with its form or query parameters.
 */

export interface FakePrometheusRule {
  name: string;
  query: string;
  /** The rule's `for:` in seconds, as the rules API lists it; default 60. */
  duration?: number;
  /** The rule's own labels; default none. */
  labels?: Record<string, string>;
}

export interface FakePrometheusRequest { method: string; path: string; params: URLSearchParams }

export interface FakePrometheus {
  url: string;
  requests: FakePrometheusRequest[];
  /** The alerting rules `GET /api/v1/rules` lists. */
  rules: FakePrometheusRule[];
  /** False: `/api/v1/rules` answers 404, as a query-only endpoint would. */
  rulesApi: boolean;
  /** False: `rule_name[]` is ignored and every rule listed, as before Prometheus 2.54. */
  nameFilter: boolean;
  /** Series each query_range answers (before `limit`). */
  seriesCount: number;
  /** Points per series; by default one per step from start to end. */
  pointsPerSeries: number | null;
  queryRanges(): FakePrometheusRequest[];
  close(): Promise<void>;
}

/** On `port` when given (to come back where a closed one was), else a free one. */
export async function startFakePrometheus(rules: FakePrometheusRule[] = [], port = 0): Promise<FakePrometheus> {
  const fake = {
    requests: [] as FakePrometheusRequest[], rules, rulesApi: true, nameFilter: true, seriesCount: 1, pointsPerSeries: null as number | null,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const params = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
      fake.requests.push({ method: req.method ?? '', path: url.pathname, params });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/api/v1/rules' && req.method === 'GET') {
        if (!fake.rulesApi) return json(404, { status: 'error', errorType: 'not_found', error: 'not found' });
        const names = params.getAll('rule_name[]');
        const listed = fake.rules.filter((r) => !fake.nameFilter || names.length === 0 || names.includes(r.name));
        return json(200, {
          status: 'success',
          data: {
            groups: [{
              name: 'debrief-test', file: '/etc/prometheus/rules.yml', interval: 15, limit: 0, evaluationTime: 0.001, lastEvaluation: '2026-03-01T10:00:00Z',
              rules: listed.map((r) => ({
                state: 'inactive', name: r.name, query: r.query, duration: r.duration ?? 60, keepFiringFor: 0, labels: r.labels ?? {}, annotations: {}, alerts: [],
                health: 'ok', evaluationTime: 0.0001, lastEvaluation: '2026-03-01T10:00:00Z', type: 'alerting',
              })),
            }],
          },
        });
      }
      if (url.pathname === '/api/v1/query_range' && req.method === 'POST') {
        const start = Number(params.get('start'));
        const end = Number(params.get('end'));
        const step = Number(params.get('step'));
        const limit = Number(params.get('limit') ?? 0);
        const count = limit > 0 ? Math.min(limit, fake.seriesCount) : fake.seriesCount;
        const points = fake.pointsPerSeries ?? Math.floor((end - start) / step) + 1;
        return json(200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: Array.from({ length: count }, (_, i) => ({
              metric: { job: 'api', instance: `host-${i}` },
              values: Array.from({ length: points }, (_, k) => [start + k * step, String(i + 1)]),
            })),
          },
        });
      }
      return json(404, { status: 'error', errorType: 'not_found', error: `no ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queryRanges: () => fake.requests.filter((r) => r.path === '/api/v1/query_range'),
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  });
}
