import type { AlertObservation, CorrelationDecision } from '../../src/domain/alert';
import {
  humanPlacementKey, keysForPagingEvent, outageCriticalKey, outagePageKey, outageServiceKey,
} from '../../src/domain/correlation/correlation-keys';
import type {
  AlertKeys, Correlator, IncidentCandidate, PagingPlacement, Placement,
} from '../../src/domain/correlation/correlator';
import type { PagingKeys } from '../../src/domain/correlation/correlation-keys';
import type { PagingEvent } from '../../src/domain/paging-event';
import type { ChatStore } from '../../src/store/chat-store';
import type { DeliveryStore } from '../../src/store/delivery-store';
import type { RememberedLinkStore } from '../../src/store/remembered-link-store';
import type { ReportStore } from '../../src/store/report-store';
import type { SearchStore } from '../../src/store/search-store';
import type { CorrectionContext, RecordContext, Store } from '../../src/store/store';

/**
 * What the store contract suites need from a store implementation, and the fakes and builders
 * they share. Everything here is written against the interfaces in `src/store/*.ts`: no SQL,
 * no assumptions on id formats, no ordering beyond what the TSDoc promises.
 */

/** The stores of one database, initialised. */
export interface StoreHandles {
  store: Store;
  reports: ReportStore;
  deliveries: DeliveryStore;
  links: RememberedLinkStore;
  search: SearchStore;
  chat: ChatStore;
}

