import type { ServicePath } from '../catalog/service-catalog';
import type { Change, ChangeKind, ChangeOrigin } from './change';

/**
 * Which changes may have caused an incident (or were made while it lasted), and why. Pure.
 *
 * A change is linked to an incident when both hold:
 * - time: it happened within `windowMs` before the incident's first alert, or during the
 *   incident (from its first alert until it ended; an open incident has not ended);
 * - service: the change's service (its own, else its repository's through the catalog) is one
 *   of the incident's services, or joined to one through the catalog's `dependsOn` within
 *   `MAX_HOPS` edges.
 * A change whose service cannot be told is not linked: time alone is no evidence. Linking reads
 * changes and incidents and writes nothing, so a change never moves an alert.
 */

/** Farthest a change's service may be from an incident's service in the catalog and still be linked. */
export const MAX_HOPS = 2;

export interface LinkedChange {
  change: Change;
  /** The service the change is about, as linked (the catalog's name when it maps one). */
  service: string;
  /** `before`: a suspect for the cause; `during`: made while the incident lasted (a rollback, a fix). */
  timing: 'before' | 'during';
  /** Whole minutes from the change to the incident's first alert: positive before it, negative after. */
  minutesBeforeFirstAlert: number;
  /** The incident's service it is linked through, and the catalog path between them (call direction). */
  incidentService: string;
  hops: number;
  path: string[];
  /** 0..1, higher is more suspect: the kind of change, how close in the catalog, how close in time. */
  score: number;
  /** One sentence saying what the change was and why it is linked. */
  reason: string;
}

export interface ChangeLinkOptions {
  windowMs: number;
  /** The catalog service a change is about; null when it cannot be told. */
  serviceOf: (change: Change) => string | null;
  /** Services joined to `service` within `hops` edges (`ServiceCatalog.related`). */
  related: (service: string, hops: number) => ServicePath[];
}

/** Linked changes, suspects (before) first by score, then changes during the incident by time. */
export function linkChanges(incident: { startedAt: string; endedAt: string | null; services: readonly string[] }, changes: readonly Change[], options: ChangeLinkOptions): LinkedChange[] {
  const firstAlert = Date.parse(incident.startedAt);
  const end = incident.endedAt ? Date.parse(incident.endedAt) : Number.POSITIVE_INFINITY;
  const linked: LinkedChange[] = [];
  for (const change of changes) {
    const at = Date.parse(change.at);
    if (at < firstAlert - options.windowMs || at > end) continue;
    const service = options.serviceOf(change);
    if (!service) continue;
    const relation = closestIncidentService(service, incident.services, options);
    if (!relation) continue;
    const timing = at < firstAlert ? 'before' : 'during';
    const minutesBeforeFirstAlert = Math.round((firstAlert - at) / 60_000);
    const score = timing === 'before'
      ? round(weightOf(change) * HOP_WEIGHT[relation.hops]! * (1 - 0.5 * ((firstAlert - at) / options.windowMs)))
      : 0;
    const partial = { change, service, timing, minutesBeforeFirstAlert, incidentService: relation.service, hops: relation.hops, path: relation.path } as const;
    linked.push({ ...partial, score, reason: reasonOf(partial) });
  }
  return linked.sort((a, b) => (a.timing === b.timing ? 0 : a.timing === 'before' ? -1 : 1)
    || (a.timing === 'before' ? b.score - a.score : 0)
    || a.change.at.localeCompare(b.change.at) || a.change.id.localeCompare(b.change.id));
}

/** The catalog service a change is about: its own; else its repository's; else a repository named like a service. */
export function changeServiceResolver(catalog: { serviceForRepository(repository: string): string | null }): (change: Change) => string | null {
  return (change) => {
    if (change.service) return change.service;
    if (!change.repository) return null;
    return catalog.serviceForRepository(change.repository) ?? change.repository.split('/').pop() ?? null;
  };
}

const HOP_WEIGHT: Record<number, number> = { 0: 1, 1: 0.6, 2: 0.35 };

/** A deploy says most: new code runs. A release or a push says code changed, not that it runs. */
const KIND_WEIGHT: Record<ChangeKind, number> = { deploy: 1, config: 0.9, 'feature-flag': 0.85, infrastructure: 0.8, other: 0.6 };
const ORIGIN_WEIGHT: Partial<Record<ChangeOrigin, number>> = { 'github-release': 0.5, 'github-push': 0.4 };

const weightOf = (change: Change): number => ORIGIN_WEIGHT[change.origin] ?? KIND_WEIGHT[change.kind];
const round = (n: number) => Math.round(n * 1000) / 1000;

function closestIncidentService(service: string, incidentServices: readonly string[], options: ChangeLinkOptions): { service: string; hops: number; path: string[] } | null {
  if (incidentServices.includes(service)) return { service, hops: 0, path: [service] };
  const near = options.related(service, MAX_HOPS).find((path) => incidentServices.includes(path.service));
  return near ? { service: near.service, hops: near.hops, path: near.path } : null;
}

const ORIGIN_LABEL: Record<ChangeOrigin, string> = {
  'github-deployment': 'GitHub deployment', 'github-release': 'GitHub release', 'github-push': 'GitHub push', generic: 'change event',
  pagerduty: 'PagerDuty change event',
};

function whatOf(change: Change, service: string): string {
  const version = change.version ? ` ${change.version}` : '';
  if (change.origin === 'github-release') return `release${version} of ${service}`;
  if (change.origin === 'github-push') return `push of${version} to ${service}`;
  // PagerDuty says nothing of the kind of change: its summary says what changed.
  if (change.origin === 'pagerduty') return `change on ${service}: ${change.summary}`;
  switch (change.kind) {
    case 'deploy': return `deploy of ${service}${version}`;
    case 'config': return `config change on ${service}${version}`;
    case 'feature-flag': return `feature flag change on ${service}`;
    case 'infrastructure': return `infrastructure change on ${service}`;
    case 'other': return `change on ${service}${version}`;
  }
}

function whenOf(minutesBefore: number): string {
  const span = (minutes: number) => (minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`);
  if (minutesBefore > 0) return `${span(minutesBefore)} before the first alert`;
  if (minutesBefore === 0) return 'at the time of the first alert';
  return `${span(-minutesBefore)} after the first alert, during the incident`;
}

function whereOf(hops: number, path: readonly string[]): string {
  if (hops === 0) return 'same service';
  return `${hops === 1 ? 'one dependency' : `${hops} dependencies`} away (${path.join(' → ')})`;
}

function reasonOf(link: Omit<LinkedChange, 'score' | 'reason'>): string {
  const { change } = link;
  const by = change.author ? ` by ${change.author}` : '';
  const outcome = change.status && !/^(success|succeeded|synced|published|healthy)$/i.test(change.status) ? `, ${change.status}` : '';
  return `${whatOf(change, link.service)} (${ORIGIN_LABEL[change.origin]}${by}${outcome}) ${whenOf(link.minutesBeforeFirstAlert)}, ${whereOf(link.hops, link.path)}`;
}
