import { formatGap, formatMinutes } from './explain';
import type { Hit, IncidentCandidate, KeyActivity } from './correlation-types';

/** Choosing among candidate links, and saying why none fitted. Pure. */

export function indexByKey(candidates: readonly IncidentCandidate[]): Map<string, Array<{ candidate: IncidentCandidate; activity: KeyActivity }>> {
  const out = new Map<string, Array<{ candidate: IncidentCandidate; activity: KeyActivity }>>();
  for (const c of candidates) {
    for (const a of c.keys) (out.get(a.key) ?? out.set(a.key, []).get(a.key)!).push({ candidate: c, activity: a });
  }
  return out;
}

/** Smallest gap; ties go to the older incident, then the smaller id, so replays agree. */
export function pickBest<T extends Hit>(hits: T[]): T | null {
  let best: T | null = null;
  for (const h of hits) {
    if (!best || h.gapMs < best.gapMs || (h.gapMs === best.gapMs && (h.candidate.incident.startedAt < best.candidate.incident.startedAt
      || (h.candidate.incident.startedAt === best.candidate.incident.startedAt && h.candidate.incident.id < best.candidate.incident.id)))) best = h;
  }
  return best;
}

export function describeMiss(hits: Hit[], windowMs: number, t: number, minScore = 0): string {
  const closed = hits.filter((h) => h.miss === 'closed');
  const depth = hits.filter((h) => h.miss === 'depth');
  const span = hits.filter((h) => h.miss === 'span');
  const score = hits.filter((h) => h.miss === 'score');
  const nearest = [...hits].sort((a, b) => a.gapMs - b.gapMs)[0]!;
  if (closed.length > 0 && closed.length === hits.filter((h) => h.miss !== 'gap').length) {
    const c = closed[0]!.candidate.incident;
    return `the matching incident "${c.title}" resolved ${formatGap(t - Date.parse(c.endedAt!))} before it, beyond the quiet period and reopen window`;
  }
  if (depth.length > 0) return `the link would go through ${depth[0]!.refused}`;
  if (span.length > 0) return 'joining the matching incident would stretch it beyond the rule\'s maxSpanHours';
  if (score.length > 0) return `the best link scores ${Math.max(...score.map((h) => h.score)).toFixed(2)}, below the threshold ${minScore.toFixed(2)}`;
  return `the nearest matching alerts started ${formatGap(nearest.gapMs)} ${nearest.before ? 'after' : 'before'} it (window ${formatMinutes(windowMs)})`;
}
