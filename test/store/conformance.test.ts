/**
 * The store contract, checked on every backend: the embedded engine always, MongoDB too when
 * `MONGODB_URI` points at a replica set. Tests rely only on what MongoDB guarantees: results are
 * sorted before order is compared, and TTL removal timing is checked on the embedded engine only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateKeyError, openStore, type Doc, type Store } from '../../server/store/index.ts';

interface Backend {
  name: 'embedded' | 'mongodb';
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

const RUN = randomBytes(4).toString('hex');
let dbSeq = 0;

const embedded: Backend = {
  name: 'embedded',
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'lily-store-'));
    const store = await openStore({ dataDir: dir });
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function mongodb(uri: string): Backend {
  return {
    name: 'mongodb',
    async open() {
      const dbName = `lily_conformance_${RUN}_${++dbSeq}`;
      const store = await openStore({ mongodbUri: uri, dataDir: '', dbName });
      return {
        store,
        async dispose() {
          await store.close();
          const client = new MongoClient(uri);
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      };
    },
  };
}

const backends: Backend[] = process.env.MONGODB_URI ? [embedded, mongodb(process.env.MONGODB_URI)] : [embedded];

interface Account extends Doc {
  owner?: string;
  balance: number;
}

interface Item extends Doc {
  name?: string;
  n?: number;
  group?: string;
  tags?: string[];
  at?: Date;
  nested?: { a?: number; list?: Array<{ k: number; when?: Date }> };
  [key: string]: unknown;
}

const HEX24 = /^[0-9a-f]{24}$/;
const byId = (a: Doc, b: Doc): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

describe.each(backends)('store conformance: $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dispose } = await backend.open());
  });

  afterEach(async () => {
    await dispose();
  });

  const seedItems = async (): Promise<void> => {
    await store.collection<Item>('items').insertMany([
      { _id: 'i1', name: 'apple', n: 3, group: 'fruit', tags: ['red', 'sweet'] },
      { _id: 'i2', name: 'banana', n: 1, group: 'fruit', tags: ['yellow'] },
      { _id: 'i3', name: 'carrot', n: 2, group: 'veg', tags: ['orange'] },
      { _id: 'i4', name: 'date', n: 3, group: 'fruit', tags: [] },
      { _id: 'i5', name: 'endive', group: 'veg' },
    ]);
  };

  describe('basics', () => {
    it('reports its kind and answers ping', async () => {
      expect(store.kind).toBe(backend.name);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('insertOne assigns a 24-hex string _id when absent and keeps a given one', async () => {
      const items = store.collection<Item>('items');
      const input = { name: 'x' };
      const { insertedId } = await items.insertOne(input);
      expect(insertedId).toMatch(HEX24);
      expect(input).toEqual({ name: 'x' });
      expect(await items.findOne({ _id: insertedId })).toEqual({ _id: insertedId, name: 'x' });
      expect((await items.insertOne({ _id: 'mine', name: 'y' })).insertedId).toBe('mine');
      expect(await items.findOne({ _id: 'mine' })).toEqual({ _id: 'mine', name: 'y' });
      expect(await items.findOne({ _id: 'nope' })).toBeNull();
    });

    it('insertMany returns every id in order', async () => {
      const items = store.collection<Item>('items');
      const res = await items.insertMany([{ name: 'a' }, { _id: 'b', name: 'b' }, { name: 'c' }]);
      expect(res.insertedCount).toBe(3);
      expect(res.insertedIds).toHaveLength(3);
      expect(res.insertedIds[0]).toMatch(HEX24);
      expect(res.insertedIds[1]).toBe('b');
      expect(new Set(res.insertedIds).size).toBe(3);
      expect(await items.countDocuments()).toBe(3);
    });

    it('rejects a duplicate _id', async () => {
      const items = store.collection<Item>('items');
      await items.insertOne({ _id: 'dup', name: 'a' });
      const err = await items.insertOne({ _id: 'dup', name: 'b' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).code).toBe(11000);
      expect((err as DuplicateKeyError).index).toBe('_id_');
    });

    it('round-trips Dates (top level, nested, in arrays) and nested structures', async () => {
      const items = store.collection<Item>('items');
      const at = new Date('2024-05-06T07:08:09.123Z');
      const when = new Date('2023-01-02T03:04:05.678Z');
      const doc = { _id: 'd', at, nested: { a: 1, list: [{ k: 1, when }, { k: 2 }] }, matrix: [[1, 2], [3]], flag: false, none: null };
      await items.insertOne(doc);
      const back = await items.findOne({ _id: 'd' });
      expect(back).toEqual(doc);
      expect(back?.at).toBeInstanceOf(Date);
      expect(back?.nested?.list?.[0]?.when).toBeInstanceOf(Date);
      expect(back?.nested?.list?.[0]?.when?.getTime()).toBe(when.getTime());
      expect((await items.findOne({ at }))?._id).toBe('d');
      expect(await items.countDocuments({ at: { $gt: new Date('2024-01-01T00:00:00Z') } })).toBe(1);
      expect(await items.countDocuments({ at: { $lt: new Date('2024-01-01T00:00:00Z') } })).toBe(0);
      expect((await items.findOne({ 'nested.list.k': 2 }))?._id).toBe('d');
    });
  });

  describe('queries', () => {
    beforeEach(seedItems);

    it('filters with comparison, set, logical, element and regex operators', async () => {
      const items = store.collection<Item>('items');
      const ids = async (filter: Record<string, unknown>): Promise<string[]> =>
        (await items.find(filter).toArray()).map((d) => d._id).sort();
      expect(await ids({ group: 'fruit' })).toEqual(['i1', 'i2', 'i4']);
      expect(await ids({ n: { $gte: 2 } })).toEqual(['i1', 'i3', 'i4']);
      expect(await ids({ n: { $in: [1, 2] } })).toEqual(['i2', 'i3']);
      expect(await ids({ _id: { $in: ['i1', 'i5', 'zz'] } })).toEqual(['i1', 'i5']);
      expect(await ids({ $or: [{ group: 'veg' }, { n: 1 }] })).toEqual(['i2', 'i3', 'i5']);
      expect(await ids({ group: 'fruit', n: { $ne: 3 } })).toEqual(['i2']);
      expect(await ids({ n: { $exists: false } })).toEqual(['i5']);
      expect(await ids({ tags: 'red' })).toEqual(['i1']);
      expect(await ids({ tags: { $size: 0 } })).toEqual(['i4']);
      expect(await ids({ name: { $regex: '^[ab]' } })).toEqual(['i1', 'i2']);
      expect(await ids({ name: /an/ })).toEqual(['i2']);
      expect(await ids({ n: null })).toEqual(['i5']);
      expect(await ids({ $and: [{ group: 'fruit' }, { n: 3 }] })).toEqual(['i1', 'i4']);
    });

    it('sorts on several keys, then skips and limits', async () => {
      const items = store.collection<Item>('items');
      const sorted = await items.find({ n: { $exists: true } }).sort({ n: -1, name: 1 }).toArray();
      expect(sorted.map((d) => d._id)).toEqual(['i1', 'i4', 'i3', 'i2']);
      const page = await items.find({}, { sort: { group: 1, name: -1 }, skip: 1, limit: 2 }).toArray();
      expect(page.map((d) => d._id)).toEqual(['i2', 'i1']);
      const chained = await items.find({}).sort({ name: 1 }).skip(3).limit(5).toArray();
      expect(chained.map((d) => d._id)).toEqual(['i4', 'i5']);
      expect(await items.find({}).sort({ name: 1 }).limit(2).toArray()).toHaveLength(2);
    });

    it('projects by inclusion and by exclusion', async () => {
      const items = store.collection<Item>('items');
      expect(await items.findOne({ _id: 'i1' }, { projection: { name: 1 } })).toEqual({ _id: 'i1', name: 'apple' });
      expect(await items.findOne({ _id: 'i1' }, { projection: { name: 1, _id: 0 } })).toEqual({ name: 'apple' });
      expect(await items.findOne({ _id: 'i1' }, { projection: { tags: 0, group: 0 } })).toEqual({ _id: 'i1', name: 'apple', n: 3 });
      const projected = await items.find({ group: 'veg' }).project<Doc>({ name: 1 }).sort({ name: 1 }).toArray();
      expect(projected).toEqual([
        { _id: 'i3', name: 'carrot' },
        { _id: 'i5', name: 'endive' },
      ]);
    });

    it('findOne honours sort and skip', async () => {
      const items = store.collection<Item>('items');
      expect((await items.findOne({ group: 'fruit' }, { sort: { name: -1 } }))?._id).toBe('i4');
      expect((await items.findOne({ group: 'fruit' }, { sort: { name: 1 }, skip: 1 }))?._id).toBe('i2');
      expect(await items.findOne({ group: 'none' })).toBeNull();
    });

    it('iterates a cursor asynchronously', async () => {
      const items = store.collection<Item>('items');
      const seen: string[] = [];
      for await (const doc of items.find({ group: 'fruit' }).sort({ _id: 1 })) seen.push(doc._id);
      expect(seen).toEqual(['i1', 'i2', 'i4']);
      const cursor = items.find({}).sort({ _id: 1 });
      expect(await cursor.toArray()).toHaveLength(5);
      expect(await cursor.toArray()).toEqual([]);
    });

    it('counts with and without filters', async () => {
      const items = store.collection<Item>('items');
      expect(await items.countDocuments()).toBe(5);
      expect(await items.countDocuments({})).toBe(5);
      expect(await items.countDocuments({ group: 'fruit' })).toBe(3);
      expect(await items.countDocuments({ n: { $gt: 1 }, group: 'fruit' })).toBe(2);
      expect(await items.countDocuments({ _id: 'i3' })).toBe(1);
      expect(await items.countDocuments({ group: 'meat' })).toBe(0);
      expect(await store.collection('empty').countDocuments()).toBe(0);
    });
  });

  describe('updates', () => {
    beforeEach(seedItems);

    it('applies $set, $unset and $inc (on existing and missing fields)', async () => {
      const items = store.collection<Item>('items');
      const r = await items.updateOne({ _id: 'i1' }, { $set: { name: 'apricot', 'nested.a': 5 }, $unset: { tags: '' }, $inc: { n: 2, hits: 1 } });
      expect(r).toEqual({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
      expect(await items.findOne({ _id: 'i1' })).toEqual({ _id: 'i1', name: 'apricot', n: 5, group: 'fruit', nested: { a: 5 }, hits: 1 });
      await items.updateOne({ _id: 'i1' }, { $inc: { n: -1.5 } });
      expect((await items.findOne({ _id: 'i1' }))?.n).toBe(3.5);
    });

    it('applies $push (single and $each), $pull (value and condition) and $addToSet', async () => {
      const items = store.collection<Item>('items');
      await items.updateOne({ _id: 'i2' }, { $push: { tags: 'long' } });
      await items.updateOne({ _id: 'i2' }, { $push: { tags: { $each: ['soft', 'sweet'] } } });
      expect((await items.findOne({ _id: 'i2' }))?.tags).toEqual(['yellow', 'long', 'soft', 'sweet']);
      await items.updateOne({ _id: 'i2' }, { $pull: { tags: 'long' } });
      expect((await items.findOne({ _id: 'i2' }))?.tags).toEqual(['yellow', 'soft', 'sweet']);
      await items.updateOne({ _id: 'i2' }, { $pull: { tags: { $in: ['soft', 'sweet'] } } });
      expect((await items.findOne({ _id: 'i2' }))?.tags).toEqual(['yellow']);
      const same = await items.updateOne({ _id: 'i2' }, { $addToSet: { tags: 'yellow' } });
      expect(same.modifiedCount).toBe(0);
      await items.updateOne({ _id: 'i2' }, { $addToSet: { tags: { $each: ['yellow', 'ripe', 'ripe'] } } });
      expect((await items.findOne({ _id: 'i2' }))?.tags).toEqual(['yellow', 'ripe']);
      await items.updateOne({ _id: 'i5' }, { $push: { tags: 'new' } });
      expect((await items.findOne({ _id: 'i5' }))?.tags).toEqual(['new']);
      await items.updateOne({ _id: 'i5' }, { $push: { log: { k: 1, at: new Date(1000) } } });
      const log = (await items.findOne({ _id: 'i5' }))?.log as Array<{ at: Date }>;
      expect(log[0]?.at).toEqual(new Date(1000));
      await items.updateOne({ _id: 'i5' }, { $pull: { log: { k: 1 } } });
      expect((await items.findOne({ _id: 'i5' }))?.log).toEqual([]);
    });

    it('applies $min and $max to numbers and dates', async () => {
      const items = store.collection<Item>('items');
      await items.updateOne({ _id: 'i1' }, { $min: { n: 1 }, $max: { best: 7 } });
      expect(await items.findOne({ _id: 'i1' }, { projection: { n: 1, best: 1 } })).toEqual({ _id: 'i1', n: 1, best: 7 });
      const unchanged = await items.updateOne({ _id: 'i1' }, { $min: { n: 5 }, $max: { best: 2 } });
      expect(unchanged).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
      await items.updateOne({ _id: 'i1' }, { $set: { at: new Date(5000) } });
      await items.updateOne({ _id: 'i1' }, { $max: { at: new Date(9000) } });
      await items.updateOne({ _id: 'i1' }, { $min: { at: new Date(7000) } });
      expect((await items.findOne({ _id: 'i1' }))?.at).toEqual(new Date(7000));
    });

    it('reports matched and modified counts, including no-op updates', async () => {
      const items = store.collection<Item>('items');
      expect(await items.updateOne({ _id: 'i1' }, { $set: { name: 'apple' } })).toEqual({ matchedCount: 1, modifiedCount: 0, upsertedCount: 0, upsertedId: null });
      expect(await items.updateOne({ _id: 'zz' }, { $set: { name: 'x' } })).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null });
      expect(await items.updateMany({ group: 'fruit' }, { $set: { n: 3 } })).toEqual({ matchedCount: 3, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
      expect(await items.countDocuments({ n: 3 })).toBe(3);
      const one = await items.updateOne({ group: 'fruit' }, { $inc: { n: 1 } });
      expect(one.matchedCount).toBe(1);
      expect(await items.countDocuments({ n: 4 })).toBe(1);
    });

    it('upserts from the filter equalities plus the update, applying $setOnInsert only on insert', async () => {
      const items = store.collection<Item>('items');
      const first = await items.updateOne(
        { name: 'fig', group: { $eq: 'fruit' }, n: { $gt: 0 } },
        { $inc: { n: 1 }, $setOnInsert: { createdBy: 'seed' }, $set: { ripe: true } },
        { upsert: true },
      );
      expect(first.upsertedCount).toBe(1);
      expect(first.matchedCount).toBe(0);
      expect(first.upsertedId).toMatch(HEX24);
      const fig = await items.findOne({ _id: first.upsertedId as string });
      expect(fig).toEqual({ _id: first.upsertedId, name: 'fig', group: 'fruit', n: 1, createdBy: 'seed', ripe: true });
      const second = await items.updateOne({ name: 'fig' }, { $inc: { n: 1 }, $setOnInsert: { createdBy: 'other' } }, { upsert: true });
      expect(second).toEqual({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
      expect(await items.findOne({ name: 'fig' }, { projection: { n: 1, createdBy: 1, _id: 0 } })).toEqual({ n: 2, createdBy: 'seed' });
      const withId = await items.updateOne({ _id: 'given' }, { $set: { name: 'given' } }, { upsert: true });
      expect(withId.upsertedId).toBe('given');
      expect(await items.findOne({ _id: 'given' })).toEqual({ _id: 'given', name: 'given' });
      const nested = await items.updateMany({ 'meta.kind': 'x' }, { $set: { v: 1 } }, { upsert: true });
      expect(nested.upsertedCount).toBe(1);
      expect(await items.findOne({ _id: nested.upsertedId as string }, { projection: { _id: 0 } })).toEqual({ meta: { kind: 'x' }, v: 1 });
    });

    it('findOneAndUpdate returns the document before (default) or after, with projection and sort', async () => {
      const items = store.collection<Item>('items');
      const before = await items.findOneAndUpdate({ _id: 'i1' }, { $inc: { n: 10 } });
      expect(before?.n).toBe(3);
      const after = await items.findOneAndUpdate({ _id: 'i1' }, { $inc: { n: 10 } }, { returnDocument: 'after' });
      expect(after?.n).toBe(23);
      const projected = await items.findOneAndUpdate({ _id: 'i2' }, { $set: { n: 0 } }, { returnDocument: 'after', projection: { n: 1 } });
      expect(projected).toEqual({ _id: 'i2', n: 0 });
      const sorted = await items.findOneAndUpdate({ group: 'fruit' }, { $set: { top: true } }, { sort: { name: -1 }, returnDocument: 'after' });
      expect(sorted?._id).toBe('i4');
      expect(await items.countDocuments({ top: true })).toBe(1);
      expect(await items.findOneAndUpdate({ _id: 'zz' }, { $set: { n: 1 } })).toBeNull();
      expect(await items.findOneAndUpdate({ _id: 'up1' }, { $set: { n: 1 } }, { upsert: true })).toBeNull();
      expect(await items.findOne({ _id: 'up1' })).toEqual({ _id: 'up1', n: 1 });
      const upAfter = await items.findOneAndUpdate({ name: 'kiwi' }, { $setOnInsert: { n: 7 } }, { upsert: true, returnDocument: 'after' });
      expect(upAfter).toMatchObject({ name: 'kiwi', n: 7 });
      expect(upAfter?._id).toMatch(HEX24);
    });

    it('refuses to change _id and refuses updates without operators', async () => {
      const items = store.collection<Item>('items');
      await expect(items.updateOne({ _id: 'i1' }, { $set: { _id: 'other' } })).rejects.toThrow(/immutable field '_id'/);
      await expect(items.findOneAndUpdate({ _id: 'i1' }, { $set: { _id: 'other' } })).rejects.toThrow(/immutable field '_id'/);
      await expect(items.updateOne({ _id: 'i1' }, { name: 'replaced' })).rejects.toThrow(/atomic operators/);
      expect(await items.findOne({ _id: 'i1' })).toMatchObject({ _id: 'i1', name: 'apple' });
      expect(await items.findOne({ _id: 'other' })).toBeNull();
    });

    it('refuses $inc on a non-numeric field', async () => {
      const items = store.collection<Item>('items');
      await expect(items.updateOne({ _id: 'i1' }, { $inc: { name: 1 } })).rejects.toThrow(/non-numeric/);
      expect((await items.findOne({ _id: 'i1' }))?.name).toBe('apple');
    });
  });

  describe('deletes', () => {
    beforeEach(seedItems);

    it('deleteOne removes one match, deleteMany all of them', async () => {
      const items = store.collection<Item>('items');
      expect(await items.deleteOne({ group: 'fruit' })).toEqual({ deletedCount: 1 });
      expect(await items.countDocuments({ group: 'fruit' })).toBe(2);
      expect(await items.deleteOne({ _id: 'zz' })).toEqual({ deletedCount: 0 });
      expect(await items.deleteMany({ group: 'fruit' })).toEqual({ deletedCount: 2 });
      expect(await items.deleteMany({ n: { $gt: 100 } })).toEqual({ deletedCount: 0 });
      expect(await items.deleteMany({})).toEqual({ deletedCount: 2 });
      expect(await items.countDocuments()).toBe(0);
    });
  });

  describe('indexes', () => {
    it('names indexes as MongoDB does and accepts the same index twice', async () => {
      const users = store.collection('users');
      expect(await users.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
      expect(await users.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
      expect(await users.createIndex({ org: 1, createdAt: -1 })).toBe('org_1_createdAt_-1');
      expect(await users.createIndex({ phone: 1 }, { name: 'by_phone' })).toBe('by_phone');
    });

    it('enforces a unique index on insert, update and upsert', async () => {
      const users = store.collection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ _id: 'u1', email: 'a@x' });
      await users.insertOne({ _id: 'u2', email: 'b@x' });
      const onInsert = await users.insertOne({ _id: 'u3', email: 'a@x' }).catch((e: unknown) => e);
      expect(onInsert).toBeInstanceOf(DuplicateKeyError);
      expect(onInsert).toMatchObject({ code: 11000, collection: 'users', index: 'email_1' });
      await expect(users.updateOne({ _id: 'u2' }, { $set: { email: 'a@x' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(users.findOneAndUpdate({ _id: 'u2' }, { $set: { email: 'a@x' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(users.updateOne({ _id: 'u9' }, { $set: { email: 'b@x' } }, { upsert: true })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(users.findOneAndUpdate({ name: 'new' }, { $set: { email: 'b@x' } }, { upsert: true })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect((await users.findOne({ _id: 'u2' }))?.email).toBe('b@x');
      expect(await users.findOne({ _id: 'u9' })).toBeNull();
      await users.updateOne({ _id: 'u2' }, { $set: { email: 'b2@x' } });
      await users.insertOne({ _id: 'u4', email: 'b@x' });
      expect(await users.findOne({ email: 'b@x' })).toEqual({ _id: 'u4', email: 'b@x' });
      // Multi-document writes fail too (on MongoDB the documents before the failing one stay written).
      await expect(users.updateMany({}, { $set: { email: 'same@x' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(users.insertMany([{ email: 'c@x' }, { email: 'c@x' }])).rejects.toBeInstanceOf(DuplicateKeyError);
    });

    it('treats a missing field as null in a unique index', async () => {
      const users = store.collection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ _id: 'n1', name: 'no email' });
      await expect(users.insertOne({ _id: 'n2', name: 'no email either' })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(users.insertOne({ _id: 'n3', email: null })).rejects.toBeInstanceOf(DuplicateKeyError);
      await users.insertOne({ _id: 'n4', email: 'x@x' });
      expect(await users.countDocuments()).toBe(2);
    });

    it('keeps values of different types apart in a unique index', async () => {
      const keys = store.collection('keys');
      await keys.createIndex({ k: 1 }, { unique: true });
      await keys.insertMany([{ k: 1 }, { k: '1' }, { k: true }, { k: { a: 1 } }, { k: new Date(1) }]);
      await expect(keys.insertOne({ k: 1.0 })).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(keys.insertOne({ k: new Date(1) })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await keys.countDocuments({ k: '1' })).toBe(1);
      expect(await keys.countDocuments({ k: 1 })).toBe(1);
    });

    it('enforces a compound unique index on the combination only', async () => {
      const members = store.collection('members');
      expect(await members.createIndex({ org: 1, user: 1 }, { unique: true })).toBe('org_1_user_1');
      await members.insertMany([
        { org: 'o1', user: 'u1' },
        { org: 'o1', user: 'u2' },
        { org: 'o2', user: 'u1' },
      ]);
      const err = await members.insertOne({ org: 'o1', user: 'u1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).index).toBe('org_1_user_1');
      await expect(members.updateOne({ org: 'o2', user: 'u1' }, { $set: { org: 'o1' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await members.countDocuments({ org: 'o1' })).toBe(2);
      expect((await members.find({ org: 'o1' }).sort({ user: 1 }).toArray()).map((m) => m.user)).toEqual(['u1', 'u2']);
    });

    it('applies a partial unique index only to the documents its filter selects', async () => {
      const users = store.collection('users');
      await users.createIndex({ phone: 1 }, { unique: true, partialFilterExpression: { phone: { $exists: true } } });
      await users.insertMany([{ name: 'a' }, { name: 'b' }, { name: 'c', phone: '123' }]);
      await expect(users.insertOne({ name: 'd', phone: '123' })).rejects.toBeInstanceOf(DuplicateKeyError);
      await users.insertOne({ name: 'e', phone: '456' });
      expect(await users.countDocuments()).toBe(4);
      expect((await users.findOne({ phone: '456' }))?.name).toBe('e');

      const handles = store.collection('handles');
      await handles.createIndex({ handle: 1 }, { unique: true, partialFilterExpression: { active: true } });
      await handles.insertMany([{ handle: 'h', active: false }, { handle: 'h', active: false }, { handle: 'h', active: true }]);
      await expect(handles.insertOne({ handle: 'h', active: true })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await handles.countDocuments({ handle: 'h' })).toBe(3);
    });

    it('refuses to build a unique index over existing duplicates', async () => {
      const users = store.collection('users');
      await users.insertMany([{ email: 'a@x' }, { email: 'a@x' }]);
      await expect(users.createIndex({ email: 1 }, { unique: true })).rejects.toBeInstanceOf(DuplicateKeyError);
      await users.insertOne({ email: 'a@x' });
      expect(await users.countDocuments({ email: 'a@x' })).toBe(3);
    });

    it('finds documents through indexes on array and nested fields', async () => {
      const posts = store.collection('posts');
      await posts.createIndex({ tags: 1 });
      await posts.createIndex({ 'author.id': 1 });
      await posts.insertMany([
        { _id: 'p1', tags: ['a', 'b'], author: { id: 'x' } },
        { _id: 'p2', tags: 'a', author: { id: 'y' } },
        { _id: 'p3', author: [{ id: 'x' }, { id: 'z' }] },
      ]);
      expect((await posts.find({ tags: 'a' }).toArray()).map((p) => p._id).sort()).toEqual(['p1', 'p2']);
      expect((await posts.find({ 'author.id': 'x' }).toArray()).map((p) => p._id).sort()).toEqual(['p1', 'p3']);
      expect(await posts.countDocuments({ tags: { $in: ['b', 'c'] } })).toBe(1);
    });

    it('hides documents past their TTL', async () => {
      const sessions = store.collection('sessions');
      expect(await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 })).toBe('expiresAt_1');
      const future = new Date(Date.now() + 3_600_000);
      await sessions.insertMany([
        { _id: 'live', expiresAt: future },
        { _id: 'gone', expiresAt: new Date(Date.now() - 60_000) },
        { _id: 'forever' },
      ]);
      expect((await sessions.findOne({ _id: 'live' }))?.expiresAt).toEqual(future);
      expect(await sessions.findOne({ _id: 'forever' })).not.toBeNull();
      // MongoDB's TTL monitor runs once a minute; the embedded engine hides expired documents at once.
      if (backend.name === 'embedded') {
        expect(await sessions.findOne({ _id: 'gone' })).toBeNull();
        expect(await sessions.countDocuments()).toBe(2);
      }
    });
  });

  describe('transactions', () => {
    const openAccounts = async (): Promise<void> => {
      await store.collection<Account>('accounts').insertMany([
        { _id: 'a', balance: 100 },
        { _id: 'b', balance: 100 },
        { _id: 'c', balance: 0 },
      ]);
      await store.collection('journal').insertOne({ _id: 'j0', note: 'opening' });
      await store.collection('audit').insertOne({ _id: 'x0' });
    };
    beforeEach(openAccounts);

    it('commits writes across two collections and returns the body result', async () => {
      const result = await store.transaction(async (tx) => {
        const accounts = tx.collection<Account>('accounts');
        await accounts.updateOne({ _id: 'a' }, { $inc: { balance: -30 } });
        await accounts.updateOne({ _id: 'b' }, { $inc: { balance: 30 } });
        const { insertedId } = await tx.collection('journal').insertOne({ from: 'a', to: 'b', amount: 30 });
        // The transaction reads its own writes.
        expect((await accounts.findOne({ _id: 'a' }))?.balance).toBe(70);
        expect(await tx.collection('journal').countDocuments()).toBe(2);
        return insertedId;
      });
      expect(result).toMatch(HEX24);
      expect((await store.collection<Account>('accounts').findOne({ _id: 'a' }))?.balance).toBe(70);
      expect((await store.collection<Account>('accounts').findOne({ _id: 'b' }))?.balance).toBe(130);
      expect(await store.collection('journal').findOne({ _id: result })).toMatchObject({ from: 'a', to: 'b', amount: 30 });
    });

    it('leaves no trace of a body that throws: inserts, updates and deletes all roll back', async () => {
      const boom = new Error('boom');
      const err = await store
        .transaction(async (tx) => {
          await tx.collection<Account>('accounts').updateOne({ _id: 'a' }, { $inc: { balance: -50 } });
          await tx.collection<Account>('accounts').insertOne({ _id: 'd', balance: 50 });
          await tx.collection('accounts').deleteOne({ _id: 'c' });
          await tx.collection('journal').insertOne({ _id: 'j1', note: 'never' });
          await tx.collection('journal').updateOne({ _id: 'j0' }, { $set: { note: 'changed' } });
          await tx.collection('audit').insertOne({ _id: 'x1' });
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(boom);
      const accounts = await store.collection<Account>('accounts').find({}).sort({ _id: 1 }).toArray();
      expect(accounts).toEqual([
        { _id: 'a', balance: 100 },
        { _id: 'b', balance: 100 },
        { _id: 'c', balance: 0 },
      ]);
      expect(await store.collection('journal').find({}).toArray()).toEqual([{ _id: 'j0', note: 'opening' }]);
      expect(await store.collection('audit').find({}).toArray()).toEqual([{ _id: 'x0' }]);
      // Collections touched by the rolled-back transaction still work.
      await store.collection('audit').insertOne({ _id: 'x2' });
      expect(await store.collection('audit').countDocuments()).toBe(2);
    });

    it('rolls the whole transaction back on a duplicate-key error inside it', async () => {
      await store.collection('users').createIndex({ email: 1 }, { unique: true });
      await store.collection('users').insertOne({ _id: 'u1', email: 'taken@x' });
      const err = await store
        .transaction(async (tx) => {
          await tx.collection<Account>('accounts').updateOne({ _id: 'a' }, { $inc: { balance: -10 } });
          await tx.collection('journal').insertOne({ _id: 'j1' });
          await tx.collection('users').insertOne({ _id: 'u2', email: 'taken@x' });
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((await store.collection<Account>('accounts').findOne({ _id: 'a' }))?.balance).toBe(100);
      expect(await store.collection('journal').countDocuments()).toBe(1);
      expect(await store.collection('users').countDocuments()).toBe(1);
    });

    it('refuses nested transactions and non-transactional handles inside a body', async () => {
      await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/cannot be nested/);
      await expect(
        store.transaction(async () => {
          await store.collection('accounts').findOne({ _id: 'a' });
        }),
      ).rejects.toThrow(/tx\.collection/);
    });

    it('keeps every concurrent findOneAndUpdate $inc (no lost update)', async () => {
      const counters = store.collection<{ _id: string; n: number }>('counters');
      await counters.insertOne({ _id: 'c', n: 0 });
      const results = await Promise.all(
        Array.from({ length: 200 }, () => counters.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { returnDocument: 'after' })),
      );
      expect((await counters.findOne({ _id: 'c' }))?.n).toBe(200);
      const seen = results.map((r) => r?.n).sort((x, y) => (x ?? 0) - (y ?? 0));
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    });

    it('keeps the sum constant under concurrent transfer transactions', async () => {
      const transfer = (from: string, to: string, amount: number): Promise<boolean> =>
        store.transaction(async (tx) => {
          const accounts = tx.collection<Account>('accounts');
          const source = await accounts.findOne({ _id: from });
          if (!source || source.balance < amount) return false;
          await accounts.updateOne({ _id: from }, { $inc: { balance: -amount } });
          await accounts.updateOne({ _id: to }, { $inc: { balance: amount } });
          await tx.collection('journal').insertOne({ from, to, amount });
          return true;
        });
      const moves = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? transfer('a', 'b', (i % 7) + 1) : transfer('b', 'a', (i % 5) + 1)));
      const done = await Promise.all(moves);
      const accounts = await store.collection<Account>('accounts').find({ _id: { $in: ['a', 'b'] } }).toArray();
      expect(accounts.reduce((sum, acc) => sum + acc.balance, 0)).toBe(200);
      expect(accounts.every((acc) => acc.balance >= 0)).toBe(true);
      expect(await store.collection('journal').countDocuments({ amount: { $exists: true } })).toBe(done.filter(Boolean).length);
      const journal = await store.collection<{ _id: string; from: string; amount: number }>('journal').find({ amount: { $exists: true } }).toArray();
      const net = journal.reduce((sum, j) => sum + (j.from === 'a' ? -j.amount : j.amount), 0);
      expect(accounts.sort(byId)[0]?.balance).toBe(100 + net);
    });
  });
});
