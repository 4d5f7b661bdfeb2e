/**
 * A collection of the embedded engine: MongoDB semantics from mingo over rows that SQLite finds
 * (by `_id`, through an index, or by a scan).
 */
import { find as mingoFind, Query } from 'mingo';
import type { CollState, Engine, TxContext } from './engine.ts';
import { LazyCursor } from './cursor.ts';
import { withId } from './ids.ts';
import { decode, encode } from './serialize.ts';
import { defaultIndexName, jsonPath, planQuery, type IndexSpec } from './sql.ts';
import { applyUpdate, assertUpdateDoc, upsertSeed } from './update.ts';
import type {
  Collection,
  Cursor,
  Doc,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexOptions,
  NewDoc,
  Update,
  UpdateOptions,
  UpdateResult,
} from './types.ts';

const NO_UPDATE: UpdateResult = { matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null };

function checkFindOptions(options: FindOptions): void {
  if (options.skip !== undefined && !(Number.isInteger(options.skip) && options.skip >= 0)) {
    throw new Error('skip must be a non-negative integer');
  }
  if (options.limit !== undefined && !Number.isInteger(options.limit)) throw new Error('limit must be an integer');
}

/** Applies sort, then skip, then limit, then projection, as MongoDB does. */
function shape<T>(docs: Doc[], options: FindOptions): T[] {
  const { sort, skip, projection } = options;
  const limit = Math.abs(options.limit ?? 0);
  if (!sort && !projection) {
    // The common case (findOne, plain pages) needs no mingo cursor, which costs far more than the lookup.
    return (skip || limit ? docs.slice(skip ?? 0, limit ? (skip ?? 0) + limit : undefined) : docs) as unknown as T[];
  }
  let cursor = mingoFind(docs, {}, projection);
  if (sort) cursor = cursor.sort(sort);
  if (skip) cursor = cursor.skip(skip);
  if (limit) cursor = cursor.limit(limit);
  return cursor.all() as T[];
}

function isIdLookup(filter: Filter): filter is { _id: string } {
  if (typeof filter._id !== 'string') return false;
  for (const key in filter) if (key !== '_id') return false;
  return true;
}

/** A collection of the embedded store, optionally bound to a transaction. */
export class EmbeddedCollection<T extends Doc = Doc> implements Collection<T> {
  constructor(
    private readonly engine: Engine,
    readonly name: string,
    private readonly tx: TxContext | null,
  ) {}

