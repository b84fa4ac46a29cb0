import type { TrackerIssueDraft } from '../../../domain/trackers/tracker';

/**
 * An action item's issue description, in the form each Jira speaks: Atlassian Document Format
 * for Cloud's REST v3 (which refuses plain strings in `description`), wiki text for Data
 * Center's REST v2. The draft's body is Markdown; Jira renders neither Markdown form, so its
 * paragraphs and line breaks are kept and the rest is shown as written. The post-mortem link
 * always ends the description as a real link, whatever the body says.
 */

export interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
}

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

const paragraphsOf = (markdown: string): string[] =>
  markdown.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((part) => part.trim()).filter((part) => part !== '');

/** One paragraph's lines as text nodes joined by hard breaks (ADF text nodes cannot hold "\n"). */
function adfParagraph(text: string): AdfNode {
  const content: AdfNode[] = [];
  text.split('\n').forEach((line, index) => {
    if (index > 0) content.push({ type: 'hardBreak' });
    if (line !== '') content.push({ type: 'text', text: line });
  });
  return { type: 'paragraph', content };
}

export function adfDescription(draft: Pick<TrackerIssueDraft, 'body' | 'postmortemUrl'>): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: [
      ...paragraphsOf(draft.body).map(adfParagraph),
      {
        type: 'paragraph',
        content: [
          { type: 'text', text: 'Post-mortem: ' },
          { type: 'text', text: draft.postmortemUrl, marks: [{ type: 'link', attrs: { href: draft.postmortemUrl } }] },
        ],
      },
    ],
  };
}

/** Wiki text for Data Center: `[label|url]` is wiki markup's link. */
export function wikiDescription(draft: Pick<TrackerIssueDraft, 'body' | 'postmortemUrl'>): string {
  return [...paragraphsOf(draft.body), `Post-mortem: [${draft.postmortemUrl}|${draft.postmortemUrl}]`].join('\n\n');
}
