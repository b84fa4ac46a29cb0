import { alertName, type Alert } from '../alert';
import { rulesBehind, type AlertingRule } from '../alert-rule';
import { clockText, waitText } from './clock-text';

/**
 * When impact began at the latest, from the rules behind the alerts. Pure.
 *
 * A Prometheus alert fires only after its expression held for the rule's `for:` duration, and
 * Alertmanager passes on the moment it fired as `startsAt`. So whatever the alert watches was
 * already wrong at `startsAt - for` at the latest (earlier still by up to an evaluation interval
 * and the expression's own range). Over all alerts of the incident, the earliest such moment is
 * the machine-drafted impact start; people correct it with `impactStartedAt`.
 *
 * When the rules behind an alert are not known (no Prometheus configured, unreachable, the
 * alert came from elsewhere) it contributes only its own start. When several rules could have
 * made it, the shortest wait is taken: the bound stays true whichever rule it was.
 */
export interface DraftedImpactStart {
  /** The latest moment impact can have begun (UTC ISO). */
  at: string;
  /** The alert whose rule sets it, and that rule's wait. */
  alertId: string;
  alertname: string;
  firedAt: string;
  waitSeconds: number;
  /** "impact began by 14:27 UTC at the latest (HighErrorRate fired at 14:32 UTC; its rule waits 5m)". */
  note: string;
}

/** The drafted impact start, or null when no rule moves it before the first alert. */
export function draftImpactStart(alerts: readonly Alert[], rules: readonly AlertingRule[]): DraftedImpactStart | null {
  if (alerts.length === 0 || rules.length === 0) return null;
  const firstStart = alerts.map((alert) => alert.startsAt).sort()[0]!;
  let best: { alert: Alert; at: number; wait: number } | null = null;
  for (const alert of [...alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id))) {
    const behind = rulesBehind(alert, rules);
    if (behind.length === 0) continue;
    const wait = Math.min(...behind.map((rule) => rule.durationSeconds));
    const at = Date.parse(alert.startsAt) - wait * 1000;
    if (wait > 0 && (best === null || at < best.at)) best = { alert, at, wait };
  }
  if (best === null || best.at >= Date.parse(firstStart)) return null;
  const at = new Date(best.at).toISOString();
  const name = alertName(best.alert);
  return {
    at,
    alertId: best.alert.id,
    alertname: name,
    firedAt: best.alert.startsAt,
    waitSeconds: best.wait,
    note: `impact began by ${clockText(at, firstStart)} at the latest (${name} fired at ${clockText(best.alert.startsAt, firstStart)}; its rule waits ${waitText(best.wait)})`,
  };
}
