/**
 * The MongoDB store: the same contract on the official driver. Needs a replica set (or a sharded
 * cluster) because transactions do; opening a standalone server fails with a clear error.
 */
import {
  MongoClient,
  type ClientSession,
  type Collection as DriverCollection,
  type CreateIndexesOptions,
  type Db,
  type Document,
} from 'mongodb';
import { LazyCursor } from './cursor.ts';
import { newId, withId } from './ids.ts';
import { activeScope, nestedTransactionError, outsideHandleError, txScope, type TxScope } from './tx-scope.ts';
import {
  DuplicateKeyError,
  StoreOpenError,
  type Collection,
  type Cursor,
  type Doc,
  type Filter,
  type FindOneAndUpdateOptions,
  type FindOptions,
  type IndexOptions,
  type NewDoc,
  type Store,
  type Transaction,
  type Update,
  type UpdateOptions,
  type UpdateResult,
} from './types.ts';
import { withUpsertId } from './update.ts';

/** How to reach MongoDB. */
export interface MongoStoreOptions {
  /** A `mongodb://` or `mongodb+srv://` connection string. */
  uri: string;
  /** The database; defaults to the one named in the URI (the driver's `test` when none is). */
  dbName?: string;
}

/**
 * Maps the server's duplicate-key errors (code 11000, also in bulk writes and index builds) to
 * {@link DuplicateKeyError}; every other error is returned unchanged (so the driver still sees
 * transient transaction errors and retries).
 */
export function mapError(err: unknown, collection: string): unknown {
  const e = err as { code?: unknown; message?: unknown; writeErrors?: { errmsg?: unknown } | Array<{ errmsg?: unknown }> } | null;
  if (e?.code !== 11000) return err;
  // A bulk write error holds one write error or an array of them.
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  const text = String(first?.errmsg ?? e.message ?? '');
  return new DuplicateKeyError(collection, /index: (\S+)/.exec(text)?.[1] ?? 'unknown');
}

/** Drops `undefined` options, which the driver would forward to the server. */
function defined<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<O>;
}

/** Hides credentials in a connection string before it goes into a message. */
function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

class MongoCollection<T extends Doc> implements Collection<T> {
  readonly #coll: DriverCollection<Document>;
  readonly #session: ClientSession | undefined;
  readonly #scope: TxScope | undefined;
  readonly #owner: object;

  constructor(coll: DriverCollection<Document>, owner: object, tx?: { session: ClientSession; scope: TxScope }) {
    this.#coll = coll;
    this.#owner = owner;
    this.#session = tx?.session;
    this.#scope = tx?.scope;
  }

