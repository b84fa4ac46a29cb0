import type { AxiosInstance } from 'axios';
import { alertName, type Alert } from '../domain/alert';
import { exprFromGeneratorUrl } from '../domain/alert-rule';
import type { IncidentDetail } from '../domain/incident';
import type { MetricSeries, MetricSnapshot } from '../domain/report/metric-chart-svg';
import { MAX_ANSWER_BYTES, prometheusConnection, readAnswer, type PrometheusConnection } from './prometheus-api';
import { IncidentAlertRules, type IncidentRulesAnswer } from './incident-alert-rules';
import { PrometheusRules } from './prometheus-rules';
import { unboundedSelector } from './promql-selectors';
import { OutboundError, type ResilientClient } from './resilient-http';
import { RevisionCache } from './revision-cache';

/** Where the expression in an alert's `generatorURL` is read; kept here for existing imports. */
export { exprFromGeneratorUrl } from '../domain/alert-rule';

export interface PrometheusSnapshotOptions {
  /** Prometheus base URL, e.g. `http://prometheus:9090` (a path prefix is kept). */
  baseUrl: string;
  /** Per-query timeout; a slow Prometheus yields a note, never a slow report. */
  timeoutMs: number;
  /** Minutes shown before the incident and after its end. */
  marginMinutes: number;
  /** At most this many rules are queried per incident. */
  maxRules: number;
  /** At most this many series are charted per rule (sent as `limit`, and enforced on the answer); default 20. */
  maxSeries?: number;
  /**
   * Run an expression only when the configured Prometheus has an alerting rule of the alert's
   * name with exactly that expression (`GET /api/v1/rules`); default true.
   */
  onlyRuleExpressions?: boolean;
  /** An open incident's snapshot is retaken when older than this (revision-cache.ts); default 300. */
  refreshSeconds?: number;
  /** Optional client (tests); built from the options otherwise. */
  http?: AxiosInstance;
  /**
   * The app's `prometheus` resilient client (per-query timeout, one retry of 5xx/network errors,
   * circuit, metrics); built from `timeoutMs` otherwise. Its timeout should be `timeoutMs`.
   */
  client?: ResilientClient;
  /**
   * The rules behind an incident's alerts, shared with report drafts (incident-alert-rules.ts):
   * one rules request per incident revision serves both. Built on this connection otherwise.
   */
  incidentRules?: IncidentAlertRules;
}

/** One rule per alert name, with the first expression found among its alerts. Sorted by name. */
export function distinctRules(alerts: readonly Alert[]): Array<{ rule: string; expr: string | null }> {
  const byName = new Map<string, string | null>();
  for (const alert of [...alerts].sort((x, y) => x.startsAt.localeCompare(y.startsAt) || x.id.localeCompare(y.id))) {
    const name = alertName(alert);
    const expr = exprFromGeneratorUrl(alert.generatorUrl);
    if (!byName.has(name) || (byName.get(name) === null && expr)) byName.set(name, expr);
  }
  return [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([rule, expr]) => ({ rule, expr }));
}

/** The snapshot window: the incident (until now while ongoing) plus the margin each side, never past now. */
export function snapshotWindow(detail: IncidentDetail, now: Date, marginMinutes: number): { start: Date; end: Date; stepSeconds: number } {
  const margin = marginMinutes * 60_000;
  const start = new Date(Date.parse(detail.incident.startedAt) - margin);
  const endBase = detail.incident.endedAt ? Date.parse(detail.incident.endedAt) : now.getTime();
  const end = new Date(Math.max(start.getTime() + 60_000, Math.min(now.getTime(), endBase + margin)));
  // About 240 points per chart, at least 1 s apart (Prometheus allows 11,000 per series).
  const stepSeconds = Math.max(1, Math.ceil((end.getTime() - start.getTime()) / 1000 / 240));
  return { start, end, stepSeconds };
}

interface QueryRangeResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  errorType?: string;
  error?: string;
}

/** Points kept per series: the step gives about 240; a Prometheus sending more is cut here. */
const MAX_POINTS = 1000;

/**
 * Fetches, for each distinct alert rule of an incident, its expression's values over the
 * incident window from Prometheus's `query_range` API. Never throws: every failure
 * (unreachable, timeout, bad expression, no expression in the alert) becomes a snapshot with
 * a note, so the report is never held up or failed by Prometheus.
 *
 * The expression comes from the alert (whoever holds a webhook credential writes it), so it is
 * run only when it is bounded (promql-selectors.ts) and, by default, when the configured
 * Prometheus has an alerting rule of that name with exactly that expression; each query is
 * bounded (timeout, also sent to Prometheus; step of the window / 240; `limit` on series; size
 * of the answer), and a set of snapshots is taken once per incident revision (revision-cache.ts).
 */
