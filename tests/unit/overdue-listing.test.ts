import { overdueListing } from '../../src/domain/trackers/overdue-listing';

describe('overdue action items per team and owner', () => {
  it('when incidents belong to teams, then items count per team and owner; an incident of two teams counts for both, one of none under null', () => {
    const teams: Record<string, string[]> = { 'inc-1': ['payments'], 'inc-2': ['payments', 'platform'], 'inc-3': [] };
    const listing = overdueListing('2026-03-10', [
      { incidentId: 'inc-1', owner: 'alice', count: 2 },
      { incidentId: 'inc-2', owner: 'alice', count: 1 },
      { incidentId: 'inc-2', owner: null, count: 1 },
      { incidentId: 'inc-3', owner: 'bob', count: 3 },
    ], (id) => teams[id] ?? []);
    expect(listing.total).toBe(7);
    expect(listing.byOwner).toEqual([{ owner: 'alice', count: 3 }, { owner: 'bob', count: 3 }, { owner: null, count: 1 }]);
    expect(listing.byTeam).toEqual([{ team: 'payments', count: 4 }, { team: null, count: 3 }, { team: 'platform', count: 2 }]);
    expect(listing.rows).toEqual([
      { team: 'payments', owner: 'alice', count: 3 },
      { team: null, owner: 'bob', count: 3 },
      { team: 'payments', owner: null, count: 1 },
      { team: 'platform', owner: 'alice', count: 1 },
      { team: 'platform', owner: null, count: 1 },
    ]);
  });

  it('when nothing is overdue, then the listing is empty', () => {
    expect(overdueListing('2026-03-10', [], () => [])).toEqual({ today: '2026-03-10', total: 0, byTeam: [], byOwner: [], rows: [] });
  });
});
