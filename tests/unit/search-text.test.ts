import { matchedParts, reportSearchTexts, searchTerms, stemOf } from '../../src/domain/search/search-text';
import { emptyStoredReport } from '../../src/domain/report/report-model';

describe('search words and what matched', () => {
  it('takes the distinct words of a search, lower-cased, without stop words or punctuation', () => {
    expect(searchTerms('The DB pool, the "pool" -- exhausted!')).toEqual(['db', 'pool', 'exhausted']);
    expect(searchTerms('  ')).toEqual([]);
    expect(searchTerms('a b c d e f g h i j k').length).toBe(8);
  });

  it('strips common endings for matching, never below three characters', () => {
    expect(stemOf('exhausted')).toBe('exhaust');
    expect(stemOf('pools')).toBe('pool');
    expect(stemOf('bus')).toBe('bus');
  });

  it('names each text holding a word, with a snippet marking the words', () => {
    const matches = matchedParts([
      { part: 'title', ref: '', text: 'Checkout is failing' },
      { part: 'section', ref: 'what-happened', text: 'The connection pool was\n\nexhausted by retries.' },
      { part: 'action-item', ref: 'ai-1', text: 'Alert on pool usage' },
    ], ['exhaust', 'pools']);
    expect(matches).toEqual([
      { part: 'section', ref: 'what-happened', text: 'The connection pool was\n\nexhausted by retries.', label: 'What happened', snippet: 'The connection pool was exhausted by retries.', highlights: [{ start: 15, end: 19 }, { start: 24, end: 33 }] },
      { part: 'action-item', ref: 'ai-1', text: 'Alert on pool usage', label: 'Action item', snippet: 'Alert on pool usage', highlights: [{ start: 9, end: 13 }] },
    ]);
  });

  it('cuts long texts around the first word found', () => {
    const text = `${'x'.repeat(100)} needle ${'y'.repeat(300)}`;
    const [match] = matchedParts([{ part: 'timeline-note', ref: 'n', text }], ['needle']);
    expect(match!.snippet.startsWith('…')).toBe(true);
    expect(match!.snippet.endsWith('…')).toBe(true);
    const [highlight] = match!.highlights;
    expect(match!.snippet.slice(highlight!.start, highlight!.end)).toBe('needle');
  });

  it('reads the written sections, customer summary and timeline notes of a report', () => {
    const report = emptyStoredReport('i');
    report.content.sections = { fix: { text: 'Restarted', by: 'a', at: 't' }, summary: { text: '  ', by: 'a', at: 't' } };
    report.content.customerSummary = { text: 'Payments failed', by: 'a', at: 't' };
    report.content.timelineEntries = [{ id: 'n1', at: 't', text: 'Paged', createdBy: 'a', createdAt: 't', updatedBy: 'a', updatedAt: 't' }];
    expect(reportSearchTexts(report)).toEqual([
      { part: 'section', ref: 'fix', text: 'Restarted' },
      { part: 'customer-summary', ref: '', text: 'Payments failed' },
      { part: 'timeline-note', ref: 'n1', text: 'Paged' },
    ]);
  });
});
