import type { z } from 'zod';
import type { AlertObservation } from '../src/domain/alert';
import type { Change } from '../src/domain/changes/change';
import type { PagingEvent } from '../src/domain/paging-event';
import type { TrackerIssueState } from '../src/domain/trackers/tracker';

/**
 * The narrow contract between Debrief's core and one monitoring source.
 *
 * A connector knows everything about one sender: its payload schema, how to check the
 * sender's credentials, and how to translate a payload into Debrief's words. The core only
 * sees connectors through the explicit list in `connectors/index.ts`.
 */
export interface Connector<Payload = unknown, Credentials = unknown> {
  /** Stable id used in config (`connector: alertmanager`). */
  id: string;
  /** Human name for docs and errors. */
  displayName: string;
  /** Schema of the webhook body; forgiving of unknown fields. Used for the 400 details and OpenAPI. */
  payloadSchema: z.ZodType<Payload>;
  /**
   * Schema of what one instance of this connector is configured with
   * (`instances[].credentials`), validated with the rest of the configuration. Lists default to
   * empty; secrets themselves are never defaulted.
   */
  credentialsSchema: z.ZodType<Credentials>;
  /**
   * Check the request's credentials before anything is stored. Pure: gets headers and the
   * exact raw bytes (signatures cover bytes, not re-serialised JSON).
   */
  authenticate(request: InboundRequest, credentials: Credentials): AuthOutcome;
  /**
   * Translate one validated payload into observations. Pure: no clock, no I/O; `receivedAt`
   * is passed in. Throws `NormalizeError` for bodies that parse but cannot be understood.
   */
  normalize(payload: Payload, context: NormalizeContext): Normalized;
  /**
   * When true, a body that passes the schema but fails `normalize` is still stored (202) and
   * kept as a dead letter, instead of being refused with 400. For senders that disable a
   * subscription after repeated 4xx answers (PagerDuty: 3 failures), losing the stream is
   * worse than keeping one bad body for a human to look at.
   */
  keepUnprocessable?: boolean;
  /**
   * Optional early refusal of a parsed body with a message for the sender, e.g. a legacy
   * format this connector does not accept. Returns null to continue.
   */
  rejectPayload?(json: unknown): string | null;
  /**
   * Optional fast path for `payloadSchema`: true only for bodies the schema accepts unchanged
   * (no transforms), so they skip the schema; false sends the body through the schema, which
   * names the failing fields. May be stricter than the schema, never looser.
   */
  quickAccept?(json: unknown): boolean;
  /** Optional key that makes a redelivery of the same request a no-op (e.g. PagerDuty's X-Webhook-Id). */
  deliveryId?(request: InboundRequest): string | null;
}

export interface InboundRequest {
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export type AuthOutcome =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'invalid'; message: string };

export interface NormalizeContext {
  instance: string;
  receivedAt: string;
}

export interface Normalized {
  alerts: AlertObservation[];
  /** Human-side lifecycle events from a paging tool (PagerDuty); empty for alert sources. */
  pagingEvents: PagingEvent[];
  /** Changes to running systems (deploys, config changes) from a change source; absent or empty for the others. */
  changes?: Change[];
  /** Issue state changes from a tracker's webhook (GitHub Issues, Jira); absent or empty for the others. */
  trackerStates?: TrackerIssueState[];
  /** Set when the body is valid but carries nothing Debrief acts on (e.g. a test notification). */
  ignoredReason: string | null;
}

/** A body that passed the schema but cannot be turned into alerts; kept as a dead letter. */
export class NormalizeError extends Error {
  /** `path` names the offending field (e.g. `alerts.1.startsAt`) when known. */
  constructor(message: string, public readonly path?: string) {
    super(message);
    this.name = 'NormalizeError';
  }
}
