import { alertName, type Alert } from './alert';

/**
 * The alerting rule behind an alert, as Prometheus lists it (`GET /api/v1/rules`, rules of
 * `type: "alerting"`). Only what Debrief reads: which alerts it makes and how long it waits.
 */
export interface AlertingRule {
  /** The alert name the rule sets (`alert:` in the rule file). */
  name: string;
  /** The rule's expression as Prometheus prints it; the same text it puts in `generatorURL` as `g0.expr`. */
  query: string;
  /**
   * The rule's `for:` in seconds: how long the expression must hold before the alert fires.
   * Prometheus sends an alert's `startsAt` as the moment it fired, so the condition held since
   * at least this long before it.
   */
  durationSeconds: number;
  /** The rule's own labels (added to every alert it makes); templated values are left unexpanded. */
  labels: Record<string, string>;
}

/**
 * The PromQL expression in a Prometheus graph link (an alert's `generatorURL`):
 * `.../graph?g0.expr=<expr>&g0.tab=1`. Only the expression is taken; the link's host is never
 * contacted (queries go to the configured Prometheus), so a crafted URL cannot steer requests.
 */
export function exprFromGeneratorUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const expr = parsed.searchParams.get('g0.expr');
  return expr && expr.trim() ? expr.trim() : null;
}

/**
 * The rules that could have made this alert: same alert name; the same expression when the
 * alert's `generatorURL` carries one (several rules may share a name with different
 * expressions and waits, e.g. a warning and a critical threshold); and rule labels the alert
 * carries (a templated label value, which the rules API lists unexpanded, is not compared).
 */
export function rulesBehind(alert: Pick<Alert, 'labels' | 'generatorUrl'>, rules: readonly AlertingRule[]): AlertingRule[] {
  const name = alertName(alert);
  const expr = exprFromGeneratorUrl(alert.generatorUrl);
  return rules.filter((rule) => rule.name === name
    && (expr === null || rule.query.trim() === expr)
    && Object.entries(rule.labels).every(([label, value]) => value.includes('{{') || alert.labels[label] === value));
}
