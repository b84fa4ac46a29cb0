import { z } from 'zod';
import type { AlertObservation } from '../../src/domain/alert';
import { parseRfc3339 } from '../shared/rfc3339';
import { alertmanagerFingerprint } from './fingerprint';

/*
 * Alertmanager's pull API, `GET /api/v2/alerts/groups` (api/v2/openapi.yaml `alertGroups`), as
 * the reconciler reads it. Shapes per docs/payloads.md §3, checked against the recorded
 * response in fixtures/api-v2/. Forgiving like the webhook schema: unknown keys pass
 * (`routeLabels` arrived in 0.34, `mutedBy` in 0.28).
 */

const labelSetSchema = z.record(z.string(), z.string());

/** One `gettableAlert`. Unlike webhooks, `endsAt` here is the real lease, never Go's zero time. */
export const alertmanagerApiAlertSchema = z.looseObject({
  labels: labelSetSchema,
  annotations: labelSetSchema.optional(),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  updatedAt: z.string().optional(),
  fingerprint: z.string().optional(),
  generatorURL: z.string().optional(),
  receivers: z.array(z.looseObject({ name: z.string() })).optional(),
  status: z
    .looseObject({
      state: z.string().describe('`active`, `suppressed` (silenced, inhibited or muted) or `unprocessed`.'),
      silencedBy: z.array(z.string()).optional(),
      inhibitedBy: z.array(z.string()).optional(),
      mutedBy: z.array(z.string()).optional(),
    })
    .optional(),
});
export type AlertmanagerApiAlert = z.infer<typeof alertmanagerApiAlertSchema>;

/** One `alertGroup`: a (receiver, group labels) pair. It has no `groupKey` (see `reconciledGroupKey`). */
export const alertmanagerAlertGroupSchema = z.looseObject({
  labels: labelSetSchema,
  receiver: z.looseObject({ name: z.string() }),
  alerts: z.array(alertmanagerApiAlertSchema),
  routeLabels: labelSetSchema.optional(),
});
export type AlertmanagerAlertGroup = z.infer<typeof alertmanagerAlertGroupSchema>;

export const alertmanagerAlertGroupsSchema = z.array(alertmanagerAlertGroupSchema);

/**
 * The group key Debrief gives an alert it learns of only through the pull API.
 *
 * The webhook's `groupKey` is `<route key>:<group labels>`, and the route key is built from the
 * matchers of every ancestor route, which the API does not expose. So a pulled group cannot be
 * given its real key; `reconciled:<receiver>:{name="value", ...}` (group labels sorted, values
 * JSON-quoted) is stable per (receiver, group labels), keeps alerts of one API group together,
 * and can never collide with a real Alertmanager key (those start with `{`).
 */
export function reconciledGroupKey(receiver: string, groupLabels: Record<string, string>): string {
  const pairs = Object.keys(groupLabels).sort().map((name) => `${name}=${JSON.stringify(groupLabels[name])}`);
  return `reconciled:${receiver}:{${pairs.join(', ')}}`;
}

/** An alert as the pull API shows it, translated into Debrief's words. */
export interface PulledAlert {
  /** Always `firing` with `endsAt` null: the API lists only unresolved alerts. */
  observation: AlertObservation;
  /** Alertmanager's `status.state`: `active`, `suppressed`, `unprocessed`. */
  state: string;
  /** The API's `endsAt`: when Alertmanager will resolve the alert unless it is re-sent. */
  leaseEndsAt: string | null;
  receiver: string;
}

export interface PulledAlerts {
  /** One per (fingerprint, startsAt), in response order; see `pulledAlerts`. */
  alerts: PulledAlert[];
  /** Alerts that could not be read (no usable start time), with the reason. */
  skipped: Array<{ fingerprint: string; reason: string }>;
}

/**
 * Flattens an `/api/v2/alerts/groups` response into one entry per alert. Pure.
 *
 * An alert routed to several receivers appears once per receiver (docs/payloads.md §3); the
 * first group wins, where groups of `receivers` come first, in that order, and then the rest, in
 * response order. With `receivers` set, alerts found only under other receivers are still listed
 * (they are present in Alertmanager) but carry the receiver they were found under, so the caller
 * can tell them apart.
 */
export function pulledAlerts(
  groups: readonly AlertmanagerAlertGroup[],
  context: { instance: string; receivers?: readonly string[] | null },
): PulledAlerts {
  const preferred = context.receivers ?? [];
  const rank = (group: AlertmanagerAlertGroup) => {
    const position = preferred.indexOf(group.receiver.name);
    return position === -1 ? preferred.length : position;
  };
  const ordered = groups.map((group, index) => ({ group, index })).sort((a, b) => rank(a.group) - rank(b.group) || a.index - b.index).map(({ group }) => group);

  const seen = new Set<string>();
  const alerts: PulledAlert[] = [];
  const skipped: PulledAlerts['skipped'] = [];
  for (const group of ordered) {
    const groupKey = reconciledGroupKey(group.receiver.name, group.labels);
    for (const alert of group.alerts) {
      const fingerprint = alert.fingerprint ? alert.fingerprint : alertmanagerFingerprint(alert.labels);
      const start = parseRfc3339(alert.startsAt);
      if (!start.ok || start.iso === null) {
        skipped.push({ fingerprint, reason: `startsAt ${JSON.stringify(alert.startsAt)} is not a start time` });
        continue;
      }
      const identity = `${fingerprint}|${start.iso}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const lease = alert.endsAt === undefined ? null : parseRfc3339(alert.endsAt);
      alerts.push({
        observation: {
          instance: context.instance,
          source: 'alertmanager',
          fingerprint,
          fingerprintComputed: !alert.fingerprint,
          status: 'firing',
          startsAt: start.iso,
          // The API's endsAt is a lease, not an end (prometheus/prometheus#4550).
          endsAt: null,
          labels: { ...alert.labels },
          annotations: { ...(alert.annotations ?? {}) },
          generatorUrl: alert.generatorURL ? alert.generatorURL : null,
          sourceGroupKey: groupKey,
          sourceGroupLabels: { ...group.labels },
        },
        state: alert.status?.state ?? 'active',
        leaseEndsAt: lease?.ok ? lease.iso : null,
        receiver: group.receiver.name,
      });
    }
  }
  return { alerts, skipped };
}
