import type { ServiceCatalog } from './catalog/service-catalog';
import type { Incident } from './incident';

/** Two services a person merged incidents on with "remember" (the store's record, as far as this reads it). */
export interface TaughtLink {
  services: readonly [string, string];
  lastBy: string;
  lastAt: string;
  merges: number;
}

/**
 * Incidents that may be one outage, offered to a person, never merged by rules. Pure.
 *
 * A provider-level fault (DNS, the cloud network, a shared database that does not alert itself)
 * hits sibling services that share no alerting dependency: correlation rightly keeps them apart,
 * because a shared dependency that says nothing is no evidence that its callers fail for one
 * reason. But when the catalog names that dependency as shared infrastructure and incidents on
 * two of its dependents start close together, one outage is likely enough to ask: a person
 * merges with one click, and a wrong suggestion costs nothing.
 *
 * A person can teach the same: merging two incidents "and remember" records their services as
 * linked, and later incidents on those two services that start close together are suggested
 * too (`remembered-merge`), until someone names what they share in the catalog.
 */

/** Onsets further apart than this are not suggested (one outage's siblings fail within minutes). */
export const SAME_OUTAGE_WINDOW_MINUTES = 15;

export interface SameOutageSuggestion {
  /** The other incident. */
  incidentId: string;
  title: string;
  status: Incident['status'];
  startedAt: string;
  /** The catalog names infrastructure both services depend on; or a person merged incidents on them before. */
  evidence: 'shared-infrastructure' | 'remembered-merge';
  /** The service of this incident and the other's service that are linked. */
  services: [string, string];
  /** The shared infrastructure both call (catalog entries with `sharedInfrastructure: true`); empty for a remembered merge. */
  via: string[];
  /** Minutes between the two incidents' onsets. */
  gapMinutes: number;
  /** One sentence: "checkout and search both depend on dns (shared infrastructure); their incidents started 2 min apart". */
  explanation: string;
}

/**
 * Which of `others` may be the same outage as `incident`: not merged, onsets within
 * `windowMinutes`, and a service of each depending directly on the same shared infrastructure,
 * else linked by a remembered merge (the first such pair by name explains it). Nearest onset first.
 */
export function sameOutageSuggestions(
  incident: Incident, others: readonly Incident[], catalog: ServiceCatalog, taught: readonly TaughtLink[] = [], windowMinutes = SAME_OUTAGE_WINDOW_MINUTES,
): SameOutageSuggestion[] {
  if (incident.status === 'merged') return [];
  const onset = Date.parse(incident.startedAt);
  const out: SameOutageSuggestion[] = [];
  for (const other of others) {
    if (other.id === incident.id || other.status === 'merged') continue;
    const gapMs = Math.abs(Date.parse(other.startedAt) - onset);
    if (!(gapMs <= windowMinutes * 60_000)) continue;
    const gapMinutes = Math.round(gapMs / 60_000);
    const apart = `their incidents started ${gapMinutes === 0 ? 'within a minute' : `${gapMinutes} min apart`}`;
    const base = { incidentId: other.id, title: other.title, status: other.status, startedAt: other.startedAt, gapMinutes };
    const shared = sharedLink(incident.services, other.services, catalog);
    if (shared) {
      const [mine, theirs] = shared.services;
      out.push({ ...base, evidence: 'shared-infrastructure', services: shared.services, via: shared.via, explanation: `${mine} and ${theirs} both depend on ${shared.via.join(', ')} (shared infrastructure); ${apart}` });
      continue;
    }
    const remembered = taughtLink(incident.services, other.services, taught);
    if (remembered) {
      const { services: [mine, theirs], link } = remembered;
      const times = link.merges === 1 ? '' : ` (${link.merges} times, last by ${link.lastBy})`;
      out.push({
        ...base, evidence: 'remembered-merge', services: remembered.services, via: [],
        explanation: `incidents on ${mine} and ${theirs} were merged as one outage before${times || ` by ${link.lastBy}`}, and remembered; ${apart}`,
      });
    }
  }
  return out.sort((a, b) => a.gapMinutes - b.gapMinutes || a.startedAt.localeCompare(b.startedAt) || a.incidentId.localeCompare(b.incidentId));
}

