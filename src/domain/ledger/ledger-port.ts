import type { Alert, AlertObservation, CorrelationDecision } from '../alert';
import type { IncidentCandidate, IncidentOrigin, KeyActivity } from '../correlation/correlator';
import type { PlacedPagingEvent } from '../correlation/page-summary';
import type { Incident, IncidentDeclaration, IncidentEvent } from '../incident';
import type { AlertFacet, IncidentTally } from '../incident-facets';
import type { IncidentSummary } from '../incident-summary';

/**
 * The ledger's port: the few reads and writes of alerts, pages and incidents that the incident
 * ledger (`incident-ledger.ts`) sequences. Every store implements them once, inside its own
 * transaction; the order in which they run — the correlation sequence — is written only in the
 * ledger.
 *
 * The ledger is a set of generator functions that *yield* these operations instead of calling
 * them, so the same sequence runs against SQLite's synchronous transactions (better-sqlite3
 * cannot await inside a transaction: `runSync`) and MongoDB's asynchronous sessions
 * (`runAsync`). The interface below is written in its synchronous shape; `AsyncLedgerPort` is
 * the same with promises.
 */
export interface LedgerPort {
  /**
   * Declares that this transaction decides on, or changes the activity of, these correlation
   * keys. A store whose transactions do not serialise by themselves (MongoDB's snapshot
   * isolation) makes any two transactions locking a common key conflict, so two placements of
   * one group never both open an incident. Stores whose transactions hold one write lock
   * (SQLite `BEGIN IMMEDIATE`) do nothing.
   */
  lockKeys(keys: readonly string[]): void;

  // ------------------------------------------------------------------ reads
  findAlert(identity: AlertIdentity): StoredAlert | null;
  /**
   * For each identity, in order, the few stored fields that tell whether a notification changes
   * a known firing (`isPlainResend`), or null when none is stored: one read for a whole
   * notification, without decoding the rest of each alert. Most of a storm's alerts are re-sent
   * unchanged; one lookup each cost a statement (SQLite) or a round trip (MongoDB) per alert.
   */
  probeAlerts(identities: readonly AlertIdentity[]): (AlertProbe | null)[];
  getAlert(id: string): StoredAlert | null;
  /** Every alert of an incident, oldest start first (corrections and full recomputes only). */
  alertsOf(incidentId: string): StoredAlert[];
  countAlerts(incidentId: string): number;
  /** Every paging event of an incident. */
  pagesOf(incidentId: string): StoredPaging[];
  countPages(incidentId: string): number;
  hasPagingEvent(instance: string, eventId: string): boolean;
  /** Stored events of one page and kind (twin candidates, `findPagingTwin`). */
  pagingEventsOfKind(instance: string, pageId: string, kind: string): StoredPaging[];
  getIncident(id: string): IncidentRecord | null;
  /** The correlation keys an incident holds now (to lock them before rewriting them). */
  keysOf(incidentId: string): string[];
  /** The activity of these keys in an incident, for those it holds. */
  keyActivityOf(incidentId: string, keys: readonly string[]): KeyActivity[];
  /**
   * Non-merged incidents holding any of `lookup` with activity within `lookbackMs` of `at`
   * (page keys `page:` at any time), each with the activity of the `lookup` and `probe` keys it
   * holds, its origin and fences. Indexed lookups only, never a scan of open incidents.
   */
  findCandidates(lookup: readonly string[], probe: readonly string[], at: string, lookbackMs: number): IncidentCandidate[];

