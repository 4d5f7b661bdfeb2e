/**
 * The store contract: the subset of the official `mongodb` driver API that Lily's code uses.
 *
 * Two backends implement it: MongoDB itself (when `MONGODB_URI` is set) and the embedded engine
 * (mingo semantics over a durable SQLite layer). App code never imports a backend directly; it
 * receives a `Store` and calls `store.collection(name)` or `store.transaction(fn)`.
 *
 * Conventions both backends keep:
 * - `_id` is a string. When a document is inserted without one, the store assigns a random
 *   24-hex-character id (the same shape as an ObjectId's hex form).
 * - Timestamps may be `Date` values; they round-trip as `Date` in both backends.
 * - A unique-index violation throws {@link DuplicateKeyError} in both backends.
 */

/** A stored document. */
export interface Doc {
  _id: string;
  [key: string]: unknown;
}

/** A document about to be inserted: `_id` optional. */
export type NewDoc<T extends Doc> = Omit<T, '_id'> & { _id?: string };

/** A MongoDB query filter (mingo understands the same language). */
export type Filter = Record<string, unknown>;

/** A MongoDB update document (`$set`, `$inc`, `$push`, `$pull`, `$setOnInsert`, `$unset`, …). */
export type Update = Record<string, unknown>;

/** Sort specification: field → 1 or -1, applied in key order. */
export type Sort = Record<string, 1 | -1>;

/** Projection: field → 1 (include) or 0 (exclude). */
export type Projection = Record<string, 0 | 1>;

export interface FindOptions {
  projection?: Projection;
  sort?: Sort;
  skip?: number;
  limit?: number;
}

export interface UpdateOptions {
  upsert?: boolean;
}

export interface FindOneAndUpdateOptions extends UpdateOptions {
  /** `'before'` (default, as in the driver) or `'after'`. */
  returnDocument?: 'before' | 'after';
  sort?: Sort;
  projection?: Projection;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
  upsertedId: string | null;
}

export interface IndexOptions {
  unique?: boolean;
  name?: string;
  /** TTL: documents expire this many seconds after the Date in the (single) indexed field. */
  expireAfterSeconds?: number;
  /** Only documents matching this filter take part in the index (and its uniqueness). */
  partialFilterExpression?: Filter;
}

/** A cursor over query results: chain, then `toArray()` or `for await`. */
export interface Cursor<T> extends AsyncIterable<T> {
  sort(sort: Sort): Cursor<T>;
  skip(n: number): Cursor<T>;
  limit(n: number): Cursor<T>;
  project<P extends Doc = T & Doc>(projection: Projection): Cursor<P>;
  toArray(): Promise<T[]>;
}

/** A collection, as the driver's `Collection<T>`, restricted to what Lily uses. */
export interface Collection<T extends Doc = Doc> {
  readonly name: string;
  insertOne(doc: NewDoc<T>): Promise<{ insertedId: string }>;
  insertMany(docs: NewDoc<T>[]): Promise<{ insertedCount: number; insertedIds: string[] }>;
  findOne(filter?: Filter, options?: FindOptions): Promise<T | null>;
  find(filter?: Filter, options?: FindOptions): Cursor<T>;
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult>;
  updateMany(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult>;
  findOneAndUpdate(filter: Filter, update: Update, options?: FindOneAndUpdateOptions): Promise<T | null>;
  deleteOne(filter: Filter): Promise<{ deletedCount: number }>;
  deleteMany(filter: Filter): Promise<{ deletedCount: number }>;
  countDocuments(filter?: Filter): Promise<number>;
  createIndex(keys: Record<string, 1 | -1>, options?: IndexOptions): Promise<string>;
}

/** The handle a transaction body receives: collections bound to the transaction. */
export interface Transaction {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
}

export interface Store {
  /** `'embedded'` or `'mongodb'`. */
  readonly kind: 'embedded' | 'mongodb';
  /** A collection outside any transaction: every call is atomic on its own. */
  collection<T extends Doc = Doc>(name: string): Collection<T>;
  /**
   * Runs `fn` atomically: either every write inside it commits, or (when it throws) none does.
   * The function may be retried on transient conflicts (MongoDB), so it must not have side
   * effects outside the store.
   */
  transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  /** Resolves when the store answers; rejects otherwise (used by `/readyz`). */
  ping(): Promise<void>;
  /** Flushes and releases everything. */
  close(): Promise<void>;
}

/** Thrown by both backends on a unique-index violation (MongoDB error code 11000). */
export class DuplicateKeyError extends Error {
  readonly code = 11000;
  constructor(
    readonly collection: string,
    readonly index: string,
  ) {
    super(`E11000 duplicate key error collection: ${collection} index: ${index}`);
    this.name = 'DuplicateKeyError';
  }
}

/**
 * Thrown by `openStore` when the backend cannot be opened or reached (an unusable data directory,
 * a file that is not a store, an unreachable MongoDB). The message is one line that names the
 * place and the reason, fit to print on exit; the underlying error is the `cause`.
 */
export class StoreOpenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}