function sharedLink(mine: readonly string[], theirs: readonly string[], catalog: ServiceCatalog): { services: [string, string]; via: string[] } | null {
  for (const a of [...mine].sort()) {
    // Both incidents on one service: the rules' own business (same-service), not a sibling fault.
    if (theirs.includes(a)) continue;
    for (const b of [...theirs].sort()) {
      if (mine.includes(b)) continue;
      const via = catalog.sharedInfrastructureOf(a, b);
      if (via.length > 0) return { services: [a, b], via };
    }
  }
  return null;
}

function taughtLink(mine: readonly string[], theirs: readonly string[], taught: readonly TaughtLink[]): { services: [string, string]; link: TaughtLink } | null {
  for (const a of [...mine].sort()) {
    if (theirs.includes(a)) continue;
    for (const b of [...theirs].sort()) {
      if (mine.includes(b)) continue;
      const link = taught.find((t) => (t.services[0] === a && t.services[1] === b) || (t.services[0] === b && t.services[1] === a));
      if (link) return { services: [a, b], link };
    }
  }
  return null;
}

/** What a remembered link asks of the catalog, one per link (`GET /api/v1/catalog/suggestions`). */
export interface CatalogSuggestion {
  services: [string, string];
  /** Merges that remembered it, the latest by whom and when. */
  merges: number;
  lastBy: string;
  lastAt: string;
  /** True once the catalog names shared infrastructure both depend on (nothing left to do). */
  named: boolean;
  /** "checkout and search were merged as one outage by alice: ..." */
  text: string;
}

/**
 * The catalog suggestions from remembered links: name what the two services share. Links the
 * catalog already explains come last, marked `named`.
 */
export function catalogSuggestions(taught: readonly TaughtLink[], catalog: ServiceCatalog): CatalogSuggestion[] {
  return taught.map((link): CatalogSuggestion => {
    const [a, b] = link.services;
    const via = catalog.sharedInfrastructureOf(a, b);
    const who = link.merges === 1 ? `by ${link.lastBy}` : `${link.merges} times, last by ${link.lastBy}`;
    const unknown = [a, b].filter((service) => !catalog.has(service));
    const text = via.length > 0
      ? `${a} and ${b} were merged as one outage (${who}); the catalog names what they share: ${via.join(', ')}`
      : `${a} and ${b} were merged as one outage (${who}): if they fail together through something they share (DNS, the cloud network, a database), add it to the catalog with sharedInfrastructure: true and list it in both services' dependsOn${unknown.length ? ` (${unknown.join(' and ')} ${unknown.length === 1 ? 'is' : 'are'} not in the catalog yet)` : ''}`;
    return { services: [a, b], merges: link.merges, lastBy: link.lastBy, lastAt: link.lastAt, named: via.length > 0, text };
  }).sort((x, y) => Number(x.named) - Number(y.named));
}

/**
 * The service pairs a merge of `sources` into `target` teaches: each service of the target with
 * each service of a source, when neither incident already has the other's service. At most `max`.
 */
export function pairsToRemember(target: Pick<Incident, 'services'>, sources: ReadonlyArray<Pick<Incident, 'services'>>, max = 20): Array<[string, string]> {
  const pairs = new Map<string, [string, string]>();
  for (const source of sources) {
    for (const a of target.services) {
      if (source.services.includes(a)) continue;
      for (const b of source.services) {
        if (target.services.includes(b)) continue;
        const pair: [string, string] = a < b ? [a, b] : [b, a];
        pairs.set(pair.join('\u0000'), pair);
      }
    }
  }
  return [...pairs.values()].sort((x, y) => (x.join('\u0000') < y.join('\u0000') ? -1 : 1)).slice(0, max);
}
