import Database from 'better-sqlite3';
import { SqliteReportStore } from '../../src/store/sqlite/sqlite-report-store';

/** The action_items table as files written before tracker links have it. */
const OLD_ACTION_ITEMS = `
CREATE TABLE action_items (
  id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, title TEXT NOT NULL, owner TEXT, due_date TEXT, status TEXT NOT NULL, tracker_url TEXT,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL
);
INSERT INTO action_items VALUES ('ai_old', 'inc-1', 'Written before trackers', 'alice', '2026-01-10', 'open', 'https://tracker.example/T-1',
  '2026-01-01T00:00:00.000Z', 'alice', '2026-01-01T00:00:00.000Z', 'alice');
`;

describe('SQLite report store on a file from before tracker links', () => {
  it('when it opens, then the tracker columns are added, old items read as unlinked, and a link can be stored and found', async () => {
    const db = new Database(':memory:');
    db.exec(OLD_ACTION_ITEMS);
    const store = new SqliteReportStore(() => db);
    await store.init();
    await store.init(); // idempotent
    const old = await store.getActionItem('ai_old');
    expect(old).toMatchObject({ id: 'ai_old', trackerUrl: 'https://tracker.example/T-1' });
    expect(old).not.toHaveProperty('tracker');

    const link = { tracker: 'github' as const, key: 'acme/api#7', url: 'https://github.com/acme/api/issues/7', state: null, category: null, changedAt: null };
    const audit = { id: 'a1', incidentId: 'inc-1', at: '2026-03-01T00:00:00.000Z', actor: 'erin', action: 'action-item.updated' as const, version: 1, actionItemId: 'ai_old', changes: [] };
    expect(await store.updateActionItem({ ...old!, tracker: link, trackerUrl: link.url }, audit)).toBe(true);
    expect((await store.listActionItems({ trackerKind: 'github', trackerKey: 'acme/api#7', limit: 10 })).items.map((i) => i.id)).toEqual(['ai_old']);
    expect((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'action_items_tracker'").all())).toHaveLength(1);
    expect(await store.countOverdueActionItems('2026-02-01')).toEqual([{ incidentId: 'inc-1', owner: 'alice', count: 1 }]);
  });
});
