import { applyTrackerState, GITHUB_STATUS_RULES, statusForTrackerState } from '../../src/domain/trackers/tracker-status';
import { actionItemMarker, assigneeFor, markedActionItem, type ActionItemTrackerLink } from '../../src/domain/trackers/tracker-link';
import type { TrackerIssueState } from '../../src/domain/trackers/tracker';

const link = (over: Partial<ActionItemTrackerLink> = {}): ActionItemTrackerLink => ({
  tracker: 'github', key: 'acme/api#1', url: 'https://github.com/acme/api/issues/1', state: 'open', category: null, changedAt: '2026-03-01T10:00:00.000Z', ...over,
});
const state = (over: Partial<TrackerIssueState> = {}): TrackerIssueState => ({
  tracker: 'github', key: 'acme/api#1', state: 'closed', category: 'completed', changedAt: '2026-03-01T11:00:00.000Z', ...over,
});

describe('tracker states applied to action items', () => {
  it('when GitHub closes an issue, then the default mapping says done; not planned says won\'t do; open says open', () => {
    expect(statusForTrackerState(state(), GITHUB_STATUS_RULES)).toBe('done');
    expect(statusForTrackerState(state({ category: null }), GITHUB_STATUS_RULES)).toBe('done');
    expect(statusForTrackerState(state({ category: 'not_planned' }), GITHUB_STATUS_RULES)).toBe('wont_do');
    expect(statusForTrackerState(state({ state: 'open', category: 'reopened' }), GITHUB_STATUS_RULES)).toBe('open');
    expect(statusForTrackerState(state({ state: 'Done', category: 'done' }), [{ category: 'done', status: 'done' }])).toBe('done');
    expect(statusForTrackerState(state({ state: 'In Review', category: 'indeterminate' }), [{ category: 'done', status: 'done' }])).toBeNull();
  });

  it('when a newer close arrives for an open item, then it becomes done with the new tracker state', () => {
    const outcome = applyTrackerState({ status: 'open', link: link() }, state(), GITHUB_STATUS_RULES);
    expect(outcome).toEqual({ kind: 'changed', status: 'done', link: link({ state: 'closed', category: 'completed', changedAt: '2026-03-01T11:00:00.000Z' }) });
  });

  it('when a delivery is older than the stored state, then it is stale and changes nothing', () => {
    const stored = link({ state: 'open', category: 'reopened', changedAt: '2026-03-01T12:00:00.000Z' });
    expect(applyTrackerState({ status: 'open', link: stored }, state(), GITHUB_STATUS_RULES)).toEqual({ kind: 'stale' });
  });

  it('when the same state comes again (a replay), then nothing changes', () => {
    const stored = link({ state: 'closed', category: 'completed', changedAt: '2026-03-01T11:00:00.000Z' });
    expect(applyTrackerState({ status: 'done', link: stored }, state(), GITHUB_STATUS_RULES)).toEqual({ kind: 'unchanged' });
  });

  it('when an open issue reports on an item in progress, then the item stays in progress; a reopen moves a done item back to open', () => {
    const edited = applyTrackerState({ status: 'in_progress', link: link({ state: null, changedAt: null }) }, state({ state: 'open', category: null }), GITHUB_STATUS_RULES);
    expect(edited).toMatchObject({ kind: 'changed', status: 'in_progress' });
    const reopened = applyTrackerState({ status: 'done', link: link({ state: 'closed', category: 'completed' }) }, state({ state: 'open', category: 'reopened', changedAt: '2026-03-02T00:00:00.000Z' }), GITHUB_STATUS_RULES);
    expect(reopened).toMatchObject({ kind: 'changed', status: 'open' });
  });

  it('when an issue body carries the marker, then it names the action item; owners map to accounts case-insensitively', () => {
    expect(markedActionItem(`text\n\n${actionItemMarker('ai_1234-abcd')}\n`)).toBe('ai_1234-abcd');
    expect(markedActionItem('no marker')).toBeNull();
    expect(markedActionItem(null)).toBeNull();
    expect(assigneeFor('Alice', { alice: 'alice-gh' })).toBe('alice-gh');
    expect(assigneeFor('bob', { alice: 'alice-gh' })).toBeNull();
    expect(assigneeFor(null, { alice: 'alice-gh' })).toBeNull();
  });
});
