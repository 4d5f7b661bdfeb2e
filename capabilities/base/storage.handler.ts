/**
 * Server handlers of `base.storage`: one `base_storage` collection holds every entry, plus one
 * usage document per user × app that makes the quota check a single read. Each write runs in a
 * transaction that reads the usage, checks the limits and writes entry and usage together, so
 * concurrent writes cannot pass the quota.
 */
import { Buffer } from 'node:buffer';
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../../server/store/types.ts';
import type { CapabilityContext } from '../context.ts';
import { defineHandlers } from '../define.ts';
import storage, { STORAGE_DEFAULTS } from './storage.ts';

/** The collection; entries and usage documents are told apart by `kind`. */
export const STORAGE_COLLECTION = 'base_storage';

interface EntryDoc extends Doc {
  kind: 'entry';
  env: string;
  appId: string;
  userId: string;
  key: string;
  /** The value serialized as JSON (keeps `$`- and dot-keys away from the store's query language). */
  value: string;
  size: number;
  updatedAt: Date;
}

interface UsageDoc extends Doc {
  kind: 'usage';
  env: string;
  appId: string;
  userId: string;
  bytes: number;
  keys: number;
  updatedAt: Date;
}

type StorageDoc = EntryDoc | UsageDoc;

const owner = (ctx: CapabilityContext) => ({ env: ctx.env, appId: ctx.appId, userId: ctx.userId });
// JSON arrays make the ids unambiguous whatever characters the key holds.
const entryId = (ctx: CapabilityContext, key: string) => JSON.stringify(['e', ctx.env, ctx.appId, ctx.userId, key]);
const usageId = (ctx: CapabilityContext) => JSON.stringify(['u', ctx.env, ctx.appId, ctx.userId]);

function limits(ctx: CapabilityContext) {
  const c = ctx.config.storage ?? {};
  return {
    quotaBytes: c.quotaBytes ?? STORAGE_DEFAULTS.quotaBytes,
    maxValueBytes: c.maxValueBytes ?? STORAGE_DEFAULTS.maxValueBytes,
    maxKeys: c.maxKeys ?? STORAGE_DEFAULTS.maxKeys,
  };
}

const indexed = new WeakMap<Store, Promise<unknown>>();
/** Creates the listing index once per store. */
function ensureIndexes(store: Store): Promise<unknown> {
  let p = indexed.get(store);
  if (!p) {
    p = store.collection(STORAGE_COLLECTION).createIndex({ kind: 1, env: 1, appId: 1, userId: 1, key: 1 });
    indexed.set(store, p);
  }
  return p;
}

async function usage(ctx: CapabilityContext): Promise<{ currentSize: number; limitSize: number }> {
  const doc = (await ctx.store.collection<StorageDoc>(STORAGE_COLLECTION).findOne({ _id: usageId(ctx) })) as UsageDoc | null;
  return { currentSize: doc?.bytes ?? 0, limitSize: limits(ctx).quotaBytes };
}

/** Handlers of `base.storage`. */
export const storageHandlers = defineHandlers(storage, {
  async setStorage(ctx, { key, data }) {
    const { quotaBytes, maxValueBytes, maxKeys } = limits(ctx);
    const value = JSON.stringify(data);
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (valueBytes > maxValueBytes) {
      throw new LilyError('PAYLOAD_TOO_LARGE', `The value is ${valueBytes} bytes; one key holds at most ${maxValueBytes}.`, {
        size: valueBytes,
        limit: maxValueBytes,
      });
    }
    const size = Buffer.byteLength(key, 'utf8') + valueBytes;
    await ensureIndexes(ctx.store);
    const bytes = await ctx.store.transaction(async (tx) => {
      const col = tx.collection<StorageDoc>(STORAGE_COLLECTION);
      const old = (await col.findOne({ _id: entryId(ctx, key) })) as EntryDoc | null;
      const use = (await col.findOne({ _id: usageId(ctx) })) as UsageDoc | null;
      const nextBytes = (use?.bytes ?? 0) - (old?.size ?? 0) + size;
      const nextKeys = (use?.keys ?? 0) + (old ? 0 : 1);
      if (nextBytes > quotaBytes) {
        throw new LilyError('QUOTA_EXCEEDED', `Storage is full: this write needs ${nextBytes} of ${quotaBytes} bytes.`, {
          currentSize: use?.bytes ?? 0,
          limitSize: quotaBytes,
        });
      }
      if (nextKeys > maxKeys) throw new LilyError('QUOTA_EXCEEDED', `Storage holds at most ${maxKeys} keys.`, { limitKeys: maxKeys });
      const updatedAt = new Date(ctx.now());
      await col.updateOne({ _id: entryId(ctx, key) }, { $set: { kind: 'entry', ...owner(ctx), key, value, size, updatedAt } }, { upsert: true });
      await col.updateOne({ _id: usageId(ctx) }, { $set: { kind: 'usage', ...owner(ctx), bytes: nextBytes, keys: nextKeys, updatedAt } }, { upsert: true });
      return nextBytes;
    });
    return { key, size, currentSize: bytes, limitSize: quotaBytes };
  },

  async getStorage(ctx, { key }) {
    const doc = (await ctx.store.collection<StorageDoc>(STORAGE_COLLECTION).findOne({ _id: entryId(ctx, key) })) as EntryDoc | null;
    if (!doc) throw new LilyError('NOT_FOUND', `No value is stored under "${key}".`);
    return { data: JSON.parse(doc.value) as unknown };
  },

  async removeStorage(ctx, { key }) {
    const removed = await ctx.store.transaction(async (tx) => {
      const col = tx.collection<StorageDoc>(STORAGE_COLLECTION);
      const old = (await col.findOne({ _id: entryId(ctx, key) })) as EntryDoc | null;
      if (!old) return false;
      await col.deleteOne({ _id: old._id });
      await col.updateOne({ _id: usageId(ctx) }, { $inc: { bytes: -old.size, keys: -1 }, $set: { updatedAt: new Date(ctx.now()) } });
      return true;
    });
    return { removed, ...(await usage(ctx)) };
  },

  async clearStorage(ctx) {
    const removedKeys = await ctx.store.transaction(async (tx) => {
      const col = tx.collection<StorageDoc>(STORAGE_COLLECTION);
      const { deletedCount } = await col.deleteMany({ kind: 'entry', ...owner(ctx) });
      await col.deleteOne({ _id: usageId(ctx) });
      return deletedCount;
    });
    return { removedKeys };
  },

  async getStorageInfo(ctx) {
    const docs = await ctx.store
      .collection<StorageDoc>(STORAGE_COLLECTION)
      .find({ kind: 'entry', ...owner(ctx) }, { projection: { key: 1 } })
      .toArray();
    const keys = docs.map((d) => (d as EntryDoc).key).sort();
    return { keys, ...(await usage(ctx)) };
  },
});
