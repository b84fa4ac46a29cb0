import { z } from 'zod';
import { CHANGE_KINDS, CHANGE_ORIGINS, type Change } from '../../domain/changes/change';
import type { ChangeQuery, ChangeRecordResult } from '../store';
import { isDuplicateKey } from './mongo-errors';
import { COLLECTIONS, type MongoCollections } from './mongo-indexes';
import { parseDoc } from './mongo-schemas';

const nullableString = z.string().nullable();

/** A stored change: `_id` is `Change.id`; `at` and `statusAt` beside the record for the index and the conditional update. */
const changeDocSchema = z.object({
  _id: z.string(),
  at: z.string(),
  statusAt: z.string(),
  change: z.object({
    id: z.string(), instance: z.string(), origin: z.enum(CHANGE_ORIGINS), kind: z.enum(CHANGE_KINDS), service: nullableString,
    repository: nullableString, environment: nullableString, version: nullableString, summary: z.string(), author: nullableString,
    url: nullableString, at: z.string(), status: nullableString, statusAt: z.string(),
  }),
});

/**
 * Changes on MongoDB, one document per change. Each report is one conditional single-document
 * update (applied only when its `statusAt` is not older), else one insert: atomic without a
 * transaction, and two replicas inserting the same new change meet at the `_id` (the loser's
 * report is then tried as an update once more).
 */
export async function recordChangesMongo(c: MongoCollections, changes: readonly Change[]): Promise<ChangeRecordResult> {
  const result: ChangeRecordResult = { added: 0, updated: 0, unchanged: 0 };
  for (const change of changes) {
    const doc = { at: change.at, statusAt: change.statusAt, change: { ...change } };
    const newer = () => c.changes.updateOne({ _id: change.id, statusAt: { $lte: change.statusAt } }, { $set: doc });
    if ((await newer()).matchedCount > 0) {
      result.updated += 1;
      continue;
    }
    try {
      await c.changes.insertOne({ _id: change.id, ...doc });
      result.added += 1;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if ((await newer()).matchedCount > 0) result.updated += 1;
      else result.unchanged += 1;
    }
  }
  return result;
}

export async function listChangesMongo(c: MongoCollections, query: ChangeQuery): Promise<Change[]> {
  const docs = await c.changes.find({ at: { $gte: query.from, $lte: query.to } }).sort({ at: 1, _id: 1 }).limit(query.limit).toArray();
  return docs.map((doc) => parseDoc(COLLECTIONS.changes, changeDocSchema, doc).change);
}
