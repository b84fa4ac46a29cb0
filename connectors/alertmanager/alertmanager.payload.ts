import { z } from 'zod';
import { parseRfc3339 } from '../shared/rfc3339';

/**
 * Webhook body of Prometheus Alertmanager (`version` "4", and older bodies) and of Grafana's
 * Alertmanager-compatible "Webhook" contact point (`version` "1").
 *
 * Sources: Alertmanager `notify/webhook/webhook.go` + `template.Data`, docs "configuration.md
 * <webhook_config>"; grafana/alerting `receivers/webhook/v1/webhook.go`. Forgiving on purpose:
 * unknown keys pass (Grafana OnCall adds `numFiring`, forks add their own), and everything
 * except `alerts[].labels` and `alerts[].startsAt` is optional because old Alertmanager
 * versions and hand-rolled senders omit fields. Timestamps are plain strings here and parsed
 * in normalize, so the schema stays transform-free for `z.toJSONSchema(..., { io: 'input' })`.
 */

const labelSetSchema = z
  .record(z.string(), z.string())
  .describe('Label name to value; every value is a string.');

const stringMapSchema = z.record(z.string(), z.string());

const statusSchema = z.enum(['firing', 'resolved']);

/** One alert inside a notification. */
export const alertmanagerAlertSchema = z
  .looseObject({
    status: statusSchema
      .optional()
      .describe(
        'Per-alert status. Missing in some pre-0.19 bodies; then derived from endsAt or the root status.',
      ),
    labels: labelSetSchema.describe(
      "The alert's identity. Values are strings; names are not reserved (a label may be called `status`).",
    ),
    annotations: stringMapSchema
      .optional()
      .describe('Free-text annotations (summary, description, runbook_url, ...).'),
    // Times are checked here (not only in normalize) so a 400 lists every bad time at once.
    startsAt: z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseRfc3339(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${parsed.reason}: ${JSON.stringify(text.slice(0, 100))}` });
        else if (parsed.iso === null) ctx.addIssue({ code: 'custom', message: `no start time (empty or Go zero time): ${JSON.stringify(text)}` });
      })
      .describe(
        'RFC 3339 time the firing began, 0-9 fractional digits, any offset. Stable across re-sends of one firing.',
      ),
    endsAt: z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseRfc3339(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${parsed.reason}: ${JSON.stringify(text.slice(0, 100))}` });
      })
      .optional()
      .describe(
        "RFC 3339 resolution time. Alertmanager sends Go's zero time 0001-01-01T00:00:00Z for firing alerts (alertmanager#3341).",
      ),
    generatorURL: z
      .string()
      .optional()
      .describe('Link to the rule or graph that produced the alert; may be empty or absent.'),
    fingerprint: z
      .string()
      .optional()
      .describe(
        'Sender hash of the label set (Alertmanager 0.19+). Recomputed like Alertmanager when absent or empty.',
      ),
    silenceURL: z.string().optional().describe('Grafana only: link that pre-fills a silence.'),
    dashboardURL: z.string().optional().describe('Grafana only: dashboard link; may be empty.'),
    panelURL: z.string().optional().describe('Grafana only: panel link; may be empty.'),
    imageURL: z.string().optional().describe('Grafana only: screenshot link, when images are enabled.'),
    values: z
      .record(z.string(), z.number())
      .nullable()
      .optional()
      .describe('Grafana only: query refId to value; null for DatasourceNoData/DatasourceError alerts.'),
    valueString: z.string().optional().describe('Grafana only, deprecated: values as text; may be empty.'),
    orgId: z.number().int().optional().describe('Grafana only: organisation id of the alert rule.'),
  })
  .describe('One alert of the notification group.');

/** The notification body. */
export const alertmanagerPayloadSchema = z
  .looseObject({
    version: z
      .string()
      .optional()
      .describe('Payload version: "4" for Alertmanager (older: "3"), "1" for Grafana-managed alerting.'),
    groupKey: z
      .union([z.string(), z.number()])
      .optional()
      .describe(
        'Opaque key of the aggregation group; changes when the routing tree changes. A number in version "3" bodies.',
      ),
    truncatedAlerts: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Alerts cut off by max_alerts (Alertmanager 0.21+); the alert list is incomplete when > 0.'),
    status: statusSchema
      .optional()
      .describe('"firing" if any alert in the body is firing, else "resolved". Not a per-alert status.'),
    receiver: z.string().optional().describe('Receiver name; regex-escaped since Alertmanager 0.19 (web\\.hook).'),
    groupLabels: stringMapSchema.optional().describe('Labels named in the route group_by.'),
    commonLabels: stringMapSchema.optional().describe('Labels equal in every alert of this body.'),
    commonAnnotations: stringMapSchema.optional().describe('Annotations equal in every alert of this body.'),
    externalURL: z.string().optional().describe('External URL of the sending Alertmanager or Grafana.'),
    notification_reason: z
      .string()
      .optional()
      .describe('Why this notification was sent (Alertmanager 0.32+), e.g. "repeat interval elapsed".'),
    routeLabels: stringMapSchema.optional().describe('Labels attached to the matched route (Alertmanager 0.34+).'),
    alerts: z
      .array(alertmanagerAlertSchema)
      .describe('Snapshot of the group: firing and resolved alerts together, not chronological.'),
    orgId: z.number().int().optional().describe('Grafana only: organisation id.'),
    state: z.string().optional().describe('Grafana only: "alerting" when any alert fires, else "ok".'),
    title: z.string().optional().describe('Grafana only, deprecated: rendered title.'),
    message: z.string().optional().describe('Grafana only, deprecated: rendered message.'),
  })
  .describe(
    'Alertmanager webhook_config body (version "4", older bodies accepted) or Grafana Webhook contact point body (version "1").',
  );

/** A validated webhook body (unknown keys kept). */
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
/** One validated alert of a webhook body. */
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;
