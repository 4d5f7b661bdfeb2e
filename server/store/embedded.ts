/**
 * The embedded store: MongoDB's query and update language (mingo) over SQLite (better-sqlite3,
 * WAL mode) in one file under the data directory.
 *
 * - Durability: a write is fsynced before it is acknowledged (see {@link EngineOptions.durability}).
 *   The writes of one turn of the event loop share one SQLite COMMIT (each in a savepoint, so a
 *   failed write or a rolled-back transaction undoes itself alone), and concurrent commits share
 *   one flush (see `Engine.run`).
 * - Isolation: one connection, and a FIFO mutex around it. A single operation runs alone and is
 *   atomic; `transaction(fn)` holds the connection from its start to its end, so nothing
 *   (transactional or not) interleaves with it. Transactions are therefore serializable, and
 *   concurrent ones queue rather than conflict.
 * - Transactions do not nest: `store.transaction()` inside a transaction body throws, as does
 *   `store.collection(...)` used there (use `tx.collection(...)`), rather than deadlocking.
 *   After a write inside a transaction fails (e.g. a duplicate key), the transaction can only roll
 *   back, as on MongoDB: later operations in it fail and it rolls back even if the body catches.
 * - Indexes are SQLite expression indexes (see `sql.ts`); unique ones enforce MongoDB's rules,
 *   a missing field counting as null. TTL indexes: no operation sees an expired document (each
 *   deletes its collection's expired ones first, checking again once the earliest date can have
 *   passed), and a background monitor sweeps every collection (default each 60 s).
 */
import { EmbeddedCollection } from './embedded-collection.ts';
import { Engine, type EngineOptions } from './engine.ts';
import type { Collection, Doc, Store, Transaction } from './types.ts';
import { assertCollectionName } from './sql.ts';

export type { EngineOptions as EmbeddedStoreOptions } from './engine.ts';

class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  readonly #engine: Engine;
  readonly #ping;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#ping = engine.db.prepare('SELECT 1');
  }

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    assertCollectionName(name);
    return new EmbeddedCollection<T>(this.#engine, name, null);
  }

  transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    const engine = this.#engine;
    return engine.transaction((ctx) =>
      fn({
        collection<T extends Doc = Doc>(name: string): Collection<T> {
          assertCollectionName(name);
          return new EmbeddedCollection<T>(engine, name, ctx);
        },
      }),
    );
  }

  ping(): Promise<void> {
    return this.#engine.run(null, '', false, () => {
      this.#ping.get();
    });
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}

/**
 * Opens the embedded store under `options.dataDir` (created if missing).
 *
 * @throws {StoreOpenError} when the directory or the database file cannot be used.
 * @example
 * ```ts
 * const store = await openEmbeddedStore({ dataDir: './data' });
 * await store.collection('users').insertOne({ name: 'Ada' });
 * ```
 */
export async function openEmbeddedStore(options: EngineOptions): Promise<Store> {
  return new EmbeddedStore(Engine.open(options));
}
