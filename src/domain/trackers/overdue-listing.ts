/** Overdue action items of one team and owner (null: no owning team in the catalog / no owner). */
export interface OverdueRow {
  team: string | null;
  owner: string | null;
  count: number;
}

export interface OverdueListing {
  /** The day (UTC) items are overdue before. */
  today: string;
  /** Overdue items, each counted once. */
  total: number;
  /** Per team: an item whose incident belongs to two teams counts for both. */
  byTeam: Array<{ team: string | null; count: number }>;
  byOwner: Array<{ owner: string | null; count: number }>;
  rows: OverdueRow[];
}

/**
 * Overdue counts per incident and owner (from the store's aggregate) turned into the listing
 * per team and owner (pure). `teamsOf` gives the owning teams of an incident (from its services
 * in the catalog); an incident without one counts under team null.
 */
export function overdueListing(
  today: string,
  counts: ReadonlyArray<{ incidentId: string; owner: string | null; count: number }>,
  teamsOf: (incidentId: string) => readonly string[],
): OverdueListing {
  const rows = new Map<string, OverdueRow>();
  const byOwner = new Map<string | null, number>();
  let total = 0;
  for (const { incidentId, owner, count } of counts) {
    total += count;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + count);
    const teams = teamsOf(incidentId);
    for (const team of teams.length > 0 ? teams : [null]) {
      const key = JSON.stringify([team, owner]);
      const row = rows.get(key) ?? rows.set(key, { team, owner, count: 0 }).get(key)!;
      row.count += count;
    }
  }
  const byTeam = new Map<string | null, number>();
  for (const row of rows.values()) byTeam.set(row.team, (byTeam.get(row.team) ?? 0) + row.count);
  const most = <K>(entries: Map<K, number>) => [...entries].sort((a, b) => b[1] - a[1] || String(a[0] ?? '\uffff').localeCompare(String(b[0] ?? '\uffff')));
  return {
    today,
    total,
    byTeam: most(byTeam).map(([team, count]) => ({ team, count })),
    byOwner: most(byOwner).map(([owner, count]) => ({ owner, count })),
    rows: [...rows.values()].sort((a, b) => b.count - a.count || String(a.team ?? '\uffff').localeCompare(String(b.team ?? '\uffff')) || String(a.owner ?? '\uffff').localeCompare(String(b.owner ?? '\uffff'))),
  };
}
