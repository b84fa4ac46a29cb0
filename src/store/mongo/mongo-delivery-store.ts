import type { DeliveryRecord, DeliveryStore, DeliveryUpdate } from '../delivery-store';
import type { MongoConnection } from './mongo-connection';
import { isDuplicateKey } from './mongo-errors';
import { COLLECTIONS, collectionsOf, type MongoCollections } from './mongo-indexes';
import { deliveryDocSchema, parseDoc, toDeliveryDoc, toDeliveryRecord } from './mongo-schemas';

/** Oldest first; ties by target then id, as every store orders them. */
export const DELIVERY_SORT = { createdAt: 1, target: 1, _id: 1 } as const;

/**
 * Outbound delivery outcomes on MongoDB (companion collection, like the SQLite table). Each
 * write is one single-document operation; a delivery is only ever updated by the notifier
 * that sends it, so no transaction is needed.
 */
export class MongoDeliveryStore implements DeliveryStore {
  constructor(private readonly connection: MongoConnection) {}

  private get c(): MongoCollections {
    return collectionsOf(this.connection.db);
  }

  async init(): Promise<void> {
    await this.connection.open();
  }

  async create(record: DeliveryRecord): Promise<void> {
    await this.c.deliveries.insertOne(toDeliveryDoc(record));
  }

  async createOnce(record: DeliveryRecord): Promise<boolean> {
    try {
      await this.c.deliveries.insertOne(toDeliveryDoc(record));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async update(id: string, update: DeliveryUpdate): Promise<void> {
    await this.c.deliveries.updateOne({ _id: id }, {
      $set: {
        status: update.status, attempts: update.attempts, lastStatusCode: update.lastStatusCode, lastError: update.lastError, nextAttemptAt: update.nextAttemptAt,
        updatedAt: update.updatedAt, deliveredAt: update.deliveredAt,
      },
    });
  }

  async listForIncident(incidentId: string): Promise<DeliveryRecord[]> {
    const docs = await this.c.deliveries.find({ incidentId }).sort(DELIVERY_SORT).toArray();
    return docs.map((doc) => toDeliveryRecord(parseDoc(COLLECTIONS.deliveries, deliveryDocSchema, doc)));
  }

  async listPending(limit: number): Promise<DeliveryRecord[]> {
    const docs = await this.c.deliveries.find({ status: 'pending' }).sort(DELIVERY_SORT).limit(limit).toArray();
    return docs.map((doc) => toDeliveryRecord(parseDoc(COLLECTIONS.deliveries, deliveryDocSchema, doc)));
  }
}
