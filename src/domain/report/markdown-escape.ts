/**
 * Escaping for text that came from alerts or people, placed into Markdown.
 * Labels and annotations can contain HTML, Markdown and control characters; in a rendered
 * report they must read as plain text.
 */
export function escapeMarkdownText(text: string): string {
  // Entities first (so the backslashes added next are not re-escaped), then the characters
  // that start emphasis, code, links or table cells anywhere in a line. Line-start markers
  // (#, -, +, 1.) cannot occur: escaped text never starts a line in our renderers.
  return stripControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`)
    .replace(/\r?\n/g, ' ');
}

/** For text inside a Markdown table cell: also keeps the row on one line. */
export const escapeMarkdownCell = (text: string): string => escapeMarkdownText(text);

/** Control characters other than tab/newline are dropped: they render unpredictably. */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** A link only when the URL is http(s); anything else is shown as escaped text. */
export function markdownLink(label: string, url: string | null): string {
  if (url && /^https?:\/\//i.test(url)) {
    // encodeURIComponent leaves ( and ) alone, and an unbalanced ")" would end the link early,
    // letting the rest of the URL (`)[x](javascript:...`) start a link of its own.
    const safeUrl = url.replace(/[()<>\s]/g, (char) => (char === '(' ? '%28' : char === ')' ? '%29' : encodeURIComponent(char)));
    return `[${escapeMarkdownText(label)}](${safeUrl})`;
  }
  return escapeMarkdownText(label);
}
