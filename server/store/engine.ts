/**
 * The embedded engine's core: one SQLite connection (WAL mode) holding every collection, the
 * mutex that serializes all work on it, transactions, indexes and the TTL monitor.
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Mutex } from './mutex.ts';
import { decode, encode } from './serialize.ts';
import {
  arrayAlongSql,
  dateExpr,
  indexDdl,
  isMultikey,
  partialSql,
  sqliteIndexName,
  tableName,
  type IndexSpec,
} from './sql.ts';
import { valueAt } from './update.ts';
import { activeScope, nestedTransactionError, outsideHandleError, txScope, type TxScope } from './tx-scope.ts';
import { DuplicateKeyError, StoreOpenError } from './types.ts';

type Statement = Database.Statement;

/** How the embedded engine is opened. */
export interface EngineOptions {
  /** Directory holding the database file (`lily.sqlite` and its WAL); created if missing. */
  dataDir: string;
  /**
   * `'full'` (default): every commit is fsynced before it is acknowledged, so it survives a crash
   * of the process (`kill -9`) and of the machine (power loss). The fsync runs off the event loop
   * and is shared by every commit made while the previous one was in flight (group commit), so
   * concurrent writers do not queue behind each other's disk flushes. `'normal'`: commits reach
   * the OS but are fsynced only at checkpoints; they still survive `kill -9` (the OS keeps the
   * written WAL pages) but the last ones may be lost on power loss. For tests.
   */
  durability?: 'full' | 'normal';
  /** How often the TTL monitor removes expired documents, in ms (default 60 000, as MongoDB). */
  ttlMonitorMs?: number;
  /**
   * How often the checkpointer thread moves committed pages from the WAL into the database file,
   * in ms (default 200). 0 leaves checkpoints to SQLite, on the event loop.
   */
  checkpointMs?: number;
}

/** The file name of the database inside the data directory. */
export const DB_FILE = 'lily.sqlite';

const META_DDL = `
  CREATE TABLE IF NOT EXISTS _lily_indexes (
    coll TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (coll, name));
  CREATE TABLE IF NOT EXISTS _lily_multikey (
    coll TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (coll, path));
`;

interface TtlRule {
  /** The indexed date field. */
  field: string;
  seconds: number;
  /** The earliest date of the field among the documents the rule covers (NULL when none). */
  earliest: Statement;
  purge: Statement;
  /**
   * Nothing this rule covers can expire before this time (ms), as far as this connection knows:
   * operations skip the rule until then. Writes made here lower it; a recheck at least every
   * {@link TTL_RECHECK_MS} bounds what writes of other processes can hide.
   */
  quietUntil: number;
}

/** How long an operation may trust the last TTL check, at most (other processes may write). */
const TTL_RECHECK_MS = 1_000;