  // ----------------------------------------------------------------- writes
  insertIncident(incident: NewIncidentRecord): void;
  /** Inserts a newly placed alert; a store that finds the identity taken meanwhile throws (the transaction is retried). */
  insertAlert(alert: Alert, keys: readonly string[]): void;
  /** What a re-send changes: status, end, annotations, generator URL, last seen, notification count. */
  updateAlertResend(next: Alert): void;
  /** Re-sends that change nothing but the bookkeeping: one more notification each, last seen at least `seenAt`; one write for them all. */
  countResends(ids: readonly string[], seenAt: string): void;
  /** Puts back the notification bookkeeping (a reconciliation is no notification). */
  setAlertBookkeeping(id: string, notificationCount: number, lastSeenAt: string): void;
  /** Re-homes alerts: incident, decision and held keys. */
  setAlertPlacements(placements: readonly AlertPlacement[]): void;
  /** Moves the audit entries of one alert's decision along with it. */
  moveDecisionEvents(alertId: string, fromIncidentId: string, toIncidentId: string): void;
  insertEvent(event: IncidentEvent): void;
  setEventTime(eventId: string, at: string): void;
  insertPagingEvent(event: StoredPaging): void;
  setPagingEventTime(instance: string, eventId: string, at: string): void;
  /** A newly placed alert holds `keys` in its incident: add its onset, firing and depth to their activity. */
  addKeyHolder(incidentId: string, keys: readonly string[], holder: KeyHolderActivity): void;
  /** An alert holding `keys` stopped firing (`delta` -1): adjust their firing counts. */
  addKeyFiring(incidentId: string, keys: readonly string[], delta: number): void;
  /** Inserts or replaces these keys' activity in an incident (page keys, recomputed from its pages). */
  putKeyActivity(incidentId: string, activity: readonly KeyActivity[]): void;
  /**
   * Writes an incident's tally and what follows from it (`spanOf`): status, start, end, latest
   * activity, severity, alert count. Titles and services are `writeLabels`'.
   */
  writeTally(incidentId: string, tally: IncidentTally, now: string): void;
  /** Writes an incident's title and services (and the service index lists filter by). */
  writeLabels(incidentId: string, labels: { title: string; services: readonly string[] }, now: string): void;
  /** Replaces the declaration of an incident declared by hand (its summary is written by `writeTally`/`writeLabels`). */
  writeDeclaration(incidentId: string, declaration: IncidentDeclaration, now: string): void;
  /** Writes the summary of an incident that has pages but no alerts (`summarizePages`). */
  writePageSummary(incidentId: string, summary: IncidentSummary, now: string): void;
  /** The facet of one (alert name, service) of an incident, or null. */
  getFacet(incidentId: string, alertname: string, service: string | null): AlertFacet | null;
  /** Every facet of an incident. */
  facetsOf(incidentId: string): AlertFacet[];
  /** Inserts or replaces these facets of an incident. */
  putFacets(incidentId: string, facets: readonly AlertFacet[]): void;
  /** Replaces all the facets of an incident. */
  replaceFacets(incidentId: string, facets: readonly AlertFacet[]): void;
  /** Replaces the incident's key activity with a recomputed one. */
  replaceKeyActivity(incidentId: string, activity: readonly KeyActivity[]): void;
  /**
   * Moves the pages, events and fences of `sourceId` to `targetId` (a fence between the two is
   * dropped), drops the source's keys, facets and service index, marks it `merged` into the target and
   * re-points incidents merged into it. Alerts are re-homed by the caller first.
   */
  mergeIncidentInto(sourceId: string, targetId: string, now: string): void;
  setHumanPlaced(incidentIds: readonly string[]): void;
  addFence(incidentId: string, otherId: string, createdAt: string, actor: string | null): void;
}

export type AlertIdentity = Pick<AlertObservation, 'instance' | 'fingerprint' | 'startsAt'>;

/** One string per alert identity (instance, fingerprint, start), for maps and sets. */
export const identityKey = (i: AlertIdentity): string => `${i.instance}\u0000${i.fingerprint}\u0000${i.startsAt}`;

/**
 * What `probeAlerts` reads of a stored firing. Labels and annotations are their canonical JSON
 * text (the object's own key order, as stored), compared as text with the notification's.
 */
export interface AlertProbe {
  id: string;
  incidentId: string;
  status: Alert['status'];
  endsAt: string | null;
  labelsJson: string;
  annotationsJson: string;
  generatorUrl: string | null;
}

/** An alert with the correlation keys it holds. */
export interface StoredAlert {
  alert: Alert;
  keys: string[];
}

/** An incident with how it came to be. */
export interface IncidentRecord {
  incident: Incident;
  origin: IncidentOrigin;
  /** True once a person placed any alert in it (merge, split, move). */
  humanPlaced: boolean;
  /** What its alerts add up to; null while it has none. */
  tally: IncidentTally | null;
}

