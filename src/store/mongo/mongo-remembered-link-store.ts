import { MAX_REMEMBERED_LINKS, sortedPair, type LinkToRemember, type RememberedLink, type RememberedLinkStore } from '../remembered-link-store';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, collectionsOf, type MongoCollections } from './mongo-indexes';
import { parseDoc, rememberedLinkDocSchema, toRememberedLink } from './mongo-schemas';

/**
 * Remembered links on MongoDB (companion collection, like the SQLite table): one document per
 * service pair, its `_id` the pair, so remembering is one upsert and two merges at once count twice.
 */
export class MongoRememberedLinkStore implements RememberedLinkStore {
  constructor(private readonly connection: MongoConnection) {}

  private get c(): MongoCollections {
    return collectionsOf(this.connection.db);
  }

  async init(): Promise<void> {
    await this.connection.open();
  }

  async remember(link: LinkToRemember): Promise<void> {
    const services = sortedPair(link.services);
    await this.c.rememberedLinks.updateOne({ _id: services.join('\u0000') }, {
      $setOnInsert: { services, firstBy: link.by, firstAt: link.at },
      $set: { lastBy: link.by, lastAt: link.at, incidentIds: [...link.incidentIds], reason: link.reason },
      $inc: { merges: 1 },
    }, { upsert: true });
  }

  async list(): Promise<RememberedLink[]> {
    const docs = await this.c.rememberedLinks.find({}).sort({ lastAt: -1, _id: 1 }).limit(MAX_REMEMBERED_LINKS).toArray();
    return docs.map((doc) => toRememberedLink(parseDoc(COLLECTIONS.rememberedLinks, rememberedLinkDocSchema, doc)));
  }
}