/** One collection's table, its indexes and its cached statements. */
export class CollState {
  readonly table: string;
  indexes: IndexSpec[] = [];
  /** Indexed paths along which some document holds an array; never used to narrow a query. */
  readonly multikey = new Set<string>();
  /** Every indexed field path. */
  paths = new Set<string>();
  ttl: TtlRule[] = [];
  readonly byId: Statement;
  readonly insert: Statement;
  readonly replace: Statement;
  readonly remove: Statement;
  readonly #cache = new Map<string, Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
  ) {
    this.table = tableName(name);
    this.byId = db.prepare(`SELECT doc FROM ${this.table} WHERE id = ?`).pluck();
    this.insert = db.prepare(`INSERT INTO ${this.table} (id, doc) VALUES (?, ?)`);
    this.replace = db.prepare(`UPDATE ${this.table} SET doc = ? WHERE id = ?`);
    this.remove = db.prepare(`DELETE FROM ${this.table} WHERE id = ?`);
  }

  /** A cached prepared statement; `pluck` for single-column reads. */
  stmt(sql: string, pluck = false): Statement {
    let stmt = this.#cache.get(sql);
    if (!stmt) {
      // Queries with many `$in` values make many shapes: bound the cache.
      if (this.#cache.size >= 500) this.#cache.clear();
      stmt = this.db.prepare(sql);
      if (pluck) stmt.pluck();
      this.#cache.set(sql, stmt);
    }
    return stmt;
  }

  /** Whether a query may narrow on `field` through an index. */
  readonly usable = (field: string): boolean => this.paths.has(field) && !this.multikey.has(field);

  setIndexes(indexes: IndexSpec[]): void {
    this.indexes = indexes;
    this.paths = new Set(indexes.flatMap((i) => i.keys.map(([f]) => f)));
    this.ttl = indexes.flatMap((spec) => {
      const field = spec.keys[0]?.[0];
      if (spec.expireAfterSeconds === undefined || field === undefined) return [];
      const partial = spec.partialFilterExpression ? ` AND ${partialSql(spec.partialFilterExpression)}` : '';
      return [{
        field,
        seconds: spec.expireAfterSeconds,
        // Both are seeks on the rule's date index.
        earliest: this.db.prepare(`SELECT MIN(${dateExpr(field)}) FROM ${this.table} WHERE ${dateExpr(field)} IS NOT NULL${partial}`).pluck(),
        purge: this.db.prepare(`DELETE FROM ${this.table} WHERE ${dateExpr(field)} <= ?${partial}`),
        quietUntil: -Infinity,
      }];
    });
  }

  /** Maps SQLite's unique-constraint errors to {@link DuplicateKeyError}; other errors pass. */
  duplicateKey(err: unknown): unknown {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return new DuplicateKeyError(this.name, '_id_');
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
      const sqliteName = /index '(.*)'$/.exec((err as Error).message)?.[1] ?? '';
      const prefix = sqliteIndexName(this.name, '');
      return new DuplicateKeyError(this.name, sqliteName.startsWith(prefix) ? sqliteName.slice(prefix.length) : sqliteName);
    }
    return err;
  }
}

/** One open transaction: its writes are visible only through collections bound to it. */
export class TxContext implements TxScope {
  active = true;
  /** The first failed write: the transaction can then only roll back, as on MongoDB. */
  failed: unknown = undefined;
  /** Collections whose table this transaction created (forgotten again on rollback). */
  readonly created = new Set<string>();
  /** Whether the transaction wrote (only then does its commit wait for the disk). */
  wrote = false;

  constructor(readonly owner: Engine) {}

  /** Runs one operation of the transaction; a failed write dooms the transaction. */
  run<R>(write: boolean, fn: () => R): Promise<R> {
    if (!this.active) return Promise.reject(new Error('This transaction has already committed or rolled back'));
    if (this.failed !== undefined) {
      return Promise.reject(new Error('The transaction is aborted: an earlier operation in it failed', { cause: this.failed }));
    }
    if (write) this.wrote = true;
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (write) this.failed = err;
      return Promise.reject(err);
    }
  }
}

/**
 * Group commit: SQLite runs with `synchronous = NORMAL` (a commit is written to the WAL, not
 * flushed), and a writer is acknowledged only once an `fsync` of the WAL that started after its
 * commit has finished. The fsync runs on libuv's thread pool, never on the event loop; commits
 * that land while one is in flight share the next one. The WAL is append-only with checksummed
 * frames, so a flush covers every earlier commit as well.
 *
 * Readers may see a commit before it is flushed (as MongoDB's default read concern may). Whatever
 * acts outside the store on such a read writes first (the webhook worker leases the event), and
 * that write's flush covers the commit it read.
 */
class GroupSync {
  /** Commits made so far. */
  #committed = 0;
  #inFlight = false;
  /** Flushes started so far. */
  flushes = 0;
  #waiters: Array<{ seq: number; resolve: () => void; reject: (err: unknown) => void }> = [];
  #idle: Array<() => void> = [];

