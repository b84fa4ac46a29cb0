import { composeReport } from '../../src/domain/report/compose-report';
import type { DraftSuspect, ReportDraft } from '../../src/domain/report/report-draft';
import { emptyContent, emptyStoredReport, type StoredReport } from '../../src/domain/report/report-model';
import { renderReportHtml } from '../../src/domain/report/report-to-html';
import { renderReportMarkdown } from '../../src/domain/report/report-to-markdown';
import { composeSuspects, setSuspectVerdict, SUSPECT_HINT_LIMIT, suspectHints } from '../../src/domain/report/suspect-verdicts';

const suspect = (n: number): DraftSuspect => ({ changeId: `c${n}`, text: `change ${n}`, url: n === 1 ? 'https://ci/1' : null, score: 1 - n / 10 });
const SUSPECTS = [1, 2, 3, 4, 5, 6, 7].map(suspect);
const NOW = '2026-03-02T10:00:00.000Z';

describe('verdicts on suspects', () => {
  it('when no verdict is given, then the first few suspects are hints, numbered, with their change ids', () => {
    const hints = suspectHints(SUSPECTS);
    expect(hints).toHaveLength(SUSPECT_HINT_LIMIT);
    expect(hints[0]).toEqual({ source: 'suspect 1: change', text: 'change 1', url: 'https://ci/1', changeId: 'c1' });
  });

  it('when a suspect is marked as the cause and another dismissed, then the cause leads, the dismissed one is gone and the rest move up', () => {
    let content = emptyContent();
    content = setSuspectVerdict(content, 'c3', 'cause', { actor: 'alice', now: NOW }).content;
    const dismissed = setSuspectVerdict(content, 'c1', 'dismissed', { actor: 'bob', now: NOW });
    expect(dismissed.changes).toEqual([{ path: 'suspects.c1', from: null, to: 'dismissed' }]);
    const draft = { suspects: SUSPECTS, sections: [{ id: 'what-happened', title: 'What happened', status: 'needs-human', text: null, hints: [...suspectHints(SUSPECTS), { source: 'first alert', text: 'A', url: null }] }] } as Pick<ReportDraft, 'suspects' | 'sections'>;
    const { suspects, sections } = composeSuspects(draft, dismissed.content.suspectVerdicts);
    expect(sections[0]!.hints.map((h) => [h.source, h.text])).toEqual([
      ['cause, marked by alice', 'change 3'],
      ['suspect 1: change', 'change 2'], ['suspect 2: change', 'change 4'], ['suspect 3: change', 'change 5'],
      ['suspect 4: change', 'change 6'], ['suspect 5: change', 'change 7'],
      ['first alert', 'A'],
    ]);
    expect(suspects.map((s) => [s.rank, s.changeId, s.verdict, s.by])).toEqual([
      [1, 'c1', 'dismissed', 'bob'], [2, 'c2', null, null], [3, 'c3', 'cause', 'alice'],
      [4, 'c4', null, null], [5, 'c5', null, null], [6, 'c6', null, null], [7, 'c7', null, null],
    ]);
  });

  it('when the same verdict is given again, then nothing changes; when null is given, then the verdict is taken back', () => {
    const marked = setSuspectVerdict(emptyContent(), 'c1', 'cause', { actor: 'alice', now: NOW }).content;
    expect(setSuspectVerdict(marked, 'c1', 'cause', { actor: 'bob', now: NOW })).toEqual({ content: marked, changes: [] });
    const back = setSuspectVerdict(marked, 'c1', null, { actor: 'bob', now: NOW });
    expect(back.changes).toEqual([{ path: 'suspects.c1', from: 'cause', to: null }]);
    expect(back.content.suspectVerdicts).toEqual([]);
  });

  it('when a stored record has no verdicts (written before they existed), then the suspects compose without any', () => {
    const { suspects } = composeSuspects({ suspects: [suspect(1)], sections: [] }, undefined);
    expect(suspects[0]).toMatchObject({ verdict: null, by: null, at: null });
  });

  it('when a cause is marked and the section is written by a person, then both exports still name the cause above the text', () => {
    const draft: ReportDraft = {
      incidentId: 'inc', generatedAt: NOW, impactStart: null, timeline: [], impact: [], suspects: [suspect(1), suspect(2)],
      summary: { title: 'Checkout errors', severity: 'critical', status: 'resolved', startedAt: NOW, endedAt: NOW, durationMs: 0, affectedServices: ['checkout'], customerFacing: null, alertCount: 1 },
      sections: [{ id: 'what-happened', title: 'What happened', status: 'needs-human', text: null, hints: suspectHints([suspect(1), suspect(2)]) }],
    };
    const content = { ...emptyContent(), sections: { 'what-happened': { text: 'The pool was too small.', by: 'alice', at: NOW } } };
    const stored: StoredReport = { ...emptyStoredReport('inc'), revision: 1, content: setSuspectVerdict(content, 'c1', 'cause', { actor: 'alice', now: NOW }).content };
    const postmortem = { required: true, reason: 'r', policy: { required: true, reason: 'r' }, requested: null, waived: null };
    const view = composeReport({ draft, stored, actionItems: [], postmortem, generatedAt: NOW });
    const markdown = renderReportMarkdown(view);
    expect(markdown).toContain(`**Cause** (marked by alice at ${NOW}): [change 1](https://ci/1)`);
    expect(markdown.indexOf('**Cause**')).toBeLessThan(markdown.indexOf('The pool was too small.'));
    const html = renderReportHtml({ report: view } as Parameters<typeof renderReportHtml>[0]);
    expect(html).toMatch(/<p class="cause"><strong>Cause<\/strong> \(marked by alice, <time[^>]*>[^<]*<\/time>\): <a href="https:\/\/ci\/1"[^>]*>change 1<\/a><\/p>/);
  });
});
