import { BSON, MongoServerError, ObjectId, type Db, type MongoClient } from 'mongodb';
import { MongoConnection } from '../../src/store/mongo/mongo-connection';
import { INDEX_PLAN } from '../../src/store/mongo/mongo-indexes';

/**
 * An in-memory stand-in for the small part of the MongoDB driver the Mongo stores use, so
 * their code paths run here, where no server can (docs/toolchain.md, "MongoDB"). It is NOT MongoDB: it
 * interprets only the operators the stores send ($in, $nin, $ne, $lt(e), $gt(e), $type, $regex,
 * $or, $and, and `$text` over the collection's text index from `INDEX_PLAN` (see `textMatches`); $set, $setOnInsert,
 * $inc, $min, $max, $push of one value), runs one operation at a time, and its
 * "transactions" are all-or-nothing but never concurrent. It proves the stores' logic and
 * document mapping, not their atomicity under concurrency (that needs a replica set).
 *
 * Documents go through a real BSON round trip on every write and read (with the client options
 * the stores set: `ignoreUndefined`, `promoteBuffers`), and unique indexes come from the
 * stores' own `INDEX_PLAN`, so duplicate keys raise E11000 as a server would.
 */

type Doc = Record<string, unknown>;

const bson = (d: unknown): Doc => BSON.deserialize(BSON.serialize(d as Doc, { ignoreUndefined: true }), { promoteBuffers: true });

const isPlainObject = (v: unknown): v is Doc =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ObjectId) && !Buffer.isBuffer(v) && !(v instanceof Date);
const isOperatorObject = (v: unknown): v is Doc => isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));

function getPath(doc: Doc, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof ObjectId || b instanceof ObjectId) return a instanceof ObjectId && b instanceof ObjectId && a.equals(b);
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

/** Equality as a query means it: null matches missing, a scalar matches an array containing it. */
function equals(value: unknown, wanted: unknown): boolean {
  if (wanted === null) return value === null || value === undefined;
  if (Array.isArray(value) && !Array.isArray(wanted)) return value.some((v) => same(v, wanted));
  return same(value, wanted);
}

/** Comparison within one type bracket (strings with strings, numbers with numbers); null sorts first. */
function compare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : v instanceof ObjectId ? 3 : v instanceof Date ? 4 : 5);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a instanceof ObjectId) return compare(a.toHexString(), (b as ObjectId).toHexString());
  if (a instanceof Date) return a.getTime() - (b as Date).getTime();
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  return 0;
}

const comparable = (a: unknown, b: unknown) => a !== null && a !== undefined && (typeof a === typeof b || (a instanceof ObjectId && b instanceof ObjectId));

function fieldMatches(value: unknown, cond: unknown): boolean {
  if (!isOperatorObject(cond)) return equals(value, cond);
  return Object.entries(cond).every(([op, arg]) => {
    switch (op) {
      case '$in': return (arg as unknown[]).some((x) => equals(value, x));
      case '$nin': return !(arg as unknown[]).some((x) => equals(value, x));
      case '$ne': return !equals(value, arg);
      case '$lt': return comparable(value, arg) && compare(value, arg) < 0;
      case '$lte': return comparable(value, arg) && compare(value, arg) <= 0;
      case '$gt': return comparable(value, arg) && compare(value, arg) > 0;
      case '$gte': return comparable(value, arg) && compare(value, arg) >= 0;
      case '$regex': return typeof value === 'string' && new RegExp(arg as string).test(value);
      case '$type':
        if (arg === 'string') return typeof value === 'string';
        throw new Error(`fake: $type ${String(arg)} not supported`);
      default: throw new Error(`fake: query operator ${op} not supported`);
    }
  });
}

/** Every value at `path`, through arrays (`content.timelineEntries.text`), as a text index reads them. */
function textsAt(value: unknown, parts: readonly string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => textsAt(item, parts));
  if (parts.length === 0) return typeof value === 'string' ? [value] : [];
  return isPlainObject(value) ? textsAt(value[parts[0]!], parts.slice(1)) : [];
}

