import {
  emptyStoredReport, reportEtag, type ActionItem, type PublishedReportVersion, type ReportAuditEntry, type StoredReport,
} from '../../src/domain/report/report-model';
import type { ReportStore } from '../../src/store/report-store';
import { alert, incidentDetail, reportView } from '../support/report-fixtures';
import { collectPages, fixturePerCase, later, type StoreFactory } from './store-contract-support';

/**
 * The `ReportStore` part of the store contract: compare-and-set commits with their audit
 * entries, frozen published versions, the audit trail and action items. Called by
 * `describeStoreContract`; written against `src/store/report-store.ts` only.
 */
export function describeReportStoreContract(name: string, factory: StoreFactory): void {
  describe(`ReportStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let reports: ReportStore;

    beforeEach(() => {
      reports = fixture().reports;
    });

    let auditSeq = 0;
    const audit = (incidentId: string, over: Partial<ReportAuditEntry> = {}): ReportAuditEntry => ({
      id: `audit-${++auditSeq}-${Math.random().toString(36).slice(2)}`, incidentId, at: later(auditSeq), actor: 'alice', action: 'report.updated',
      version: 1, actionItemId: null, changes: [{ path: 'sections.fix', from: null, to: `text ${auditSeq}` }], ...over,
    });
    /** The record after `revision` writes, by alice. */
    const stored = (incidentId: string, revision: number, over: Partial<StoredReport> = {}): StoredReport => {
      const base = emptyStoredReport(incidentId);
      return {
        ...base, revision, createdAt: later(1), updatedAt: later(revision), updatedBy: 'alice',
        content: { ...base.content, sections: { fix: { text: `Fixed, take ${revision}`, by: 'alice', at: later(revision) } } },
        ...over,
      };
    };
    const published = (incidentId: string, version: number, publishedAt: string): PublishedReportVersion => {
      const detail = incidentDetail([alert({ labels: { alertname: 'Down', service: 'api', severity: 'critical' }, startsAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-03-01T10:30:00.000Z' })], [], incidentId);
      const view = reportView(detail, { status: 'published', now: publishedAt, content: { customerSummary: { text: 'We were down.', by: 'alice', at: publishedAt } } });
      const etag = reportEtag({ version, revision: version * 10 });
      return { incidentId, version, publishedAt, publishedBy: 'bob', etag, report: { ...view, version, etag, publishedAt, publishedBy: 'bob' } };
    };
    /** Writes revisions 1..n of one incident's report; returns the last. */
    const commitRevisions = async (incidentId: string, n: number): Promise<StoredReport> => {
      let last: StoredReport | null = null;
      for (let r = 1; r <= n; r++) {
        last = stored(incidentId, r);
        const res = await reports.commitReport({ expectedRevision: r - 1, next: last, audit: [audit(incidentId)] });
        if (!res.ok) throw new Error(`commit ${r} lost`);
      }
      return last!;
    };
    const allAudit = async (incidentId: string) => (await collectPages((cursor) => reports.listAudit(incidentId, { limit: 100, cursor }))).items;

    it('when nobody wrote a report, then there is no record', async () => {
      expect(await reports.getReport('inc-none')).toBeNull();
      expect((await reports.getReports(['inc-none'])).size).toBe(0);
      expect(await reports.listPublishedVersions('inc-none')).toEqual([]);
      expect(await reports.getPublishedVersion('inc-none', 1)).toBeNull();
      expect(await reports.listAudit('inc-none', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('when the first write commits at revision 0, then the record and its audit entries are stored together', async () => {
      const next = stored('inc-1', 1);
      const entries = [audit('inc-1'), audit('inc-1', { action: 'postmortem.requested', changes: [] })];
      expect(await reports.commitReport({ expectedRevision: 0, next, audit: entries })).toEqual({ ok: true, report: next });
      expect(await reports.getReport('inc-1')).toEqual(next);
      expect(await allAudit('inc-1')).toEqual(entries);
    });

    it('when a report carries verdicts on suspects, then they are stored and read back with it, audit entry included', async () => {
      const verdicts = [
        { changeId: 'github:deployment:acme/checkout:42', verdict: 'dismissed' as const, by: 'bob', at: later(2) },
        { changeId: 'generic:changes:pool-200', verdict: 'cause' as const, by: 'alice', at: later(3) },
      ];
      const first = stored('inc-v', 1);
      expect((await reports.commitReport({ expectedRevision: 0, next: first, audit: [audit('inc-v')] })).ok).toBe(true);
      const next = stored('inc-v', 2, { content: { ...first.content, suspectVerdicts: verdicts } });
      const entry = audit('inc-v', { changes: [{ path: 'suspects.generic:changes:pool-200', from: null, to: 'cause' }] });
      expect(await reports.commitReport({ expectedRevision: 1, next, audit: [entry] })).toEqual({ ok: true, report: next });
      expect((await reports.getReport('inc-v'))!.content.suspectVerdicts).toEqual(verdicts);
      expect((await reports.getReports(['inc-v'])).get('inc-v')).toEqual(next);
      expect((await allAudit('inc-v')).at(-1)).toEqual(entry);
    });

    it('when a commit expects a stale revision, then it loses, gets the current record, and nothing is written', async () => {
      const current = await commitRevisions('inc-1', 2);
      const lost = await reports.commitReport({ expectedRevision: 1, next: stored('inc-1', 2, { status: 'in_review' }), audit: [audit('inc-1')] });
      expect(lost).toEqual({ ok: false, current });
      const fresh = await reports.commitReport({ expectedRevision: 0, next: stored('inc-1', 1), audit: [audit('inc-1')] });
      expect(fresh).toEqual({ ok: false, current });
      expect(await reports.getReport('inc-1')).toEqual(current);
      expect(await allAudit('inc-1')).toHaveLength(2);
      const none = await reports.commitReport({ expectedRevision: 3, next: stored('inc-other', 4), audit: [] });
      expect(none).toEqual({ ok: false, current: null });
    });

    it('when next.revision is not expectedRevision + 1, then the commit is refused', async () => {
      await expect(reports.commitReport({ expectedRevision: 0, next: stored('inc-1', 2), audit: [] })).rejects.toThrow();
      expect(await reports.getReport('inc-1')).toBeNull();
    });

    it('when two handles commit the same revision at once, then exactly one wins', async () => {
      await commitRevisions('inc-1', 1);
      const other = await fixture().connectAgain();
      const results = await Promise.all([
        reports.commitReport({ expectedRevision: 1, next: stored('inc-1', 2, { updatedBy: 'alice' }), audit: [audit('inc-1', { actor: 'alice' })] }),
        other.reports.commitReport({ expectedRevision: 1, next: stored('inc-1', 2, { updatedBy: 'bob' }), audit: [audit('inc-1', { actor: 'bob' })] }),
      ]);
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const winner = (winners[0] as { ok: true; report: StoredReport }).report;
      expect(await reports.getReport('inc-1')).toEqual(winner);
      // Only the winner's audit entry was appended.
      const trail = await allAudit('inc-1');
      expect(trail.map((a) => a.actor)).toEqual(['alice', winner.updatedBy]);
    });

    it('when reports of several incidents are read at once, then the stored ones are in the map by incident id', async () => {
      const a = await commitRevisions('inc-a', 1);
      const b = await commitRevisions('inc-b', 3);
      const map = await reports.getReports(['inc-a', 'inc-b', 'inc-none']);
      expect([...map.keys()].sort()).toEqual(['inc-a', 'inc-b']);
      expect(map.get('inc-a')).toEqual(a);
      expect(map.get('inc-b')).toEqual(b);
      expect((await reports.getReports([])).size).toBe(0);
    });

    it('when a commit publishes, then the frozen version is stored with it and versions list oldest first', async () => {
      await commitRevisions('inc-1', 1);
      const v1 = published('inc-1', 1, later(100));
      const res = await reports.commitReport({
        expectedRevision: 1, next: stored('inc-1', 2, { status: 'published', publishedAt: v1.publishedAt, publishedBy: 'bob' }),
        audit: [audit('inc-1', { action: 'report.transitioned' })], published: v1,
      });
      expect(res.ok).toBe(true);
      const v2 = published('inc-1', 2, later(200));
      await reports.commitReport({ expectedRevision: 2, next: stored('inc-1', 3, { version: 2, status: 'published' }), audit: [audit('inc-1')], published: v2 });
      expect(await reports.listPublishedVersions('inc-1')).toEqual([v1, v2]);
      expect(await reports.getPublishedVersion('inc-1', 1)).toEqual(v1);
      expect(await reports.getPublishedVersion('inc-1', 3)).toBeNull();
      // A lost race publishes nothing.
      await reports.commitReport({ expectedRevision: 1, next: stored('inc-1', 2), audit: [], published: published('inc-1', 3, later(300)) });
      expect(await reports.listPublishedVersions('inc-1')).toHaveLength(2);
    });

    it('when the latest published versions are listed, then each incident appears once with its newest version, most recently published first', async () => {
      const publish = async (incidentId: string, version: number, minute: number) => {
        const current = await reports.getReport(incidentId);
        const rev = current?.revision ?? 0;
        const v = published(incidentId, version, later(minute * 60));
        const res = await reports.commitReport({ expectedRevision: rev, next: stored(incidentId, rev + 1, { version }), audit: [], published: v });
        if (!res.ok) throw new Error('publish lost');
        return v;
      };
      await publish('inc-a', 1, 1);
      const b1 = await publish('inc-b', 1, 2);
      const a2 = await publish('inc-a', 2, 3);
      const c1 = await publish('inc-c', 1, 4);
      // Same publication time as c: ties must still page without loss or repetition.
      const d1 = await publish('inc-d', 1, 4);
      const first = await reports.listLatestPublished({ limit: 10 });
      expect(first.nextCursor).toBeNull();
      const rows = first.items.map((v) => `${v.incidentId}@${v.version}`);
      // c and d were published at the same time: their order between them is the store's.
      expect(rows.slice(0, 2).sort()).toEqual([`${c1.incidentId}@1`, `${d1.incidentId}@1`]);
      expect(rows.slice(2)).toEqual([`${a2.incidentId}@2`, `${b1.incidentId}@1`]);
      expect(first.items.find((v) => v.incidentId === 'inc-a')).toEqual(a2);
      for (const limit of [1, 2, 3]) {
        const { items } = await collectPages((cursor) => reports.listLatestPublished({ limit, cursor }));
        expect(items.map((v) => `${v.incidentId}@${v.version}`)).toEqual(first.items.map((v) => `${v.incidentId}@${v.version}`));
      }
    });

    it('when the audit trail is paged through, then entries come oldest first, each once', async () => {
      await commitRevisions('inc-1', 7);
      await commitRevisions('inc-2', 2);
      const whole = await allAudit('inc-1');
      expect(whole).toHaveLength(7);
      expect(whole.map((a) => a.changes[0]!.to)).toEqual([...whole].sort((x, y) => x.at.localeCompare(y.at)).map((a) => a.changes[0]!.to));
      for (const limit of [1, 3, 7]) {
        const { items } = await collectPages((cursor) => reports.listAudit('inc-1', { limit, cursor }));
        expect(items).toEqual(whole);
      }
    });

    // ------------------------------------------------------------ action items

    let itemSeq = 0;
    const item = (over: Partial<ActionItem> = {}): ActionItem => ({
      id: `ai-${++itemSeq}-${Math.random().toString(36).slice(2)}`, incidentId: 'inc-1', title: `Item ${itemSeq}`, owner: null, dueDate: null, status: 'open',
      trackerUrl: null, createdAt: later(itemSeq), createdBy: 'alice', updatedAt: later(itemSeq), updatedBy: 'alice', ...over,
    });

    it('when an action item is created, updated and deleted, then each change is stored with its audit entry', async () => {
      const it1 = item({ owner: 'team-db', dueDate: '2026-04-01', trackerUrl: 'https://tracker.example/T-1' });
      await reports.createActionItem(it1, audit('inc-1', { action: 'action-item.created', actionItemId: it1.id }));
      expect(await reports.getActionItem(it1.id)).toEqual(it1);

      const changed = { ...it1, status: 'in_progress' as const, owner: 'bob', updatedAt: later(500), updatedBy: 'bob' };
      expect(await reports.updateActionItem(changed, audit('inc-1', { action: 'action-item.updated', actionItemId: it1.id }))).toBe(true);
      expect(await reports.getActionItem(it1.id)).toEqual(changed);

      const ghost = item();
      expect(await reports.updateActionItem(ghost, audit('inc-1', { action: 'action-item.updated', actionItemId: ghost.id }))).toBe(false);
      expect(await reports.getActionItem(ghost.id)).toBeNull();

      expect(await reports.deleteActionItem(it1.id, audit('inc-1', { action: 'action-item.deleted', actionItemId: it1.id }))).toBe(true);
      expect(await reports.getActionItem(it1.id)).toBeNull();
      expect(await reports.deleteActionItem(it1.id, audit('inc-1', { action: 'action-item.deleted', actionItemId: it1.id }))).toBe(false);

      // Only the changes that happened are audited.
      expect((await allAudit('inc-1')).map((a) => a.action)).toEqual(['action-item.created', 'action-item.updated', 'action-item.deleted']);
    });

    it('when action items are listed, then filters apply and pages run by due date (undated last) without loss or repetition', async () => {
      const items = [
        item({ dueDate: '2026-05-01' }),
        item({ dueDate: '2026-04-01', status: 'done' }),
        item({ dueDate: null }),
        item({ dueDate: '2026-04-01', incidentId: 'inc-2' }),
        item({ dueDate: '2026-03-15', status: 'in_progress' }),
        item({ dueDate: null, incidentId: 'inc-2', status: 'wont_do' }),
        item({ dueDate: '2026-04-01' }),
      ];
      for (const i of items) await reports.createActionItem(i, audit(i.incidentId, { action: 'action-item.created', actionItemId: i.id }));

      const whole = (await collectPages((cursor) => reports.listActionItems({ limit: 100, cursor }))).items;
      expect(whole.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
      const due = whole.map((i) => i.dueDate ?? '9999-12-31');
      expect(due).toEqual([...due].sort());
      for (const limit of [1, 2, 3]) {
        const { items: paged } = await collectPages((cursor) => reports.listActionItems({ limit, cursor }));
        expect(paged.map((i) => i.id)).toEqual(whole.map((i) => i.id));
      }

      const ids = async (q: Omit<Parameters<ReportStore['listActionItems']>[0], 'limit'>) =>
        (await collectPages((cursor) => reports.listActionItems({ limit: 2, cursor, ...q }))).items.map((i) => i.id).sort();
      const expected = (pred: (i: ActionItem) => boolean) => items.filter(pred).map((i) => i.id).sort();
      expect(await ids({ incidentId: 'inc-2' })).toEqual(expected((i) => i.incidentId === 'inc-2'));
      expect(await ids({ statuses: ['open', 'in_progress'] })).toEqual(expected((i) => i.status === 'open' || i.status === 'in_progress'));
      // Strictly before the day; undated items are never due.
      expect(await ids({ dueBefore: '2026-04-01' })).toEqual(expected((i) => i.dueDate !== null && i.dueDate < '2026-04-01'));
      expect(await ids({ dueBefore: '2026-04-02', statuses: ['open'], incidentId: 'inc-1' }))
        .toEqual(expected((i) => i.dueDate !== null && i.dueDate < '2026-04-02' && i.status === 'open' && i.incidentId === 'inc-1'));
    });

    it('when an action item is linked to a tracker issue, then the link is stored, updated and found by tracker and key', async () => {
      const link = { tracker: 'github' as const, key: 'acme/api#12', url: 'https://github.example/acme/api/issues/12', state: null, category: null, changedAt: null };
      const linked = item({ trackerUrl: link.url, tracker: link });
      const other = item({ tracker: { ...link, key: 'acme/api#13', url: 'https://github.example/acme/api/issues/13' } });
      const plain = item();
      for (const i of [linked, other, plain]) await reports.createActionItem(i, audit('inc-1', { action: 'action-item.created', actionItemId: i.id }));
      expect(await reports.getActionItem(linked.id)).toEqual(linked);
      expect(await reports.getActionItem(plain.id)).toEqual(plain);

      const closed = { ...linked, status: 'done' as const, tracker: { ...link, state: 'closed', category: 'completed', changedAt: later(40) }, updatedBy: 'tracker:github' };
      expect(await reports.updateActionItem(closed, audit('inc-1', { action: 'action-item.updated', actionItemId: linked.id }))).toBe(true);
      expect(await reports.getActionItem(linked.id)).toEqual(closed);

      const ids = async (q: Omit<Parameters<ReportStore['listActionItems']>[0], 'limit'>) =>
        (await collectPages((cursor) => reports.listActionItems({ limit: 1, cursor, ...q }))).items.map((i) => i.id).sort();
      expect(await ids({ trackerKind: 'github', trackerKey: 'acme/api#12' })).toEqual([linked.id]);
      expect(await ids({ trackerKind: 'github' })).toEqual([linked.id, other.id].sort());
      expect(await ids({ trackerKind: 'jira' })).toEqual([]);
      expect(await ids({ trackerKind: 'github', statuses: ['open', 'in_progress'] })).toEqual([other.id]);
    });

    it('when overdue action items are counted, then only open or in-progress items due before the day count, per incident and owner', async () => {
      const items = [
        item({ incidentId: 'inc-o1', owner: 'alice', dueDate: '2026-03-01' }),
        item({ incidentId: 'inc-o1', owner: 'alice', dueDate: '2026-03-02', status: 'in_progress' }),
        item({ incidentId: 'inc-o1', owner: null, dueDate: '2026-03-02' }),
        item({ incidentId: 'inc-o2', owner: 'bob', dueDate: '2026-03-03' }),
        item({ incidentId: 'inc-o2', owner: 'bob', dueDate: '2026-03-01', status: 'done' }),
        item({ incidentId: 'inc-o2', owner: 'bob', dueDate: '2026-03-10' }),
        item({ incidentId: 'inc-o2', owner: 'carol', dueDate: null }),
      ];
      for (const i of items) await reports.createActionItem(i, audit(i.incidentId, { action: 'action-item.created', actionItemId: i.id }));
      const counts = await reports.countOverdueActionItems('2026-03-10');
      expect([...counts].sort((a, b) => `${a.incidentId}${a.owner}`.localeCompare(`${b.incidentId}${b.owner}`))).toEqual([
        { incidentId: 'inc-o1', owner: 'alice', count: 2 },
        { incidentId: 'inc-o1', owner: null, count: 1 },
        { incidentId: 'inc-o2', owner: 'bob', count: 1 },
      ]);
      expect(await reports.countOverdueActionItems('2026-03-01')).toEqual([]);
    });

    it('when action items are listed changed since a time, then only those updated at or after it come back', async () => {
      const old = item({ updatedAt: '2026-01-01T00:00:00.000Z' });
      const edge = item({ updatedAt: '2026-02-01T00:00:00.000Z' });
      const fresh = item({ updatedAt: '2026-03-01T00:00:00.000Z' });
      for (const i of [old, edge, fresh]) await reports.createActionItem(i, audit('inc-1', { action: 'action-item.created', actionItemId: i.id }));
      const since = await reports.listActionItems({ incidentId: 'inc-1', updatedSince: '2026-02-01T00:00:00.000Z', limit: 50 });
      const ids = since.items.map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining([edge.id, fresh.id]));
      expect(ids).not.toContain(old.id);
    });

    it('when two callers claim making an item\'s tracker issue, then one holds it until it is given back or expires', async () => {
      const claimed = item({ id: 'ai-claim' });
      await reports.createActionItem(claimed, audit('inc-1', { action: 'action-item.created', actionItemId: claimed.id }));
      const now = '2026-03-02T10:00:00.000Z';
      const until = '2026-03-02T10:02:00.000Z';
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-a', now, until)).toBe(true);
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-b', now, until)).toBe(false);
      // The holder may claim again (a retry inside one request).
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-a', now, until)).toBe(true);
      // Only the holder gives it back.
      await reports.releaseTrackerClaim('ai-claim', 'replica-b');
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-b', now, until)).toBe(false);
      await reports.releaseTrackerClaim('ai-claim', 'replica-a');
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-b', now, until)).toBe(true);
      // A claim left behind (a crash) expires.
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-c', '2026-03-02T10:03:00.000Z', '2026-03-02T10:05:00.000Z')).toBe(true);
      expect(await reports.claimTrackerCreate('no-such-item', 'replica-a', now, until)).toBe(false);
      // The claim is no part of the item: updates neither need nor clear it.
      await reports.updateActionItem({ ...claimed, title: 'Renamed' }, audit('inc-1', { action: 'action-item.updated', actionItemId: claimed.id }));
      expect(await reports.claimTrackerCreate('ai-claim', 'replica-d', '2026-03-02T10:04:00.000Z', '2026-03-02T10:06:00.000Z')).toBe(false);
      expect((await reports.getActionItem('ai-claim'))!.title).toBe('Renamed');
    });

    it('when an action item is moved to another incident, then the delete, the copy and both audit entries happen together, and only once', async () => {
      const original = item({ incidentId: 'inc-src', owner: 'bob' });
      await reports.createActionItem(original, audit('inc-src', { action: 'action-item.created', actionItemId: original.id }));
      const copy = { ...original, id: `${original.id}-copy`, incidentId: 'inc-dst', createdAt: later(900), updatedAt: later(900) };
      const move = {
        fromId: original.id,
        to: copy,
        audit: [
          audit('inc-dst', { action: 'action-item.created', actionItemId: copy.id }),
          audit('inc-src', { action: 'action-item.deleted', actionItemId: original.id }),
        ],
      };
      expect(await reports.moveActionItem(move)).toBe(true);
      expect(await reports.getActionItem(original.id)).toBeNull();
      expect(await reports.getActionItem(copy.id)).toEqual(copy);
      expect((await allAudit('inc-dst')).map((a) => a.action)).toEqual(['action-item.created']);
      expect((await allAudit('inc-src')).map((a) => a.action)).toEqual(['action-item.created', 'action-item.deleted']);

      // Run again (a retried carry-over): nothing is written, no second copy appears.
      const again = { ...move, to: { ...copy, id: `${original.id}-copy-2` }, audit: [audit('inc-dst', { action: 'action-item.created' })] };
      expect(await reports.moveActionItem(again)).toBe(false);
      expect(await reports.getActionItem(again.to.id)).toBeNull();
      expect(await allAudit('inc-dst')).toHaveLength(1);
    });

    // ---------------------------------------------------- autosaves

    it('when people autosave unsaved text, then each keeps one per incident, replaced by the next, until deleted, and the report is untouched', async () => {
      const mine = {
        incidentId: 'inc-1', author: 'alice', savedAt: later(1), baseEtag: '"v1.r2"',
        fields: { 'sections.fix': { base: '', value: 'Rolled back' }, impactStartedAt: { base: '2026-03-01T10:00', value: '2026-03-01T09:55' } },
      };
      const theirs = { incidentId: 'inc-1', author: 'bob', savedAt: later(2), baseEtag: '"v1.r3"', fields: { customerSummary: { base: 'Old', value: 'Bob\'s <b>summary</b>' } } };
      expect(await reports.getAutosave('inc-1', 'alice')).toBeNull();
      await reports.putAutosave(mine);
      await reports.putAutosave(theirs);
      await reports.putAutosave({ ...mine, incidentId: 'inc-2', fields: { 'sections.what-happened': { base: '', value: 'other incident' } } });
      expect(await reports.getAutosave('inc-1', 'alice')).toEqual(mine);
      expect(await reports.getAutosave('inc-1', 'bob')).toEqual(theirs);

      const next = { ...mine, savedAt: later(5), baseEtag: '"v1.r4"', fields: { 'sections.fix': { base: '', value: 'Rolled back at 08:20' } } };
      await reports.putAutosave(next);
      expect(await reports.getAutosave('inc-1', 'alice')).toEqual(next);
      expect(await reports.getReport('inc-1')).toBeNull();

      await reports.deleteAutosave('inc-1', 'alice');
      await reports.deleteAutosave('inc-1', 'alice');
      expect(await reports.getAutosave('inc-1', 'alice')).toBeNull();
      expect(await reports.getAutosave('inc-1', 'bob')).toEqual(theirs);
      expect((await reports.getAutosave('inc-2', 'alice'))?.fields).toEqual({ 'sections.what-happened': { base: '', value: 'other incident' } });
    });

    // ---------------------------------------------------- pending carry-overs

    it('when carry-overs are pending, then they are listed oldest first, per target on request, until removed', async () => {
      const a = { id: 'carry-a', targetId: 'inc-1', sourceIds: ['inc-2', 'inc-3'], actor: 'alice', requestedAt: later(2) };
      const b = { id: 'carry-b', targetId: 'inc-9', sourceIds: ['inc-4'], actor: 'bob', requestedAt: later(3) };
      const c = { id: 'carry-c', targetId: 'inc-1', sourceIds: ['inc-5'], actor: 'bob', requestedAt: later(1) };
      expect(await reports.listPendingCarryOvers()).toEqual([]);
      for (const carry of [a, b, c]) await reports.addPendingCarryOver(carry);
      expect(await reports.listPendingCarryOvers()).toEqual([c, a, b]);
      expect(await reports.listPendingCarryOvers({ targetId: 'inc-1' })).toEqual([c, a]);
      expect(await reports.listPendingCarryOvers({ targetId: 'inc-none' })).toEqual([]);

      await reports.removePendingCarryOver('carry-c');
      await reports.removePendingCarryOver('carry-c');
      expect(await reports.listPendingCarryOvers({ targetId: 'inc-1' })).toEqual([a]);
      expect(await reports.listPendingCarryOvers()).toEqual([a, b]);
    });
  });
}
