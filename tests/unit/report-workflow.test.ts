import { buildReport } from '../../src/domain/incident-report';
import { composeReport } from '../../src/domain/report/compose-report';
import { emptyStoredReport, reportEtag, type ActionItem, type ReportContent, type ReportView } from '../../src/domain/report/report-model';
import { publishProblems, reviewProblems, startNextVersion, transitionProblem } from '../../src/domain/report/report-workflow';
import { etagMatches } from '../../src/services/report-service';
import { alert, incidentDetail, SERVICE_LABELS } from '../support/report-fixtures';

const NOW = '2026-03-01T12:00:00.000Z';
const text = (t: string) => ({ text: t, by: 'alice', at: NOW });

function view(content: Partial<ReportContent>, actionItems: ActionItem[] = []): ReportView {
  const detail = incidentDetail([alert({ labels: { alertname: 'X', service: 'api' }, startsAt: '2026-03-01T10:00:00.000Z' })]);
  const base = emptyStoredReport(detail.incident.id);
  return composeReport({
    draft: buildReport(detail, { serviceLabels: SERVICE_LABELS }, NOW),
    stored: { ...base, content: { ...base.content, ...content } },
    actionItems,
    postmortem: { required: true, reason: 't', policy: { required: true, reason: 't' }, requested: null, waived: null },
    generatedAt: NOW,
  });
}

describe('transitionProblem', () => {
  it('when moving along draft -> in_review -> published, or back to draft, then it is allowed', () => {
    expect(transitionProblem('draft', 'in_review')).toBeNull();
    expect(transitionProblem('in_review', 'published')).toBeNull();
    expect(transitionProblem('in_review', 'draft')).toBeNull();
    expect(transitionProblem('published', 'draft')).toBeNull();
  });

  it('when skipping review, repeating a status or leaving published other than to draft, then it says why', () => {
    expect(transitionProblem('draft', 'published')).toMatch(/in_review first/);
    expect(transitionProblem('draft', 'draft')).toBe('the report is already draft');
    expect(transitionProblem('published', 'in_review')).toMatch(/cannot move/);
  });
});

describe('publishProblems', () => {
  it('when nothing is written, then cause, fix, prevention and customer summary are each listed by field path', () => {
    expect(publishProblems(view({})).map((p) => p.path)).toEqual(['sections.what-happened', 'sections.fix', 'sections.prevention', 'customerSummary']);
  });

  it('when only some parts are missing, then exactly those are listed', () => {
    expect(publishProblems(view({ sections: { 'what-happened': text('Bad config') }, customerSummary: text('Slow') })).map((p) => p.path))
      .toEqual(['sections.fix', 'sections.prevention']);
  });

  it('when prevention has an action item or a "none needed" reason, then prevention is satisfied (free text alone is not)', () => {
    const done = { sections: { 'what-happened': text('c'), fix: text('f') }, customerSummary: text('s') };
    const item: ActionItem = {
      id: 'ai-1', incidentId: 'inc-1', title: 'Canary', owner: null, dueDate: null, status: 'open', trackerUrl: null, createdAt: NOW, createdBy: 'a', updatedAt: NOW, updatedBy: 'a',
    };
    expect(publishProblems(view(done, [item]))).toEqual([]);
    expect(publishProblems(view({ ...done, preventionNoneNeeded: text('one-off hardware fault') }))).toEqual([]);
    expect(publishProblems(view({ ...done, sections: { ...done.sections, prevention: text('we will think about it') } })).map((p) => p.path)).toEqual(['sections.prevention']);
  });

  it('when a text is only whitespace, then it counts as missing', () => {
    expect(publishProblems(view({ customerSummary: text('   ') })).map((p) => p.path)).toContain('customerSummary');
  });
});

describe('reviewProblems', () => {
  it('when nothing is written, then the cause and the fix are listed by field path (prevention and customer summary wait for publishing)', () => {
    expect(reviewProblems(view({})).map((p) => p.path)).toEqual(['sections.what-happened', 'sections.fix']);
  });

  it('when the cause and the fix are written, then the draft can be submitted even without prevention or customer summary', () => {
    expect(reviewProblems(view({ sections: { 'what-happened': text('Bad config'), fix: text('Rolled back') } }))).toEqual([]);
    expect(reviewProblems(view({ sections: { 'what-happened': text('Bad config'), fix: text('  ') } })).map((p) => p.path)).toEqual(['sections.fix']);
  });
});

describe('versions and ETags', () => {
  it('when a published version is continued, then the next is version + 1 in draft with the same human parts', () => {
    const published = { ...emptyStoredReport('inc-1'), status: 'published' as const, revision: 4, publishedAt: NOW, publishedBy: 'pat', content: { ...emptyStoredReport('inc-1').content, customerSummary: text('s') } };
    const next = startNextVersion(published);
    expect(next).toMatchObject({ version: 2, status: 'draft', revision: 4, publishedAt: null, publishedBy: null });
    expect(next.content).toBe(published.content);
    expect(reportEtag(next)).toBe('"v2.r4"');
  });

  it('when If-Match is compared, then strong tags (quoted or not), lists and * match, weak tags do not', () => {
    expect(etagMatches('"v1.r3"', '"v1.r3"')).toBe(true);
    expect(etagMatches('v1.r3', '"v1.r3"')).toBe(true);
    expect(etagMatches('"v1.r2", "v1.r3"', '"v1.r3"')).toBe(true);
    expect(etagMatches('*', '"v1.r3"')).toBe(true);
    expect(etagMatches('W/"v1.r3"', '"v1.r3"')).toBe(false);
    expect(etagMatches('"v1.r2"', '"v1.r3"')).toBe(false);
  });
});
