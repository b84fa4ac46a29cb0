import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { stripControl } from './markdown-escape';

/**
 * Human-written Markdown (report sections, customer summaries) rendered to HTML that is safe
 * to inline: markdown-it with raw HTML disabled (so `<script>` stays text), then sanitize-html
 * as a second wall with an allowlist of tags and http(s)/mailto links only. Images become
 * links: a standalone export and the public status page load no external assets.
 */
export function renderHumanMarkdown(text: string): string {
  const html = parser().render(stripControl(text));
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

let markdownIt: MarkdownIt.MarkdownIt | null = null;
// The parser is stateless once configured; built on first use, not at import time.
const parser = (): MarkdownIt.MarkdownIt => (markdownIt ??= new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false }));

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 's', 'del',
    'code', 'pre', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], th: ['style'], td: ['style'] },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
    img: (_tagName, attribs) => ({ tagName: 'a', attribs: { href: attribs.src ?? '', rel: 'noopener noreferrer nofollow' }, text: attribs.alt || attribs.src || 'image' }),
  },
};
