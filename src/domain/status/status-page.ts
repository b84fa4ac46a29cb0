import { escapeHtml } from '../report/html-escape';
import { renderHumanMarkdown } from '../report/human-markdown-to-html';
import { byNewest, type PublicStatusEntry, type StatusPageOptions } from './public-status';

/**
 * The public status page: published customer summaries, newest first. Standalone HTML (inline
 * CSS, no scripts, no external assets); customer summaries are Markdown rendered through the
 * sanitizer, everything else escaped. Pure.
 */
export function renderStatusPage(entries: readonly PublicStatusEntry[], options: StatusPageOptions): string {
  const sorted = [...entries].sort(byNewest);
  const ongoing = sorted.filter((entry) => entry.endedAt === null);
  const banner = ongoing.length
    ? `<p class="banner ongoing">${ongoing.length === 1 ? 'One incident is' : `${ongoing.length} incidents are`} ongoing.</p>`
    : '<p class="banner ok">No ongoing incidents.</p>';
  const items = sorted.map((entry) => `
<article class="incident" id="incident-${escapeHtml(anchor(entry.id))}">
  <h2>${escapeHtml(entry.title)}</h2>
  <p class="when"><time datetime="${escapeHtml(entry.startedAt)}">${escapeHtml(readable(entry.startedAt))}</time> – ${entry.endedAt ? `<time datetime="${escapeHtml(entry.endedAt)}">${escapeHtml(readable(entry.endedAt))}</time>` : '<strong>ongoing</strong>'}</p>
  ${entry.services.length ? `<p class="services">Affected: ${entry.services.map((service) => `<span class="service">${escapeHtml(service)}</span>`).join(' ')}</p>` : ''}
  <div class="summary">${renderHumanMarkdown(entry.summary)}</div>
  <p class="published">Published <time datetime="${escapeHtml(entry.publishedAt)}">${escapeHtml(readable(entry.publishedAt))}</time>${entry.updatedAt !== entry.publishedAt ? `, updated <time datetime="${escapeHtml(entry.updatedAt)}">${escapeHtml(readable(entry.updatedAt))}</time>` : ''}</p>
</article>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(options.title)}" href="${escapeHtml(options.feedUrl)}">
<style${options.styleNonce ? ` nonce="${escapeHtml(options.styleNonce)}"` : ''}>${STATUS_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1>${banner}<p class="feed"><a href="${escapeHtml(options.feedUrl)}">Subscribe (Atom feed)</a></p></header>
<main>
${items || '<p class="empty">No incidents have been reported.</p>'}
</main>
<footer>Page generated <time datetime="${escapeHtml(options.generatedAt)}">${escapeHtml(readable(options.generatedAt))}</time>. Times are UTC.</footer>
</body>
</html>
`;
}

const anchor = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '-');
const readable = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const STATUS_CSS = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;max-width:52rem;margin:0 auto;padding:1rem 1.25rem;background:#fff}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:0 0 .25rem}
.banner{padding:.6rem .9rem;border-radius:6px;font-weight:600}.banner.ok{background:#e8f5e9;color:#1b5e20}.banner.ongoing{background:#fdecea;color:#8a1c1c}
.incident{border-top:1px solid #d9dee3;padding:1rem 0}.when,.published{color:#52606d;font-size:.9rem;margin:.2rem 0}
.service{display:inline-block;background:#eef2f6;border-radius:4px;padding:0 .4rem;margin-right:.25rem;font-size:.9rem}
.summary p{margin:.5rem 0}.feed{font-size:.9rem}a{color:#1565c0}footer{color:#52606d;font-size:.8rem;border-top:1px solid #d9dee3;margin-top:1rem;padding-top:.5rem}
@media print{.feed{display:none}a{color:inherit}}
`.trim();