/** A fresh, empty database for one test, with its stores open and initialised. */
export interface StoreFixture extends StoreHandles {
  /**
   * Another, independent handle on the same data (a new connection or client, initialised
   * again), as a second Debrief replica would open it.
   */
  connectAgain(): Promise<StoreHandles>;
  /** Closes every handle this fixture opened and removes the data. */
  destroy(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

/**
 * Gives every case of the calling `describe` a fresh fixture from `factory` (the returned
 * function reads it), destroyed after the case: never twice, also when the factory failed.
 */
export function fixturePerCase(factory: StoreFactory): () => StoreFixture {
  let fx: StoreFixture;
  const opened: StoreFixture[] = [];
  beforeEach(async () => {
    fx = await factory();
    opened.push(fx);
  });
  afterEach(async () => {
    for (const f of opened.splice(0)) await f.destroy();
  });
  return () => fx;
}

export const MINUTE = 60_000;
export const T0 = '2026-03-02T10:00:00.000Z';
/** `minutes` after T0, as the stores keep times: ISO-8601 UTC with milliseconds. */
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * MINUTE).toISOString();
/** Processing times, well after the event times above. */
export const NOW = '2026-03-02T12:00:00.000Z';
export const later = (seconds: number): string => new Date(Date.parse(NOW) + seconds * 1000).toISOString();

export const SERVICE_LABELS = ['service'] as const;

/** The key the fake correlator links alerts through: alerts with the same `link` label share it. */
export const linkKey = (link: string): string => `contract:link:${link}`;
/** Keys fetched only for incidents the lookup found (`AlertKeys.probe`). */
export const probeKey = (probe: string): string => `contract:probe:${probe}`;
export const FAKE_RULE = 'contract-rule';

export interface ObservationSpec {
  name: string;
  /** Alerts with the same link share a correlation key. */
  link?: string;
  /** Minutes after T0. */
  start: number;
  /** Minutes after T0; resolved when set. */
  end?: number;
  instance?: string;
  service?: string;
  severity?: string;
  /** A key this alert's incident holds for probes (`AlertKeys.probe`). */
  holdsProbe?: string;
  /** A key this alert probes candidates for. */
  probes?: string;
  annotations?: Record<string, string>;
  groupKey?: string | null;
  /**
   * Ongoing-outage keys, as the real correlator gives them to an alert on `service` (no
   * cluster): it holds `outage:svc:` (and `outage:crit:` when `severity` is critical) and looks
   * up `outage:page:` and `outage:crit:`.
   */
  outage?: boolean;
}

/** An observation whose identity follows from name, link and instance (fingerprints are opaque to stores). */
export function observation(spec: ObservationSpec): AlertObservation {
  const labels: Record<string, string> = { alertname: spec.name };
  if (spec.link) labels.link = spec.link;
  if (spec.service) labels.service = spec.service;
  if (spec.severity) labels.severity = spec.severity;
  if (spec.holdsProbe) labels.holds_probe = spec.holdsProbe;
  if (spec.probes) labels.probes = spec.probes;
  if (spec.outage) labels.outage = 'yes';
  return {
    instance: spec.instance ?? 'alertmanager',
    source: 'alertmanager',
    fingerprint: `fp-${spec.name}-${spec.link ?? ''}-${spec.service ?? ''}`,
    fingerprintComputed: false,
    status: spec.end === undefined ? 'firing' : 'resolved',
    startsAt: at(spec.start),
    endsAt: spec.end === undefined ? null : at(spec.end),
    labels,
    annotations: spec.annotations ?? { summary: `${spec.name} summary` },
    generatorUrl: `http://prometheus:9090/graph?g0.expr=${spec.name}`,
    sourceGroupKey: spec.groupKey === undefined ? `{}:{alertname="${spec.name}"}` : spec.groupKey,
    sourceGroupLabels: { alertname: spec.name },
  };
}

export interface DecideCall {
  alert: AlertObservation;
  candidates: IncidentCandidate[];
  decidedAt: string;
}

export interface PagingCall {
  event: PagingEvent;
  candidates: IncidentCandidate[];
}

type AlertScript = (candidates: IncidentCandidate[], decidedAt: string) => Placement;
type PagingScript = (candidates: IncidentCandidate[]) => PagingPlacement;

export const ruleDecision = (decidedAt: string, matched: Record<string, string> = {}): CorrelationDecision => ({
  kind: 'rule', rule: FAKE_RULE, matched, gapMs: 0, explanation: `Joined by the contract rule (${JSON.stringify(matched)}).`, decidedBy: 'debrief', decidedAt,
});

export const openDecision = (decidedAt: string, why = 'no candidate'): CorrelationDecision => ({
  kind: 'new-incident', rule: null, matched: {}, gapMs: null, explanation: `Opened a new incident: ${why}.`, decidedBy: 'debrief', decidedAt,
});

/**
 * A correlator with a trivial, predictable policy, so the suites test what the store does with
 * a correlator (which keys it looks up, which candidates it offers, how it applies a placement)
 * and not correlation itself. It records every call. Alerts link through their `link` label;
 * an alert joins the candidate that started first, else opens an incident; scripts override
 * that per alert name. Paging events use the real (pure) paging key scheme.
 */
export class FakeCorrelator implements Correlator {
  readonly lookbackMs = 30 * MINUTE;
  readonly quietPeriodMs = 5 * MINUTE;
  readonly reopenWindowMs = 30 * MINUTE;
  readonly calls: DecideCall[] = [];
  readonly pagingCalls: PagingCall[] = [];
  private readonly scripts = new Map<string, AlertScript>();
  private readonly pagingScripts = new Map<string, PagingScript>();

  /** Overrides the placement of alerts named `alertname`. */
  script(alertname: string, fn: AlertScript): this {
    this.scripts.set(alertname, fn);
    return this;
  }

  /** Overrides the placement of paging events with this event id. */
  scriptPaging(eventId: string, fn: PagingScript): this {
    this.pagingScripts.set(eventId, fn);
    return this;
  }

  /** The candidates offered for the latest decision about alerts named `alertname`. */
  candidatesFor(alertname: string): IncidentCandidate[] {
    const call = [...this.calls].reverse().find((c) => c.alert.labels.alertname === alertname);
    if (!call) throw new Error(`the correlator was never asked about ${alertname}`);
    return call.candidates;
  }

