import type { IncidentDeclaration, NewIncidentEvent } from './incident';
import { worstSeverity } from './incident';
import type { IncidentTally } from './incident-facets';
import { ValidationError } from '../errors';

/** What a person may change on a declaration later (an end once known, a corrected start...). */
export type DeclarationChange = Partial<Pick<IncidentDeclaration, 'title' | 'services' | 'severity' | 'startedAt' | 'endedAt' | 'missedByMonitoring'>>;

/** The declaration after `change`; ValidationError (naming the field) when it would end before it started. */
export function changedDeclaration(before: IncidentDeclaration, change: DeclarationChange): IncidentDeclaration {
  const after: IncidentDeclaration = { ...before };
  for (const [key, value] of Object.entries(change) as Array<[keyof DeclarationChange, unknown]>) {
    if (value !== undefined) (after as unknown as Record<string, unknown>)[key] = value;
  }
  assertDeclarationSpan(after, change.endedAt !== undefined ? 'body.end' : 'body.start');
  return after;
}

/** A declared end must not come before the declared start. */
export function assertDeclarationSpan(declaration: Pick<IncidentDeclaration, 'startedAt' | 'endedAt'>, path = 'body.end'): void {
  if (declaration.endedAt !== null && Date.parse(declaration.endedAt) < Date.parse(declaration.startedAt)) {
    throw new ValidationError('an incident cannot end before it started', [{ path, message: `end (${declaration.endedAt}) is before start (${declaration.startedAt})` }]);
  }
}

/**
 * Incidents declared by hand: an outage a customer reported that monitoring missed. Such an
 * incident has no alert to derive its summary from, so the person's declaration (title,
 * services, severity, start and, once known, end) stands in for one: it is kept on the incident,
 * and whenever the incident's tally and labels are written it is combined with whatever alerts
 * were moved in later. A declared incident is open until the declaration has an end (alerts
 * resolving do not end an outage nobody alerted on), starts at the earlier of its declared start
 * and its first alert, and keeps its declared title. Pure.
 */

/**
 * The tally of a declared incident: its alerts' tally (null: none) with the declaration counted
 * as one more firing-or-ended span that is not an alert (`alertCount` stays the alerts'). The
 * ledger's incremental updates (`tallyWithAlert`, `tallyAfterResend`) keep it, since they only
 * take minima, maxima and sums.
 */
export function declaredTally(declaration: IncidentDeclaration, alerts: IncidentTally | null): IncidentTally {
  const own: IncidentTally = {
    alertCount: 0,
    firingCount: declaration.endedAt === null ? 1 : 0,
    startedAt: declaration.startedAt,
    lastStartAt: declaration.startedAt,
    lastEndAt: declaration.endedAt,
    severity: declaration.severity,
  };
  if (!alerts) return own;
  return {
    alertCount: alerts.alertCount,
    firingCount: alerts.firingCount + own.firingCount,
    startedAt: alerts.startedAt < own.startedAt ? alerts.startedAt : own.startedAt,
    lastStartAt: alerts.lastStartAt > own.lastStartAt ? alerts.lastStartAt : own.lastStartAt,
    lastEndAt: latest(alerts.lastEndAt, own.lastEndAt),
    severity: worstSeverity([own.severity, alerts.severity]),
  };
}

/** Title and services of a declared incident: the declared title; declared services first, then those its alerts name. */
export function declaredLabels(declaration: IncidentDeclaration, derived: { services: readonly string[] }): { title: string; services: string[] } {
  return { title: declaration.title, services: [...new Set([...declaration.services, ...derived.services])] };
}

/** The timeline and audit entry recording the declaration, at the declared start. */
export function declarationEvent(incidentId: string, declaration: IncidentDeclaration): NewIncidentEvent {
  const missed = declaration.missedByMonitoring ? ' Monitoring missed this: no alert reported it.' : '';
  return {
    incidentId, at: declaration.startedAt, kind: 'incident.declared', actor: declaration.declaredBy,
    text: `Declared by hand by ${declaration.declaredBy}: ${declaration.title}.${missed}`,
    data: { declaration: { ...declaration, services: [...declaration.services] } },
  };
}

/** The timeline entry of a changed declaration (an end given later, a corrected start), at the change time. */
export function declarationChangedEvent(incidentId: string, before: IncidentDeclaration, after: IncidentDeclaration, actor: string, now: string): NewIncidentEvent {
  const changes: string[] = [];
  if (before.title !== after.title) changes.push(`title "${after.title}"`);
  if (before.startedAt !== after.startedAt) changes.push(`start ${after.startedAt}`);
  if (before.endedAt !== after.endedAt) changes.push(after.endedAt ? `end ${after.endedAt}` : 'no end (ongoing)');
  if (before.severity !== after.severity) changes.push(`severity ${after.severity ?? 'none'}`);
  if (before.services.join('\u0000') !== after.services.join('\u0000')) changes.push(`services ${after.services.join(', ') || 'none'}`);
  if (before.missedByMonitoring !== after.missedByMonitoring) changes.push(after.missedByMonitoring ? 'monitoring missed it' : 'monitoring did not miss it');
  return {
    incidentId, at: now, kind: 'incident.declaration-changed', actor,
    text: `Declaration changed by ${actor}: ${changes.join('; ') || 'nothing'}.`,
    data: { before: { ...before, services: [...before.services] }, after: { ...after, services: [...after.services] } },
  };
}

const latest = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
