import type { AlertingRule } from '../domain/alert-rule';
import { MAX_ANSWER_BYTES, readAnswer, type PrometheusConnection } from './prometheus-api';

/**
 * The configured Prometheus's alerting rules, from `GET /api/v1/rules?type=alert` in its
 * published format: `{ status: "success", data: { groups: [{ rules: [{ type: "alerting", name,
 * query, duration, labels, ... }] }] } }`, `duration` being the rule's `for:` in seconds.
 * Metric snapshots ask it which expressions are the rules' own; report drafts ask how long each
 * rule waits before firing.
 */

interface RulesResponse {
  status: 'success' | 'error';
  data?: { groups?: Array<{ rules?: Array<{ type?: unknown; name?: unknown; query?: unknown; duration?: unknown; labels?: unknown }> }> };
}

export class PrometheusRules {
  constructor(private readonly connection: PrometheusConnection) {}

  /**
   * The alerting rules named in `names`; null when this Prometheus has no rules API (a
   * query-only endpoint answers 404). Throws when Prometheus cannot be reached or answers
   * anything else.
   */
  async alertingRules(names: readonly string[]): Promise<AlertingRule[] | null> {
    const params = new URLSearchParams({ type: 'alert' });
    // Prometheus 2.54+ filters by name; older ones ignore the parameter and list every rule.
    for (const name of names) params.append('rule_name[]', name);
    const { http, client } = this.connection;
    const res = await client.call((signal) => readAnswer<RulesResponse>(() => http.get<RulesResponse>(`/api/v1/rules?${params.toString()}`, {
      headers: { Accept: 'application/json' }, signal, responseType: 'json', maxContentLength: MAX_ANSWER_BYTES,
    })), { idempotent: true });
    if (res.status === 404) return null;
    const body = res.data;
    if (res.status !== 200 || !body || typeof body !== 'object' || body.status !== 'success') throw new Error(`Prometheus answered HTTP ${res.status}`);
    const wanted = new Set(names);
    const rules: AlertingRule[] = [];
    for (const group of Array.isArray(body.data?.groups) ? body.data.groups : []) {
      for (const rule of Array.isArray(group?.rules) ? group.rules : []) {
        if (rule?.type !== 'alerting' || typeof rule.name !== 'string' || typeof rule.query !== 'string' || !wanted.has(rule.name)) continue;
        rules.push({ name: rule.name, query: rule.query.trim(), durationSeconds: secondsOf(rule.duration), labels: stringLabels(rule.labels) });
      }
    }
    return rules;
  }
}

/** A rule without `for:` has duration 0 (Prometheus omits nothing, but a proxy might). */
const secondsOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

function stringLabels(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