  // Every operation first removes expired (TTL) documents, so none of them is ever seen.
  #run<R>(write: boolean, fn: (state: CollState) => R): Promise<R> {
    return this.engine.run(this.tx, this.name, write, () => {
      const state = this.engine.state(this.name, this.tx);
      this.engine.purgeExpired(state);
      return fn(state);
    });
  }

  /** The matching documents, at most `limit` of them (in no particular order). */
  #match(state: CollState, filter: Filter, limit = 0): Doc[] {
    if (isIdLookup(filter)) {
      const text = state.byId.get(filter._id) as string | undefined;
      return text === undefined ? [] : [decode<Doc>(text)];
    }
    const plan = planQuery(filter, state.usable);
    const where = plan.where ? ` WHERE ${plan.where}` : '';
    if (plan.exact) {
      // LIMIT -1 is no limit; binding it keeps one cached statement per query shape.
      const sql = `SELECT doc FROM ${state.table}${where} LIMIT ?`;
      return (state.stmt(sql, true).all(...plan.params, limit > 0 ? limit : -1) as string[]).map((text) => decode<Doc>(text));
    }
    const query = new Query(filter, {});
    const out: Doc[] = [];
    for (const text of state.stmt(`SELECT doc FROM ${state.table}${where}`, true).iterate(...plan.params) as Iterable<string>) {
      const doc = decode<Doc>(text);
      if (!query.test(doc)) continue;
      out.push(doc);
      if (out.length === limit) break;
    }
    return out;
  }

  #insert(state: CollState, doc: Doc): string {
    const text = encode(doc);
    try {
      state.insert.run(doc._id, text);
    } catch (err) {
      throw state.duplicateKey(err);
    }
    this.engine.noteWritten(state, doc);
    return text;
  }

  /** Applies `update` to a matched document and stores it; the new JSON text, or null if unchanged. */
  #rewrite(state: CollState, doc: Doc, update: Update, filter: Filter): string | null {
    if (!applyUpdate(doc, update, filter, false)) return null;
    const text = encode(doc);
    try {
      state.replace.run(text, doc._id);
    } catch (err) {
      throw state.duplicateKey(err);
    }
    this.engine.noteWritten(state, doc);
    return text;
  }

  /** Inserts the document an upsert builds: filter equalities, then the update, then an `_id`. */
  #upsert(state: CollState, filter: Filter, update: Update): { id: string; text: string } {
    const seed = upsertSeed(filter);
    applyUpdate(seed, update, filter, true);
    const doc = withId(seed);
    return { id: doc._id, text: this.#insert(state, doc) };
  }

  insertOne(doc: NewDoc<T>): Promise<{ insertedId: string }> {
    let prepared: Doc;
    try {
      prepared = withId(doc);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(true, (state) => {
      this.engine.atomically(() => this.#insert(state, prepared));
      return { insertedId: prepared._id };
    });
  }

  /** Inserts all documents or none (stronger than MongoDB's ordered insert, which keeps a prefix). */
  insertMany(docs: NewDoc<T>[]): Promise<{ insertedCount: number; insertedIds: string[] }> {
    let prepared: Doc[];
    try {
      if (!Array.isArray(docs)) throw new TypeError('insertMany takes an array of documents');
      prepared = docs.map((d) => withId(d));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(true, (state) => {
      this.engine.atomically(() => {
        for (const doc of prepared) this.#insert(state, doc);
      });
      return { insertedCount: prepared.length, insertedIds: prepared.map((d) => d._id) };
    });
  }

  async findOne(filter: Filter = {}, options: FindOptions = {}): Promise<T | null> {
    const [doc] = await this.find(filter, { ...options, limit: 1 }).toArray();
    return doc ?? null;
  }

  find(filter: Filter = {}, options: FindOptions = {}): Cursor<T> {
    return new LazyCursor<T>((opts) => {
      try {
        checkFindOptions(opts);
      } catch (err) {
        return Promise.reject(err);
      }
      return this.#run(false, (state) => {
        // Without a sort, the first skip+limit matches are the answer: stop reading there.
        const enough = !opts.sort && opts.limit ? (opts.skip ?? 0) + Math.abs(opts.limit) : 0;
        return shape<T>(this.#match(state, filter, enough), opts);
      });
    }, options);
  }

  #update(filter: Filter, update: Update, options: UpdateOptions, many: boolean): Promise<UpdateResult> {
    try {
      assertUpdateDoc(update);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#run(true, (state) =>
      this.engine.atomically(() => {
        const docs = this.#match(state, filter, many ? 0 : 1);
        if (docs.length === 0) {
          if (!options.upsert) return NO_UPDATE;
          return { ...NO_UPDATE, upsertedCount: 1, upsertedId: this.#upsert(state, filter, update).id };
        }
        let modified = 0;
        for (const doc of docs) if (this.#rewrite(state, doc, update, filter) !== null) modified++;
        return { matchedCount: docs.length, modifiedCount: modified, upsertedCount: 0, upsertedId: null };
      }),
    );
  }

  updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#update(filter, update, options, false);
  }

  updateMany(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#update(filter, update, options, true);
  }

  findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    try {
      assertUpdateDoc(update);
    } catch (err) {
      return Promise.reject(err);
    }
    const after = options.returnDocument === 'after';
    const project = (doc: Doc | null): T | null =>
      doc && options.projection ? (shape<T>([doc], { projection: options.projection })[0] ?? null) : (doc as T | null);
    return this.#run(true, (state) =>
      this.engine.atomically(() => {
        const docs = this.#match(state, filter, options.sort ? 0 : 1);
        const doc = options.sort ? shape<Doc>(docs, { sort: options.sort, limit: 1 })[0] : docs[0];
        if (!doc) {
          if (!options.upsert) return null;
          const { text } = this.#upsert(state, filter, update);
          return after ? project(decode<Doc>(text)) : null;
        }
        const before = after ? null : structuredClone(doc);
        const text = this.#rewrite(state, doc, update, filter);
        // A fresh copy, sharing nothing with the caller's update values.
        return project(after ? decode<Doc>(text ?? encode(doc)) : before);
      }),
    );
  }

  #delete(filter: Filter, many: boolean): Promise<{ deletedCount: number }> {
    return this.#run(true, (state) =>
      this.engine.atomically(() => {
        if (many && !isIdLookup(filter)) {
          const plan = planQuery(filter, state.usable);
          if (plan.exact) {
            const sql = `DELETE FROM ${state.table}${plan.where ? ` WHERE ${plan.where}` : ''}`;
            return { deletedCount: state.stmt(sql).run(...plan.params).changes };
          }
        }
        const docs = this.#match(state, filter, many ? 0 : 1);
        for (const doc of docs) state.remove.run(doc._id);
        return { deletedCount: docs.length };
      }),
    );
  }

  deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    return this.#delete(filter, false);
  }

  deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    return this.#delete(filter, true);
  }

  countDocuments(filter: Filter = {}): Promise<number> {
    return this.#run(false, (state) => {
      const plan = planQuery(filter, state.usable);
      if (!plan.exact) return this.#match(state, filter).length;
      const sql = `SELECT COUNT(*) FROM ${state.table}${plan.where ? ` WHERE ${plan.where}` : ''}`;
      return state.stmt(sql, true).get(...plan.params) as number;
    });
  }

  createIndex(keys: Record<string, 1 | -1>, options: IndexOptions = {}): Promise<string> {
    let spec: IndexSpec;
    try {
      if (this.tx) throw new Error('createIndex is not supported inside a transaction');
      spec = indexSpec(keys, options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (spec.keys.length === 1 && spec.keys[0]?.[0] === '_id' && !spec.unique && spec.expireAfterSeconds === undefined) {
      return Promise.resolve('_id_');
    }
    return this.#run(true, (state) => this.engine.createIndex(state, spec));
  }
}

function indexSpec(keys: Record<string, 1 | -1>, options: IndexOptions): IndexSpec {
  const entries = Object.entries(keys ?? {});
  if (entries.length === 0) throw new Error('createIndex needs at least one key');
  for (const [field, dir] of entries) {
    if (dir !== 1 && dir !== -1) throw new Error(`Index direction for '${field}' must be 1 or -1`);
    jsonPath(field);
  }
  const spec: IndexSpec = {
    name: options.name ?? defaultIndexName(entries),
    keys: entries,
    unique: options.unique === true,
  };
  if (options.expireAfterSeconds !== undefined) {
    if (entries.length !== 1) throw new Error('expireAfterSeconds requires a single-field index');
    if (!(Number.isInteger(options.expireAfterSeconds) && options.expireAfterSeconds >= 0)) {
      throw new Error('expireAfterSeconds must be a non-negative integer');
    }
    spec.expireAfterSeconds = options.expireAfterSeconds;
  }
  if (options.partialFilterExpression !== undefined) spec.partialFilterExpression = options.partialFilterExpression;
  return spec;
}
