import { z } from 'zod';
import type { PublishedReportVersion } from '../../domain/report/report-model';
import { renderAtomFeed, statusFeedUrn } from '../../domain/status/atom-feed';
import { publicStatusEntry, type PublicStatusEntry } from '../../domain/status/public-status';
import { renderStatusPage } from '../../domain/status/status-page';
import type { Page } from '../../store/store';
import { defineRoute, type RouteDef } from '../route';

export interface StatusRouteDeps {
  /** Published report versions (the report store). */
  published: {
    listLatestPublished(query: { limit: number; cursor?: string | null }): Promise<Page<PublishedReportVersion>>;
    listPublishedVersions(incidentId: string): Promise<PublishedReportVersion[]>;
  };
  title: string;
  /** Configured public base URL; null: links are root-relative (never built from the request's `Host`, which the client chooses). */
  publicUrl: string | null;
  clock: () => Date;
}

/** How many published reports the page and the feed show. */
const ENTRIES = 50;

export function statusRoutes(deps: StatusRouteDeps): RouteDef[] {
  const entries = async (): Promise<PublicStatusEntry[]> => {
    const page = await deps.published.listLatestPublished({ limit: ENTRIES });
    return Promise.all(page.items.map(async (latest) => {
      const first = (await deps.published.listPublishedVersions(latest.incidentId))[0];
      return publicStatusEntry(latest, first?.publishedAt ?? latest.publishedAt);
    }));
  };
  const root = deps.publicUrl?.replace(/\/+$/, '') ?? '';
  const feedId = deps.publicUrl ? undefined : statusFeedUrn(deps.title);
  return [
    defineRoute({
      method: 'get', path: '/status', operationId: 'getStatusPage', tags: ['status'],
      summary: 'Public status page: published customer summaries only (no internal sections, labels or names); no token needed',
      access: { kind: 'public' },
      responses: { 200: { description: 'HTML', contentType: 'text/html', schema: z.string() } },
      handler: async ({ res }) => {
        // The app-wide strict CSP applies; the inline stylesheet carries this response's nonce.
        const html = renderStatusPage(await entries(), {
          title: deps.title, feedUrl: '/status/feed.atom', generatedAt: deps.clock().toISOString(), styleNonce: res.locals.cspNonce as string | undefined,
        });
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'public, max-age=60');
        res.type('text/html; charset=utf-8').send(html);
      },
    }),
    defineRoute({
      method: 'get', path: '/status/feed.atom', operationId: 'getStatusFeed', tags: ['status'],
      summary: 'Atom feed of the public status page (published customer summaries only); no token needed',
      access: { kind: 'public' },
      responses: { 200: { description: 'Atom 1.0', contentType: 'application/atom+xml', schema: z.string() } },
      handler: async ({ res }) => {
        const xml = renderAtomFeed(await entries(), { title: deps.title, selfUrl: `${root}/status/feed.atom`, pageUrl: `${root}/status`, feedId, generatedAt: deps.clock().toISOString() });
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cache-Control', 'public, max-age=60');
        res.type('application/atom+xml; charset=utf-8').send(xml);
      },
    }),
  ] as RouteDef[];
}
