/**
 * A change to a running system (a deploy, a config change, a feature flag flipped, an
 * infrastructure change), as a change source reported it. Changes are evidence for the
 * "What happened" section: they are linked to incidents on reading (`link-changes.ts`) and never
 * take part in correlation, so they cannot move alerts between incidents.
 */
export const CHANGE_KINDS = ['deploy', 'config', 'feature-flag', 'infrastructure', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * Where a change was learnt from; it sets how much weight the change carries as a suspect. A
 * release or a push to the default branch says code changed, not that it runs anywhere yet.
 * `pagerduty`: a PagerDuty change event PagerDuty related to a page, read by enrichment.
 */
export const CHANGE_ORIGINS = ['github-deployment', 'github-release', 'github-push', 'generic', 'pagerduty'] as const;
export type ChangeOrigin = (typeof CHANGE_ORIGINS)[number];

export interface Change {
  /**
   * Stable key of the change at its source (`github:deployment:<repo>:<id>`, `generic:<instance>:<id>`):
   * every report about the same change (a deployment and its statuses) updates one record.
   */
  id: string;
  /** The connector instance that received it. */
  instance: string;
  origin: ChangeOrigin;
  kind: ChangeKind;
  /** The service the sender named; null when it named none (then `repository` may map to one). */
  service: string | null;
  /** `owner/name` of the source repository, when known (mapped to a service through the catalog). */
  repository: string | null;
  /** Environment or cluster the change went to (`production`, `eu-west-1`), when said. */
  environment: string | null;
  /** Version, tag or commit deployed, when said. */
  version: string | null;
  /** One line saying what changed. */
  summary: string;
  author: string | null;
  /** Link to the change (deployment log, release page, commit, pipeline run). */
  url: string | null;
  /** When the change happened (source time, UTC ISO). */
  at: string;
  /** The latest known state (`success`, `failure`, `in_progress`...), null when the source gives none. */
  status: string | null;
  /** Source time of the report that set `status`; a later report wins, an older redelivery changes nothing. */
  statusAt: string;
}
