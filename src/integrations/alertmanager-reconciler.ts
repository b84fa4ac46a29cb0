import type { ServiceLabels } from '../domain/service-naming';
import axios, { type AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import {
  alertmanagerAlertGroupsSchema,
  pulledAlerts,
  type PulledAlert,
} from '../../connectors/alertmanager/alertmanager.pull';
import type { Alert, AlertObservation } from '../domain/alert';
import type { Correlator } from '../domain/correlation/correlator';
import type { Store } from '../store/store';
import { createResilientClient, OutboundError, type ResilientClient } from './resilient-http';

/*
 * Alertmanager reconciliation (pull). Webhooks can lose data: a delivery that failed for longer
 * than a group interval is dropped, `send_resolved: false` never reports a resolution, and
 * `max_alerts` truncates groups (docs/payloads.md §1.4 and §3). Every
 * `intervalSeconds` the reconciler reads `GET /api/v2/alerts/groups` and compares it with what
 * Debrief believes is firing on the same connector instance:
 *
 * - Active there, unknown here -> ingested as an observation through the normal store path.
 *   Identity is (instance, fingerprint, startsAt), exactly as for webhooks, and the API reports
 *   the same fingerprint and start time, so an alert already known from a webhook is matched,
 *   not duplicated; such alerts are not even re-sent (that would count as a notification).
 * - Firing here, absent there (in every state, silenced included) for `graceSeconds` -> resolved.
 *
 * Group keys. The API has no `groupKey`, and the real one cannot be rebuilt (it contains the
 * matchers of the route tree). An unknown alert whose API group already has a member Debrief
 * knows from a webhook (same group labels) takes that member's real group key, so it joins the
 * same incident, and the PagerDuty link (sha256 of the group key) keeps working. Otherwise it gets
 * `reconciled:<receiver>:{<group labels>}` (`reconciledGroupKey`), which keeps the API group
 * together but will not match a later webhook for the same group, nor a PagerDuty dedup key.
 *
 * Only one Alertmanager (or one HA cluster) may feed a reconciled instance: an alert sent to the
 * instance by another Alertmanager would look absent here and be resolved.
 */

export interface AlertmanagerReconcileTarget {
  /** Connector instance whose alerts this Alertmanager feeds (usually `alertmanager`). */
  instance: string;
  /** Alertmanager base URL, e.g. `http://alertmanager:9093` (no `/api/v2`). */
  url: string;
  intervalSeconds: number;
  /** How long an alert must be missing from Alertmanager before it is marked resolved. */
  graceSeconds: number;
  bearerToken?: string | undefined;
  /** Only alerts routed to these receivers are ingested; absent = all receivers. */
  receivers?: readonly string[] | undefined;
  timeoutSeconds?: number | undefined;
}

/** What the reconciler needs from Debrief's store, bound by the caller (same context as webhooks). */
export interface ReconcileSink {
  /** `store.recordObservations` with the app's correlator and `now`. */
  recordObservations(observations: AlertObservation[], now: string): Promise<unknown>;
  /** Alerts of `instance` Debrief currently believes are firing. */
  listFiringAlerts(instance: string): Promise<Alert[]>;
  /** Marks alerts resolved at `endsAt` (event time), saying why. */
  resolveAlerts(ids: string[], endsAt: string, reason: string): Promise<unknown>;
}

/** Memory kept between polls (per target). Lost on restart, which only restarts grace periods. */
export interface ReconcileMemory {
  /** Debrief alert id -> first poll time it was missing from Alertmanager. */
  missingSince: Map<string, string>;
  /** `fingerprint|startsAt` -> the lease (`endsAt`) Alertmanager last reported. */
  lastLease: Map<string, string>;
  /** Identities this reconciler already submitted, so a known-but-resolved alert is not re-sent each poll. */
  submitted: Set<string>;
}

export const newReconcileMemory = (): ReconcileMemory => ({ missingSince: new Map(), lastLease: new Map(), submitted: new Set() });

export interface ReconcilePlan {
  ingest: AlertObservation[];
  /** Grouped by end time, one `resolveAlerts` call each. */
  resolve: Array<{ ids: string[]; endsAt: string }>;
  /** Firing in Debrief, missing in Alertmanager, grace not over yet. */
  waiting: number;
}

const identityOf = (alert: { fingerprint: string; startsAt: string }) => `${alert.fingerprint}|${alert.startsAt}`;

/**
 * Decides what one poll changes. Pure apart from updating `memory`.
 *
 * @param pulled the Alertmanager snapshot (every state), fetched at `fetchedAt`
 * @param firing Debrief's firing alerts of the instance, read after the fetch
 * @param now the poll's processing time (grace periods count from here)
 */
export function planReconciliation(input: {
  pulled: readonly PulledAlert[];
  firing: readonly Alert[];
  receivers: readonly string[] | null;
  fetchedAt: string;
  now: string;
  graceMs: number;
  memory: ReconcileMemory;
}): ReconcilePlan {
  const { pulled, firing, memory } = input;
  const present = new Map(pulled.map((pulledAlert) => [identityOf(pulledAlert.observation), pulledAlert]));
  const firingByIdentity = new Map(firing.map((alert) => [identityOf(alert), alert]));

  // API group (our reconciled key) -> a real webhook group key one of its members already has.
  const learnedKey = new Map<string, string>();
  for (const pulledAlert of pulled) {
    const known = firingByIdentity.get(identityOf(pulledAlert.observation));
    const groupId = pulledAlert.observation.sourceGroupKey!;
    if (!known?.sourceGroupKey || learnedKey.has(groupId)) continue;
    if (sameLabels(known.sourceGroupLabels, pulledAlert.observation.sourceGroupLabels)) learnedKey.set(groupId, known.sourceGroupKey);
  }

  const ingest: AlertObservation[] = [];
  for (const pulledAlert of pulled) {
    const id = identityOf(pulledAlert.observation);
    if (pulledAlert.leaseEndsAt) memory.lastLease.set(id, pulledAlert.leaseEndsAt);
    if (pulledAlert.state !== 'active') continue; // silenced/inhibited alerts were never notified either
    if (input.receivers && !input.receivers.includes(pulledAlert.receiver)) continue;
    if (firingByIdentity.has(id) || memory.submitted.has(id)) continue;
    const key = learnedKey.get(pulledAlert.observation.sourceGroupKey!);
    ingest.push(key ? { ...pulledAlert.observation, sourceGroupKey: key } : pulledAlert.observation);
    memory.submitted.add(id);
  }

  const byEnd = new Map<string, string[]>();
  let waiting = 0;
  const stillFiring = new Set<string>();
  for (const alert of firing) {
    stillFiring.add(alert.id);
    const id = identityOf(alert);
    if (present.has(id)) {
      memory.missingSince.delete(alert.id);
      continue;
    }
    // Recorded after the snapshot was taken: this snapshot cannot speak for it.
    if (alert.firstSeenAt > input.fetchedAt) continue;
    const since = memory.missingSince.get(alert.id) ?? input.now;
    memory.missingSince.set(alert.id, since);
    if (Date.parse(input.now) - Date.parse(since) < input.graceMs) {
      waiting++;
      continue;
    }
    // The true end lies before both the lease Alertmanager last showed and the first poll
    // that missed the alert; the earlier of the two is the best event time we have.
    const lease = memory.lastLease.get(id);
    let endsAt = lease !== undefined && lease < since ? lease : since;
    if (endsAt < alert.startsAt) endsAt = alert.startsAt;
    (byEnd.get(endsAt) ?? byEnd.set(endsAt, []).get(endsAt)!).push(alert.id);
    memory.missingSince.delete(alert.id);
    memory.lastLease.delete(id);
  }
  for (const id of memory.missingSince.keys()) if (!stillFiring.has(id)) memory.missingSince.delete(id);
  // Forget leases and submissions of alerts Alertmanager no longer lists, so memory stays bounded.
  for (const id of memory.lastLease.keys()) if (!present.has(id) && !firingByIdentity.has(id)) memory.lastLease.delete(id);
  for (const id of memory.submitted) if (!present.has(id)) memory.submitted.delete(id);

  return { ingest, resolve: [...byEnd].map(([endsAt, ids]) => ({ ids, endsAt })), waiting };
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((key) => a[key] === b[key]);
}

export interface ReconcileResult {
  ok: boolean;
  error: string | null;
  /** Alerts listed by Alertmanager (deduplicated across receivers). */
  seen: number;
  ingested: number;
  resolved: number;
  waiting: number;
}

export interface AlertmanagerReconcilerDeps {
  target: AlertmanagerReconcileTarget;
  sink: ReconcileSink;
  logger: Logger;
  clock?: () => Date;
  /**
   * The app's `alertmanager:<instance>` resilient client (timeout, retries, circuit, metrics);
   * built from `target.timeoutSeconds` otherwise.
   */
  http?: ResilientClient;
}

/** Polls one Alertmanager on a timer; `pollOnce` is the unit the timer (and tests) run. */
export class AlertmanagerReconciler {
  private readonly memory = newReconcileMemory();
  private readonly http: AxiosInstance;
  private readonly client: ResilientClient;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileResult> | null = null;
  private stopped = true;

  constructor(private readonly deps: AlertmanagerReconcilerDeps) {
    const { target } = deps;
    // No axios timeout: the resilient client times out each attempt through the abort signal.
    this.http = axios.create({
      baseURL: target.url.replace(/\/+$/, ''),
      headers: target.bearerToken ? { Authorization: `Bearer ${target.bearerToken}` } : {},
      // Alertmanager answers JSON; anything else is an error we report, not parse.
      validateStatus: (status) => status === 200,
    });
    this.client = deps.http ?? createResilientClient({
      target: `alertmanager:${target.instance}`, timeoutMs: (target.timeoutSeconds ?? 10) * 1000, retries: 2, backoff: { initialMs: 500, maxMs: 5_000 },
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** One poll: fetch, compare, ingest and resolve. Never throws; failures leave Debrief unchanged. */
  pollOnce(): Promise<ReconcileResult> {
    if (this.running) return this.running;
    this.running = this.poll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => this.schedule(this.deps.target.intervalSeconds * 1000));
    }, delayMs);
    this.timer.unref();
  }

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  private async poll(): Promise<ReconcileResult> {
    const { target, sink, logger } = this.deps;
    const shown = withoutCredentials(target.url);
    const log = logger.child({ reconcile: target.instance, alertmanager: shown });
    let pulled: PulledAlert[];
    const fetchedAt = this.now();
    try {
      // A GET: timeouts, network errors and 5xx are retried; an open circuit fails the poll at once.
      const response = await this.client.call((signal) => this.http.get<unknown>('/api/v2/alerts/groups', { signal }), { idempotent: true });
      const parsed = alertmanagerAlertGroupsSchema.safeParse(response.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`unexpected response shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
      }
      const flat = pulledAlerts(parsed.data, { instance: target.instance, receivers: target.receivers ?? null });
      for (const skipped of flat.skipped) log.warn({ fingerprint: skipped.fingerprint, reason: skipped.reason }, 'alert from Alertmanager skipped');
      pulled = flat.alerts;
    } catch (err) {
      // A failed fetch says nothing about which alerts ended: change nothing.
      const error = describeHttpError(err);
      log.warn({ error }, 'Alertmanager reconciliation: fetch failed; nothing changed');
      return { ok: false, error, seen: 0, ingested: 0, resolved: 0, waiting: 0 };
    }
    try {
      const firing = await sink.listFiringAlerts(target.instance);
      const now = this.now();
      const plan = planReconciliation({
        pulled, firing, receivers: target.receivers ?? null, fetchedAt, now, graceMs: target.graceSeconds * 1000, memory: this.memory,
      });
      if (plan.ingest.length > 0) await sink.recordObservations(plan.ingest, now);
      const reason = `absent from Alertmanager ${shown} for at least ${target.graceSeconds} s (reconciliation)`;
      for (const resolution of plan.resolve) await sink.resolveAlerts(resolution.ids, resolution.endsAt, reason);
      const resolved = plan.resolve.reduce((count, resolution) => count + resolution.ids.length, 0);
      if (plan.ingest.length > 0 || resolved > 0) {
        log.info({ ingested: plan.ingest.length, resolved, waiting: plan.waiting }, 'Alertmanager reconciliation changed alerts');
      }
      return { ok: true, error: null, seen: pulled.length, ingested: plan.ingest.length, resolved, waiting: plan.waiting };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      // Submitted-but-failed alerts must be tried again next time.
      this.memory.submitted.clear();
      log.error({ error }, 'Alertmanager reconciliation: store update failed');
      return { ok: false, error, seen: pulled.length, ingested: 0, resolved: 0, waiting: 0 };
    }
  }
}

/** The URL as logs and timelines may show it: user:password@ removed. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function describeHttpError(err: unknown): string {
  if (err instanceof OutboundError) {
    if (err.kind === 'timeout' || err.kind === 'circuit_open' || err.cause === undefined) return err.message;
    return `${describeHttpError(err.cause)} (after ${err.attempts} attempt${err.attempts === 1 ? '' : 's'})`;
  }
  if (axios.isAxiosError(err)) {
    if (err.response) return `HTTP ${err.response.status} from GET /api/v2/alerts/groups`;
    return err.code === 'ECONNABORTED' ? `no response within the timeout` : `${err.code ?? 'error'}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

// --- wiring --------------------------------------------------------------------------------

export interface Reconciliation {
  /** The store path the reconcilers use (tests build their own reconcilers on it). */
  sink: ReconcileSink;
  reconcilers: AlertmanagerReconciler[];
}

export interface ReconciliationDeps {
  targets: readonly AlertmanagerReconcileTarget[];
  /** Configured connector instances (id -> connector id), to check each target's instance. */
  instances: ReadonlyMap<string, string>;
  store: Pick<Store, 'recordObservations' | 'listFiringAlerts' | 'resolveAlerts'>;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  logger: Logger;
  clock: () => Date;
  /** The app's resilient client of each reconciled instance (`alertmanager:<instance>`); own clients otherwise. */
  clientFor?: (instance: string) => ResilientClient;
}

/** One reconciler per `reconcile.alertmanager` entry; throws when an entry names no Alertmanager instance. */
export function createReconciliation(deps: ReconciliationDeps): Reconciliation {
  const { store, correlator, serviceLabels, clock } = deps;
  const sink: ReconcileSink = {
    recordObservations: (observations, now) => store.recordObservations(observations, { correlator, serviceLabels, now, inboxId: null }),
    listFiringAlerts: (instance) => store.listFiringAlerts(instance),
    resolveAlerts: (ids, endsAt, reason) => store.resolveAlerts(ids, endsAt, reason, { serviceLabels, now: clock().toISOString() }),
  };
  const reconcilers = deps.targets.map((target, index) => {
    const connector = deps.instances.get(target.instance);
    if (connector !== 'alertmanager') {
      throw new Error(`reconcile.alertmanager[${index}].instance: "${target.instance}" is ${connector ? `a ${connector} instance` : 'not a configured instance'}; it must be an alertmanager instance`);
    }
    return new AlertmanagerReconciler({ target, sink, logger: deps.logger, clock, ...(deps.clientFor ? { http: deps.clientFor(target.instance) } : {}) });
  });
  return { sink, reconcilers };
}
