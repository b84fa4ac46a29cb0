/**
 * Links between two services a person taught Debrief by merging their incidents with
 * "remember" (merge and remember): offered as a catalog suggestion (name what they share) and
 * used to suggest later incidents on the same two services as one outage. Never used by the
 * correlation rules: a person's merge is evidence for a suggestion, not for merging alone.
 */
export interface RememberedLink {
  /** The two services, sorted by name. */
  services: [string, string];
  /** Who first merged incidents on them with "remember", and when (correction time). */
  firstBy: string;
  firstAt: string;
  /** The latest such merge. */
  lastBy: string;
  lastAt: string;
  /** The latest merge's incidents: its target, then the merged-away incident. */
  incidentIds: string[];
  /** The latest merge's reason, if given. */
  reason: string | null;
  /** How many merges remembered this link. */
  merges: number;
}

/** One merge to remember: two services (any order) and who merged what, when, why. */
export interface LinkToRemember {
  services: [string, string];
  by: string;
  at: string;
  incidentIds: string[];
  reason: string | null;
}

/** At most this many links are listed; people make them one merge at a time. */
export const MAX_REMEMBERED_LINKS = 1000;

export interface RememberedLinkStore {
  init(): Promise<void>;
  /** Records the link, or counts one more merge on it (keeping who made it first). */
  remember(link: LinkToRemember): Promise<void>;
  /** Every link, most recently merged first (ties by services), at most `MAX_REMEMBERED_LINKS`. */
  list(): Promise<RememberedLink[]>;
}

export const sortedPair = (services: readonly [string, string]): [string, string] => (services[0] <= services[1] ? [services[0], services[1]] : [services[1], services[0]]);

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Most recently merged first, then by services (code-unit order, as the databases sort). */
export const linkOrder = (a: RememberedLink, b: RememberedLink): number =>
  byCodeUnits(b.lastAt, a.lastAt) || byCodeUnits(a.services[0], b.services[0]) || byCodeUnits(a.services[1], b.services[1]);

/** For stores without a SQLite file or MongoDB (injected fakes in tests and benchmarks). Not durable. */
export class MemoryRememberedLinkStore implements RememberedLinkStore {
  private readonly links = new Map<string, RememberedLink>();

  async init(): Promise<void> {}

  async remember(link: LinkToRemember): Promise<void> {
    const services = sortedPair(link.services);
    const key = services.join('\u0000');
    const prior = this.links.get(key);
    this.links.set(key, {
      services, firstBy: prior?.firstBy ?? link.by, firstAt: prior?.firstAt ?? link.at, lastBy: link.by, lastAt: link.at,
      incidentIds: [...link.incidentIds], reason: link.reason, merges: (prior?.merges ?? 0) + 1,
    });
  }

  async list(): Promise<RememberedLink[]> {
    return [...this.links.values()].sort(linkOrder).slice(0, MAX_REMEMBERED_LINKS).map((link) => ({ ...link, services: [...link.services], incidentIds: [...link.incidentIds] }));
  }
}
