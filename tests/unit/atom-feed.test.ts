import { renderAtomFeed, statusFeedUrn } from '../../src/domain/status/atom-feed';
import { publicStatusEntry, type PublicStatusEntry } from '../../src/domain/status/public-status';
import { renderStatusPage } from '../../src/domain/status/status-page';
import { alert, h, HOSTILE, HOSTILE_TEXT, incidentDetail, reportView } from '../support/report-fixtures';
import { activeContent, textContent, xmlProblems } from '../support/xml-wellformed';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const FEED = { title: 'Example status', selfUrl: 'https://status.example.com/status/feed.atom', pageUrl: 'https://status.example.com/status', generatedAt: T(500) };

const entry = (over: Partial<PublicStatusEntry> = {}): PublicStatusEntry => ({
  id: '3f2c1a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', title: 'Service disruption affecting checkout', services: ['checkout'],
  startedAt: T(0), endedAt: T(45), summary: 'Checkout was **slow** for 45 minutes.', publishedAt: T(120), updatedAt: T(180), ...over,
});

/** A published report whose internal parts are full of secrets and hostile text. */
function publishedWithInternals() {
  const detail = incidentDetail([
    alert({ labels: { alertname: 'InternalDbFailoverSecret', service: 'checkout', pod: 'db-0-secret-pod', severity: 'critical' }, annotations: { summary: 'secret annotation' }, startsAt: T(0), endsAt: T(45) }),
    alert({ labels: { alertname: 'InternalQueueAlert', service: 'internal-queue' }, startsAt: T(1), endsAt: T(30) }),
  ]);
  const report = reportView(detail, {
    status: 'published',
    customerFacing: (s) => (s === 'checkout' ? true : s === 'internal-queue' ? false : null),
    content: {
      sections: { 'what-happened': h.text('Secret root cause written by alice'), fix: h.text('Secret fix') },
      customerSummary: h.text(`Checkout was slow. ${HOSTILE_TEXT}`),
      impactStartedAt: h.time(T(-5)),
    },
  });
  return { incidentId: 'inc-1', version: 2, publishedAt: T(180), publishedBy: 'alice', etag: '"v2.r9"', report };
}

describe('publicStatusEntry', () => {
  it('when a report is published, then only the customer summary, customer-facing services and impact window cross into the public entry', () => {
    const e = publicStatusEntry(publishedWithInternals(), T(120));
    expect(e).toEqual({
      id: 'inc-1', title: 'Service disruption affecting checkout', services: ['checkout'], startedAt: T(-5), endedAt: T(45),
      summary: `Checkout was slow. ${HOSTILE_TEXT}`, publishedAt: T(120), updatedAt: T(180),
    });
    const serialized = JSON.stringify(e);
    for (const secret of ['InternalDbFailoverSecret', 'db-0-secret-pod', 'secret annotation', 'Secret root cause', 'Secret fix', 'alice', 'internal-queue']) {
      expect(serialized).not.toContain(secret);
    }
  });
});

describe('renderAtomFeed', () => {
  it('when entries are rendered, then the feed is well-formed Atom with stable ids, newest first', () => {
    const xml = renderAtomFeed([entry(), entry({ id: 'older', startedAt: T(-600), endedAt: T(-500), updatedAt: T(-400), publishedAt: T(-400) })], FEED);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    expect(xml).toContain(`<updated>${T(180)}</updated>`);
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="https://status.example.com/status/feed.atom"/>');
    const ids = [...xml.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(ids).toEqual(['urn:uuid:3f2c1a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', 'https://status.example.com/status/feed.atom#older']);
    expect(xml).toContain(`<published>${T(120)}</published>`);
  });

  it('when titles, services and summaries hold markup, Markdown links and control characters, then the feed stays well-formed and its HTML content is inert', () => {
    const xml = renderAtomFeed([entry({ title: HOSTILE_TEXT, services: [HOSTILE.attrBreak], summary: HOSTILE_TEXT })], { ...FEED, title: HOSTILE.script });
    expect(xmlProblems(xml)).toEqual([]);
    expect(activeContent(xml)).toEqual([]);
    // The escaped `content type="html"` is what a feed reader renders: it must be inert too.
    const content = /<content type="html">([\s\S]*?)<\/content>/.exec(xml)![1]!;
    const html = content.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    expect(activeContent(html)).toEqual([]);
    expect(textContent(html)).toContain('<script>alert("x")</script>');
  });

  it('when there are no entries, then the feed is valid and updated at generation time', () => {
    const xml = renderAtomFeed([], FEED);
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain(`<updated>${FEED.generatedAt}</updated>`);
    expect(xml).not.toContain('<entry>');
  });

  it('when no public URL is known, then links are root-relative and the feed and entry ids are absolute IRIs that name no host', () => {
    const xml = renderAtomFeed([entry(), entry({ id: 'older', startedAt: T(-600) })], {
      ...FEED, selfUrl: '/status/feed.atom', pageUrl: '/status', feedId: statusFeedUrn('Example status'),
    });
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<id>urn:debrief:status-feed:Example%20status</id>');
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="/status/feed.atom"/>');
    expect(xml).toContain('<link rel="alternate" type="text/html" href="/status#incident-older"/>');
    const ids = [...xml.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(ids).toEqual(['urn:uuid:3f2c1a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', 'urn:debrief:status-feed:Example%20status#older']);
    expect(xml).not.toMatch(/href="https?:/);
  });
});

describe('renderStatusPage', () => {
  it('when an incident is ongoing, then the banner says so and the entry shows start, "ongoing", services and the rendered summary', () => {
    const html = renderStatusPage([entry({ endedAt: null })], { title: 'Example status', feedUrl: '/status/feed.atom', generatedAt: T(500) });
    expect(html).toContain('One incident is ongoing.');
    expect(html).toContain('<strong>ongoing</strong>');
    expect(html).toContain('<span class="service">checkout</span>');
    expect(html).toContain('<p>Checkout was <strong>slow</strong> for 45 minutes.</p>');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
  });

  it('when public text holds markup and control characters, then the page has no active content', () => {
    const html = renderStatusPage([entry({ title: HOSTILE_TEXT, services: [HOSTILE.attrBreak], summary: HOSTILE_TEXT })], { title: HOSTILE.script, feedUrl: '/status/feed.atom', generatedAt: T(500) });
    expect(activeContent(html)).toEqual([]);
    expect(html).not.toMatch(/<script|[\u0000\u0007\u001b\u202e]/);
    expect(textContent(html)).toContain('[click me](javascript:alert(1))');
  });

  it('when nothing was published, then the page says no incidents were reported', () => {
    const html = renderStatusPage([], { title: 'Example status', feedUrl: '/status/feed.atom', generatedAt: T(500) });
    expect(html).toContain('No ongoing incidents.');
    expect(html).toContain('No incidents have been reported.');
  });
});
