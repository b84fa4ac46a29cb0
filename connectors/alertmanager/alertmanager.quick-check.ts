import { parseRfc3339 } from '../shared/rfc3339';
import type { AlertmanagerPayload } from './alertmanager.payload';

/**
 * A hand-written check that accepts only bodies `alertmanagerPayloadSchema` accepts, written
 * for the common case: zod's check copies every object and label set, and it was a large share
 * of the HTTP thread's time per webhook (bench/ingest/RESULTS.md). When this returns false the
 * caller runs the schema, which then names every failing field; so this may be stricter than
 * the schema (it is, e.g. for integers outside the safe range), never looser. Keep it in step
 * with alertmanager.payload.ts: a unit test compares both on valid and broken bodies.
 */
export function quickAcceptAlertmanager(json: unknown): json is AlertmanagerPayload {
  if (!isObject(json)) return false;
  const root = json;
  if (!optString(root.version) || !optString(root.receiver) || !optString(root.externalURL) || !optString(root.notification_reason)
    || !optString(root.state) || !optString(root.title) || !optString(root.message)) return false;
  if (root.groupKey !== undefined && typeof root.groupKey !== 'string' && typeof root.groupKey !== 'number') return false;
  if (root.truncatedAlerts !== undefined && !(isInt(root.truncatedAlerts) && root.truncatedAlerts >= 0)) return false;
  if (!optStatus(root.status) || !optInt(root.orgId)) return false;
  if (!optStringMap(root.groupLabels) || !optStringMap(root.commonLabels) || !optStringMap(root.commonAnnotations) || !optStringMap(root.routeLabels)) return false;
  const alerts = root.alerts;
  if (!Array.isArray(alerts)) return false;
  for (const alert of alerts) {
    if (!isObject(alert)) return false;
    if (!optStatus(alert.status) || !isStringMap(alert.labels) || !optStringMap(alert.annotations)) return false;
    if (typeof alert.startsAt !== 'string') return false;
    const start = parseRfc3339(alert.startsAt);
    if (!start.ok || start.iso === null) return false;
    if (alert.endsAt !== undefined && (typeof alert.endsAt !== 'string' || !parseRfc3339(alert.endsAt).ok)) return false;
    if (!optString(alert.generatorURL) || !optString(alert.fingerprint) || !optString(alert.silenceURL) || !optString(alert.dashboardURL)
      || !optString(alert.panelURL) || !optString(alert.imageURL) || !optString(alert.valueString) || !optInt(alert.orgId)) return false;
    if (alert.values !== undefined && alert.values !== null && !isNumberMap(alert.values)) return false;
  }
  return true;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const optString = (value: unknown) => value === undefined || typeof value === 'string';
const optStatus = (value: unknown) => value === undefined || value === 'firing' || value === 'resolved';
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const optInt = (value: unknown) => value === undefined || isInt(value);
const optStringMap = (value: unknown) => value === undefined || isStringMap(value);

function isStringMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}

function isNumberMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (typeof value[key] !== 'number' || !Number.isFinite(value[key])) return false;
  return true;
}
