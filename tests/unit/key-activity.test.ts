import type { CorrelationDecision } from '../../src/domain/alert';
import { incidentKeyActivity, type KeyHoldingPage } from '../../src/domain/correlation/key-activity';
import type { PageRef } from '../../src/domain/paging-event';

const page = (id: string, status: string | null): PageRef => ({
  id, number: null, title: null, url: null, status, urgency: null, priority: null, serviceId: null, serviceName: null, incidentKey: null,
});
const pageEvent = (kind: string, occurredAt: string, status: string | null, keys: string[]): KeyHoldingPage => ({ kind, occurredAt, page: page('P1', status), keys });
const decided = (depth: number): CorrelationDecision => ({
  kind: 'rule', rule: 'r', matched: {}, gapMs: 0, explanation: '', decidedBy: 'debrief', decidedAt: '2026-03-02T10:00:00.000Z',
  evidence: { strength: 'moderate', score: 0.5, depth, via: null },
});

describe('incidentKeyActivity', () => {
  it('when a firing and a resolved alert hold one key, then it spans their onsets (not their ends), counts one firing and keeps the smaller depth', () => {
    const activity = incidentKeyActivity([
      { alert: { status: 'resolved', startsAt: '2026-03-02T10:00:00.000Z', decision: decided(1) }, keys: ['k'] },
      { alert: { status: 'firing', startsAt: '2026-03-02T10:05:00.000Z', decision: decided(0) }, keys: ['k', 'only-firing'] },
    ], []);
    expect(activity).toEqual([
      { key: 'k', firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:05:00.000Z', activeUntil: '2026-03-02T10:05:00.000Z', firing: 1, holders: 2, depth: 0 },
      { key: 'only-firing', firstAt: '2026-03-02T10:05:00.000Z', lastAt: '2026-03-02T10:05:00.000Z', activeUntil: '2026-03-02T10:05:00.000Z', firing: 1, holders: 1, depth: 0 },
    ]);
  });

  it('when an alert has fired for days, then its key still anchors only around its onset: nothing about it grows with time', () => {
    const [k] = incidentKeyActivity([{ alert: { status: 'firing', startsAt: '2026-03-02T10:00:00.000Z', decision: decided(2) }, keys: ['k'] }], []);
    expect(k).toMatchObject({ firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:00:00.000Z', activeUntil: '2026-03-02T10:00:00.000Z', depth: 2 });
  });

  it('when a page is not resolved, then the keys it holds stay active without an end', () => {
    const [k] = incidentKeyActivity([], [pageEvent('triggered', '2026-03-02T10:01:00.000Z', 'triggered', ['pagekey:abc'])]);
    expect(k).toEqual({ key: 'pagekey:abc', firstAt: '2026-03-02T10:01:00.000Z', lastAt: '2026-03-02T10:01:00.000Z', activeUntil: null, firing: 1, holders: 1, depth: 0 });
  });

  it('when a page\'s latest event resolves it, then its keys are active until that event, counted once per page', () => {
    const activity = incidentKeyActivity([], [
      pageEvent('resolved', '2026-03-02T10:30:00.000Z', 'resolved', ['page:pd:P1']),
      pageEvent('triggered', '2026-03-02T10:00:00.000Z', 'triggered', ['page:pd:P1']),
    ]);
    expect(activity).toEqual([
      { key: 'page:pd:P1', firstAt: '2026-03-02T10:00:00.000Z', lastAt: '2026-03-02T10:30:00.000Z', activeUntil: '2026-03-02T10:30:00.000Z', firing: 0, holders: 1, depth: 0 },
    ]);
  });
});
