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
  for (const a of alerts) {
    if (!isObject(a)) return false;
    if (!optStatus(a.status) || !isStringMap(a.labels) || !optStringMap(a.annotations)) return false;
    if (typeof a.startsAt !== 'string') return false;
    const start = parseRfc3339(a.startsAt);
    if (!start.ok || start.iso === null) return false;
    if (a.endsAt !== undefined && (typeof a.endsAt !== 'string' || !parseRfc3339(a.endsAt).ok)) return false;
    if (!optString(a.generatorURL) || !optString(a.fingerprint) || !optString(a.silenceURL) || !optString(a.dashboardURL)
      || !optString(a.panelURL) || !optString(a.imageURL) || !optString(a.valueString) || !optInt(a.orgId)) return false;
    if (a.values !== undefined && a.values !== null && !isNumberMap(a.values)) return false;
  }
  return true;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const optStatus = (v: unknown) => v === undefined || v === 'firing' || v === 'resolved';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const optInt = (v: unknown) => v === undefined || isInt(v);
const optStringMap = (v: unknown) => v === undefined || isStringMap(v);

function isStringMap(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

function isNumberMap(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) return false;
  return true;
}
