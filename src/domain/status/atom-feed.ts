import { escapeXml } from '../report/html-escape';
import { renderHumanMarkdown } from '../report/human-markdown-to-html';
import { byNewest, type AtomFeedOptions, type PublicStatusEntry } from './public-status';

/**
 * The status page as an Atom 1.0 feed (RFC 4287): one entry per published customer summary.
 * All text is XML-escaped; entry content is the sanitized HTML of the summary, escaped again
 * as `type="html"` requires. Pure.
 */
export function renderAtomFeed(entries: readonly PublicStatusEntry[], options: AtomFeedOptions): string {
  const sorted = [...entries].sort(byNewest);
  const feedId = options.feedId ?? options.selfUrl;
  const updated = sorted.map((entry) => entry.updatedAt).sort().at(-1) ?? options.generatedAt;
  const items = sorted.map((entry) => {
    const when = `${entry.startedAt} – ${entry.endedAt ?? 'ongoing'}`;
    const services = entry.services.length ? `Affected: ${entry.services.join(', ')}. ` : '';
    const html = `<p>${escapeXml(when)}</p>${entry.services.length ? `<p>${escapeXml(`Affected: ${entry.services.join(', ')}`)}</p>` : ''}${renderHumanMarkdown(entry.summary)}`;
    return `  <entry>
    <id>${escapeXml(entryId(feedId, entry.id))}</id>
    <title type="text">${escapeXml(entry.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${options.pageUrl}#incident-${entry.id.replace(/[^A-Za-z0-9_-]/g, '-')}`)}"/>
    <published>${escapeXml(entry.publishedAt)}</published>
    <updated>${escapeXml(entry.updatedAt)}</updated>
    <summary type="text">${escapeXml(`${services}${when}`)}</summary>
    <content type="html">${escapeXml(html)}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(feedId)}</id>
  <title type="text">${escapeXml(options.title)}</title>
  <updated>${escapeXml(updated)}</updated>
  <author><name>${escapeXml(options.title)}</name></author>
  <link rel="self" type="application/atom+xml" href="${escapeXml(options.selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(options.pageUrl)}"/>
${items.join('\n')}
</feed>
`;
}

/** Entry ids must never change (RFC 4287 4.2.6): derived from the report id and the feed's id only. */
const entryId = (feedId: string, id: string): string =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? `urn:uuid:${id.toLowerCase()}` : `${feedId}#${encodeURIComponent(id)}`;

/**
 * The feed's id when no public URL is configured. An id must be an absolute IRI that never
 * changes, and the request's `Host` header is the client's to choose, so it is never used:
 * this one depends on the configured title only.
 */
export const statusFeedUrn = (title: string): string => `urn:debrief:status-feed:${encodeURIComponent(title)}`;
