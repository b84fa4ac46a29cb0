import type { Alert } from '../../src/domain/alert';
import type { Incident, IncidentEvent } from '../../src/domain/incident';

/** Small, valid domain objects for pure-function tests; each test overrides what it is about. */

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(4, '0')}`;

export function makeAlert(overrides: Partial<Alert> & { labels?: Record<string, string> } = {}): Alert {
  const status = overrides.status ?? (overrides.endsAt ? 'resolved' : 'firing');
  return {
    id: nextId('alert'),
    incidentId: 'incident-1',
    instance: 'alertmanager',
    source: 'alertmanager',
    fingerprint: 'fp',
    fingerprintComputed: false,
    status,
    startsAt: '2026-11-26T14:00:00.000Z',
    endsAt: null,
    labels: { alertname: 'TestAlert' },
    annotations: {},
    generatorUrl: null,
    sourceGroupKey: '{}:{alertname="TestAlert"}',
    sourceGroupLabels: {},
    decision: { kind: 'new-incident', rule: null, matched: {}, gapMs: null, explanation: 'Opened a new incident.', decidedBy: 'debrief', decidedAt: '2026-11-26T14:00:05.000Z' },
    firstSeenAt: '2026-11-26T14:00:05.000Z',
    lastSeenAt: '2026-11-26T14:00:05.000Z',
    notificationCount: 1,
    ...overrides,
  };
}

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'incident-1',
    title: 'TestAlert on api',
    status: 'open',
    severity: 'critical',
    services: ['api'],
    startedAt: '2026-11-26T14:00:00.000Z',
    endedAt: null,
    lastActivityAt: '2026-11-26T14:00:00.000Z',
    alertCount: 1,
    createdAt: '2026-11-26T14:00:05.000Z',
    updatedAt: '2026-11-26T14:00:05.000Z',
    mergedInto: null,
    ...overrides,
  };
}

export function makeEvent(overrides: Partial<IncidentEvent> = {}): IncidentEvent {
  return {
    id: nextId('event'),
    incidentId: 'incident-1',
    at: '2026-11-26T14:05:00.000Z',
    kind: 'pagerduty.acknowledged',
    actor: 'Jane SRE',
    text: 'Acknowledged',
    data: {},
    ...overrides,
  };
}

/** Deep-freezes a value, so a test fails if a pure function mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
