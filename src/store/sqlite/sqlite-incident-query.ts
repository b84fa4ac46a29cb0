import { decodeCursor } from '../cursor';
import type { IncidentQuery } from '../store';

/**
 * The conditions of an incident list (`listIncidents`) over `incidents i`, newest first with a
 * (started_at, id) cursor: shared by the list and the search, which adds its own conditions.
 */
export function incidentListWhere(query: Omit<IncidentQuery, 'limit'>): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (query.status) { where.push('i.status = ?'); args.push(query.status); } else where.push("i.status <> 'merged'");
  if (query.severity) { where.push('i.severity = ?'); args.push(query.severity); }
  if (query.service) { where.push('i.id IN (SELECT incident_id FROM incident_services WHERE service = ?)'); args.push(query.service); }
  if (query.since) { where.push('(i.ended_at IS NULL OR i.ended_at >= ?)'); args.push(query.since); }
  if (query.until) { where.push('i.started_at < ?'); args.push(query.until); }
  if (query.cursor) {
    const c = decodeCursor(query.cursor, ['s', 'id']);
    where.push('(i.started_at < ? OR (i.started_at = ? AND i.id < ?))');
    args.push(String(c.s), String(c.s), String(c.id));
  }
  return { where, args };
}
