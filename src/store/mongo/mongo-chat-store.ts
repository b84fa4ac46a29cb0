import { z } from 'zod';
import type { ChatMessage } from '../../domain/chat/chat-message';
import { MAX_CHAT_CANDIDATES, refreshed, type ChatStore } from '../chat-store';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, collectionsOf, type MongoCollections } from './mongo-indexes';
import { parseDoc } from './mongo-schemas';

/** A stored candidate: the message, its `_id` the incident and message id. */
const chatDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(), id: z.string(), channel: z.string(), ts: z.string(), threadTs: z.string().nullable(), at: z.string(),
  author: z.string(), authorId: z.string().nullable(), text: z.string(), permalink: z.string(),
  preselected: z.boolean(), kept: z.boolean(), importedAt: z.string(), importedBy: z.string(), decidedBy: z.string().nullable(),
});

const docId = (incidentId: string, id: string): string => `${incidentId}\u0000${id}`;
const SORT = { incidentId: 1, at: 1, id: 1 } as const;

function toChatMessage(doc: unknown): ChatMessage {
  const { _id, ...message } = parseDoc(COLLECTIONS.chatMessages, chatDocSchema, doc);
  return message;
}

/** Chat candidates on MongoDB (companion collection, like the SQLite table). */
export class MongoChatStore implements ChatStore {
  constructor(private readonly connection: MongoConnection) {}

  private get c(): MongoCollections {
    return collectionsOf(this.connection.db);
  }

  async init(): Promise<void> {
    await this.connection.open();
  }

  async addCandidates(messages: readonly ChatMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const ids = messages.map((message) => docId(message.incidentId, message.id));
    const stored = new Map((await this.c.chatMessages.find({ _id: { $in: ids } }).toArray()).map((doc) => [String(doc._id), toChatMessage(doc)]));
    const writes = messages.map((message) => {
      const _id = docId(message.incidentId, message.id);
      const prior = stored.get(_id);
      return { updateOne: { filter: { _id }, update: { $set: { ...(prior ? refreshed(prior, message) : message) } }, upsert: true } };
    });
    await this.c.chatMessages.bulkWrite(writes, { ordered: true });
    return messages.filter((message) => !stored.has(docId(message.incidentId, message.id))).length;
  }

  async listCandidates(incidentId: string): Promise<ChatMessage[]> {
    return (await this.c.chatMessages.find({ incidentId }).sort(SORT).limit(MAX_CHAT_CANDIDATES).toArray()).map(toChatMessage);
  }

  async listKept(incidentId: string): Promise<ChatMessage[]> {
    return (await this.c.chatMessages.find({ incidentId, kept: true }).sort(SORT).limit(MAX_CHAT_CANDIDATES).toArray()).map(toChatMessage);
  }

  async setKept(incidentId: string, id: string, kept: boolean, by: string): Promise<ChatMessage | null> {
    const doc = await this.c.chatMessages.findOneAndUpdate({ _id: docId(incidentId, id) }, { $set: { kept, decidedBy: by } }, { returnDocument: 'after' });
    return doc ? toChatMessage(doc) : null;
  }
}