  constructor(private readonly fd: number) {}

  /** Commits recorded so far. */
  get commits(): number {
    return this.#committed;
  }

  /** Records a commit; the answer resolves once it is on disk. */
  commit(): Promise<void> {
    const seq = ++this.#committed;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ seq, resolve, reject });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#inFlight || this.#waiters.length === 0) return;
    this.#inFlight = true;
    this.flushes++;
    const target = this.#committed;
    fsync(this.fd, (err) => {
      this.#inFlight = false;
      const done = this.#waiters.filter((w) => w.seq <= target);
      this.#waiters = this.#waiters.filter((w) => w.seq > target);
      if (err) {
        // The commits are in the WAL but cannot be promised durable: their writers hear so.
        const failure = new Error(`The store could not flush committed writes to disk: ${err.message}`, { cause: err });
        for (const w of done) w.reject(failure);
      } else {
        for (const w of done) w.resolve();
      }
      if (this.#waiters.length > 0) this.#kick();
      else for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  /** Resolves when no flush is pending (before closing the file). */
  settled(): Promise<void> {
    if (!this.#inFlight && this.#waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Checkpoints off the event loop: a worker thread with its own connection runs PASSIVE
 * checkpoints on a timer while the engine's connection has automatic checkpoints off. Should the
 * thread stop, the engine's connection takes automatic checkpoints back, so the WAL never grows
 * without bound.
 */
class Checkpointer {
  readonly #worker: Worker;
  #stopped = false;
  readonly #exited: Promise<void>;

  constructor(db: Database.Database, file: string, intervalMs: number) {
    db.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(new URL('./checkpointer.mjs', import.meta.url), { workerData: { file, intervalMs } });
    this.#worker.unref();
    const fallBack = () => {
      if (this.#stopped || !db.open) return;
      this.#stopped = true;
      db.pragma('wal_autocheckpoint = 1000');
    };
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        fallBack();
        resolve();
      });
    });
    this.#worker.once('error', fallBack);
  }

  /** Stops the thread (its connection closes first); later checkpoints are SQLite's own. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#worker.postMessage('close');
    const timeout = setTimeout(() => void this.#worker.terminate(), 5_000);
    await this.#exited;
    clearTimeout(timeout);
  }
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
}

/** Writes waiting for the COMMIT of the SQLite transaction that holds them. */
interface Batch {
  acks: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/** The embedded engine. Every method that touches SQLite runs while holding {@link Engine.mutex}. */
export class Engine {
  readonly mutex = new Mutex();
  closed = false;
  readonly #states = new Map<string, CollState>();
  readonly #begin: Statement;
  readonly #commit: Statement;
  readonly #rollback: Statement;
  readonly #savepoint: Statement;
  readonly #releaseSavepoint: Statement;
  readonly #rollbackToSavepoint: Statement;
  readonly #tableExists: Statement;
  /** The open batch: writes made since the last COMMIT, waiting for it (see {@link Engine.run}). */
  #batch: Batch | null = null;
  /** Collections whose table the running standalone write created (forgotten if it fails). */
  #createdByWrite: Set<string> | null = null;
  /** Logical writes acknowledged, SQLite commits, and flushes (see {@link Engine.syncStats}). */
  #writes = 0;
  #commits = 0;
  readonly #saveIndex: Statement;
  readonly #saveMultikey: Statement;
  readonly #timer: NodeJS.Timeout;
  /** Present at full durability: acknowledges commits once flushed. */
  readonly #sync: GroupSync | null;
  readonly #checkpointer: Checkpointer | null;

  private constructor(
    readonly db: Database.Database,
    ttlMonitorMs: number,
    walFd: number | null,
    checkpoint: { file: string; intervalMs: number } | null,
  ) {
    this.#sync = walFd === null ? null : new GroupSync(walFd);
    this.#checkpointer = checkpoint ? new Checkpointer(db, checkpoint.file, checkpoint.intervalMs) : null;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT w');
    this.#releaseSavepoint = db.prepare('RELEASE w');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO w');
    this.#tableExists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck();
    this.#saveIndex = db.prepare('INSERT INTO _lily_indexes (coll, name, spec) VALUES (?, ?, ?)');
    this.#saveMultikey = db.prepare('INSERT OR IGNORE INTO _lily_multikey (coll, path) VALUES (?, ?)');
    this.#loadStates();
    this.#timer = setInterval(() => this.#sweep(), ttlMonitorMs);
    this.#timer.unref();
  }

  /** Opens (creating if needed) the database under `options.dataDir`; throws {@link StoreOpenError}. */
  static open(options: EngineOptions): Engine {
    const dir = path.resolve(options.dataDir);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Database(path.join(dir, DB_FILE));
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`cannot switch the database to WAL mode (it stays in ${String(mode)})`);
      // NORMAL: a commit reaches the OS (it survives kill -9) and SQLite itself flushes the WAL
      // only at checkpoints. At full durability the engine adds the flush per commit itself,
      // off the event loop and shared between concurrent commits (GroupSync); see
      // EngineOptions.durability.
      db.pragma('synchronous = NORMAL');
      // Another process (a CLI, a second server) may hold the write lock briefly.
      db.pragma('busy_timeout = 5000');
      db.exec(META_DDL);
      let walFd: number | null = null;
      if (options.durability !== 'normal') {
        // The WAL lives beside the database for as long as a connection is open; SQLite rewinds
        // it after checkpoints but keeps the file, so one descriptor serves for the engine's life.
        walFd = openSync(path.join(dir, `${DB_FILE}-wal`), 'a');
        // Make the WAL's directory entry itself durable once.
        const dirFd = openSync(dir, 'r');
        try {
          fsyncSync(dirFd);
        } finally {
          closeSync(dirFd);
        }
      }
      const checkpointMs = options.checkpointMs ?? 200;
      const checkpoint = checkpointMs > 0 ? { file: path.join(dir, DB_FILE), intervalMs: checkpointMs } : null;
      return new Engine(db, options.ttlMonitorMs ?? 60_000, walFd, checkpoint);
    } catch (err) {
      db?.close();
      throw new StoreOpenError(`Cannot open the embedded store in ${dir}: ${reason(err)}`, { cause: err });
    }
  }

  /** A collection's state, creating its table on first use. */
  state(name: string, tx: TxContext | null): CollState {
    const known = this.#states.get(name);
    if (known) return known;
    if (this.#tableExists.get(`c:${name}`) === undefined) (tx ? tx.created : this.#createdByWrite)?.add(name);
    return this.#state(name);
  }

  /** The collections, their indexes and multikey paths, as the database records them. */
  #loadStates(): void {
    this.#states.clear();
    const specs = new Map<string, IndexSpec[]>();
    for (const row of this.db.prepare('SELECT coll, name, spec FROM _lily_indexes ORDER BY rowid').all() as Array<{ coll: string; spec: string }>) {
      specs.set(row.coll, [...(specs.get(row.coll) ?? []), decode<IndexSpec>(row.spec)]);
    }
    for (const [coll, list] of specs) this.#state(coll).setIndexes(list);
    for (const row of this.db.prepare('SELECT coll, path FROM _lily_multikey').all() as Array<{ coll: string; path: string }>) {
      this.#states.get(row.coll)?.multikey.add(row.path);
    }
  }

  /** After a rollback: documents the TTL checks saw deleted may be back. */
  #forgetTtlChecks(): void {
    for (const state of this.#states.values()) for (const rule of state.ttl) rule.quietUntil = -Infinity;
  }

  #state(name: string): CollState {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${tableName(name)} (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    const state = new CollState(this.db, name);
    this.#states.set(name, state);
    return state;
  }

  /**
   * Group commit at work: logical writes acknowledged (standalone writes and transactions that
   * wrote), the SQLite commits that carried them, and the flushes that made those durable.
   */
  get syncStats(): { writes: number; commits: number; flushes: number } {
    return { writes: this.#writes, commits: this.#commits, flushes: this.#sync?.flushes ?? 0 };
  }

  /** The open batch, beginning one (and scheduling its commit) when there is none. Hold the mutex. */
  #openBatch(): Batch {
    if (this.#batch) return this.#batch;
    this.#begin.run();
    const batch: Batch = { acks: [] };
    this.#batch = batch;
    // After the I/O callbacks of this turn of the event loop, whose writes join the batch.
    setImmediate(() => void this.#closeBatch(batch));
    return batch;
  }

  /** Commits `batch` once the connection is free, unless something committed it already. */
  async #closeBatch(batch: Batch): Promise<void> {
    if (this.#batch !== batch) return;
    await this.mutex.acquire();
    try {
      if (this.#batch === batch) this.#commitBatch();
    } finally {
      this.mutex.release();
    }
  }

  /**
   * Commits the open batch (the caller holds the mutex) and acknowledges its writes once the
   * commit is on disk. Should COMMIT fail, every write of the batch hears so and is undone.
   */
  #commitBatch(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = null;
    try {
      this.#commit.run();
    } catch (err) {
      const failure = new Error(`The store could not commit: ${reason(err)}`, { cause: err });
      try {
        if (this.db.inTransaction) this.#rollback.run();
        // Tables and indexes the batch created are gone: reread what the database holds.
        this.#loadStates();
      } catch {
        // The writers hear of the failure below whatever else went wrong.
      }
      for (const ack of batch.acks) ack.reject(failure);
      return;
    }
    // A batch of reads and TTL deletions only: nothing to acknowledge, nothing to flush for.
    if (batch.acks.length === 0) return;
    this.#commits++;
    this.#writes += batch.acks.length;
    if (!this.#sync) {
      for (const ack of batch.acks) ack.resolve();
      return;
    }
    this.#sync.commit().then(
      () => {
        for (const ack of batch.acks) ack.resolve();
      },
      (err: unknown) => {
        for (const ack of batch.acks) ack.reject(err);
      },
    );
  }

  /**
   * Undoes the savepoint of a failed write or transaction. Should SQLite have rolled back the
   * whole batch itself (it does on a full disk or an I/O error), every write of the batch is lost
   * and hears so.
   */
  #undoSavepoint(batch: Batch, err: unknown): void {
    if (this.#batch !== batch) return;
    if (this.db.inTransaction) {
      try {
        this.#rollbackToSavepoint.run();
        this.#releaseSavepoint.run();
        return;
      } catch {
        // The savepoint is gone with the whole batch: end what is left of it below.
      }
    }
    this.#batch = null;
    const failure = new Error(`The store rolled back uncommitted writes after an error: ${reason(err)}`, { cause: err });
    try {
      if (this.db.inTransaction) this.#rollback.run();
      this.#loadStates();
    } catch {
      // The writers hear of the failure below whatever else went wrong.
    }
    for (const ack of batch.acks) ack.reject(failure);
  }

  /** A promise of the open batch's commit (and flush). Hold the mutex. */
  #ackOfBatch(batch: Batch): Promise<void> {
    return new Promise((resolve, reject) => batch.acks.push({ resolve, reject }));
  }

  /**
   * Runs a standalone write in the open batch, inside a savepoint so that a failure undoes this
   * write alone. Resolves once the batch is committed (and flushed). Hold the mutex.
   */
  #writeInBatch<R>(fn: () => R): Promise<R> {
    const batch = this.#openBatch();
    this.#savepoint.run();
    const created = new Set<string>();
    this.#createdByWrite = created;
    let value: R;
    try {
      value = fn();
      this.#releaseSavepoint.run();
    } catch (err) {
      this.#undoSavepoint(batch, err);
      for (const name of created) this.#states.delete(name);
      this.#forgetTtlChecks();
      return Promise.reject(err);
    } finally {
      this.#createdByWrite = null;
    }
    return this.#ackOfBatch(batch).then(() => value);
  }

  /** Runs `fn` in an SQLite transaction unless one is already open (then it joins it). */
  atomically<R>(fn: () => R): R {
    if (this.db.inTransaction) return fn();
    this.#begin.run();
    try {
      const result = fn();
      this.#commit.run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.#rollback.run();
      throw err;
    }
  }

  /**
   * Runs one synchronous operation: inside `tx` when given, otherwise as soon as no transaction
   * holds the connection. An uncontended operation runs at once, without a microtask hop.
   *
   * Writes are batched: standalone writes (and transactions, see {@link Engine.transaction})
   * made during one turn of the event loop share one SQLite transaction, committed right after
   * the turn's I/O callbacks, each inside a savepoint so that a failing write undoes itself
   * alone. A write is acknowledged once its batch is committed and flushed; one COMMIT and one
   * flush serve them all. Reads see the batch's writes at once, as they see commits not yet
   * flushed (see {@link GroupSync}).
   */
  run<R>(tx: TxContext | null, collection: string, write: boolean, fn: () => R): Promise<R> {
    if (tx) return tx.run(write, fn);
    if (this.closed) return Promise.reject(closedError());
    if (this.mutex.tryAcquire()) {
      try {
        return write ? this.#writeInBatch(fn) : Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      } finally {
        this.mutex.release();
      }
    }
    // The mutex is held by a transaction; if that is the caller's own, waiting would deadlock.
    if (activeScope(this)) return Promise.reject(outsideHandleError(collection));
    return this.mutex.acquire().then(() => {
      try {
        if (this.closed) throw closedError();
        return write ? this.#writeInBatch(fn) : fn();
      } finally {
        this.mutex.release();
      }
    });
  }

  /**
   * Runs `body` in one SQLite transaction, holding the connection until it settles: no other
   * operation interleaves. Commits when `body` resolves, rolls back and rethrows when it rejects
   * (or when one of its writes failed, even if `body` caught the error). A transaction that wrote
   * resolves once its commit is on disk; the connection is free for others meanwhile.
   */
  async transaction<R>(body: (tx: TxContext) => Promise<R>): Promise<R> {
    if (activeScope(this)) throw nestedTransactionError();
    if (this.closed) throw closedError();
    await this.mutex.acquire();
    const tx = new TxContext(this);
    let result: R;
    let acked: Promise<void> | null = null;
    try {
      if (this.closed) throw closedError();
      // The transaction joins the batch as a savepoint: its rollback undoes it alone.
      const batch = this.#openBatch();
      this.#savepoint.run();
      try {
        result = await txScope.run(tx, () => body(tx));
        tx.active = false;
        if (tx.failed !== undefined) throw tx.failed;
        this.#releaseSavepoint.run();
      } catch (err) {
        tx.active = false;
        this.#undoSavepoint(batch, err);
        // Tables created by the transaction are gone, and with them their statements; documents
        // it deleted are back, so what the TTL checks learned meanwhile no longer holds.
        for (const name of tx.created) this.#states.delete(name);
        this.#forgetTtlChecks();
        throw err;
      }
      // A transaction that only read has nothing to wait for.
      if (tx.wrote) acked = this.#ackOfBatch(batch);
    } finally {
      tx.active = false;
      this.mutex.release();
    }
    if (acked) await acked;
    return result;
  }

  /**
   * Bookkeeping after `doc` was written: indexed paths it makes multikey (see
   * {@link CollState.multikey}), and TTL dates that expire sooner than the collection expected.
   */
  noteWritten(state: CollState, doc: Record<string, unknown>): void {
    for (const field of state.paths) {
      if (!state.multikey.has(field) && isMultikey(doc, field)) {
        state.multikey.add(field);
        this.#saveMultikey.run(state.name, field);
      }
    }
    for (const rule of state.ttl) {
      const value = valueAt(doc, rule.field);
      if (value instanceof Date) rule.quietUntil = Math.min(rule.quietUntil, value.getTime() + rule.seconds * 1000);
    }
  }

  /**
   * Deletes the collection's expired documents (TTL), so that no operation sees them. Knowing the
   * earliest date, it looks again only once that date may have passed (or after a second).
   */
  purgeExpired(state: CollState, force = false): void {
    if (state.ttl.length === 0) return;
    const now = Date.now();
    for (const rule of state.ttl) {
      if (!force && now < rule.quietUntil) continue;
      const ttlMs = rule.seconds * 1000;
      let earliest = rule.earliest.get() as number | null;
      if (earliest !== null && earliest + ttlMs <= now) {
        rule.purge.run(now - ttlMs);
        earliest = rule.earliest.get() as number | null;
      }
      rule.quietUntil = Math.min(earliest === null ? Infinity : earliest + ttlMs, now + TTL_RECHECK_MS);
    }
  }

  /** Creates an index (idempotent for an identical spec); throws on a conflicting one. */
  createIndex(state: CollState, spec: IndexSpec): string {
    const same = state.indexes.find((i) => i.name === spec.name);
    if (same) {
      if (encode(same) === encode(spec)) return spec.name;
      throw new Error(`An index named ${spec.name} already exists on ${state.name} with different options`);
    }
    const twin = state.indexes.find(
      (i) => encode(i.keys) === encode(spec.keys) && encode(i.partialFilterExpression) === encode(spec.partialFilterExpression),
    );
    if (twin) throw new Error(`Index already exists with a different name: ${twin.name}`);
    const ddl = indexDdl(state.name, spec);
    this.atomically(() => {
      try {
        for (const sql of ddl) this.db.exec(sql);
      } catch (err) {
        throw state.duplicateKey(err);
      }
      this.#saveIndex.run(state.name, spec.name, encode(spec));
      for (const [field] of spec.keys) {
        if (state.multikey.has(field)) continue;
        if (this.db.prepare(`SELECT 1 FROM ${state.table} WHERE ${arrayAlongSql(field)} LIMIT 1`).get() !== undefined) {
          state.multikey.add(field);
          this.#saveMultikey.run(state.name, field);
        }
      }
    });
    state.setIndexes([...state.indexes, spec]);
    return spec.name;
  }

  // The TTL monitor. It skips a round while the connection is busy rather than queueing: every
  // operation purges its own collection first anyway.
  #sweep(): void {
    if (this.closed || !this.mutex.tryAcquire()) return;
    try {
      for (const state of this.#states.values()) this.purgeExpired(state, true);
    } catch {
      // Best effort (e.g. the disk is full): the next round or the next operation retries.
    } finally {
      this.mutex.release();
    }
  }

  /** Waits for running work, then closes the connection. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (activeScope(this)) throw new Error('store.close() cannot be called inside a transaction');
    await this.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      clearInterval(this.#timer);
      // Writes already made are committed (and flushed below) before the connection goes.
      this.#commitBatch();
      // The checkpointer's connection goes first, so the engine's close (the last connection)
      // checkpoints what is left and removes the WAL.
      await this.#checkpointer?.close();
      try {
        // Refreshes the planner's statistics for the next start; harmless if it cannot run.
        this.db.pragma('optimize');
      } catch {
        // A read-only or failing disk must not prevent closing.
      }
      this.db.close();
      if (this.#sync) {
        await this.#sync.settled();
        this.#sync.close();
      }
    } finally {
      this.mutex.release();
    }
  }
}

function closedError(): Error {
  return new Error('The store is closed');
}