  /** The collection typed with string ids, for inserts (the driver assumes ObjectId otherwise). */
  #stored(): DriverCollection<Doc> {
    return this.#coll as unknown as DriverCollection<Doc>;
  }

  get name(): string {
    return this.#coll.collectionName;
  }

  /** Checks the handle may be used now, runs `fn` with the session options, maps errors. */
  async #call<R>(fn: (opts: { session?: ClientSession }) => Promise<R>): Promise<R> {
    if (this.#scope && !this.#scope.active) throw new Error('This transaction has already committed or rolled back');
    if (!this.#scope && activeScope(this.#owner)) throw outsideHandleError(this.name);
    try {
      return await fn(this.#session ? { session: this.#session } : {});
    } catch (err) {
      throw mapError(err, this.name);
    }
  }

  insertOne(doc: NewDoc<T>): Promise<{ insertedId: string }> {
    return this.#call(async (opts) => {
      const prepared = withId(doc) as Doc;
      await this.#stored().insertOne(prepared, opts);
      return { insertedId: prepared._id };
    });
  }

  insertMany(docs: NewDoc<T>[]): Promise<{ insertedCount: number; insertedIds: string[] }> {
    return this.#call(async (opts) => {
      const prepared = docs.map((d) => withId(d) as Doc);
      const result = await this.#stored().insertMany(prepared, opts);
      return { insertedCount: result.insertedCount, insertedIds: prepared.map((d) => d._id) };
    });
  }

  findOne(filter: Filter = {}, options: FindOptions = {}): Promise<T | null> {
    return this.#call(async (opts) => (await this.#coll.findOne(filter, { ...defined(options), ...opts })) as T | null);
  }

  find(filter: Filter = {}, options: FindOptions = {}): Cursor<T> {
    return new LazyCursor<T>(
      (chained) => this.#call(async (opts) => (await this.#coll.find(filter, { ...defined(chained), ...opts }).toArray()) as unknown as T[]),
      options,
    );
  }

  #update(filter: Filter, update: Update, options: UpdateOptions, many: boolean): Promise<UpdateResult> {
    return this.#call(async (opts) => {
      // Left alone, the server would give an upserted document an ObjectId.
      const u = options.upsert ? withUpsertId(filter, update, newId) : update;
      const o = { upsert: options.upsert === true, ...opts };
      const r = many ? await this.#coll.updateMany(filter, u, o) : await this.#coll.updateOne(filter, u, o);
      return {
        matchedCount: r.matchedCount,
        modifiedCount: r.modifiedCount,
        upsertedCount: r.upsertedCount,
        upsertedId: r.upsertedId == null ? null : String(r.upsertedId),
      };
    });
  }

  updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#update(filter, update, options, false);
  }

  updateMany(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#update(filter, update, options, true);
  }

  findOneAndUpdate(filter: Filter, update: Update, options: FindOneAndUpdateOptions = {}): Promise<T | null> {
    return this.#call(async (opts) => {
      const u = options.upsert ? withUpsertId(filter, update, newId) : update;
      const doc = await this.#coll.findOneAndUpdate(filter, u, {
        returnDocument: options.returnDocument ?? 'before',
        upsert: options.upsert === true,
        ...(options.sort ? { sort: options.sort } : {}),
        ...(options.projection ? { projection: options.projection } : {}),
        // Driver ≥ 6 returns the document itself unless asked for the raw command result.
        includeResultMetadata: false,
        ...opts,
      });
      return doc as T | null;
    });
  }

  deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    return this.#call(async (opts) => ({ deletedCount: (await this.#coll.deleteOne(filter, opts)).deletedCount }));
  }

  deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    return this.#call(async (opts) => ({ deletedCount: (await this.#coll.deleteMany(filter, opts)).deletedCount }));
  }

  countDocuments(filter: Filter = {}): Promise<number> {
    return this.#call((opts) => this.#coll.countDocuments(filter, opts));
  }

  createIndex(keys: Record<string, 1 | -1>, options: IndexOptions = {}): Promise<string> {
    return this.#call(async () => {
      // Kept out of transactions on both backends (MongoDB allows it only on new collections).
      if (this.#session) throw new Error('createIndex is not supported inside a transaction');
      const o: CreateIndexesOptions = {};
      if (options.unique !== undefined) o.unique = options.unique;
      if (options.name !== undefined) o.name = options.name;
      if (options.expireAfterSeconds !== undefined) o.expireAfterSeconds = options.expireAfterSeconds;
      if (options.partialFilterExpression !== undefined) o.partialFilterExpression = options.partialFilterExpression;
      return this.#coll.createIndex(keys, o);
    });
  }
}

class MongoStore implements Store {
  readonly kind = 'mongodb' as const;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new MongoCollection<T>(this.db.collection(name), this);
  }

  async transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    if (activeScope(this)) throw nestedTransactionError();
    const session = this.client.startSession();
    try {
      // withTransaction retries `fn` on transient errors (write conflicts) and commits.
      return await session.withTransaction(
        async () => {
          const scope: TxScope = { owner: this, active: true };
          const tx: Transaction = {
            collection: <T extends Doc = Doc>(name: string) =>
              new MongoCollection<T>(this.db.collection(name), this, { session, scope }),
          };
          try {
            return await txScope.run(scope, () => fn(tx));
          } finally {
            scope.active = false;
          }
        },
        { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
      );
    } finally {
      await session.endSession();
    }
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Connects to MongoDB and checks that it can run transactions.
 *
 * @throws {StoreOpenError} when the server is unreachable, the URI is invalid, or the server is
 *   a standalone (no replica set, hence no transactions).
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  let client: MongoClient | undefined;
  try {
    // Fail a start-up against an unreachable server in 10 s unless the URI says otherwise.
    const timeout = /[?&]serverSelectionTimeoutMS=/i.test(options.uri) ? {} : { serverSelectionTimeoutMS: 10_000 };
    client = new MongoClient(options.uri, timeout);
    await client.connect();
    const hello = await client.db('admin').command({ hello: 1 });
    if (!hello.setName && hello.msg !== 'isdbgrid') {
      throw new Error('the server is a standalone; transactions need a replica set (e.g. mongod --replSet rs0)');
    }
    return new MongoStore(client, client.db(options.dbName));
  } catch (err) {
    await client?.close().catch(() => undefined);
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
    throw new StoreOpenError(`Cannot use MongoDB at ${redact(options.uri)}: ${reason}`, { cause: err });
  }
}
