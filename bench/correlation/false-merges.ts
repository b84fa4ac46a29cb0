import { firingKey, type GroundTruth } from '../../src/cli/backtest/ground-truth';
import type { Alert } from '../../src/domain/alert';
import type { IncidentDetail } from '../../src/domain/incident';

/**
 * False merges: incidents Debrief made that hold firings of several true incidents, with the
 * alerts that bridged them and the decision each one carries. This is how a rule's failure
 * modes show: which rule joined what, on which evidence. Pure.
 */
export interface TrueIncidentRef {
  id: string;
  kind: string;
  title: string;
  /** Its firings inside the merged incident. */
  firings: number;
}

export interface Bridge {
  /** The true incident this alert belongs to, which it brought into the merged incident. */
  trueIncident: string;
  alertname: string;
  service: string;
  cluster: string;
  startsAt: string;
  rule: string | null;
  explanation: string;
}

export interface FalseMerge {
  incidentId: string;
  title: string;
  trueIncidents: TrueIncidentRef[];
  /** Pairs of firings of different true incidents in it: what the merge costs pairwise precision. */
  wrongPairs: number;
  bridges: Bridge[];
}

// By first receipt: a late merge rewrites the decision (and its time) of the alerts it moves.
const order = (a: Alert, b: Alert): number => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.startsAt.localeCompare(b.startsAt);

/**
 * For each incident holding several true incidents: the true incident whose alert came first
 * is the host; for every other one, its first alert that a rule placed (not opened) is the
 * bridge, or its first alert when none was (it opened an incident that was merged in later;
 * that alert's decision then tells the merge). Largest merges first, at most `limit`.
 */
export function falseMerges(truth: GroundTruth, incidents: readonly IncidentDetail[], limit = 5): FalseMerge[] {
  const truthOf = new Map<string, { id: string; kind: string; title: string }>();
  for (const inc of truth.incidents) {
    for (const f of inc.firings) truthOf.set(firingKey(f.fingerprint, f.startsAt), { id: inc.id, kind: inc.kind, title: inc.title ?? inc.id });
  }
  const out: FalseMerge[] = [];
  for (const { incident, alerts } of incidents) {
    const groups = new Map<string, Alert[]>();
    for (const a of [...alerts].sort(order)) {
      const t = truthOf.get(firingKey(a.fingerprint, a.startsAt));
      if (!t) continue;
      (groups.get(t.id) ?? groups.set(t.id, []).get(t.id)!).push(a);
    }
    if (groups.size < 2) continue;
    const sizes = [...groups.values()].map((g) => g.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const wrongPairs = (total * total - sizes.reduce((a, b) => a + b * b, 0)) / 2;
    const [, ...guests] = [...groups.entries()];
    out.push({
      incidentId: incident.id,
      title: incident.title,
      trueIncidents: [...groups.entries()].map(([id, g]) => {
        const t = truthOf.get(firingKey(g[0]!.fingerprint, g[0]!.startsAt))!;
        return { id, kind: t.kind, title: t.title, firings: g.length };
      }),
      wrongPairs,
      bridges: guests.map(([id, g]) => {
        const a = g.find((x) => x.decision.kind === 'rule') ?? g[0]!;
        return {
          trueIncident: id,
          alertname: a.labels.alertname ?? '(unnamed)',
          service: a.labels.service ?? '',
          cluster: a.labels.cluster ?? '',
          startsAt: a.startsAt,
          rule: a.decision.rule,
          explanation: a.decision.explanation,
        };
      }),
    });
  }
  return out.sort((a, b) => b.wrongPairs - a.wrongPairs || a.incidentId.localeCompare(b.incidentId)).slice(0, limit);
}

/** A true incident Debrief split over several incidents, with what opened each extra part. */
export interface FalseSplit {
  trueIncident: TrueIncidentRef;
  /** The incidents it is spread over (its firings in each). */
  parts: Array<{ incidentId: string; firings: number }>;
  /** Pairs of its firings Debrief kept apart: what the split costs pairwise recall. */
  missedPairs: number;
  /** For every part but the largest: its first alert, and why it did not join the others. */
  openers: Bridge[];
}

/**
 * False splits: true incidents whose firings Debrief spread over several incidents, with the
 * decision of the first alert of each smaller part (why no rule linked it). Largest splits
 * first, at most `limit`. Pure.
 */
export function falseSplits(truth: GroundTruth, incidents: readonly IncidentDetail[], limit = 5): FalseSplit[] {
  const placed = new Map<string, { incidentId: string; alert: Alert }>();
  for (const { incident, alerts } of incidents) for (const a of alerts) placed.set(firingKey(a.fingerprint, a.startsAt), { incidentId: incident.id, alert: a });
  const out: FalseSplit[] = [];
  for (const inc of truth.incidents) {
    const parts = new Map<string, Alert[]>();
    for (const f of inc.firings) {
      const p = placed.get(firingKey(f.fingerprint, f.startsAt));
      if (p) (parts.get(p.incidentId) ?? parts.set(p.incidentId, []).get(p.incidentId)!).push(p.alert);
    }
    if (parts.size < 2) continue;
    const sorted = [...parts.entries()].sort((a, b) => b[1].length - a[1].length);
    const sizes = sorted.map(([, g]) => g.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    out.push({
      trueIncident: { id: inc.id, kind: inc.kind, title: inc.title ?? inc.id, firings: total },
      parts: sorted.map(([incidentId, g]) => ({ incidentId, firings: g.length })),
      missedPairs: (total * total - sizes.reduce((a, b) => a + b * b, 0)) / 2,
      openers: sorted.slice(1).map(([, g]) => {
        const a = [...g].sort(order)[0]!;
        return {
          trueIncident: inc.id, alertname: a.labels.alertname ?? '(unnamed)', service: a.labels.service ?? '', cluster: a.labels.cluster ?? '',
          startsAt: a.startsAt, rule: a.decision.rule, explanation: a.decision.explanation,
        };
      }),
    });
  }
  return out.sort((a, b) => b.missedPairs - a.missedPairs || a.trueIncident.id.localeCompare(b.trueIncident.id)).slice(0, limit);
}