export class PrometheusSnapshotter {
  private readonly connection: PrometheusConnection;
  private readonly incidentRules: IncidentAlertRules;
  private readonly rules: PrometheusRules;
  private readonly cache: RevisionCache<MetricSnapshot[]>;
  private readonly maxSeries: number;

  constructor(private readonly options: PrometheusSnapshotOptions) {
    this.connection = prometheusConnection(options.baseUrl, options.timeoutMs, options.client, options.http);
    this.rules = new PrometheusRules(this.connection);
    this.incidentRules = options.incidentRules ?? new IncidentAlertRules({ rules: this.rules, refreshSeconds: options.refreshSeconds });
    this.cache = new RevisionCache({
      refreshMs: (options.refreshSeconds ?? 300) * 1000, maxIncidents: 500, keep: (snapshots) => snapshots.every((s) => s.status !== 'unavailable'),
    });
    this.maxSeries = options.maxSeries ?? 20;
  }

  /** The incident's snapshots: kept ones while its revision holds (revision-cache.ts), else taken now. */
  snapshots(detail: IncidentDetail, now: Date): Promise<MetricSnapshot[]> {
    return this.cache.get(detail, now.getTime(), () => this.take(detail, now));
  }

  private async take(detail: IncidentDetail, now: Date): Promise<MetricSnapshot[]> {
    const rules = distinctRules(detail.alerts);
    const chosen = rules.slice(0, this.options.maxRules);
    const win = snapshotWindow(detail, now, this.options.marginMinutes);
    // Asked once, and only when some expression needs confirming.
    let answer: Promise<IncidentRulesAnswer> | null = null;
    const ruleAnswer = () => (answer ??= this.incidentRules.answer(detail, now));
    const results = await Promise.all(chosen.map((candidate) => this.snapshot(candidate.rule, candidate.expr, detail, win, ruleAnswer)));
    if (rules.length > chosen.length) {
      results.push({ rule: `${rules.length - chosen.length} more rules`, expr: null, status: 'error', note: `only the first ${chosen.length} alert rules are charted (prometheus.maxRules)`, chart: null });
    }
    return results;
  }

  private async snapshot(
    rule: string, expr: string | null, detail: IncidentDetail, win: { start: Date; end: Date; stepSeconds: number }, ruleAnswer: () => Promise<IncidentRulesAnswer>,
  ): Promise<MetricSnapshot> {
    if (!expr) return { rule, expr, status: 'no-expression', note: 'the alert carries no Prometheus expression (no g0.expr in its generatorURL)', chart: null };
    const refused = await this.refusal(rule, expr, ruleAnswer);
    if (refused) return refused;
    let series: MetricSeries[];
    try {
      series = await this.queryRange(expr, win.start, win.end, win.stepSeconds);
    } catch (err) {
      const answered = err instanceof PrometheusQueryError || tooLarge(err);
      return { rule, expr, status: answered ? 'error' : 'unavailable', note: noteFor(err, this.options.timeoutMs), chart: null };
    }
    const cut = series.length > this.maxSeries;
    const chart = {
      title: rule, expr, start: win.start.toISOString(), end: win.end.toISOString(),
      incidentStart: detail.incident.startedAt, incidentEnd: detail.incident.endedAt, series: series.slice(0, this.maxSeries),
    };
    if (!series.length) return { rule, expr, status: 'no-data', note: 'Prometheus returned no data for this expression in the incident window', chart };
    return { rule, expr, status: 'ok', note: cut ? `only the first ${this.maxSeries} series are charted (prometheus.maxSeries)` : null, chart };
  }

  /** Why this expression is not run (a snapshot saying so), or null when it may be. */
  private async refusal(rule: string, expr: string, ruleAnswer: () => Promise<IncidentRulesAnswer>): Promise<MetricSnapshot | null> {
    const refuse = (note: string): MetricSnapshot => ({ rule, expr, status: 'refused', note, chart: null });
    const unbounded = unboundedSelector(expr);
    if (unbounded !== null) {
      return refuse(`not run: the selector ${unbounded} could select every series (a selector must name its metric or match a label to a value)`);
    }
    if (this.options.onlyRuleExpressions === false) return null;
    try {
      const known = await this.ruleExpressions(rule, await ruleAnswer());
      if (known === null) return refuse('not run: the configured Prometheus has no rules API to confirm the expression is the alert rule\'s (set prometheus.onlyRuleExpressions to false to chart it anyway)');
      if (!known.includes(expr)) return refuse(`not run: the configured Prometheus has no alerting rule "${rule}" with this expression, so it is not the alert rule's (prometheus.onlyRuleExpressions)`);
      return null;
    } catch (err) {
      return { rule, expr, status: 'unavailable', note: noteFor(err, this.options.timeoutMs), chart: null };
    }
  }

