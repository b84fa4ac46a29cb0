import { alertmanagerFingerprint } from '../../connectors/alertmanager/fingerprint';
import type { Alert, AlertObservation } from '../../src/domain/alert';
import { ServiceCatalog, type CatalogServiceInput } from '../../src/domain/catalog/service-catalog';
import { createCorrelator, type CorrelationSettings, type Correlator } from '../../src/domain/correlation/correlator';
import type { IncidentDetail } from '../../src/domain/incident';
import type { PagingEvent } from '../../src/domain/paging-event';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { CorrectionContext } from '../../src/store/store';

/**
 * Store-backed correlation scenarios: a real SQLite store in memory, the real correlator,
 * alerts written in minutes after T0. Used by tests/unit/correlation-*.test.ts.
 */

export const T0 = '2026-03-02T10:00:00.000Z';
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
export const SERVICE_LABELS = ['service', 'app', 'job'] as const;

export interface AlertSpec {
  name: string;
  service?: string;
  cluster?: string;
  labels?: Record<string, string>;
  /** Minutes after T0. */
  start: number;
  /** Minutes after T0; resolved when set. */
  end?: number;
  /** Alertmanager group key; default one group per alert name and service (`group_by: [alertname, service]`). */
  group?: string | null;
  instance?: string;
}

export function observation(spec: AlertSpec): AlertObservation {
  const labels: Record<string, string> = { alertname: spec.name, ...(spec.service ? { service: spec.service } : {}), ...(spec.cluster ? { cluster: spec.cluster } : {}), ...spec.labels };
  const group = spec.group === undefined ? `{}:{alertname="${spec.name}", service="${spec.service ?? ''}"}` : spec.group;
  return {
    instance: spec.instance ?? 'alertmanager',
    source: 'alertmanager',
    fingerprint: alertmanagerFingerprint(labels),
    fingerprintComputed: true,
    status: spec.end === undefined ? 'firing' : 'resolved',
    startsAt: at(spec.start),
    endsAt: spec.end === undefined ? null : at(spec.end),
    labels,
    annotations: {},
    generatorUrl: null,
    sourceGroupKey: group,
    sourceGroupLabels: {},
  };
}

export function pagingEvent(p: { id?: string; eventId: string; kind: string; at: number; incidentKey?: string | null; serviceId?: string; serviceName?: string; actor?: string; title?: string }): PagingEvent {
  return {
    instance: 'pagerduty',
    source: 'pagerduty',
    eventId: p.eventId,
    kind: p.kind,
    vendorType: `incident.${p.kind}`,
    occurredAt: at(p.at),
    actor: p.actor ?? null,
    text: `${p.kind} by ${p.actor ?? 'PagerDuty'}`,
    page: {
      id: p.id ?? 'PAGE1', number: 42, title: p.title ?? 'Checkout is down', url: null, status: p.kind === 'resolved' ? 'resolved' : 'triggered',
      urgency: 'high', priority: null, serviceId: p.serviceId ?? 'PSVC1', serviceName: p.serviceName ?? 'checkout-pd', incidentKey: p.incidentKey ?? null,
    },
  };
}

export type HarnessPath = 'observations' | 'inbox-runs';

/** Alert identity for comparing partitions: fingerprint@startsAt. */
export const identity = (a: Pick<Alert, 'fingerprint' | 'startsAt'>): string => `${a.fingerprint}@${a.startsAt}`;

export class Harness {
  private processedAt = Date.parse('2030-01-01T00:00:00.000Z');

  private runs = 0;

  /**
   * `via`: the store call notifications go through. `observations` (`recordObservations`, what
   * the reconciler uses) or `inbox-runs` (`recordInboxAlerts`, what inbox processing uses, with
   * its plain-resend path).
   */
  private constructor(readonly store: SqliteStore, readonly correlator: Correlator, private readonly via: HarnessPath) {}

  static async open(
    settings: Partial<CorrelationSettings> & { services?: CatalogServiceInput[]; via?: HarnessPath } = {}, file = ':memory:',
  ): Promise<Harness> {
    const store = new SqliteStore({ file });
    await store.init();
    const { services, via, ...rest } = settings;
    const correlator = createCorrelator({ serviceLabels: SERVICE_LABELS, catalog: services ? ServiceCatalog.create(services) : undefined, ...rest });
    return new Harness(store, correlator, via ?? 'observations');
  }

  /** Processing time moves forward one second per call; never used as event time. */
  private now(): string {
    this.processedAt += 1000;
    return new Date(this.processedAt).toISOString();
  }

  /** One notification (batch) of alerts. */
  async record(...specs: Array<AlertSpec | AlertObservation>): Promise<Alert[]> {
    const observations = specs.map((s) => ('fingerprint' in s ? s : observation(s)));
    const context = { correlator: this.correlator, serviceLabels: SERVICE_LABELS, now: this.now() };
    if (this.via === 'inbox-runs') {
      const [result] = await this.store.recordInboxAlerts([{ id: `run-${++this.runs}`, observations, outcome: { alerts: observations.length, ignoredReason: null } }], 'harness', context);
      if (!result?.ok) throw result?.error ?? new Error('not recorded');
      const wanted = new Set(observations.map(identity));
      return (await this.alerts()).filter((a) => wanted.has(identity(a)));
    }
    const r = await this.store.recordObservations(observations, { ...context, inboxId: null });
    return [...r.created, ...r.updated];
  }

  async page(...events: PagingEvent[]) {
    return this.store.recordPagingEvents(events, { correlator: this.correlator, serviceLabels: SERVICE_LABELS, now: this.now(), inboxId: null });
  }

  correction(actor = 'alice', reason?: string): CorrectionContext {
    return { actor, now: this.now(), reason: reason ?? null, serviceLabels: SERVICE_LABELS, correlator: this.correlator };
  }

  async incidents(status?: 'open' | 'resolved' | 'merged'): Promise<IncidentDetail[]> {
    const page = await this.store.listIncidents({ limit: 500, status });
    const out: IncidentDetail[] = [];
    for (const i of page.items) out.push((await this.store.getIncident(i.id))!);
    return out;
  }

  async alerts(): Promise<Alert[]> {
    return (await this.incidents()).flatMap((d) => d.alerts);
  }

  /** The alert named `name` starting at `start` minutes. */
  async alert(name: string, start: number, service?: string): Promise<Alert> {
    const found = (await this.alerts()).filter((a) => a.labels.alertname === name && a.startsAt === at(start) && (service === undefined || a.labels.service === service));
    if (found.length !== 1) throw new Error(`expected one alert ${name}@${start}${service ? ` on ${service}` : ''}, found ${found.length}`);
    return found[0]!;
  }

  async incidentOf(name: string, start: number, service?: string): Promise<IncidentDetail> {
    return (await this.store.getIncident((await this.alert(name, start, service)).incidentId))!;
  }

  /** Incidents as sorted sets of alert identities, sorted: comparable across replays. */
  async partition(): Promise<string[][]> {
    const groups = (await this.incidents()).map((d) => d.alerts.map(identity).sort()).filter((g) => g.length > 0);
    return groups.sort((a, b) => a[0]!.localeCompare(b[0]!));
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** Seeded PRNG (mulberry32) so shuffles are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
