/**
 * Outcomes of outbound notifications (signed webhooks sent when a report is published, notices
 * to people: Slack and signed webhooks), kept so
 * they are visible on the report and pending ones can be resumed after a restart.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  /** Also sent as `X-Debrief-Delivery`; receivers deduplicate on it. */
  id: string;
  incidentId: string;
  /** Report version the notification is about. */
  version: number;
  /** `report.published`, or a notice kind to people (`postmortem.required`, ...). */
  event: string;
  /** Configured webhook or notice target name (never its secret or URL). */
  target: string;
  /** The exact bytes that were signed and sent (UTF-8 JSON), so retries and resumes send the same. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the next attempt is due while pending; null otherwise. */
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export type DeliveryUpdate = Pick<DeliveryRecord, 'status' | 'attempts' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt' | 'updatedAt' | 'deliveredAt'>;

export interface DeliveryStore {
  init(): Promise<void>;
  create(record: DeliveryRecord): Promise<void>;
  /**
   * Records the delivery unless one with its id exists; true when recorded. Notices to people
   * use ids derived from what they are about, so a check that runs again records nothing twice.
   */
  createOnce(record: DeliveryRecord): Promise<boolean>;
  update(id: string, update: DeliveryUpdate): Promise<void>;
  /** Oldest first. */
  listForIncident(incidentId: string): Promise<DeliveryRecord[]>;
  /** Every pending delivery, oldest first (resumed at start-up). */
  listPending(limit: number): Promise<DeliveryRecord[]>;
}

/** For stores without a SQLite file (injected fakes in tests and benchmarks). Not durable. */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly records = new Map<string, DeliveryRecord>();

  async init(): Promise<void> {}

  async create(record: DeliveryRecord): Promise<void> {
    this.records.set(record.id, { ...record });
  }

  async createOnce(record: DeliveryRecord): Promise<boolean> {
    if (this.records.has(record.id)) return false;
    this.records.set(record.id, { ...record });
    return true;
  }

  async update(id: string, update: DeliveryUpdate): Promise<void> {
    const record = this.records.get(id);
    if (record) this.records.set(id, { ...record, ...update });
  }

  async listForIncident(incidentId: string): Promise<DeliveryRecord[]> {
    return [...this.records.values()].filter((record) => record.incidentId === incidentId).sort(order).map((record) => ({ ...record }));
  }

  async listPending(limit: number): Promise<DeliveryRecord[]> {
    return [...this.records.values()].filter((record) => record.status === 'pending').sort(order).slice(0, limit).map((record) => ({ ...record }));
  }
}

const order = (a: DeliveryRecord, b: DeliveryRecord): number => a.createdAt.localeCompare(b.createdAt) || a.target.localeCompare(b.target) || a.id.localeCompare(b.id);
