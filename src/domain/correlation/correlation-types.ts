import type { AlertObservation, CorrelationDecision, EvidenceStrength } from '../alert';
import type { Incident } from '../incident';
import type { AlertFacet } from '../incident-facets';
import type { PageRef, PagingEvent } from '../paging-event';
import type { PagingKeys } from './correlation-keys';
import type { RelatedService } from './rule-plan';

/** The words correlation is written in, shared by its modules (see correlator.ts for the whole story). */

export interface Correlator {
  /** How far (ms) from a key's activity an alert may start and still link; bounds store lookups. */
  readonly lookbackMs: number;
  readonly quietPeriodMs: number;
  readonly reopenWindowMs: number;
  keysFor(alert: AlertObservation): AlertKeys;
  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement;
  pagingKeysFor(event: PagingEvent): PagingKeys;
  decidePaging(event: PagingEvent, candidates: IncidentCandidate[], decidedAt: string): PagingPlacement;
}

export interface AlertKeys {
  /** Keys to look candidates up by. */
  lookup: string[];
  /** Keys the alert's incident holds once it is placed. */
  hold: string[];
  /**
   * Keys fetched only for incidents the lookup found (by primary key, never a range): counts
   * that let a rule refuse to bridge two values of an optional label.
   */
  probe: string[];
}

/** When an incident's alerts (or pages) holding one key began, by event time. */
export interface KeyActivity {
  key: string;
  /** Earliest onset among them. */
  firstAt: string;
  /** Latest onset among them (pages: latest event). */
  lastAt: string;
  /**
   * Until when the key links: the latest onset for alerts (`lastAt`); for pages their last event
   * once resolved, null while a page holding it is unresolved.
   */
  activeUntil: string | null;
  /** How many of them still fire (or pages are unresolved). */
  firing: number;
  /** How many alerts/pages of the incident hold it. */
  holders: number;
  /** The smallest depth (topology steps from the incident's root) among the alerts holding it; 0 for pages. */
  depth: number;
}

/** How an incident came to be. Only rule-opened incidents are merged automatically. */
export type IncidentOrigin = 'rule' | 'human' | 'paging';

/** An incident holding at least one of the alert's lookup keys within the lookback. */
export interface IncidentCandidate {
  incident: Incident;
  /** The shared keys with their activity in this incident. */
  keys: KeyActivity[];
  origin: IncidentOrigin;
  /** True once a person placed any alert in it (merge, split, move). */
  humanPlaced: boolean;
  /** Incidents a person split apart from this one: never merged with it automatically. */
  fencedWith: string[];
  /**
   * Its pages, when an ongoing-outage link through them may apply (it holds an `outage:page:`
   * key the alert looked up): they name the page in the decision. Absent otherwise.
   */
  pages?: PageState[];
  /**
   * What its alerts add up to per alert name and service, when an ongoing-outage link through
   * critical alerts may apply (it holds an `outage:crit:` key the alert looked up): how many
   * different critical alerts fire there. Absent otherwise.
   */
  facets?: OutageFacet[];
}

/** The part of an incident's facet (`incident-facets.ts`) the ongoing-outage link reads. */
export type OutageFacet = Pick<AlertFacet, 'alertname' | 'service' | 'severity' | 'clusters' | 'firstAt' | 'lastEndAt' | 'firing'>;

/** One page of an incident: what it is, when its first and latest events came, whether it is resolved. */
export interface PageState {
  page: PageRef;
  firstAt: string;
  lastAt: string;
  resolved: boolean;
}

/** An incident merged into the chosen one: opened after a late alert that links both, or a page's group split by the rules. */
export interface Absorption {
  incidentId: string;
  rule: string;
  explanation: string;
}

export interface Reopening {
  /** The incident's end before this alert. */
  resolvedAt: string;
  text: string;
}

export type Placement =
  | { action: 'join'; incidentId: string; decision: CorrelationDecision; reopened: Reopening | null; absorb: Absorption[] }
  | { action: 'open'; decision: CorrelationDecision };

export type PagingPlacement =
  | { action: 'join'; incidentId: string; rule: string; explanation: string; matched: Record<string, string>; absorb: Absorption[] }
  | { action: 'open'; rule: null; explanation: string; matched: Record<string, string>; absorb: Absorption[] };

/** Names of the explicit-link stages, as they appear in decisions. */
export const LINK_RULES = {
  pagerDutyDedupKey: 'pagerduty-dedup-key',
  pagerDutyService: 'pagerduty-service',
  pagerDutyIncident: 'pagerduty-incident',
  humanPlacement: 'earlier-human-placement',
  lateAlertMerge: 'late-alert-merge',
  pageGroupMerge: 'page-group-merge',
  /** Ongoing outages (`ongoing-outage.ts`): an unresolved page, critical alerts still firing. */
  ongoingOutagePage: 'ongoing-outage-page',
  ongoingOutageCritical: 'ongoing-outage-critical',
} as const;

/** One candidate link of one stage (an explicit link or a rule). */
export interface Hit {
  candidate: IncidentCandidate;
  activity: KeyActivity;
  gapMs: number;
  /** The alert started before the matching activity (it arrived late, or its rule waits less). */
  before: boolean;
  ok: boolean;
  /** Why not eligible. */
  miss: 'gap' | 'closed' | 'span' | 'depth' | 'score' | null;
  /** Why a topology link was refused (`miss: 'depth'`). */
  refused: string | null;
  reopened: Reopening | null;
  score: number;
  strength: EvidenceStrength;
  /** The alert's depth if it joins through this hit. */
  depth: number;
  /** Topology: the related service the link goes through. */
  related: RelatedService | null;
}

/** One way an alert may link (an explicit link, an ongoing outage or a rule), with its candidate links. */
export interface Stage {
  name: string;
  order: number;
  hits: Hit[];
  windowMs: number;
  notApplicable: string | null;
  describe: (hit: Hit) => string;
  decision: (hit: Hit) => CorrelationDecision;
  /** Why nothing was found, for the "opened a new incident" explanation; null to stay silent. */
  nothing: () => string | null;
  /** Why none of `hits` was eligible, when the generic words (`describeMiss`) would mislead. */
  missed?: (hits: Hit[]) => string;
  /** False when a link of this stage never merges other incidents into the one it joins. */
  absorbs?: boolean;
}

export interface EvaluateLimits {
  beforeMs: number;
  afterMs: number;
  maxSpanMs: number | null;
}
