import type { StoredReport } from '../report/report-model';
import { SECTION_IDS, SECTION_TITLES, type SectionId } from '../report/report-draft';

/**
 * The words of a search and the human text it looks through. Pure: the stores index the same
 * parts (`SEARCH_PARTS`), find incidents holding every word, and use `matchedParts` to say
 * what matched with a snippet, so the SQLite and MongoDB stores answer alike.
 */

/** Where a word was found: the incident's title, a report section, the customer summary, a timeline note, an action item. */
export const SEARCH_PARTS = ['title', 'section', 'customer-summary', 'timeline-note', 'action-item'] as const;
export type SearchPart = (typeof SEARCH_PARTS)[number];

/** One piece of searchable text of an incident. `ref`: the section id, timeline entry id or action item id; '' otherwise. */
export interface SearchText {
  part: SearchPart;
  ref: string;
  text: string;
}

export interface SearchMatch extends SearchText {
  /** For people: "Title", "What happened", "Action item", ... */
  label: string;
  /** Up to `SNIPPET_CHARS` characters of the text around the first word found (whitespace runs as one space), `…` where cut. */
  snippet: string;
  /** Where in `snippet` the words found are, as [start, end) character offsets. */
  highlights: Array<{ start: number; end: number }>;
}

/** More words than this in one search are not looked for (each is one indexed lookup). */
export const MAX_SEARCH_TERMS = 8;
export const SNIPPET_CHARS = 160;

/**
 * Words too common to search for: the English stop words MongoDB's text index leaves out (those
 * without an apostrophe; the words are split at apostrophes here). A search holding one would
 * find nothing there, so both stores drop the same ones instead.
 */
const STOP_WORDS = new Set(`a about above after again against all am an and any are as at be because been before being below between both
but by cannot could did do does doing down during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself me more most my myself no nor not of off on once only or other ought our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why with would you your yours yourself yourselves`.split(/\s+/));

/** The distinct words of a search, lower-cased, stop words left out, at most `MAX_SEARCH_TERMS`. */
export function searchTerms(query: string): string[] {
  const words = query.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((word) => !STOP_WORDS.has(word)))].slice(0, MAX_SEARCH_TERMS);
}

/** The human text of a stored report, as indexed: written sections, customer summary, timeline notes. */
export function reportSearchTexts(report: Pick<StoredReport, 'content'>): SearchText[] {
  const out: SearchText[] = [];
  for (const id of SECTION_IDS) {
    const text = report.content.sections[id]?.text;
    if (text?.trim()) out.push({ part: 'section', ref: id, text });
  }
  const customer = report.content.customerSummary?.text;
  if (customer?.trim()) out.push({ part: 'customer-summary', ref: '', text: customer });
  for (const entry of report.content.timelineEntries) if (entry.text.trim()) out.push({ part: 'timeline-note', ref: entry.id, text: entry.text });
  return out;
}

/**
 * The texts holding at least one of `terms`, each with a snippet. A word matches where a text's
 * word starts with its stem (the word without a common English ending), as the stores' stemming
 * indexes match "exhausted" for "exhaust" and "pools" for "pool".
 */
export function matchedParts(texts: readonly SearchText[], terms: readonly string[]): SearchMatch[] {
  const pattern = termPattern(terms);
  if (!pattern) return [];
  const out: SearchMatch[] = [];
  for (const text of texts) {
    const flat = text.text.replace(/\s+/g, ' ');
    pattern.lastIndex = 0;
    const first = pattern.exec(flat);
    if (!first) continue;
    out.push({ ...text, label: labelOf(text), ...snippetAround(flat, first.index, pattern) });
  }
  return out;
}

function termPattern(terms: readonly string[]): RegExp | null {
  const stems = [...new Set(terms.map(stemOf))].filter((stem) => stem.length > 0);
  if (stems.length === 0) return null;
  const escaped = stems.map((stem) => stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
}

/** A word without a common English ending, never shorter than three characters. */
export function stemOf(term: string): string {
  const word = term.toLowerCase();
  for (const ending of ['ing', 'ed', 'es', 's', 'ly']) {
    if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, -ending.length);
  }
  return word;
}

function snippetAround(flat: string, index: number, pattern: RegExp): Pick<SearchMatch, 'snippet' | 'highlights'> {
  const start = Math.max(0, index - 40);
  const snippet = `${start > 0 ? '…' : ''}${flat.slice(start, start + SNIPPET_CHARS)}${start + SNIPPET_CHARS < flat.length ? '…' : ''}`;
  pattern.lastIndex = 0;
  const highlights = [...snippet.matchAll(pattern)].map((found) => ({ start: found.index, end: found.index + found[0].length }));
  return { snippet, highlights };
}

function labelOf(text: SearchText): string {
  switch (text.part) {
    case 'title': return 'Title';
    case 'section': return SECTION_TITLES[text.ref as SectionId] ?? 'Report';
    case 'customer-summary': return 'Customer summary';
    case 'timeline-note': return 'Timeline note';
    case 'action-item': return 'Action item';
  }
}
