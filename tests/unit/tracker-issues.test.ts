import type { ActionItem, ReportAuditEntry } from '../../src/domain/report/report-model';
import type { TrackerIssueDraft, TrackerIssueRef } from '../../src/domain/trackers/tracker';
import { ConflictError, UnavailableError, UnprocessableError } from '../../src/errors';
import { OutboundError } from '../../src/integrations/resilient-http';
import type { TrackerClient } from '../../src/integrations/trackers/tracker-client';
import { TrackerIssues } from '../../src/services/tracker-issues';

const item = (over: Partial<ActionItem> = {}): ActionItem => ({
  id: 'ai_1', incidentId: 'inc-1', title: 'Add an alert', owner: 'Alice', dueDate: '2026-04-01', status: 'open', trackerUrl: null,
  createdAt: '2026-03-01T10:00:00.000Z', createdBy: 'alice', updatedAt: '2026-03-01T10:00:00.000Z', updatedBy: 'alice', ...over,
});

/** A tracker whose answers the test controls; it counts the issues it made. */
class FakeTracker implements TrackerClient {
  readonly kind = 'github' as const;
  made: TrackerIssueDraft[] = [];
  fail: Error | null = null;
  gate: Promise<void> = Promise.resolve();
  async findIssueFor(): Promise<TrackerIssueRef | null> {
    await this.gate;
    if (this.fail) throw this.fail;
    return null;
  }
  async createIssue(draft: TrackerIssueDraft): Promise<TrackerIssueRef> {
    this.made.push(draft);
    return { tracker: 'github', key: `acme/api#${this.made.length}`, url: `https://github.com/acme/api/issues/${this.made.length}` };
  }
  async issueState(): Promise<never> {
    throw new Error('not used');
  }
}

describe('create in tracker (service)', () => {
  let stored: ActionItem;
  let audits: ReportAuditEntry[];
  let tracker: FakeTracker;
  /** The store's claim on making the item's issue, shared by every replica (`claimTrackerCreate`). */
  let claim: { owner: string; until: string } | null;
  const service = (publicUrl: string | null = 'https://debrief.example/') => new TrackerIssues({
    trackers: { github: tracker },
    settings: { github: { labels: ['postmortem'], assignees: { alice: 'alice-gh' } } },
    reports: {
      getActionItem: async (id) => (id === stored.id ? stored : null),
      updateActionItem: async (next, audit) => { stored = next; audits.push(audit); return true; },
      getReport: async () => null,
      claimTrackerCreate: async (id, owner, now, until) => {
        if (id !== stored.id || (claim && claim.until >= now && claim.owner !== owner)) return false;
        claim = { owner, until };
        return true;
      },
      releaseTrackerClaim: async (_id, owner) => { if (claim?.owner === owner) claim = null; },
    },
    store: { getIncident: async () => ({ incident: { id: 'inc-1', title: 'Checkout errors\non eu-1' } }) as never },
    publicUrl, clock: () => new Date('2026-03-02T00:00:00.000Z'), newId: () => `audit-${audits.length + 1}`,
  });

  beforeEach(() => {
    stored = item();
    audits = [];
    tracker = new FakeTracker();
    claim = null;
  });

  it('when an issue is made, then its draft links the post-mortem from the public URL, maps the owner, and the link is stored with one audit entry', async () => {
    const result = await service().createIssue('ai_1', 'github', 'erin');
    expect(result.created).toBe(true);
    expect(tracker.made).toHaveLength(1);
    expect(tracker.made[0]).toMatchObject({ actionItemId: 'ai_1', title: 'Add an alert', labels: ['postmortem'], assignee: 'alice-gh', postmortemUrl: 'https://debrief.example/ui/incidents/inc-1/report' });
    expect(tracker.made[0]!.body).toContain('"Checkout errors on eu-1" (inc-1)');
    expect(stored).toMatchObject({ trackerUrl: 'https://github.com/acme/api/issues/1', updatedBy: 'erin', tracker: { key: 'acme/api#1', state: null } });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.changes.map((c) => c.path)).toEqual(['actionItems.ai_1.tracker', 'actionItems.ai_1.trackerUrl']);
  });

  it('when two requests for one item run at once, then one issue is made', async () => {
    let open!: () => void;
    tracker.gate = new Promise((resolve) => { open = resolve; });
    const issues = service();
    const both = Promise.all([issues.createIssue('ai_1', 'github', 'erin'), issues.createIssue('ai_1', 'github', 'bob')]);
    open();
    const [first, second] = await both;
    expect(tracker.made).toHaveLength(1);
    expect(first.item.tracker).toEqual(second.item.tracker);
    expect([first.created, second.created].sort()).toEqual([false, true]);
  });

  it('when two replicas are asked for one item at once, then the store\'s claim lets one make the issue and the other is told to ask again', async () => {
    let open!: () => void;
    tracker.gate = new Promise((resolve) => { open = resolve; });
    const [replicaA, replicaB] = [service(), service()];
    const first = replicaA.createIssue('ai_1', 'github', 'erin');
    // Until replica A holds the claim and waits on the tracker.
    while (!claim) await new Promise((resolve) => setImmediate(resolve));
    await expect(replicaB.createIssue('ai_1', 'github', 'bob')).rejects.toBeInstanceOf(ConflictError);
    open();
    expect((await first).created).toBe(true);
    expect(tracker.made).toHaveLength(1);
    expect(claim).toBeNull();
    // Asked again once the first is done: the item has its issue.
    expect(await replicaB.createIssue('ai_1', 'github', 'bob')).toMatchObject({ created: false, item: { tracker: { key: 'acme/api#1' } } });
    expect(tracker.made).toHaveLength(1);
  });

  it('when a claim was left by a crash, then it expires and the next request makes the issue', async () => {
    claim = { owner: 'claim-crashed', until: '2026-03-01T23:59:00.000Z' };
    expect((await service().createIssue('ai_1', 'github', 'erin')).created).toBe(true);
    expect(tracker.made).toHaveLength(1);
  });

  it('when the tracker fails, then the caller gets 503 (unavailable), never the tracker\'s status as its own', async () => {
    tracker.fail = new OutboundError('tracker:github: HTTP 429 (after 4 attempts)', 'tracker:github', 'http', 4, 429);
    await expect(service().createIssue('ai_1', 'github', 'erin')).rejects.toBeInstanceOf(UnavailableError);
    expect(stored.tracker).toBeUndefined();
    expect(audits).toEqual([]);
  });

  it('when no public URL is configured, then nothing is made and the refusal says what to set', async () => {
    const refusal = service(null).createIssue('ai_1', 'github', 'erin');
    await expect(refusal).rejects.toBeInstanceOf(UnprocessableError);
    await expect(refusal).rejects.toMatchObject({ details: [{ path: 'tracker', message: expect.stringMatching(/status\.publicUrl/) }] });
    expect(tracker.made).toEqual([]);
  });
});