  keysFor(alert: AlertObservation): AlertKeys {
    const own = alert.labels.link ? [linkKey(alert.labels.link)] : [];
    const holds = alert.labels.holds_probe ? [probeKey(alert.labels.holds_probe)] : [];
    const service = alert.labels.outage ? alert.labels.service : undefined;
    const outageLookup = service ? [outagePageKey(service, null), outageCriticalKey(service, null)] : [];
    const outageHold = service ? [outageServiceKey(service, null), ...(alert.labels.severity === 'critical' ? [outageCriticalKey(service, null)] : [])] : [];
    // Like the real correlator: later firings of an alert a person placed look up where it went.
    return {
      lookup: [...own, ...outageLookup, humanPlacementKey(alert)],
      hold: [...own, ...holds, ...outageHold],
      probe: alert.labels.probes ? [probeKey(alert.labels.probes)] : [],
    };
  }

  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement {
    this.calls.push({ alert, candidates, decidedAt });
    const scripted = this.scripts.get(alert.labels.alertname ?? '');
    if (scripted) return scripted(candidates, decidedAt);
    const first = [...candidates].sort((a, b) => a.incident.startedAt.localeCompare(b.incident.startedAt) || a.incident.id.localeCompare(b.incident.id))[0];
    if (!first) return { action: 'open', decision: openDecision(decidedAt) };
    return { action: 'join', incidentId: first.incident.id, decision: ruleDecision(decidedAt, { link: alert.labels.link ?? '' }), reopened: null, absorb: [] };
  }

  pagingKeysFor(event: PagingEvent): PagingKeys {
    return keysForPagingEvent(event);
  }

  decidePaging(event: PagingEvent, candidates: IncidentCandidate[], _decidedAt: string): PagingPlacement {
    this.pagingCalls.push({ event, candidates });
    const scripted = this.pagingScripts.get(event.eventId);
    if (scripted) return scripted(candidates);
    const page = this.pagingKeysFor(event).page;
    const same = candidates.find((c) => c.keys.some((k) => k.key === page));
    if (same) return { action: 'join', incidentId: same.incident.id, rule: 'pagerduty-incident', explanation: 'Follows its page.', matched: { pageId: event.page.id }, absorb: [] };
    return { action: 'open', rule: null, explanation: 'Opened for a new page.', matched: {}, absorb: [] };
  }
}

export const recordContext = (correlator: Correlator, now = NOW): RecordContext => ({
  correlator, serviceLabels: SERVICE_LABELS, now, inboxId: null,
});

export const correctionContext = (correlator: Correlator, now = later(600), reason: string | null = 'contract test'): CorrectionContext => ({
  actor: 'alice', correlator, now, reason, serviceLabels: SERVICE_LABELS,
});

export interface PagingSpec {
  eventId: string;
  pageId: string;
  kind?: string;
  /** Minutes after T0. */
  at: number;
  incidentKey?: string | null;
  status?: string;
  urgency?: string;
  /** `PagingEvent.identity`: the channel and object id the store recognises twins by. */
  identity?: PagingEvent['identity'];
  /** Default 'Jane SRE'. */
  actor?: string | null;
}

export function pagingEvent(spec: PagingSpec): PagingEvent {
  const kind = spec.kind ?? 'triggered';
  return {
    instance: 'pagerduty',
    source: 'pagerduty',
    eventId: spec.eventId,
    kind,
    vendorType: `incident.${kind}`,
    occurredAt: at(spec.at),
    actor: spec.actor === undefined ? 'Jane SRE' : spec.actor,
    ...(spec.identity ? { identity: spec.identity } : {}),
    text: `Page ${spec.pageId} ${kind}`,
    page: {
      id: spec.pageId,
      number: 42,
      title: `Page ${spec.pageId}`,
      url: `https://example.pagerduty.com/incidents/${spec.pageId}`,
      status: spec.status ?? (kind === 'resolved' ? 'resolved' : 'triggered'),
      urgency: spec.urgency ?? 'high',
      priority: null,
      serviceId: 'PSVC1',
      serviceName: 'Checkout',
      incidentKey: spec.incidentKey ?? null,
    },
  };
}

/** Walks every page of a cursor-paginated list. */
export async function collectPages<T>(
  fetch: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = 1000,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > maxPages) throw new Error('pagination did not end');
  } while (cursor);
  return { items, pages };
}
