import { z } from 'zod';
import { MatcherSyntaxError, parseMatcher } from '../correlation/matchers';
import type { ServiceNaming } from '../service-naming';

/**
 * The service catalog: which services exist, who owns them, whether customers see them, and
 * what each one depends on. Read from `config/services.yaml` (`catalog.file`); an absent
 * file is an empty catalog. Which service an alert names: `match` label sets here, then the
 * exporter conventions and `impact.serviceLabels` (`service-naming.ts`).
 */

const matcherString = z.string().min(1).superRefine((text, ctx) => {
  try {
    parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof MatcherSyntaxError ? err.message : String(err) });
  }
});

export const catalogServiceSchema = z.object({
  name: z.string().min(1).describe('Service name, as alerts name it in a service label (`service`, `app`, `job`...).'),
  team: z.string().min(1).nullable().default(null).describe('Owning team.'),
  customerFacing: z.boolean().default(false).describe('Whether customers notice when it fails (impact list, status page).'),
  dependsOn: z.array(z.string().min(1)).default([]).describe('Services this one calls; names must be in the catalog.'),
  pagerdutyServices: z.array(z.string().min(1)).default([])
    .describe('PagerDuty service ids or names that page for this service (links pages to incidents on it).'),
  repositories: z.array(z.string().min(1)).default([])
    .describe('Source repositories (`owner/name`) whose deployments, releases and pushes are changes to this service.'),
  match: z.array(matcherString).default([])
    .describe('Alertmanager matchers naming this service when all hold, e.g. [\'namespace="ingest"\', \'deployment=~"shepherd.*"\']; checked before any label.'),
  sharedInfrastructure: z.boolean().optional()
    .describe('Infrastructure many services depend on that may fail without alerting itself (DNS, the cloud network, a shared database): incidents on services depending on it that start close together are suggested as one outage, never merged by rules.'),
}).strict();