/** English stop words the server's text index leaves out (a few of its list: enough for the stores' own list to be checked against). */
const TEXT_STOP_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'to', 'in', 'is', 'it', 'on', 'for', 'with', 'was', 'at', 'by']);
/** A rough stand-in for the server's Snowball English stemmer: the common endings off. */
const stemWord = (word: string): string => word.toLowerCase().replace(/(ing|ed|es|s)$/, (ending: string, _group: string, _offset: number, whole: string) => (whole.length - ending.length >= 3 ? '' : ending));
const wordsOf = (text: string): string[] => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !TEXT_STOP_WORDS.has(w));

/**
 * `$text: { $search }` with unquoted words only (what the stores send): a document matches when
 * any word's stem is a stem of a word in one of its text-indexed fields. Phrases and negations
 * are refused rather than modelled.
 */
function textMatches(doc: Doc, fields: readonly string[], search: string): boolean {
  if (/["-]/.test(search)) throw new Error('fake: $text phrases and negations are not supported');
  const wanted = new Set(wordsOf(search).map(stemWord));
  return fields.some((field) => textsAt(doc, field.split('.')).some((text) => wordsOf(text).some((word) => wanted.has(stemWord(word)))));
}

export function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([k, cond]) => {
    if (k === '$or') return (cond as Doc[]).some((f) => matches(doc, f));
    if (k === '$and') return (cond as Doc[]).every((f) => matches(doc, f));
    if (k.startsWith('$')) throw new Error(`fake: top-level ${k} not supported`);
    return fieldMatches(getPath(doc, k), cond);
  });
}

