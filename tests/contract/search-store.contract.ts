import type { IncidentDeclaration } from '../../src/domain/incident';
import { emptyStoredReport, type ActionItem, type ReportAuditEntry, type StoredReport } from '../../src/domain/report/report-model';
import { searchTerms } from '../../src/domain/search/search-text';
import type { SearchQuery, SearchStore } from '../../src/store/search-store';
import type { ReportStore } from '../../src/store/report-store';
import type { Store } from '../../src/store/store';
import { at, collectPages, fixturePerCase, later, NOW, SERVICE_LABELS, type StoreFactory } from './store-contract-support';

/**
 * The `SearchStore` part of the store contract: full text over incident titles, the human text
 * of reports and action items, kept in step with the stores' own writes, filtered and paged
 * as the incident list. Called by `describeStoreContract`; written against
 * `src/store/search-store.ts`, `store.ts` and `report-store.ts` only.
 */
export function describeSearchStoreContract(name: string, factory: StoreFactory): void {
  describe(`SearchStore contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let store: Store;
    let reports: ReportStore;
    let search: SearchStore;

    beforeEach(() => {
      ({ store, reports, search } = fixture());
    });

    const declare = async (over: Partial<IncidentDeclaration> = {}) => (await store.declareIncident({
      title: 'Checkout is failing', services: ['checkout'], severity: 'critical', startedAt: at(0), endedAt: null,
      missedByMonitoring: false, declaredBy: 'alice', declaredAt: NOW, ...over,
    }, { now: NOW, serviceLabels: SERVICE_LABELS })).id;

    let seq = 0;
    const audit = (incidentId: string): ReportAuditEntry => ({
      id: `search-audit-${++seq}-${Math.random().toString(36).slice(2)}`, incidentId, at: later(seq), actor: 'alice', action: 'report.updated',
      version: 1, actionItemId: null, changes: [],
    });
    const write = async (incidentId: string, revision: number, content: Partial<StoredReport['content']>, over: Partial<StoredReport> = {}) => {
      const base = emptyStoredReport(incidentId);
      const next: StoredReport = { ...base, revision, createdAt: later(1), updatedAt: later(revision), updatedBy: 'alice', content: { ...base.content, ...content }, ...over };
      expect((await reports.commitReport({ expectedRevision: revision - 1, next, audit: [audit(incidentId)] })).ok).toBe(true);
    };
    const text = (value: string) => ({ text: value, by: 'alice', at: later(1) });
    const actionItem = (incidentId: string, id: string, title: string): ActionItem => ({
      id, incidentId, title, owner: null, dueDate: null, status: 'open', trackerUrl: null, createdAt: later(2), createdBy: 'alice', updatedAt: later(2), updatedBy: 'alice',
    });
    const find = async (words: string, over: Partial<SearchQuery> = {}) => (await search.search({ terms: searchTerms(words), limit: 50, ...over })).items;
    const ids = async (words: string, over: Partial<SearchQuery> = {}) => (await find(words, over)).map((hit) => hit.incident.id);

    it('search finds a published post-mortem by a word of its cause', async () => {
      const incident = await declare();
      const other = await declare({ title: 'Search is slow', services: ['search'] });
      await write(other, 1, { sections: { 'what-happened': text('A slow disk on the search cluster.') } });
      await write(incident, 1, {
        sections: { 'what-happened': text('The connection pool of the payments database was exhausted by a retry storm.'), fix: text('Restarted the pods.') },
        customerSummary: text('Some payments failed for 20 minutes.'),
      }, { status: 'published', publishedAt: later(5), publishedBy: 'bob' });
      const hits = await find('exhausted');
      expect(hits.map((hit) => hit.incident.id)).toEqual([incident]);
      expect(hits[0]!.incident.title).toBe('Checkout is failing');
      expect(hits[0]!.matches).toEqual([expect.objectContaining({ part: 'section', ref: 'what-happened', label: 'What happened', snippet: expect.stringContaining('was exhausted by') })]);
      const [match] = hits[0]!.matches;
      expect(match!.highlights.map((h) => match!.snippet.slice(h.start, h.end))).toEqual(['exhausted']);
      // Stemmed: another form of the word finds it too.
      expect(await ids('exhaust')).toEqual([incident]);
    });

    it('when a search has several words, then an incident is found only when its texts hold every one of them, in any of its parts', async () => {
      const incident = await declare({ title: 'Checkout latency' });
      await reports.createActionItem(actionItem(incident, 'ai-search-1', 'Add a circuit breaker to the payment client'), audit(incident));
      await write(incident, 1, { timelineEntries: [{ id: 'note-1', at: at(3), text: 'Rolled back the payment gateway', createdBy: 'alice', createdAt: later(1), updatedBy: 'alice', updatedAt: later(1) }] });
      expect(await ids('checkout breaker')).toEqual([incident]);
      expect(await ids('breaker gateway')).toEqual([incident]);
      expect(await ids('breaker dragons')).toEqual([]);
      const matches = (await find('breaker gateway'))[0]!.matches;
      expect(matches.map((m) => [m.part, m.ref])).toEqual(expect.arrayContaining([['action-item', 'ai-search-1'], ['timeline-note', 'note-1']]));
      expect(matches.find((m) => m.part === 'title')).toBeUndefined();
    });

    it('when report text or an action item changes or goes, then search follows at once', async () => {
      const incident = await declare();
      await write(incident, 1, { sections: { fix: text('Flushed the stale cache.') } });
      await reports.createActionItem(actionItem(incident, 'ai-search-2', 'Alert on replication lag'), audit(incident));
      expect(await ids('stale')).toEqual([incident]);
      expect(await ids('replication')).toEqual([incident]);
      await write(incident, 2, { sections: { fix: text('Failed over to the replica.') } });
      expect(await ids('stale')).toEqual([]);
      expect(await ids('failed over')).toEqual([incident]);
      await reports.updateActionItem({ ...actionItem(incident, 'ai-search-2', 'Alert on queue depth'), updatedAt: later(9) }, audit(incident));
      expect(await ids('replication')).toEqual([]);
      expect(await ids('queue')).toEqual([incident]);
      await reports.deleteActionItem('ai-search-2', audit(incident));
      expect(await ids('queue')).toEqual([]);
    });

    it('when filters are given, then only incidents passing them are found, as in the incident list', async () => {
      const early = await declare({ title: 'Timeout on checkout', startedAt: at(0), endedAt: at(10), severity: 'warning' });
      const late = await declare({ title: 'Timeout on search', services: ['search'], startedAt: at(600) });
      expect(await ids('timeout')).toEqual([late, early]);
      expect(await ids('timeout', { service: 'search' })).toEqual([late]);
      expect(await ids('timeout', { severity: 'warning' })).toEqual([early]);
      expect(await ids('timeout', { status: 'resolved' })).toEqual([early]);
      expect(await ids('timeout', { since: at(100) })).toEqual([late]);
      expect(await ids('timeout', { until: at(100) })).toEqual([early]);
    });

    it('when there are more hits than a page, then pages follow newest first without repeats', async () => {
      const made = [];
      for (let i = 0; i < 5; i += 1) made.push(await declare({ title: `Disk full ${i}`, startedAt: at(i * 10) }));
      const { items: all, pages } = await collectPages((cursor) => search.search({ terms: ['disk'], limit: 2, cursor }));
      expect(pages).toBe(3);
      expect(all.map((hit) => hit.incident.id)).toEqual([...made].reverse());
    });

    it('when the search has no words, then nothing is found', async () => {
      await declare();
      expect((await search.search({ terms: [], limit: 10 })).items).toEqual([]);
    });

    it('when another replica opens the same database, then it finds what this one wrote', async () => {
      const incident = await declare();
      await write(incident, 1, { sections: { prevention: text('Quota alarms on every bucket.') } });
      const other = await fixture().connectAgain();
      expect((await other.search.search({ terms: ['quota'], limit: 10 })).items.map((hit) => hit.incident.id)).toEqual([incident]);
    });
  });
}
