import type { Alert, AlertObservation } from '../alert';
import type { NewIncidentEvent } from '../incident';
import type { PagingEvent } from '../paging-event';
import { DECISION_EVENT_KIND, REOPENED_EVENT_KIND } from './corrections';
import { LINK_RULES, type PagingPlacement, type Placement } from './correlator';

/**
 * What every store does around the correlator's placements: the order it places a batch in,
 * and the incident events a placement records (at the source's event time, written in the
 * order returned). Pure.
 */

/** Event-time order inside a notification, so a batch lands as it would one alert at a time. */
export const inPlacementOrder = (observations: readonly AlertObservation[]): AlertObservation[] => (
  [...observations].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.fingerprint.localeCompare(b.fingerprint))
);

/** Event-time order of a batch of paging events (ties by event id, so a re-delivered batch lands the same). */
export const pagingInPlacementOrder = (events: readonly PagingEvent[]): PagingEvent[] => (
  [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId))
);

/** The audit entry of a placed alert's decision and, when it reopened a resolved incident, a timeline entry saying so. */
export function alertPlacementEvents(alert: Alert, placement: Placement): NewIncidentEvent[] {
  const events: NewIncidentEvent[] = [{
    incidentId: alert.incidentId, at: alert.startsAt, kind: DECISION_EVENT_KIND, actor: 'debrief', text: placement.decision.explanation,
    data: { alertId: alert.id, fingerprint: alert.fingerprint, decision: placement.decision },
  }];
  if (placement.action === 'join' && placement.reopened) {
    events.push({
      incidentId: alert.incidentId, at: alert.startsAt, kind: REOPENED_EVENT_KIND, actor: null,
      text: `Reopened: ${alert.labels.alertname ?? 'an alert'} fired after the incident had resolved. ${placement.reopened.text}`,
      data: { alertId: alert.id, resolvedAt: placement.reopened.resolvedAt },
    });
  }
  return events;
}

/** The timeline entry of a paging event placed in `incidentId`. */
export function pagingTimelineEvent(event: PagingEvent, incidentId: string, placement: PagingPlacement): NewIncidentEvent {
  return {
    incidentId, at: event.occurredAt, kind: `${event.source}.${event.kind}`, actor: event.actor, text: event.text,
    data: { instance: event.instance, eventId: event.eventId, vendorType: event.vendorType, page: event.page, placement: { rule: placement.rule, explanation: placement.explanation } },
  };
}

/** The audit entry of where a paging event went; none for later events of a page already placed. */
export function pagingDecisionEvent(event: PagingEvent, incidentId: string, placement: PagingPlacement): NewIncidentEvent | null {
  if (placement.rule === LINK_RULES.pagerDutyIncident) return null;
  return {
    incidentId, at: event.occurredAt, kind: DECISION_EVENT_KIND, actor: 'debrief', text: placement.explanation,
    data: { pageId: event.page.id, eventId: event.eventId, rule: placement.rule, matched: placement.matched },
  };
}