function sortDocs(docs: Doc[], sort: Doc | undefined): Doc[] {
  if (!sort) return docs;
  const keys = Object.entries(sort) as Array<[string, number]>;
  return [...docs].sort((a, b) => {
    for (const [k, dir] of keys) {
      const c = compare(getPath(a, k), getPath(b, k));
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

function project(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection) return doc;
  const out: Doc = { _id: doc._id };
  for (const [k, v] of Object.entries(projection)) if (v && k in doc) out[k] = doc[k];
  return out;
}

function applyUpdate(doc: Doc, update: Doc, inserting: boolean): void {
  for (const [op, fields] of Object.entries(update)) {
    for (const [k, v] of Object.entries(fields as Doc)) {
      if (k.includes('.')) throw new Error(`fake: dotted update path ${k} not supported`);
      switch (op) {
        case '$set': doc[k] = v; break;
        case '$setOnInsert': if (inserting) doc[k] = v; break;
        case '$inc': doc[k] = ((doc[k] as number | undefined) ?? 0) + (v as number); break;
        case '$min': if (doc[k] === undefined || compare(v, doc[k]) < 0) doc[k] = v; break;
        case '$max': if (doc[k] === undefined || compare(v, doc[k]) > 0) doc[k] = v; break;
        case '$push':
          // One value appended ($each and the other modifiers are not modelled); a server refuses a non-array field.
          if (isOperatorObject(v)) throw new Error(`fake: $push modifiers on ${k} not supported`);
          if (doc[k] === undefined) doc[k] = [v];
          else if (Array.isArray(doc[k])) (doc[k] as unknown[]).push(v);
          else throw new MongoServerError({ message: `The field '${k}' must be an array`, code: 2 });
          break;
        default: throw new Error(`fake: update operator ${op} not supported`);
      }
    }
  }
}

/** Equality fields of a filter become the fields of an upserted document, as on a server. */
function seedFromFilter(filter: Doc): Doc {
  const seed: Doc = {};
  for (const [k, v] of Object.entries(filter)) if (!k.startsWith('$') && !isOperatorObject(v)) seed[k] = v;
  return seed;
}

class FakeCursor {
  private sortSpec: Doc | undefined;
  private limitN = 0;
  constructor(private readonly load: () => Doc[], private readonly projection: Doc | undefined) {}
  sort(spec: Doc): this {
    this.sortSpec = spec;
    return this;
  }
  limit(n: number): this {
    this.limitN = n;
    return this;
  }
  async toArray(): Promise<Doc[]> {
    const sorted = sortDocs(this.load(), this.sortSpec);
    return (this.limitN ? sorted.slice(0, this.limitN) : sorted).map((d) => bson(project(d, this.projection)));
  }
  async next(): Promise<Doc | null> {
    return (await this.toArray())[0] ?? null;
  }
}

export class FakeCollection {
  docs: Doc[] = [];
  private readonly unique: Array<{ name: string; fields: string[]; partial?: Doc }>;

  constructor(readonly name: string, private readonly db: FakeDb) {
    this.unique = [
      { name: '_id_', fields: ['_id'] },
      ...INDEX_PLAN.filter((p) => p.collection === name && p.options.unique).map((p) => ({
        name: p.options.name, fields: Object.keys(p.key as Doc), partial: p.options.partialFilterExpression as Doc | undefined,
      })),
    ];
  }

  private check(doc: Doc, self: Doc | null): void {
    for (const idx of this.unique) {
      if (idx.partial && !matches(doc, idx.partial)) continue;
      const key = idx.fields.map((f) => getPath(doc, f) ?? null);
      const clash = this.docs.find((d) => d !== self && (!idx.partial || matches(d, idx.partial)) && idx.fields.every((f, i) => same(getPath(d, f) ?? null, key[i])));
      if (clash) throw new MongoServerError({ message: `E11000 duplicate key error collection: debrief.${this.name} index: ${idx.name}`, code: 11000 });
    }
  }

  private insertDoc(raw: Doc): Doc {
    const doc = bson(raw);
    if (doc._id === undefined) doc._id = new ObjectId();
    this.check(doc, null);
    this.docs.push(doc);
    this.db.ops += 1;
    return doc;
  }

  /** Replaces `target` by `next` after the unique check (so a failed update changes nothing). */
  private write(target: Doc, next: Doc): void {
    const stored = bson(next);
    this.check(stored, target);
    this.docs[this.docs.indexOf(target)] = stored;
    this.db.ops += 1;
  }

  find(filter: Doc = {}, options: { projection?: Doc } = {}): FakeCursor {
    const { $text: text, ...rest } = filter;
    if (text === undefined) return new FakeCursor(() => this.docs.filter((d) => matches(d, filter)), options.projection);
    const fields = INDEX_PLAN.filter((p) => p.collection === this.name).flatMap((p) => Object.entries(p.key as Doc).filter(([, kind]) => kind === 'text').map(([field]) => field));
    // As the server: a $text query needs a text index on the collection.
    if (fields.length === 0) throw new MongoServerError({ message: 'text index required for $text query', code: 27 });
    const search = String((text as Doc).$search);
    return new FakeCursor(() => this.docs.filter((d) => textMatches(d, fields, search) && matches(d, rest)), options.projection);
  }

  async findOne(filter: Doc = {}, options: { projection?: Doc } = {}): Promise<Doc | null> {
    return this.find(filter, options).next();
  }

  async insertOne(doc: Doc): Promise<{ insertedId: unknown }> {
    return { insertedId: this.insertDoc(doc)._id };
  }

  async insertMany(docs: Doc[]): Promise<{ insertedCount: number }> {
    for (const d of docs) this.insertDoc(d);
    return { insertedCount: docs.length };
  }

  async updateOne(filter: Doc, update: Doc, options: { upsert?: boolean } = {}) {
    const target = this.docs.find((d) => matches(d, filter));
    if (target) {
      const next = bson(target);
      applyUpdate(next, update, false);
      this.write(target, next);
      return { matchedCount: 1, modifiedCount: 1, upsertedCount: 0 };
    }
    if (!options.upsert) return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };
    const doc = seedFromFilter(filter);
    applyUpdate(doc, update, true);
    this.insertDoc(doc);
    return { matchedCount: 0, modifiedCount: 0, upsertedCount: 1 };
  }

  async updateMany(filter: Doc, update: Doc) {
    const targets = this.docs.filter((d) => matches(d, filter));
    for (const t of targets) {
      const next = bson(t);
      applyUpdate(next, update, false);
      this.write(t, next);
    }
    return { matchedCount: targets.length, modifiedCount: targets.length, upsertedCount: 0 };
  }

  async replaceOne(filter: Doc, replacement: Doc) {
    const target = this.docs.find((d) => matches(d, filter));
    if (!target) return { matchedCount: 0, modifiedCount: 0 };
    this.write(target, { ...replacement, _id: target._id });
    return { matchedCount: 1, modifiedCount: 1 };
  }

  async findOneAndUpdate(filter: Doc, update: Doc, options: { sort?: Doc; upsert?: boolean; returnDocument?: 'before' | 'after' } = {}) {
    const target = sortDocs(this.docs.filter((d) => matches(d, filter)), options.sort)[0];
    if (!target && !options.upsert) return null;
    if (!target) {
      const doc = seedFromFilter(filter);
      applyUpdate(doc, update, true);
      const inserted = this.insertDoc(doc);
      return options.returnDocument === 'after' ? bson(inserted) : null;
    }
    const before = bson(target);
    const next = bson(target);
    applyUpdate(next, update, false);
    this.write(target, next);
    return options.returnDocument === 'after' ? bson(next) : before;
  }

  async deleteOne(filter: Doc) {
    const i = this.docs.findIndex((d) => matches(d, filter));
    if (i >= 0) this.docs.splice(i, 1);
    return { deletedCount: i >= 0 ? 1 : 0 };
  }

  async deleteMany(filter: Doc) {
    const before = this.docs.length;
    this.docs = this.docs.filter((d) => !matches(d, filter));
    return { deletedCount: before - this.docs.length };
  }

  /** As the driver's: each value of `field` once, an array field's elements one by one. */
  async distinct(field: string, filter: Doc = {}): Promise<unknown[]> {
    const values: unknown[] = [];
    for (const d of this.docs.filter((doc) => matches(doc, filter))) {
      const value = getPath(d, field);
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v !== undefined && !values.some((seen) => equals(seen, v))) values.push(v);
      }
    }
    return values;
  }

  async countDocuments(filter: Doc = {}): Promise<number> {
    return this.docs.filter((d) => matches(d, filter)).length;
  }

  async bulkWrite(ops: Array<{ updateOne?: { filter: Doc; update: Doc; upsert?: boolean } }>) {
    for (const op of ops) {
      if (!op.updateOne) throw new Error('fake: only updateOne bulk operations are supported');
      await this.updateOne(op.updateOne.filter, op.updateOne.update, { upsert: op.updateOne.upsert });
    }
    return { ok: 1 };
  }

  aggregate(pipeline: Doc[]) {
    const group = pipeline[0]?.$group as Doc | undefined;
    if (pipeline.length !== 1 || !group || typeof group._id !== 'string') throw new Error('fake: only a single $group by one field is supported');
    const field = group._id.slice(1);
    return {
      toArray: async () => {
        const counts = new Map<unknown, number>();
        for (const d of this.docs) counts.set(d[field], (counts.get(d[field]) ?? 0) + 1);
        return [...counts].map(([_id, n]) => ({ _id, n }));
      },
    };
  }

  async createIndexes(): Promise<string[]> {
    return [];
  }
}

