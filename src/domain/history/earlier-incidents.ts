
/**
 * "This happened before": earlier incidents that share services and alert names with this one,
 * with what their post-mortems found and promised. Pure: the candidates and their reports are
 * read by the caller (`src/services/incident-history.ts`), `today` is passed in.
 */

/** An action item as compared here (`ActionItem` of the report model, without its audit fields). */
export interface ActionItemState {
  id: string;
  title: string;
  status: 'open' | 'in_progress' | 'done' | 'wont_do';
  dueDate: string | null;
  trackerUrl: string | null;
  owner: string | null;
}

export interface IncidentFootprint {
  id: string;
  title: string;
  startedAt: string;
  services: readonly string[];
  alertNames: readonly string[];
}

/** An earlier incident as read for comparison, with its latest published post-mortem (if any). */
export interface EarlierCandidate extends IncidentFootprint {
  /** "What happened" of its latest published version; null when none was published or it was left empty. */
  cause: string | null;
  /** "How we will prevent this" of its latest published version. */
  prevention: string | null;
  publishedAt: string | null;
  actionItems: readonly ActionItemState[];
}

export interface EarlierIncident {
  incidentId: string;
  title: string;
  startedAt: string;
  sharedAlertNames: string[];
  sharedServices: string[];
  /** 0..1: shared alert names weigh twice as much as shared services (Jaccard of each). */
  similarity: number;
  /** One sentence of why it is named. */
  reason: string;
  cause: string | null;
  prevention: string | null;
  /** Its action items not done (open, in progress), overdue ones flagged: promises that did not stop this one. */
  unfinishedActionItems: Array<ActionItemState & { overdue: boolean }>;
}

/**
 * The earlier incidents similar to `current`: those that started before it and share at least
 * one alert name and one service, most similar first (then the most recent).
 */
export function findEarlierIncidents(current: IncidentFootprint, candidates: readonly EarlierCandidate[], today: string): EarlierIncident[] {
  const found: EarlierIncident[] = [];
  for (const candidate of candidates) {
    if (candidate.id === current.id || candidate.startedAt >= current.startedAt) continue;
    const sharedAlertNames = intersect(current.alertNames, candidate.alertNames);
    const sharedServices = intersect(current.services, candidate.services);
    if (sharedAlertNames.length === 0 || sharedServices.length === 0) continue;
    const similarity = Math.round(((2 * jaccard(current.alertNames, candidate.alertNames) + jaccard(current.services, candidate.services)) / 3) * 1000) / 1000;
    const unfinishedActionItems = candidate.actionItems
      .filter((item) => item.status === 'open' || item.status === 'in_progress')
      .map((item) => ({ id: item.id, title: item.title, status: item.status, dueDate: item.dueDate, trackerUrl: item.trackerUrl, owner: item.owner, overdue: item.dueDate !== null && item.dueDate < today }));
    found.push({
      incidentId: candidate.id, title: candidate.title, startedAt: candidate.startedAt, sharedAlertNames, sharedServices, similarity,
      reason: `"${candidate.title}" on ${candidate.startedAt.slice(0, 10)} also had ${list(sharedAlertNames)} on ${list(sharedServices)}`,
      cause: candidate.cause, prevention: candidate.prevention, unfinishedActionItems,
    });
  }
  return found.sort((a, b) => b.similarity - a.similarity || b.startedAt.localeCompare(a.startedAt) || a.incidentId.localeCompare(b.incidentId));
}

const intersect = (a: readonly string[], b: readonly string[]): string[] => [...new Set(a)].filter((x) => b.includes(x)).sort();
const jaccard = (a: readonly string[], b: readonly string[]): number => {
  const union = new Set([...a, ...b]).size;
  return union === 0 ? 0 : intersect(a, b).length / union;
};
const list = (items: readonly string[]): string => (items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`);
export const firstParagraph = (text: string): string => {
  const paragraph = text.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ');
  return paragraph.length > 300 ? `${paragraph.slice(0, 297)}...` : paragraph;
};
