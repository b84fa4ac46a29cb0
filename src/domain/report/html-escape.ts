import { stripControl } from './markdown-escape';

/**
 * Escaping for text from alerts or people placed into HTML, SVG or XML (Atom).
 * Labels, annotations and human text can hold markup and control characters; escaped, they
 * read as plain text. Quotes are escaped too, so the same function is safe inside attributes.
 */
export function escapeHtml(text: string): string {
  return toXmlChars(stripControl(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** XML 1.0 has no escape for some characters: they are dropped so the document stays well-formed. */
export const escapeXml = escapeHtml;

/** Removes lone surrogates and U+FFFE/U+FFFF, which XML 1.0 forbids (and `stripControl` leaves). */
function toXmlChars(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g, '');
}

/** An href only for http(s) URLs; anything else (javascript:, data:) yields null. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = stripControl(url).trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    return new URL(trimmed).toString();
  } catch {
    return null;
  }
}

/** Shortens text for a fixed-width label (SVG has no text overflow); counts code points. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
