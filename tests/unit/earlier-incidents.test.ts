import { findEarlierIncidents, type EarlierCandidate } from '../../src/domain/history/earlier-incidents';
import { withHistoryHints } from '../../src/domain/history/history-hints';
import type { ReportDraft } from '../../src/domain/report/report-draft';

const current = { id: 'now', title: 'CheckoutErrors on checkout', startedAt: '2026-03-10T10:00:00.000Z', services: ['checkout'], alertNames: ['CheckoutErrors', 'HighLatency'] };
const candidate = (id: string, over: Partial<EarlierCandidate> = {}): EarlierCandidate => ({
  id, title: `incident ${id}`, startedAt: '2026-03-01T10:00:00.000Z', services: ['checkout'], alertNames: ['CheckoutErrors'],
  cause: null, prevention: null, publishedAt: null, actionItems: [], ...over,
});
const item = (title: string, status: 'open' | 'in_progress' | 'done' | 'wont_do', dueDate: string | null) => ({ id: title, title, status, dueDate, trackerUrl: `https://t/${title}`, owner: 'alice' });

describe('findEarlierIncidents', () => {
  it('when earlier incidents share alert names and services, then they are named most similar first with why, their cause and unfinished items', () => {
    const found = findEarlierIncidents(current, [
      candidate('partial', { startedAt: '2026-03-05T10:00:00.000Z' }),
      candidate('same', { alertNames: ['CheckoutErrors', 'HighLatency'], cause: 'Pool size set to 1.\n\nMore detail.', actionItems: [item('Lint pool size', 'open', '2026-03-05'), item('Done already', 'done', null), item('Later', 'in_progress', '2026-12-01')] }),
    ], '2026-03-10');
    expect(found.map((f) => [f.incidentId, f.sharedAlertNames, f.sharedServices])).toEqual([
      ['same', ['CheckoutErrors', 'HighLatency'], ['checkout']],
      ['partial', ['CheckoutErrors'], ['checkout']],
    ]);
    expect(found[0]!.reason).toBe('"incident same" on 2026-03-01 also had CheckoutErrors, HighLatency on checkout');
    expect(found[0]!.unfinishedActionItems.map((i) => [i.title, i.overdue])).toEqual([['Lint pool size', true], ['Later', false]]);
  });

  it('when incidents share only a service or only an alert name, started later, or are this one, then they are not named', () => {
    expect(findEarlierIncidents(current, [
      candidate('other-alert', { alertNames: ['DiskFull'] }),
      candidate('other-service', { services: ['search'] }),
      candidate('later', { startedAt: '2026-03-11T00:00:00.000Z' }),
      candidate('now'),
    ], '2026-03-10')).toEqual([]);
  });
});

describe('withHistoryHints', () => {
  const section = (id: string) => ({ id, title: id, status: 'needs-human', text: null, hints: [{ source: 'alerts', text: 'x', url: null }] });
  const draft = { incidentId: 'now', generatedAt: 'g', summary: {}, timeline: [], impact: [], sections: [section('what-happened'), section('fix'), section('prevention')] } as unknown as ReportDraft;

  it('when an earlier incident left an overdue promise, then "What happened" names it with its cause and "prevention" calls out the promise first', () => {
    const found = findEarlierIncidents(current, [candidate('same', { cause: 'Pool size set to 1.\n\nMore.', actionItems: [item('Later', 'open', null), item('Lint pool size', 'open', '2026-03-05')] })], '2026-03-10');
    const hinted = withHistoryHints(draft, found);
    expect(hinted.sections[0]!.hints.at(-1)).toEqual({
      source: 'this happened before', text: '"incident same" on 2026-03-01 also had CheckoutErrors on checkout. Its published cause: Pool size set to 1.', url: null,
    });
    expect(hinted.sections[2]!.hints.map((h) => [h.source, h.text, h.url])).toEqual([
      ['overdue promise from an earlier post-mortem', '"Lint pool size" (open, due 2026-03-05, alice) from the post-mortem of "incident same" did not stop this one.', 'https://t/Lint pool size'],
      ['unfinished promise from an earlier post-mortem', '"Later" (open, alice) from the post-mortem of "incident same" did not stop this one.', 'https://t/Later'],
      ['alerts', 'x', null],
    ]);
    expect(hinted.sections[1]).toEqual(draft.sections[1]);
    expect(withHistoryHints(draft, [])).toBe(draft);
  });
});
