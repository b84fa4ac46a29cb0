/**
 * bench/ingest/RESULTS.md: the generated sections (the ingest rows, the storm, the processing
 * cost), each between markers so that a partial run (`BENCH_ONLY=storm`) replaces its own
 * section and keeps the others as their last run left them, followed by notes.md unchanged.
 * Pure: text in, text out.
 */

export const SECTION_ORDER = ['ingest', 'storm', 'cost'] as const;
export type SectionName = (typeof SECTION_ORDER)[number];

const TITLE = '# Ingest benchmark';
const begin = (name: string) => `<!-- generated: ${name} -->`;
const end = (name: string) => `<!-- end: ${name} -->`;

/**
 * The generated sections of an existing RESULTS.md. A file written before the markers existed
 * holds one generated part, the ingest rows, between the title and the notes.
 */
export function readSections(text: string, notes: string): Partial<Record<SectionName, string>> {
  const out: Partial<Record<SectionName, string>> = {};
  let marked = false;
  for (const name of SECTION_ORDER) {
    const from = text.indexOf(begin(name));
    const to = text.indexOf(end(name));
    if (from >= 0 && to > from) {
      out[name] = text.slice(from + begin(name).length, to).trim();
      marked = true;
    }
  }
  if (!marked && text.startsWith(TITLE)) {
    const notesStart = notes.trim().split('\n')[0] ?? '';
    const stop = notesStart ? text.indexOf(`\n${notesStart}`) : -1;
    const legacy = text.slice(TITLE.length, stop >= 0 ? stop : text.length).trim();
    if (legacy) out.ingest = legacy;
  }
  return out;
}

/** The whole file: title, the sections present in their fixed order, then the notes. */
export function composeResults(sections: Partial<Record<SectionName, string>>, notes: string): string {
  // Blank lines collapse to one, as Markdown reads them anyway.
  const parts = SECTION_ORDER.filter((name) => sections[name] !== undefined).map((name) => `${begin(name)}\n${sections[name]!.trim().replace(/\n{3,}/g, '\n\n')}\n${end(name)}`);
  return `${TITLE}\n\n${parts.join('\n\n')}\n\n${notes.trim()}\n`;
}
