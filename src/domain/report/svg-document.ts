import { escapeXml, truncate } from './html-escape';

/**
 * What the report's SVG pictures (timeline, metric charts) share: fixed number formatting and
 * the accessible document around them. Deterministic: the same input gives the same bytes.
 */

/** Coordinates with one decimal at most: output stays byte-identical across runs. */
export const svgNumber = (value: number): string => (Math.round(value * 10) / 10).toFixed(1).replace(/\.0$/, '');

export interface SvgDocument {
  width: number;
  height: number;
  /** `<title>` and the bold heading drawn at the top left (truncated to `heading.maxChars`). */
  title: string;
  /** One sentence for screen readers: `aria-label` and `<desc>`. */
  label: string;
  heading: { y: number; fontSize: number; maxChars: number };
}

/**
 * A standalone, accessible SVG (`role="img"`, `<title>`, `<desc>`, aria-label) on a white
 * background, with `body` drawn over it. Every text passed in is XML-escaped here.
 */
export function renderSvgDocument(doc: SvgDocument, body: readonly string[]): string {
  const { width, heading } = doc;
  const height = svgNumber(doc.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(doc.label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title>${escapeXml(doc.title)}</title>`,
    `<desc>${escapeXml(doc.label)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="${heading.y}" font-size="${heading.fontSize}" font-weight="bold" fill="#1f2933">${escapeXml(truncate(doc.title, heading.maxChars))}</text>`,
    ...body,
    '</svg>',
  ].join('\n') + '\n';
}
