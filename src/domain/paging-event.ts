/**
 * A lifecycle event of an incident in a paging tool (PagerDuty's "incident"): triggered,
 * acknowledged, escalated, annotated, resolved... These are the human half of the timeline.
 * Vendor words stay inside the connector; here a PagerDuty incident is a "page".
 */
export interface PagingEvent {
  instance: string;
  source: string;
  /** Vendor event id (PagerDuty `event.id`); redeliveries carry the same id. */
  eventId: string;
  /** Short kind without vendor prefix: `triggered`, `acknowledged`, `annotated`, `resolved`, ... */
  kind: string;
  /** Vendor event type as received (e.g. `incident.acknowledged`). */
  vendorType: string;
  /** Event time from the source (`occurred_at`), UTC ISO. */
  occurredAt: string;
  /** Who did it (user or integration summary); null when the source does not say. */
  actor: string | null;
  /** One line for the timeline (includes note text for annotations). */
  text: string;
  page: PageRef;
  /**
   * How this change is recognised when a second channel reports it under another id (PagerDuty:
   * webhook `event.id` vs REST `log_entry:<id>` / `note:<id>`). Without it no twin is looked for.
   */
  identity?: PagingChangeIdentity;
}

/** See `PagingEvent.identity` and `findPagingTwin` (`paging-twins.ts`). */
export interface PagingChangeIdentity {
  /** The channel that reported it (`webhook`, `rest`); twins are looked for on the other channels only. */
  channel: string;
  /**
   * The changed object's own id when every channel carries it (a PagerDuty note: `note:<id>`),
   * matched exactly; null when the change has none both channels know (state changes).
   */
  objectId: string | null;
}

/** The paging tool's incident this event belongs to. */
export interface PageRef {
  id: string;
  number: number | null;
  title: string | null;
  url: string | null;
  status: string | null;
  urgency: string | null;
  priority: string | null;
  serviceId: string | null;
  serviceName: string | null;
  /** Dedup key / incident key; Alertmanager's PagerDuty notifier sets sha256_hex(groupKey). */
  incidentKey: string | null;
}