export class FakeDb {
  readonly collections = new Map<string, FakeCollection>();
  /** Writes done (for "nothing was written" assertions). */
  ops = 0;
  transactions = 0;
  /** When set, called before each transaction callback run (to inject a conflict). */
  beforeTransactionRun: ((attempt: number) => Promise<void> | void) | null = null;

  collection(name: string): FakeCollection {
    let c = this.collections.get(name);
    if (!c) {
      c = new FakeCollection(name, this);
      this.collections.set(name, c);
    }
    return c;
  }

  admin() {
    return { command: async () => ({ ok: 1 }) };
  }

  /** All-or-nothing: a transaction that throws leaves every collection as it was. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const saved = new Map([...this.collections].map(([name, c]) => [name, c.docs.map((d) => bson(d))]));
    this.transactions += 1;
    try {
      await this.beforeTransactionRun?.(this.transactions);
      return await fn();
    } catch (err) {
      for (const [name, docs] of saved) this.collection(name).docs = docs;
      for (const [name, c] of this.collections) if (!saved.has(name)) c.docs = [];
      throw err;
    }
  }
}

/** A connection whose client and database are the fake; `open`/`ping`/`close` do nothing. */
export class FakeConnection extends MongoConnection {
  readonly fake = new FakeDb();
  private readonly fakeClient = {
    startSession: () => ({
      withTransaction: <T>(fn: () => Promise<T>) => this.fake.transaction(fn),
      endSession: async () => undefined,
    }),
  };

  constructor() {
    super('mongodb://fake.invalid/debrief');
  }

  override get client(): MongoClient {
    return this.fakeClient as unknown as MongoClient;
  }

  override get db(): Db {
    return this.fake as unknown as Db;
  }

  override async open(): Promise<void> {}
  override async ping(): Promise<void> {}
  override async close(): Promise<void> {}
}