export interface NewIncidentRecord {
  id: string;
  /** Event time of what opened it. */
  at: string;
  origin: IncidentOrigin;
  humanPlaced: boolean;
  now: string;
  /** Set for an incident declared by hand. */
  declaration?: IncidentDeclaration | null;
}

/** A paging event as stored with its incident. */
export interface StoredPaging extends PlacedPagingEvent {
  instance: string;
  incidentId: string;
  /** The timeline entry recorded for it. */
  incidentEventId: string;
  keys: string[];
  channel: string | null;
  objectId: string | null;
  actor: string | null;
}

export interface AlertPlacement {
  id: string;
  incidentId: string;
  decision: CorrelationDecision;
  keys: readonly string[];
}

/** One alert's contribution to the activity of each key it holds (`holderActivity`). */
export interface KeyHolderActivity {
  onset: string;
  firing: number;
  depth: number;
}

// --------------------------------------------------------------- the runner

type OpName = keyof LedgerPort;

/** One yielded operation: the port method's name and its arguments. */
export type LedgerOp = { [K in OpName]: { name: K; args: Parameters<LedgerPort[K]> } }[OpName];

/** A ledger sequence: yields operations, receives their results, returns `T`. */
export type LedgerStep<T> = Generator<LedgerOp, T, unknown>;

export type AsyncLedgerPort = { [K in OpName]: (...args: Parameters<LedgerPort[K]>) => Promise<ReturnType<LedgerPort[K]>> };

function* call<K extends OpName>(name: K, ...args: Parameters<LedgerPort[K]>): LedgerStep<ReturnType<LedgerPort[K]>> {
  return (yield { name, args } as LedgerOp) as ReturnType<LedgerPort[K]>;
}

/** The port as the ledger sees it: each method yields its operation (`yield* port.findAlert(...)`). */
export type LedgerCalls = { [K in OpName]: (...args: Parameters<LedgerPort[K]>) => LedgerStep<ReturnType<LedgerPort[K]>> };

const OP_NAMES = [
  'lockKeys', 'findAlert', 'probeAlerts', 'getAlert', 'alertsOf', 'countAlerts', 'pagesOf', 'countPages', 'hasPagingEvent', 'pagingEventsOfKind', 'getIncident',
  'keysOf', 'keyActivityOf', 'findCandidates', 'insertIncident', 'insertAlert', 'updateAlertResend', 'countResends', 'setAlertBookkeeping', 'setAlertPlacements',
  'moveDecisionEvents', 'insertEvent', 'setEventTime', 'insertPagingEvent', 'setPagingEventTime', 'addKeyHolder', 'addKeyFiring', 'putKeyActivity', 'writeTally', 'writeLabels',
  'writeDeclaration', 'writePageSummary', 'getFacet', 'facetsOf', 'putFacets', 'replaceFacets', 'replaceKeyActivity', 'mergeIncidentInto', 'setHumanPlaced', 'addFence',
] as const satisfies readonly OpName[];
// Every port method has its call: a missing name fails to compile here.
type Missing = Exclude<OpName, (typeof OP_NAMES)[number]>;
const everyOpListed: [Missing] extends [never] ? true : Missing = true;
void everyOpListed;

export const port: LedgerCalls = Object.fromEntries(
  OP_NAMES.map((name) => [name, (...args: unknown[]) => call(name, ...(args as never))]),
) as unknown as LedgerCalls;

const invoke = (target: LedgerPort | AsyncLedgerPort, op: LedgerOp): unknown =>
  (target[op.name] as (...args: unknown[]) => unknown).apply(target, op.args);

/** Runs a ledger sequence against a synchronous port (inside a SQLite transaction). */
export function runSync<T>(step: LedgerStep<T>, target: LedgerPort): T {
  let next = step.next();
  while (!next.done) next = step.next(invoke(target, next.value));
  return next.value;
}

/** Runs a ledger sequence against an asynchronous port (inside a MongoDB session), one operation at a time. */
export async function runAsync<T>(step: LedgerStep<T>, target: AsyncLedgerPort): Promise<T> {
  let next = step.next();
  while (!next.done) next = step.next(await invoke(target, next.value));
  return next.value;
}