  /**
   * The expressions of the configured Prometheus's alerting rules named `rule`, from the
   * incident's rules answer; null without a rules API. A name the answer did not ask about (an
   * incident with more alert names than are asked at once) is asked on its own.
   */
  private async ruleExpressions(rule: string, answer: IncidentRulesAnswer): Promise<string[] | null> {
    if (answer.status === 'unavailable') throw answer.error;
    if (answer.status === 'no-rules-api') return null;
    const rules = answer.asked.has(rule) ? answer.rules : await this.rules.alertingRules([rule]);
    return rules === null ? null : rules.filter((r) => r.name === rule).map((r) => r.query);
  }

  private async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<MetricSeries[]> {
    const params = new URLSearchParams({
      query: expr, start: (start.getTime() / 1000).toFixed(3), end: (end.getTime() / 1000).toFixed(3), step: String(stepSeconds),
      // Prometheus stops evaluating when Debrief stops waiting, and returns one series more than
      // is charted, so a cut can be told apart (both ignored by a Prometheus that lacks them).
      timeout: String(this.options.timeoutMs / 1000), limit: String(this.maxSeries + 1),
    });
    // POST form keeps long expressions out of URL length limits (Prometheus accepts both). A read: safe to retry.
    const { http, client } = this.connection;
    const res = await client.call((signal) => readAnswer(() => http.post<QueryRangeResponse>('/api/v1/query_range', params.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      signal, responseType: 'json', maxContentLength: MAX_ANSWER_BYTES,
    })), { idempotent: true });
    const body = res.data;
    if (res.status >= 400 && res.status < 500 && body && typeof body === 'object' && body.status === 'error') {
      throw new PrometheusQueryError(`${body.errorType ?? 'error'}: ${body.error ?? 'query failed'}`);
    }
    if (res.status !== 200 || !body || typeof body !== 'object' || body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus answered HTTP ${res.status}`);
    }
    if (body.data.resultType !== 'matrix') throw new PrometheusQueryError(`unexpected result type ${body.data.resultType}`);
    return body.data.result.slice(0, this.maxSeries + 1).map((series) => ({
      labels: series.metric ?? {},
      points: (series.values ?? []).slice(0, MAX_POINTS).map(([time, value]) => [Number(time), Number(value)] as [number, number]),
    }));
  }
}

/** Prometheus understood the request and refused the expression (bad PromQL, too many points). */
class PrometheusQueryError extends Error {}

/** An answer over MAX_ANSWER_BYTES (axios stops reading it), however the resilient client wrapped it. */
function tooLarge(err: unknown): boolean {
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string' && e.message.includes('maxContentLength')) return true;
  }
  return false;
}

function noteFor(err: unknown, timeoutMs: number): string {
  if (err instanceof PrometheusQueryError) return `Prometheus rejected the query: ${err.message}`;
  if (tooLarge(err)) return `Prometheus answered with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; the chart is missing`;
  if (err instanceof OutboundError) {
    if (err.kind === 'timeout') return `Prometheus did not answer within ${timeoutMs} ms; the chart is missing`;
    if (err.kind === 'circuit_open') return 'Prometheus failed repeatedly and is not queried for a while (circuit open); the chart is missing';
    if (err.kind === 'http') return `Prometheus could not be queried (HTTP ${err.status}); the chart is missing`;
    if (err.cause !== undefined) return noteFor(err.cause, timeoutMs);
  }
  const failure = err as { code?: string; name?: string; message?: string };
  if (failure.code === 'ECONNABORTED' || failure.code === 'ETIMEDOUT' || failure.name === 'TimeoutError' || failure.code === 'ERR_CANCELED') {
    return `Prometheus did not answer within ${timeoutMs} ms; the chart is missing`;
  }
  if (failure.code === 'ECONNREFUSED' || failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN' || failure.code === 'EHOSTUNREACH' || failure.code === 'ECONNRESET') {
    return `Prometheus could not be reached (${failure.code}); the chart is missing`;
  }
  return `Prometheus could not be queried (${failure.message ?? 'unknown error'}); the chart is missing`;
}
