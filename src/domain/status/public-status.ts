/**
 * What the public sees of one published report: the customer summary and nothing internal.
 * Built only from fields meant for customers, so a renderer cannot leak internal sections,
 * alert labels or people's names even by mistake: it never receives them.
 */
export interface PublicStatusEntry {
  /** Stable id of the published report (used in feed ids and anchors). */
  id: string;
  title: string;
  /** Affected customer-facing services only. */
  services: string[];
  /** When customers were affected (UTC ISO); `endedAt` null while ongoing. */
  startedAt: string;
  endedAt: string | null;
  /** Customer summary, Markdown written for customers. */
  summary: string;
  /** First publication time of this report. */
  publishedAt: string;
  /** Latest published version's time (Atom `updated`). */
  updatedAt: string;
}

export interface StatusPageOptions {
  title: string;
  /** Absolute or root-relative URL of the Atom feed. */
  feedUrl: string;
  /** Rendering time (passed in: pure). */
  generatedAt: string;
  /** CSP nonce for the inline stylesheet, so the page needs no `style-src 'unsafe-inline'`. */
  styleNonce?: string;
}

export interface AtomFeedOptions {
  title: string;
  /** URL of the feed itself (rel="self"): absolute when a public URL is configured, else root-relative. */
  selfUrl: string;
  /** URL of the HTML status page (rel="alternate"), absolute or root-relative like `selfUrl`. */
  pageUrl: string;
  /** The feed's id, an absolute IRI; default `selfUrl` (which must then be absolute). */
  feedId?: string;
  /** Feed `updated` when there are no entries. */
  generatedAt: string;
}

/** Newest first; ties by id, so output is stable. */
export const byNewest = (a: PublicStatusEntry, b: PublicStatusEntry): number =>
  b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);

/** A title customers can read when the report gives none: names only customer-facing services. */
export function genericStatusTitle(services: readonly string[]): string {
  if (services.length === 0) return 'Service disruption';
  const shown = services.length <= 3 ? services.join(', ') : `${services.slice(0, 3).join(', ')} and ${services.length - 3} more`;
  return `Service disruption affecting ${shown}`;
}

/** The parts of a published report version this module reads (see `PublishedReportVersion`). */
export interface PublishedForPublic {
  incidentId: string;
  version: number;
  publishedAt: string;
  report: {
    customerSummary: { text: string | null };
    impact: ReadonlyArray<{ service: string; customerFacing: boolean | null }>;
    impactWindow: { startedAt: { at: string | null }; endedAt: { at: string | null } };
    summary: { startedAt: string; endedAt: string | null };
  };
}

/**
 * The public entry of a published report. Only customer-meant fields cross this line: the
 * customer summary, services the catalog marks customer-facing (unknown counts as internal),
 * and the impact window. The incident title is not used: it is built from alert names.
 */
export function publicStatusEntry(latest: PublishedForPublic, firstPublishedAt: string = latest.publishedAt): PublicStatusEntry {
  const report = latest.report;
  const services = [...new Set(report.impact.filter((item) => item.customerFacing === true).map((item) => item.service))].sort();
  return {
    id: latest.incidentId,
    title: genericStatusTitle(services),
    services,
    startedAt: report.impactWindow.startedAt.at ?? report.summary.startedAt,
    endedAt: report.impactWindow.endedAt.at ?? report.summary.endedAt,
    summary: report.customerSummary.text ?? '',
    publishedAt: firstPublishedAt,
    updatedAt: latest.publishedAt,
  };
}
