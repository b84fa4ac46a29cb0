import type { ServiceLabels } from '../domain/service-naming';
import type { Correlator } from '../domain/correlation/correlator';
import type { IncidentEvent } from '../domain/incident';
import { NotFoundError } from '../errors';
import type { CorrectionContext, MergeResult, MoveResult, SplitResult, Store } from '../store/store';
import type { CarryResult, ReportCarryOver } from './report-carry-over';

export interface CorrectionServiceDeps {
  store: Pick<Store, 'mergeIncidents' | 'splitIncident' | 'moveAlert' | 'getIncidentAudit'>;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  clock: () => Date;
  /** Carries the merged-away incidents' report parts and action items to the target. */
  carryOver: Pick<ReportCarryOver, 'plan' | 'complete' | 'cancel'>;
}

/** Who corrects and why (`reason` is recorded in the timeline entries and the decisions). */
export interface Correction {
  actor: string;
  reason?: string | null;
}

export interface MergeOutcome extends MergeResult {
  report: CarryResult;
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

  async merge(targetId: string, sourceIds: string[], by: Correction): Promise<MergeOutcome> {
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
    return { ...merged, report };
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
