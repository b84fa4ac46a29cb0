import type { ActionItem } from '../../src/domain/report/report-model';
import type { TrackerIssueState } from '../../src/domain/trackers/tracker';
import { OutboundError } from '../../src/integrations/resilient-http';
import type { TrackerClient } from '../../src/integrations/trackers/tracker-client';
import { TrackerReconciler } from '../../src/integrations/trackers/tracker-reconciler';
import type { ActionItemQuery } from '../../src/store/report-store';

const linked = (n: number): ActionItem => ({
  id: `ai_${n}`, incidentId: 'inc-1', title: `Item ${n}`, owner: null, dueDate: null, status: 'open', trackerUrl: null,
  tracker: { tracker: 'github', key: `acme/api#${n}`, url: `https://github.com/acme/api/issues/${n}`, state: null, category: null, changedAt: null },
  createdAt: '2026-03-01T00:00:00.000Z', createdBy: 'a', updatedAt: '2026-03-01T00:00:00.000Z', updatedBy: 'a',
});

describe('tracker reconcile', () => {
  const items = [1, 2, 3, 4, 5].map(linked);
  let queries: ActionItemQuery[];
  const reports = {
    listActionItems: async (query: ActionItemQuery) => {
      queries.push(query);
      const start = Number(query.cursor ?? 0);
      const page = items.slice(start, start + 2);
      return { items: page, nextCursor: start + 2 < items.length ? String(start + 2) : null };
    },
  };
  beforeEach(() => { queries = []; });

  it('when linked items are not done, then each issue is read, page by page, and its state applied; one failing read does not stop the others', async () => {
    const applied: TrackerIssueState[] = [];
    const client: TrackerClient = {
      kind: 'github', findIssueFor: async () => null, createIssue: async () => { throw new Error('not used'); },
      issueState: async (key) => {
        if (key === 'acme/api#2') throw new Error('HTTP 404');
        return { tracker: 'github', key, state: 'closed', category: 'completed', changedAt: '2026-03-02T00:00:00.000Z' };
      },
    };
    const reconciler = new TrackerReconciler({ trackers: { github: client }, reports, apply: async (states) => { applied.push(...states); }, intervalSeconds: 60 });
    expect(await reconciler.reconcileOnce()).toEqual({ checked: 4, failed: 1 });
    expect(applied.map((s) => s.key)).toEqual(['acme/api#1', 'acme/api#3', 'acme/api#4', 'acme/api#5']);
    expect(queries.every((q) => q.trackerKind === 'github' && q.statuses?.join() === 'open,in_progress')).toBe(true);
  });

  it('when the tracker\'s circuit is open, then the round stops at once instead of failing every item', async () => {
    let reads = 0;
    const client: TrackerClient = {
      kind: 'github', findIssueFor: async () => null, createIssue: async () => { throw new Error('not used'); },
      issueState: async () => { reads++; throw new OutboundError('tracker:github: circuit open', 'tracker:github', 'circuit_open', 0); },
    };
    const reconciler = new TrackerReconciler({ trackers: { github: client }, reports, apply: async () => undefined, intervalSeconds: 60 });
    expect(await reconciler.reconcileOnce()).toEqual({ checked: 0, failed: 1 });
    expect(reads).toBe(1);
  });

  it('when a reopen window is set, then items finished within it are read too, and no older ones', async () => {
    const client: TrackerClient = {
      kind: 'github', findIssueFor: async () => null, createIssue: async () => { throw new Error('not used'); },
      issueState: async (key) => ({ tracker: 'github', key, state: 'open', category: 'reopened', changedAt: '2026-03-10T00:00:00.000Z' }),
    };
    const reconciler = new TrackerReconciler({
      trackers: { github: client }, reports, apply: async () => undefined, intervalSeconds: 60, reopenWindowDays: 30, clock: () => new Date('2026-04-01T00:00:00.000Z'),
    });
    await reconciler.reconcileOnce();
    const finished = queries.filter((q) => q.statuses?.includes('done'));
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.every((q) => q.trackerKind === 'github' && q.statuses?.join() === 'done,wont_do' && q.updatedSince === '2026-03-02T00:00:00.000Z')).toBe(true);
    expect(queries.filter((q) => q.statuses?.join() === 'open,in_progress').every((q) => q.updatedSince === undefined)).toBe(true);
  });
});
