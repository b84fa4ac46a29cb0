/**
 * An alert: one firing of one signal from one source instance.
 *
 * Identity is (instance, fingerprint, startsAt). Re-sent notifications of the same firing
 * update status, endsAt and lastSeenAt; the same signal firing again later (new startsAt)
 * is a new alert. All times are ISO-8601 UTC strings with millisecond precision, taken from
 * the source (event time); arrival times are kept separately as `receivedAt`/`lastSeenAt`.
 */
export type AlertStatus = 'firing' | 'resolved';

/** What a connector's pure `normalize` produces for one alert in one notification. */
export interface AlertObservation {
  /** Connector instance id the notification arrived on (e.g. `alertmanager`). */
  instance: string;
  /** Which dialect produced it (`alertmanager`, `grafana`, ...), for display and debugging. */
  source: string;
  /** Label-set hash; computed like Alertmanager when the sender omitted it. */
  fingerprint: string;
  /** True when Debrief computed the fingerprint because the sender did not send one. */
  fingerprintComputed: boolean;
  status: AlertStatus;
  /** When the firing began, per the source. UTC ISO string. */
  startsAt: string;
  /** When it ended; null while firing (Alertmanager's zero time means "no end"). */
  endsAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorUrl: string | null;
  /**
   * Opaque key of the notification group the source sent this alert in
   * (Alertmanager's `groupKey`). Used by correlation; never parsed.
   */
  sourceGroupKey: string | null;
  /** Labels the source grouped by (Alertmanager's `groupLabels`). */
  sourceGroupLabels: Record<string, string>;
}

/** How an alert came to be in its incident; stored with the alert and shown to SREs. */
export interface CorrelationDecision {
  /** `rule` (a configured rule matched), `new-incident`, or `human` (an SRE placed it). */
  kind: 'rule' | 'new-incident' | 'human';
  /** Rule name, or the correction name (`move`, `split`, `merge`) for human decisions. */
  rule: string | null;
  /** Label values (or other fields) that matched, e.g. `{ groupKey: "..." }`. */
  matched: Record<string, string>;
  /** Gap in ms between this alert's start and the incident's latest activity, when joining. */
  gapMs: number | null;
  /** One sentence a person can read. */
  explanation: string;
  /** For Debrief's own decisions: how strong the link was, and through what. Absent on human decisions and older ones. */
  evidence?: CorrelationEvidence;
  /**
   * For Debrief's own decisions: why each other explicit link and rule did not place the alert,
   * one `<rule>: <reason>` each (for a new incident, why none did). Absent on human decisions and
   * older ones.
   */
  others?: string[];
  /**
   * For a split: labels that set the alerts split off apart from those left behind (one value on
   * each of them, on none of the others), such as `pod`. The new incident's title names them.
   */
  apart?: Record<string, string>;
  /** Who decided: `debrief` for rules, the actor name for humans. */
  decidedBy: string;
  /** When the decision was made (processing time, not event time). */
  decidedAt: string;
}

/** Link strength, strongest first. `explicit`: a PagerDuty dedup key or a person's earlier placement. */
export type EvidenceStrength = 'explicit' | 'strong' | 'moderate' | 'weak';

/** The evidence behind a link (or, for a new incident, none: strength null). */
export interface CorrelationEvidence {
  strength: EvidenceStrength | null;
  /** 0..1: the rule's strength weighed by how close in time the alert started to what it matched. */
  score: number;
  /**
   * Topology steps between this alert and the incident's root: 0 for the alert that opened it and
   * for alerts linked by explicit, group or same-service evidence to depth-0 alerts; a dependency
   * link adds one. Deep members do not anchor further topology links (no transitive drift).
   */
  depth: number;
  /** The member the link went through, for people: e.g. `orders-db (2 alerts here, depth 0)`; null for a new incident. */
  via: string | null;
}

/** An alert as stored: the latest observation plus identity, bookkeeping and its decision. */
export interface Alert extends AlertObservation {
  id: string;
  incidentId: string;
  decision: CorrelationDecision;
  /** First time Debrief received this firing. */
  firstSeenAt: string;
  /** Last time any notification mentioned this firing. */
  lastSeenAt: string;
  /** How many notifications mentioned this firing (re-sends included). */
  notificationCount: number;
}

export const alertName = (alert: Pick<AlertObservation, 'labels'>): string => alert.labels.alertname ?? '(unnamed alert)';

/** A firing seen for the first time, placed in `incidentId` by `decision`; `now` is processing time. */
export function newAlert(obs: AlertObservation, id: string, incidentId: string, decision: CorrelationDecision, now: string): Alert {
  return { ...obs, id, incidentId, decision, firstSeenAt: now, lastSeenAt: now, notificationCount: 1 };
}

/**
 * The alert after a re-sent notification of a known firing. A resolution is final for this
 * firing: a late "firing" re-send (HA peer, retry) after the resolved one must not reopen it.
 */
export function alertAfterResend(alert: Alert, obs: AlertObservation, now: string): Alert {
  return {
    ...alert,
    ...resentState(alert, obs),
    annotations: obs.annotations,
    lastSeenAt: now > alert.lastSeenAt ? now : alert.lastSeenAt,
    notificationCount: alert.notificationCount + 1,
  };
}

/** Status, end and generator URL of a known firing after a notification about it (`alertAfterResend`). */
function resentState(alert: Pick<Alert, 'status' | 'endsAt' | 'generatorUrl'>, obs: AlertObservation): Pick<Alert, 'status' | 'endsAt' | 'generatorUrl'> {
  const resolved = alert.status === 'resolved' || obs.status === 'resolved';
  const endsAt = obs.status === 'resolved' ? (obs.endsAt ?? alert.endsAt) : alert.endsAt;
  return { status: resolved ? 'resolved' : 'firing', endsAt: resolved ? endsAt : null, generatorUrl: obs.generatorUrl ?? alert.generatorUrl };
}

/**
 * True when a notification changes nothing of a known firing but its bookkeeping (one more
 * notification, seen again): same status, end, generator URL, annotations and labels. Labels
 * and annotations are compared as their JSON text, as stored; a different key order only sends
 * the notification down the full path, which gives the same result.
 */
export function isPlainResend(
  stored: Pick<Alert, 'status' | 'endsAt' | 'generatorUrl'> & { labelsJson: string; annotationsJson: string },
  obs: AlertObservation,
): boolean {
  const next = resentState(stored, obs);
  return next.status === stored.status && next.endsAt === stored.endsAt && next.generatorUrl === stored.generatorUrl
    && JSON.stringify(obs.annotations) === stored.annotationsJson && JSON.stringify(obs.labels) === stored.labelsJson;
}
