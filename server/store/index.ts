/**
 * The store: MongoDB when a connection string is configured, the embedded engine otherwise.
 * App code imports from here (or `types.ts`) and never from a backend.
 */
import { openEmbeddedStore } from './embedded.ts';
import { openMongoStore } from './mongo.ts';
import type { Store } from './types.ts';

export { DuplicateKeyError, StoreOpenError } from './types.ts';
export type {
  Collection,
  Cursor,
  Doc,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexOptions,
  NewDoc,
  Projection,
  Sort,
  Store,
  Transaction,
  Update,
  UpdateOptions,
  UpdateResult,
} from './types.ts';
export { newId } from './ids.ts';

/** Where the store lives. */
export interface OpenStoreOptions {
  /** MongoDB connection string (`MONGODB_URI`); when set (non-empty), MongoDB is the backend. */
  mongodbUri?: string;
  /** The embedded engine's directory (`LILY_DATA_DIR`, default `./data`); ignored with MongoDB. */
  dataDir: string;
  /** MongoDB database name; defaults to the one in the URI. */
  dbName?: string;
  /**
   * Embedded engine only: `'full'` (default) fsyncs every commit (survives power loss);
   * `'normal'` survives `kill -9` but may lose the last commits on power loss. Faster.
   */
  durability?: 'full' | 'normal';
}

/**
 * Opens the store the options point at.
 *
 * @throws {StoreOpenError} with a one-line reason when the backend cannot be used.
 * @example
 * ```ts
 * const store = await openStore({ mongodbUri: process.env.MONGODB_URI, dataDir: './data' });
 * const users = store.collection<{ _id: string; email: string }>('users');
 * await users.createIndex({ email: 1 }, { unique: true });
 * await store.transaction(async (tx) => {
 *   await tx.collection('accounts').updateOne({ _id: 'a' }, { $inc: { balance: -5 } });
 *   await tx.collection('accounts').updateOne({ _id: 'b' }, { $inc: { balance: 5 } });
 * });
 * ```
 */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.mongodbUri) {
    return openMongoStore({ uri: options.mongodbUri, dbName: options.dbName });
  }
  return openEmbeddedStore({ dataDir: options.dataDir, durability: options.durability });
}
