import { namingTag } from '../domain/service-naming';
import type { ServiceLabels } from '../domain/service-naming';
import { timeOrderedId } from './time-ordered-id';
import type { Correlator } from '../domain/correlation/correlator';
import type { LedgerContext, PlacementContext } from '../domain/ledger/incident-ledger';

/** The ledger's context from a store call's context, with time-ordered ids (time-ordered-id.ts). */
export function ledgerContext(ctx: { serviceLabels: ServiceLabels; now: string }): LedgerContext {
  return { serviceLabels: ctx.serviceLabels, now: ctx.now, newId: timeOrderedId };
}

export function placementContext(ctx: { serviceLabels: ServiceLabels; now: string; correlator: Correlator }): PlacementContext {
  return { ...ledgerContext(ctx), correlator: ctx.correlator };
}

/**
 * Version of what the stores derive from alerts and keep (tallies, facets, key activity). Raise
 * it when that changes: stores recompute every incident once when they find another version.
 */
export const DERIVED_STATE_VERSION = 3;

/** What derived state depends on: its version and the service labels (which service an alert names). */
export const derivedStateTag = (ctx: Pick<LedgerContext, 'serviceLabels'>): string => JSON.stringify({ v: DERIVED_STATE_VERSION, naming: namingTag(ctx.serviceLabels) });