export const catalogTeamSchema = z.object({
  name: z.string().min(1).describe('Team name, as services\' `team` names it.'),
  slackChannel: z.string().regex(/^[A-Za-z0-9#][A-Za-z0-9._-]{0,79}$/, 'a Slack channel id (C0123ABCD) or name (#payments)').nullable().default(null)
    .describe('The team\'s Slack channel (id or `#name`): notices through the Slack bot token go there.'),
}).strict();

export const catalogDocumentSchema = z.object({
  services: z.array(catalogServiceSchema).default([]),
  teams: z.array(catalogTeamSchema).default([]).describe('Teams and how to reach them (optional).'),
}).strict();

export type CatalogTeam = z.infer<typeof catalogTeamSchema>;

export type CatalogService = z.infer<typeof catalogServiceSchema>;
export type CatalogServiceInput = z.input<typeof catalogServiceSchema>;

/** A dependency path between two services, written in call direction (`checkout -> orders-db`). */
export interface ServicePath {
  /** The service at the other end. */
  service: string;
  /** Services from caller to dependency, both ends included. */
  path: string[];
  hops: number;
}

export class CatalogError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid service catalog:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

/** An immutable, validated catalog with the graph questions correlation asks. Pure. */
export class ServiceCatalog {
  private readonly byName: ReadonlyMap<string, CatalogService>;
  private readonly dependents: ReadonlyMap<string, string[]>;
  private readonly byPagerDuty: ReadonlyMap<string, string>;
  private readonly paged: ReadonlySet<string>;
  private readonly byRepository: ReadonlyMap<string, string>;
  private readonly relatedCache = new Map<string, ServicePath[]>();

  private readonly teamsByName: ReadonlyMap<string, CatalogTeam>;

  private constructor(readonly services: readonly CatalogService[], extraPagerDuty: ReadonlyMap<string, string> = new Map(), readonly teams: readonly CatalogTeam[] = []) {
    this.teamsByName = new Map(teams.map((team) => [team.name, team]));
    this.byName = new Map(services.map((service) => [service.name, service]));
    const dependents = new Map<string, string[]>();
    for (const service of services) {
      for (const dependency of service.dependsOn) (dependents.get(dependency) ?? dependents.set(dependency, []).get(dependency)!).push(service.name);
    }
    for (const list of dependents.values()) list.sort();
    this.dependents = dependents;
    this.byPagerDuty = new Map([...services.flatMap((service) => service.pagerdutyServices.map((pagerDutyService) => [pagerDutyService, service.name] as const)), ...extraPagerDuty]);
    this.paged = new Set(this.byPagerDuty.values());
    this.byRepository = new Map(services.flatMap((service) => service.repositories.map((repository) => [repository.toLowerCase(), service.name] as const)));
  }

  /**
   * The same catalog with more PagerDuty service -> service mappings (config
   * `pagerduty.serviceMap`); they win over the file's `pagerdutyServices` for the same key.
   */
  withPagerDutyServices(map: Readonly<Record<string, string>>): ServiceCatalog {
    const entries = Object.entries(map);
    if (entries.length === 0) return this;
    return new ServiceCatalog(this.services, new Map(entries), this.teams);
  }

  /** The team's Slack channel from the catalog's `teams`, or null. */
  slackChannelOf(team: string): string | null {
    return this.teamsByName.get(team)?.slackChannel ?? null;
  }

  /** How alerts name services: entries' `match` label sets first, then the exporter conventions and `labels`. */
  naming(labels: readonly string[]): ServiceNaming {
    return { labels, matches: this.services.filter((service) => service.match.length > 0).map((service) => ({ service: service.name, matchers: service.match.map(parseMatcher) })) };
  }

  /**
   * How many services `name` is directly joined to: what it calls plus what calls it. Shared
   * infrastructure (a gateway, a queue, a shared cache) sits on many paths and has a high degree.
   */
  degree(name: string): number {
    return (this.byName.get(name)?.dependsOn.length ?? 0) + (this.dependents.get(name)?.length ?? 0);
  }

  /**
   * The shared infrastructure (`sharedInfrastructure: true` entries) that both `a` and `b` call
   * directly, sorted by name; empty for one service and itself.
   */
  sharedInfrastructureOf(a: string, b: string): string[] {
    if (a === b) return [];
    const theirs = new Set(this.byName.get(b)?.dependsOn ?? []);
    return (this.byName.get(a)?.dependsOn ?? []).filter((dependency) => theirs.has(dependency) && this.byName.get(dependency)?.sharedInfrastructure === true).sort();
  }

  /** True when some PagerDuty service pages for `service`. */
  isPaged(service: string): boolean {
    return this.paged.has(service);
  }

  static empty(): ServiceCatalog {
    return new ServiceCatalog([]);
  }

  /**
   * Validates entries and builds the catalog. Throws `CatalogError` listing every problem:
   * duplicate names, `dependsOn` names missing from the catalog, a PagerDuty service claimed twice.
   */
  static create(entries: readonly CatalogServiceInput[], teamEntries: readonly z.input<typeof catalogTeamSchema>[] = []): ServiceCatalog {
    const parsed = catalogDocumentSchema.safeParse({ services: entries, teams: teamEntries });
    if (!parsed.success) {
      throw new CatalogError(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
    }
    const services = parsed.data.services;
    const problems: string[] = [];
    const names = new Set<string>();
    for (const service of services) {
      if (names.has(service.name)) problems.push(`services.${service.name}: the name is listed twice`);
      names.add(service.name);
    }
    for (const service of services) {
      const unknown = service.dependsOn.filter((dependency) => !names.has(dependency));
      if (unknown.length > 0) problems.push(`services.${service.name}.dependsOn: unknown services ${unknown.map((name) => `"${name}"`).join(', ')} (add them to the catalog)`);
      if (service.dependsOn.includes(service.name)) problems.push(`services.${service.name}.dependsOn: a service cannot depend on itself`);
    }
    const catalogByPagerDuty = new Map<string, string>();
    for (const service of services) {
      for (const pagerDutyService of service.pagerdutyServices) {
        const other = catalogByPagerDuty.get(pagerDutyService);
        if (other && other !== service.name) problems.push(`services.${service.name}.pagerdutyServices: "${pagerDutyService}" is already mapped to "${other}"`);
        catalogByPagerDuty.set(pagerDutyService, service.name);
      }
    }
    const catalogByRepository = new Map<string, string>();
    for (const service of services) {
      for (const repository of service.repositories) {
        const other = catalogByRepository.get(repository.toLowerCase());
        if (other && other !== service.name) problems.push(`services.${service.name}.repositories: "${repository}" is already mapped to "${other}"`);
        catalogByRepository.set(repository.toLowerCase(), service.name);
      }
    }
    const teamNames = new Set<string>();
    for (const team of parsed.data.teams) {
      if (teamNames.has(team.name)) problems.push(`teams.${team.name}: the name is listed twice`);
      teamNames.add(team.name);
    }
    if (problems.length > 0) throw new CatalogError(problems);
    return new ServiceCatalog(services, new Map(), parsed.data.teams);
  }

  /** Parses a YAML/JSON document (`{ services: [...] }`) already turned into a value. */
  static fromDocument(doc: unknown): ServiceCatalog {
    if (doc === null || doc === undefined) return ServiceCatalog.empty();
    const parsed = catalogDocumentSchema.safeParse(doc);
    if (!parsed.success) {
      throw new CatalogError(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
    }
    return ServiceCatalog.create(parsed.data.services, parsed.data.teams);
  }

  get size(): number {
    return this.services.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): CatalogService | undefined {
    return this.byName.get(name);
  }

  /** The impact list's flag: null when the catalog does not know the service. */
  customerFacing(name: string): boolean | null {
    return this.byName.get(name)?.customerFacing ?? null;
  }

  /** The catalog service a PagerDuty service (by id, then by name) pages for, if mapped. */
  serviceForPagerDuty(serviceId: string | null, serviceName: string | null): string | null {
    return (serviceId ? this.byPagerDuty.get(serviceId) : undefined) ?? (serviceName ? this.byPagerDuty.get(serviceName) : undefined) ?? null;
  }

  /** The catalog service a source repository (`owner/name`, any case) holds the code of, if mapped. */
  serviceForRepository(repository: string): string | null {
    return this.byRepository.get(repository.toLowerCase()) ?? null;
  }

  /**
   * Services related to `name` through a chain of `dependsOn` of 1..`hops` edges, in one
   * direction: what it (transitively) calls, and what (transitively) calls it. Siblings (two
   * callers of one database) are not related: a shared dependency that does not alert is no
   * evidence that its callers fail for one reason. Shortest path wins; ties resolve by name,
   * so the answer is deterministic.
   */
  related(name: string, hops: number): ServicePath[] {
    const cacheKey = `${hops}\u0000${name}`;
    const cached = this.relatedCache.get(cacheKey);
    if (cached) return cached;
    const out = new Map<string, ServicePath>();
    if (this.byName.has(name)) {
      // Downstream: name -> ... -> x (name calls x).
      for (const [svc, chain] of bfs(name, hops, (service) => [...(this.byName.get(service)?.dependsOn ?? [])].sort())) {
        out.set(svc, { service: svc, path: chain, hops: chain.length - 1 });
      }
      // Upstream: x -> ... -> name (x calls name); written in call direction.
      for (const [svc, chain] of bfs(name, hops, (service) => this.dependents.get(service) ?? [])) {
        const path = [...chain].reverse();
        const prior = out.get(svc);
        if (!prior || path.length - 1 < prior.hops) out.set(svc, { service: svc, path, hops: path.length - 1 });
      }
    }
    const result = [...out.values()].sort((a, b) => a.hops - b.hops || a.service.localeCompare(b.service));
    this.relatedCache.set(cacheKey, result);
    return result;
  }
}

/** Breadth-first over `next`, up to `hops` edges; returns each reached node with its chain from `start`. */
function bfs(start: string, hops: number, next: (service: string) => readonly string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  let frontier = [start];
  for (let depth = 0; depth < hops && frontier.length > 0; depth++) {
    const nextFrontier: string[] = [];
    for (const service of frontier) {
      for (const neighbour of next(service)) {
        if (seen.has(neighbour)) continue;
        seen.set(neighbour, [...seen.get(service)!, neighbour]);
        nextFrontier.push(neighbour);
      }
    }
    frontier = nextFrontier;
  }
  seen.delete(start);
  return seen;
}

export const formatPath = (path: readonly string[]): string => path.join(' -> ');
