import { alertName } from '../domain/alert';
import { exprFromGeneratorUrl, type AlertingRule } from '../domain/alert-rule';
import type { IncidentDetail } from '../domain/incident';
import type { PrometheusRules } from './prometheus-rules';
import { unboundedSelector } from './promql-selectors';
import { revisionOf, RevisionCache } from './revision-cache';

export interface IncidentAlertRulesOptions {
  rules: PrometheusRules;
  /** An open incident's rules are asked again when older than this (revision-cache.ts); default 300. */
  refreshSeconds?: number;
  /** At most this many alert names are asked about per incident, those that fired first. Default 50 (the most `prometheus.maxRules` charts). */
  maxNames?: number;
}

/** What the configured Prometheus said about the rules behind one incident's alerts. */
export type IncidentRulesAnswer =
  /** `asked`: the alert names asked about; `rules`: the alerting rules of those names. */
  | { status: 'ok'; asked: ReadonlySet<string>; rules: AlertingRule[] }
  /** A query-only endpoint without `/api/v1/rules` (404). */
  | { status: 'no-rules-api' }
  /** Prometheus could not be reached or answered otherwise; `error` says how. */
  | { status: 'unavailable'; error: unknown };

/**
 * How long a report draft goes without asking again after Prometheus could not be reached for
 * the same incident revision: one export reads the report and takes the snapshots at once, and
 * should not knock twice on a Prometheus that is down.
 */
const DRAFT_RETRY_AFTER_MS = 10_000;

/**
 * The alerting rules behind an incident's alerts, asked of the configured Prometheus with one
 * request per incident revision (the alert names filtered by Prometheus) and shared by metric
 * snapshots (is this expression the rule's?) and report drafts (how long does each rule wait,
 * `report/drafted-impact-start.ts`). Never throws. An answer in which Prometheus could not be
 * reached is not kept, so the next snapshot asks again; a draft then says nothing about rules.
 */
export class IncidentAlertRules {
  private readonly cache: RevisionCache<IncidentRulesAnswer>;
  private readonly maxNames: number;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly options: IncidentAlertRulesOptions) {
    this.cache = new RevisionCache({ refreshMs: (options.refreshSeconds ?? 300) * 1000, maxIncidents: 500, keep: (answer) => answer.status !== 'unavailable' });
    this.maxNames = options.maxNames ?? 50;
  }

  /** What Prometheus says of this incident's rules: kept while its revision holds, else asked now. */
  answer(detail: IncidentDetail, now: Date): Promise<IncidentRulesAnswer> {
    const key = `${detail.incident.id}@${revisionOf(detail)}`;
    return this.cache.get(detail, now.getTime(), () => this.ask(detail)).then((answer) => {
      if (answer.status === 'unavailable') this.noteFailure(key, now.getTime());
      else this.failedAt.delete(key);
      return answer;
    });
  }

  /** For report drafts: the rules (none without a rules API), or null when Prometheus could not say. */
  async rulesFor(detail: IncidentDetail, now: Date): Promise<AlertingRule[] | null> {
    const failed = this.failedAt.get(`${detail.incident.id}@${revisionOf(detail)}`);
    if (failed !== undefined && now.getTime() - failed < DRAFT_RETRY_AFTER_MS) return null;
    const answer = await this.answer(detail, now);
    return answer.status === 'ok' ? answer.rules : answer.status === 'no-rules-api' ? [] : null;
  }

  private async ask(detail: IncidentDetail): Promise<IncidentRulesAnswer> {
    const names = namesInFiringOrder(detail).slice(0, this.maxNames);
    if (names.length === 0) return { status: 'ok', asked: new Set(), rules: [] };
    try {
      const rules = await this.options.rules.alertingRules(names);
      return rules === null ? { status: 'no-rules-api' } : { status: 'ok', asked: new Set(names), rules };
    } catch (error) {
      return { status: 'unavailable', error };
    }
  }

  private noteFailure(key: string, nowMs: number): void {
    this.failedAt.set(key, nowMs);
    if (this.failedAt.size > 500) this.failedAt.delete(this.failedAt.keys().next().value!);
  }
}

/**
 * Distinct alert names, the earliest-firing first: the alerts that can move the impact start.
 * An alert whose expression could select every series is left out: no rule of that expression
 * would be trusted for a chart (promql-selectors.ts), and such an alert, a sender's own making
 * as often as not, causes no request at all.
 */
function namesInFiringOrder(detail: IncidentDetail): string[] {
  const sorted = [...detail.alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  const asked = sorted.filter((alert) => {
    const expr = exprFromGeneratorUrl(alert.generatorUrl);
    return expr === null || unboundedSelector(expr) === null;
  });
  return [...new Set(asked.map(alertName))];
}
