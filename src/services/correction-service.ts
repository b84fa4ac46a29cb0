import type { ServiceLabels } from '../domain/service-naming';
import type { Correlator } from '../domain/correlation/correlator';
import type { Incident, IncidentEvent } from '../domain/incident';
import { pairsToRemember } from '../domain/same-outage';
import { NotFoundError } from '../errors';
import type { RememberedLinkStore } from '../store/remembered-link-store';
import type { CorrectionContext, MergeResult, MoveResult, SplitResult, Store } from '../store/store';
import type { CarryResult, ReportCarryOver } from './report-carry-over';

export interface CorrectionServiceDeps {
  store: Pick<Store, 'mergeIncidents' | 'splitIncident' | 'moveAlert' | 'getIncidentAudit' | 'getIncident'>;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  clock: () => Date;
  /** Carries the merged-away incidents' report parts and action items to the target. */
  carryOver: Pick<ReportCarryOver, 'plan' | 'complete' | 'cancel'>;
  /** Where "merge and remember" records the service links it teaches. */
  links: Pick<RememberedLinkStore, 'remember'>;
}

/** Who corrects and why (`reason` is recorded in the timeline entries and the decisions). */
export interface Correction {
  actor: string;
  reason?: string | null;
}

export interface MergeOutcome extends MergeResult {
  report: CarryResult;
  /**
   * With "remember": the service pairs recorded as linked (`failed` when recording them failed;
   * the merge stands). Null without "remember".
   */
  remembered: { links: Array<[string, string]>; failed: boolean } | null;
}

/**
 * SRE corrections of correlation: merge, split, move. Each is one atomic store operation,
 * recorded in both incidents' timelines with the actor; the alerts it places carry a `human`
 * decision, which the rules never undo. Timeline, impact and draft are derived at read time,
 * so they follow at once. A merge also carries what people wrote on the merged-away
 * incidents' reports to the target, which the report store does after the merge: recorded as
 * pending first, so it is finished later if it is interrupted (report-carry-over.ts).
 */
export class CorrectionService {
  constructor(private readonly deps: CorrectionServiceDeps) {}

  /**
   * Merges `sourceIds` into `targetId`. With `remember`, the services the merge brings together
   * are recorded as linked (the services each incident had before it), so that later incidents
   * on them are suggested as one outage and the catalog is asked to name what they share.
   */
  async merge(targetId: string, sourceIds: string[], by: Correction, remember = false): Promise<MergeOutcome> {
    const before = remember ? await this.servicesBefore([targetId, ...sourceIds]) : null;
    const pending = await this.deps.carryOver.plan(targetId, sourceIds, by.actor);
    let merged: MergeResult;
    try {
      merged = await this.deps.store.mergeIncidents(targetId, sourceIds, this.context(by));
    } catch (err) {
      // Refused (unknown, merged already, into itself) or failed: nothing to carry. Should
      // forgetting fail too, the record is dropped once it is old (MERGE_SETTLE_MS).
      await this.deps.carryOver.cancel(pending).catch(() => undefined);
      throw err;
    }
    const report = await this.deps.carryOver.complete(pending, merged.merged.map((m) => ({ id: m.id, title: m.title })));
    const remembered = before ? await this.remember(before, targetId, sourceIds, by) : null;
    return { ...merged, report, remembered };
  }

  private async servicesBefore(ids: string[]): Promise<Map<string, Pick<Incident, 'services'>>> {
    const details = await Promise.all(ids.map((id) => this.deps.store.getIncident(id)));
    return new Map(details.flatMap((detail) => (detail ? [[detail.incident.id, { services: detail.incident.services }] as const] : [])));
  }

  private async remember(before: Map<string, Pick<Incident, 'services'>>, targetId: string, sourceIds: string[], by: Correction): Promise<NonNullable<MergeOutcome['remembered']>> {
    const at = this.deps.clock().toISOString();
    const links: Array<[string, string]> = [];
    let failed = false;
    for (const sourceId of sourceIds) {
      for (const services of pairsToRemember(before.get(targetId) ?? { services: [] }, [before.get(sourceId) ?? { services: [] }])) {
        if (links.some((l) => l[0] === services[0] && l[1] === services[1])) continue;
        try {
          await this.deps.links.remember({ services, by: by.actor, at, incidentIds: [targetId, sourceId], reason: by.reason ?? null });
          links.push(services);
        } catch {
          failed = true;
        }
      }
    }
    return { links, failed };
  }

  async split(incidentId: string, alertIds: string[], by: Correction): Promise<SplitResult> {
    return this.deps.store.splitIncident(incidentId, alertIds, this.context(by));
  }

  async move(alertId: string, targetIncidentId: string, by: Correction): Promise<MoveResult> {
    return this.deps.store.moveAlert(alertId, targetIncidentId, this.context(by));
  }

  /** The correlation audit trail of an incident, oldest first. */
  async audit(incidentId: string): Promise<IncidentEvent[]> {
    const events = await this.deps.store.getIncidentAudit(incidentId);
    if (!events) throw new NotFoundError(`no incident "${incidentId}"`);
    return events;
  }

  private context(by: Correction): CorrectionContext {
    return {
      actor: by.actor, now: this.deps.clock().toISOString(), reason: by.reason ?? null,
      serviceLabels: this.deps.serviceLabels, correlator: this.deps.correlator,
    };
  }
}
