import { NormalizeError, type NormalizeContext, type Normalized } from '../connector';
import type { AlertObservation, AlertStatus } from '../../src/domain/alert';
import { parseRfc3339 } from '../shared/rfc3339';
import { alertmanagerFingerprint } from './fingerprint';
import type { AlertmanagerAlert, AlertmanagerPayload } from './alertmanager.payload';

// Keys only Grafana's webhook sends (grafana/alerting receivers/webhook/v1/webhook.go), used
// when a Grafana-compatible sender does not set `version` "1".
const GRAFANA_BODY_KEYS = ['orgId', 'state', 'title', 'message'] as const;
const GRAFANA_ALERT_KEYS = ['silenceURL', 'dashboardURL', 'panelURL', 'values', 'valueString', 'imageURL'] as const;

const isGrafana = (payload: AlertmanagerPayload): boolean =>
  payload.version === '1' ||
  GRAFANA_BODY_KEYS.some((key) => payload[key] !== undefined) ||
  payload.alerts.some((alert) => GRAFANA_ALERT_KEYS.some((key) => alert[key] !== undefined));

/**
 * Grafana's "Test" button on a contact point sends one synthetic alert (default labels
 * `alertname="TestAlert", instance="Grafana"`, summary "Notification test"; the user may
 * override them) under the groupKey `<name>-<label fingerprint>-<unix seconds>`
 * (grafana/alerting `notify/test_receivers.go` TestNotifier; `<name>` was "test" in the
 * bodies published so far, see docs/payloads.md §2). Recognised either by that exact shape,
 * whose fingerprint must equal the alert's label hash, or by the documented pair "test-"
 * prefix + TestAlert. A "test-" prefix alone is not enough: hand-rolled senders use
 * groupKey "test-group" for real alerts.
 */
const GRAFANA_TEST_GROUP_KEY = /^.+-([0-9a-f]{16})-\d+$/;

function isGrafanaTestNotification(payload: AlertmanagerPayload, groupKey: string | null): boolean {
  const [first] = payload.alerts;
  if (groupKey === null || first === undefined) return false;
  if (groupKey.startsWith('test-') && payload.alerts.every((alert) => alert.labels.alertname === 'TestAlert')) {
    return true;
  }
  const match = GRAFANA_TEST_GROUP_KEY.exec(groupKey);
  return payload.alerts.length === 1 && match !== null && match[1] === alertmanagerFingerprint(first.labels);
}

/** Parse a required or optional timestamp, naming the field in the error. */
function timeAt(path: string, text: string): string | null {
  const parsed = parseRfc3339(text);
  if (!parsed.ok) throw new NormalizeError(`${path}: ${parsed.reason}: ${JSON.stringify(text.slice(0, 100))}`, path);
  return parsed.iso;
}

/**
 * Per-alert `status` is authoritative (docs/payloads.md §1.3): hand-made bodies send
 * "resolved" with the zero endsAt. Without it (a 2018 body, fixture prometheus-msteams-*),
 * Alertmanager's own rule applies: resolved when endsAt is set and not after "now"
 * (prometheus/common `model.Alert.ResolvedAt`), with the receive time as "now". With
 * neither, the root status is the best remaining guess.
 */
function statusOf(
  alert: AlertmanagerAlert,
  endsAt: string | null,
  receivedAt: string,
  rootStatus: AlertStatus | undefined,
): AlertStatus {
  if (alert.status) return alert.status;
  if (endsAt !== null) return Date.parse(endsAt) <= Date.parse(receivedAt) ? 'resolved' : 'firing';
  return rootStatus ?? 'firing';
}

function observe(
  alert: AlertmanagerAlert,
  index: number,
  payload: AlertmanagerPayload,
  context: NormalizeContext,
  source: string,
  groupKey: string | null,
): AlertObservation {
  const path = `alerts.${index}`;
  const startsAt = timeAt(`${path}.startsAt`, alert.startsAt);
  if (startsAt === null) {
    // Identity is (instance, fingerprint, startsAt); stamping the receive time instead would
    // make every re-send a new alert. OnCall's heartbeat sends "" here.
    const shown = JSON.stringify(alert.startsAt);
    throw new NormalizeError(`${path}.startsAt: no start time (empty or Go zero time): ${shown}`, `${path}.startsAt`);
  }
  const endsAt = alert.endsAt === undefined ? null : timeAt(`${path}.endsAt`, alert.endsAt);
  const status = statusOf(alert, endsAt, context.receivedAt, payload.status);
  const senderFingerprint = alert.fingerprint ?? '';
  const labels = { ...alert.labels };
  return {
    instance: context.instance,
    source,
    fingerprint: senderFingerprint !== '' ? senderFingerprint : alertmanagerFingerprint(labels),
    fingerprintComputed: senderFingerprint === '',
    status,
    startsAt,
    // A firing alert's endsAt is zero in webhooks or, from Prometheus, only a lease
    // (prometheus/prometheus#4550), never a real end.
    endsAt: status === 'resolved' ? endsAt : null,
    labels,
    annotations: { ...(alert.annotations ?? {}) },
    generatorUrl: alert.generatorURL ? alert.generatorURL : null,
    sourceGroupKey: groupKey,
    sourceGroupLabels: { ...(payload.groupLabels ?? {}) },
  };
}

/**
 * Translate one Alertmanager or Grafana webhook body into alert observations.
 *
 * Pure: no clock (the receive time comes from `context.receivedAt`) and the payload is not
 * mutated. Each body is a snapshot of its group, so every alert in it is reported, firing
 * and resolved alike; the store's upsert on (instance, fingerprint, startsAt) makes re-sends
 * idempotent. Throws {@link NormalizeError} naming the field (`alerts.1.startsAt: ...`) when
 * a timestamp is not RFC 3339 or a start time is missing.
 */
export function normalizeAlertmanager(payload: AlertmanagerPayload, context: NormalizeContext): Normalized {
  // Version "3" bodies carry a numeric groupKey; above 2^53 JSON.parse has already rounded
  // it, so it stays stable per group but no longer equals the sender's digits.
  const groupKey = payload.groupKey === undefined || payload.groupKey === '' ? null : String(payload.groupKey);
  if (isGrafanaTestNotification(payload, groupKey)) {
    return {
      alerts: [],
      pagingEvents: [],
      ignoredReason: `Grafana contact-point test notification (groupKey "${groupKey}"); no incident opened.`,
    };
  }
  if (payload.alerts.length === 0) {
    return { alerts: [], pagingEvents: [], ignoredReason: 'The notification carries no alerts.' };
  }
  const source = isGrafana(payload) ? 'grafana' : 'alertmanager';
  return {
    alerts: payload.alerts.map((alert, index) => observe(alert, index, payload, context, source, groupKey)),
    pagingEvents: [],
    ignoredReason: null,
  };
}
