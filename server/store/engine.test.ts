import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedCollection } from './embedded-collection.ts';
import { DB_FILE, Engine } from './engine.ts';
import { planQuery } from './sql.ts';
import { DuplicateKeyError } from './types.ts';

describe('embedded engine', () => {
  let dir: string;
  let engine: Engine;
  const coll = (name: string): EmbeddedCollection => new EmbeddedCollection(engine, name, null);
  /** The SQLite query plan of the pre-filter for `filter` on `name`. */
  const queryPlan = (name: string, filter: Record<string, unknown>): string => {
    const state = engine.state(name, null);
    const plan = planQuery(filter, state.usable);
    const rows = engine.db.prepare(`EXPLAIN QUERY PLAN SELECT doc FROM ${state.table}${plan.where ? ` WHERE ${plan.where}` : ''}`).all(...plan.params);
    return (rows as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lily-engine-'));
    engine = Engine.open({ dataDir: dir, durability: 'normal', ttlMonitorMs: 50 });
  });

  afterEach(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers _id and indexed equality through an index, never a scan', async () => {
    const users = coll('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.createIndex({ org: 1, role: 1 });
    await users.createIndex({ phone: 1 }, { unique: true, partialFilterExpression: { phone: { $exists: true } } });
    await users.insertOne({ _id: 'u1', email: 'a@x', org: 'o', role: 'r', phone: '1' });
    expect(queryPlan('users', { _id: 'u1' })).toMatch(/SEARCH .* USING INDEX sqlite_autoindex/);
    expect(queryPlan('users', { email: 'a@x' })).toMatch(/USING INDEX i:users:email_1/);
    expect(queryPlan('users', { org: 'o', role: 'r' })).toMatch(/USING INDEX i:users:org_1_role_1 \(<expr>=\? AND <expr>=\?\)/);
    expect(queryPlan('users', { org: 'o' })).toMatch(/USING INDEX i:users:org_1_role_1/);
    expect(queryPlan('users', { phone: '1' })).toMatch(/USING INDEX i:users:phone_1/);
    expect(queryPlan('users', { role: 'r' })).toMatch(/^SCAN/);
    expect(await users.findOne({ phone: '1' })).toMatchObject({ _id: 'u1' });
  });

  it('stops narrowing on a field once a document holds an array there, and remembers it', async () => {
    const posts = coll('posts');
    await posts.createIndex({ tags: 1 });
    await posts.insertOne({ _id: 'p1', tags: 'a' });
    expect(queryPlan('posts', { tags: 'a' })).toMatch(/USING INDEX/);
    await posts.insertOne({ _id: 'p2', tags: ['a', 'b'] });
    expect(queryPlan('posts', { tags: 'a' })).toMatch(/^SCAN/);
    expect((await posts.find({ tags: 'a' }).toArray()).map((p) => p._id).sort()).toEqual(['p1', 'p2']);
    await engine.close();
    engine = Engine.open({ dataDir: dir });
    expect(engine.state('posts', null).multikey.has('tags')).toBe(true);
  });

  it('refuses a conflicting index definition', async () => {
    const users = coll('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await expect(users.createIndex({ email: 1 })).rejects.toThrow(/different options/);
    await expect(users.createIndex({ email: 1 }, { unique: true, name: 'other' })).rejects.toThrow(/different name/);
    await expect(users.createIndex({ 'bad"name': 1 })).rejects.toThrow(/Unsupported field path/);
    await expect(users.createIndex({ a: 1, b: 1 }, { expireAfterSeconds: 5 })).rejects.toThrow(/single-field/);
  });

  it('removes expired documents in the background (TTL monitor)', async () => {
    const sessions = coll('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 1 });
    await sessions.insertMany([
      { _id: 'old', expiresAt: new Date(Date.now() - 5_000) },
      { _id: 'new', expiresAt: new Date(Date.now() + 60_000) },
    ]);
    const raw = new Database(path.join(dir, DB_FILE), { readonly: true });
    try {
      await vi.waitFor(() => expect(raw.prepare('SELECT id FROM "c:sessions"').pluck().all()).toEqual(['new']), { timeout: 10_000, interval: 50 });
    } finally {
      raw.close();
    }
  });

  it('never shows a document once its TTL date has passed, though operations skip the check while nothing can expire', async () => {
    const slow = Engine.open({ dataDir: mkdtempSync(path.join(tmpdir(), 'lily-engine-ttl-')), durability: 'normal', ttlMonitorMs: 60_000 });
    try {
      const nonces = new EmbeddedCollection(slow, 'nonces', null);
      await nonces.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await nonces.insertOne({ _id: 'later', expiresAt: new Date(Date.now() + 60_000) });
      expect(await nonces.countDocuments()).toBe(1); // the check now knows nothing expires for a minute
      // A write lowers that horizon: a date 150 ms ahead is honoured without waiting for a recheck.
      await nonces.insertOne({ _id: 'soon', expiresAt: new Date(Date.now() + 150) });
      expect(await nonces.findOne({ _id: 'soon' })).not.toBeNull();
      await new Promise((r) => setTimeout(r, 200));
      expect(await nonces.findOne({ _id: 'soon' })).toBeNull();
      expect((await nonces.find({}).toArray()).map((d) => d._id)).toEqual(['later']);

      // A rolled-back transaction brings back what it deleted; its expiry is honoured too.
      await nonces.insertOne({ _id: 'back', expiresAt: new Date(Date.now() + 150) });
      await slow
        .transaction(async (ctx) => {
          const tx = new EmbeddedCollection(slow, 'nonces', ctx);
          await tx.deleteOne({ _id: 'back' });
          await new Promise((r) => setTimeout(r, 200));
          expect(await tx.countDocuments()).toBe(1); // checks again: only 'later' is left
          throw new Error('roll back');
        })
        .catch(() => undefined);
      // 'back' is restored, and expired: it must not show.
      expect(await nonces.findOne({ _id: 'back' })).toBeNull();
      expect(await nonces.countDocuments()).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('finds the earliest TTL date through the TTL index', () => {
    const state = engine.state('sessions', null);
    engine.createIndex(state, { name: 'expiresAt_1', keys: [['expiresAt', 1]], unique: false, expireAfterSeconds: 60 });
    const sql = state.ttl[0]!.earliest.source;
    expect(sql).toMatch(/^SELECT MIN\(/);
    const plan = (engine.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/USING (COVERING )?INDEX/);
  });

  it('makes a transaction roll back after a failed write even if the body catches the error', async () => {
    const users = coll('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ _id: 'u1', email: 'a@x' });
    const err = await engine
      .transaction(async (ctx) => {
        const tx = new EmbeddedCollection(engine, 'users', ctx);
        await tx.insertOne({ _id: 'u2', email: 'b@x' });
        await tx.insertOne({ _id: 'u3', email: 'a@x' }).catch(() => undefined);
        await expect(tx.insertOne({ _id: 'u4' })).rejects.toThrow(/aborted/);
        return 'done';
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateKeyError);
    expect(await users.countDocuments()).toBe(1);
  });

  it('queues plain operations behind an open transaction', async () => {
    const accounts = coll('accounts');
    await accounts.insertOne({ _id: 'a', n: 0 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = engine.transaction(async (ctx) => {
      await new EmbeddedCollection(engine, 'accounts', ctx).updateOne({ _id: 'a' }, { $set: { n: 1 } });
      await gate;
      await new EmbeddedCollection(engine, 'accounts', ctx).updateOne({ _id: 'a' }, { $set: { n: 2 } });
    });
    const outside = accounts.findOne({ _id: 'a' });
    release();
    await tx;
    // The read waited for the commit: it never saw the intermediate n = 1.
    expect((await outside)?.n).toBe(2);
  });

  it('forgets a collection created by a rolled-back transaction, then recreates it', async () => {
    await expect(
      engine.transaction(async (ctx) => {
        await new EmbeddedCollection(engine, 'fresh', ctx).insertOne({ _id: 'x' });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const fresh = coll('fresh');
    expect(await fresh.countDocuments()).toBe(0);
    await fresh.insertOne({ _id: 'y' });
    expect(await fresh.findOne({ _id: 'y' })).toEqual({ _id: 'y' });
  });

  it('refuses createIndex inside a transaction and use of a finished transaction', async () => {
    let leaked: EmbeddedCollection | undefined;
    await expect(
      engine.transaction(async (ctx) => {
        leaked = new EmbeddedCollection(engine, 'c', ctx);
        await leaked.createIndex({ a: 1 });
      }),
    ).rejects.toThrow(/inside a transaction/);
    await expect(leaked?.findOne({})).rejects.toThrow(/already committed or rolled back/);
  });
});

describe('embedded engine at full durability (group commit)', () => {
  let dir: string;
  let engine: Engine;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lily-engine-full-'));
    engine = Engine.open({ dataDir: dir });
  });

  afterEach(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges each write after a flush, and concurrent writers share flushes', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    await docs.insertOne({ _id: 'first' });
    expect(engine.syncStats).toEqual({ writes: 1, commits: 1, flushes: 1 });

    // 200 writers at once: autocommit inserts and transactions interleaved.
    const writes = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? docs.insertOne({ _id: `d${i}` })
        : engine.transaction(async (tx) => {
            await new EmbeddedCollection(engine, 'docs', tx).insertOne({ _id: `d${i}` });
          }),
    );
    await Promise.all(writes);
    const { writes: acknowledged, commits, flushes } = engine.syncStats;
    expect(acknowledged).toBe(201);
    // Writes of one turn of the event loop share a COMMIT, and commits share flushes.
    expect(commits).toBeGreaterThanOrEqual(2);
    expect(commits).toBeLessThan(acknowledged);
    expect(flushes).toBeLessThanOrEqual(commits);
    expect(await docs.countDocuments({})).toBe(201);
  });

  it('batches writes of one turn into one commit, each failure undoing only itself', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    await docs.createIndex({ email: 1 }, { unique: true });
    await docs.insertOne({ _id: 'taken', email: 'taken@x' });
    const before = engine.syncStats;
    const outcomes = await Promise.allSettled([
      docs.insertOne({ _id: 'a', email: 'a@x' }),
      docs.insertOne({ _id: 'dup', email: 'taken@x' }),
      // All or nothing: the second document collides, so the first is not kept either.
      docs.insertMany([{ _id: 'm1', email: 'm1@x' }, { _id: 'm2', email: 'taken@x' }]),
      engine.transaction(async (tx) => {
        await new EmbeddedCollection(engine, 'docs', tx).insertOne({ _id: 't1', email: 't1@x' });
        throw new Error('changed my mind');
      }),
      engine.transaction(async (tx) => {
        await new EmbeddedCollection(engine, 'docs', tx).insertOne({ _id: 't2', email: 't2@x' });
      }),
      docs.updateOne({ _id: 'taken' }, { $set: { email: 'a@x' } }),
      docs.insertOne({ _id: 'b', email: 'b@x' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
    expect((outcomes[5] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
    expect((await docs.find({}, { sort: { _id: 1 } }).toArray()).map((d) => `${d._id}:${String(d.email)}`)).toEqual([
      'a:a@x',
      'b:b@x',
      't2:t2@x',
      'taken:taken@x',
    ]);
    const after = engine.syncStats;
    expect(after.writes - before.writes).toBe(3);
    expect(after.commits - before.commits).toBe(1);
    // Committed for other connections too, not only visible on this one.
    const raw = new Database(path.join(dir, DB_FILE), { readonly: true });
    try {
      expect(raw.prepare('SELECT id FROM "c:docs" ORDER BY id').pluck().all()).toEqual(['a', 'b', 't2', 'taken']);
    } finally {
      raw.close();
    }
  });

  it('keeps exactly the acknowledged writes of a batch when the disk fills up, and goes on afterwards', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    await docs.insertOne({ _id: 'before' });
    const pages = engine.db.pragma('page_count', { simple: true }) as number;
    engine.db.pragma(`max_page_count = ${pages + 2}`);
    const ids = ['s1', 's2', 'big', 's3', 't1', 's4'];
    const outcomes = await Promise.allSettled(
      ids.map((id) =>
        id === 'big'
          ? docs.insertOne({ _id: id, blob: 'x'.repeat(200_000) })
          : id.startsWith('t')
            ? engine.transaction(async (tx) => {
                await new EmbeddedCollection(engine, 'docs', tx).insertOne({ _id: id });
              })
            : docs.insertOne({ _id: id }),
      ),
    );
    expect(outcomes[ids.indexOf('big')]!.status).toBe('rejected');
    engine.db.pragma('max_page_count = 1073741823');
    const stored = new Set((await docs.find({}).toArray()).map((d) => d._id));
    ids.forEach((id, i) => expect(stored.has(id), `${id} ${outcomes[i]!.status}`).toBe(outcomes[i]!.status === 'fulfilled'));
    expect(stored.has('before')).toBe(true);
    await docs.insertOne({ _id: 'after' });
    expect(await docs.findOne({ _id: 'after' })).not.toBeNull();
  });

  it('commits the open batch when it closes', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    const pending = docs.insertOne({ _id: 'late' });
    await engine.close();
    await pending;
    const raw = new Database(path.join(dir, DB_FILE), { readonly: true });
    try {
      expect(raw.prepare('SELECT id FROM "c:docs"').pluck().all()).toEqual(['late']);
    } finally {
      raw.close();
    }
    engine = Engine.open({ dataDir: dir });
  });

  it('does not flush for reads or for transactions that only read', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    await docs.insertOne({ _id: 'x', n: 1 });
    const before = engine.syncStats;
    await docs.findOne({ _id: 'x' });
    await engine.transaction(async (tx) => new EmbeddedCollection(engine, 'docs', tx).findOne({ _id: 'x' }));
    // Also once the transaction's batch has been committed.
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.syncStats).toEqual(before);
    // A write that matched nothing still counts as a write (SQLite may have changed nothing,
    // but the flush is cheap and keeps the rule simple).
    await docs.updateOne({ _id: 'x' }, { $inc: { n: 1 } });
    expect(engine.syncStats.commits).toBe(before.commits + 1);
  });

  it('frees the connection at commit: a queued operation finishes while the commit is still being flushed', async () => {
    const docs = new EmbeddedCollection(engine, 'docs', null);
    await docs.insertOne({ _id: 'seed' });
    const order: string[] = [];
    const tx = engine
      .transaction(async (t) => {
        await new EmbeddedCollection(engine, 'docs', t).insertOne({ _id: 'a' });
      })
      .then(() => order.push('transaction acknowledged'));
    // Queued behind the transaction on the connection; it needs no flush of its own.
    const read = docs.findOne({ _id: 'a' }).then((d) => order.push(`read ${d?._id ?? 'nothing'}`));
    await Promise.all([tx, read]);
    expect(order).toEqual(['read a', 'transaction acknowledged']);
  });

  it('reports a rolled-back transaction without flushing', async () => {
    const before = engine.syncStats;
    await expect(
      engine.transaction(async (tx) => {
        await new EmbeddedCollection(engine, 'docs', tx).insertOne({ _id: 'gone' });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(engine.syncStats).toEqual(before);
    expect(await new EmbeddedCollection(engine, 'docs', null).findOne({ _id: 'gone' })).toBeNull();
  });
});

describe('embedded engine checkpoints', () => {
  it('moves committed pages into the database file from its own thread, never on the event loop', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lily-engine-ckpt-'));
    const engine = Engine.open({ dataDir: dir, checkpointMs: 20 });
    try {
      // The engine's own connection never checkpoints by itself.
      expect(engine.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const docs = new EmbeddedCollection(engine, 'docs', null);
      const size = () => statSync(path.join(dir, DB_FILE)).size;
      const before = size();
      await Promise.all(Array.from({ length: 300 }, (_, i) => docs.insertOne({ _id: `d${i}`, text: 'x'.repeat(2000) })));
      await vi.waitFor(() => expect(size()).toBeGreaterThan(before + 300 * 2000), { timeout: 5_000, interval: 20 });
      expect(await docs.countDocuments({})).toBe(300);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('can leave checkpoints to SQLite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lily-engine-ckpt-'));
    const engine = Engine.open({ dataDir: dir, checkpointMs: 0 });
    try {
      expect(engine.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
