import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import type { Store } from '../../server/store/types.ts';
import type { CapabilityContext } from '../context.ts';
import { createServerRegistry } from '../handlers.ts';
import { openStore } from '../../server/store/index.ts';
import { openTestStore, testContext } from '../testing/context.ts';
import { STORAGE_COLLECTION } from './storage.handler.ts';

const registry = createServerRegistry();
let store: Store;
let dataDir: string;

beforeAll(async () => {
  ({ store, dataDir } = await openTestStore());
});
afterAll(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const call = (ctx: CapabilityContext, method: string, params: unknown) => registry.invoke(ctx, 'base.storage', method, params);
async function failure(p: Promise<unknown>): Promise<LilyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LilyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('base.storage', () => {
  it('stores, reads, replaces and removes a JSON value, keeping the byte count', async () => {
    const ctx = testContext(store, { userId: 'rw' });
    const set = await call(ctx, 'setStorage', { key: 'lastSearch', data: { city: '上海', date: '2025-05-01' } });
    expect(set).toEqual({ key: 'lastSearch', size: 47, currentSize: 47, limitSize: 1048576 });
    expect(await call(ctx, 'getStorage', { key: 'lastSearch' })).toEqual({ data: { city: '上海', date: '2025-05-01' } });

    const replaced = (await call(ctx, 'setStorage', { key: 'lastSearch', data: 1 })) as { currentSize: number };
    expect(replaced.currentSize).toBe(11);
    await call(ctx, 'setStorage', { key: 'b', data: [true, null] });
    expect(await call(ctx, 'getStorageInfo', {})).toEqual({ keys: ['b', 'lastSearch'], currentSize: 11 + 12, limitSize: 1048576 });

    expect(await call(ctx, 'removeStorage', { key: 'lastSearch' })).toEqual({ removed: true, currentSize: 12, limitSize: 1048576 });
    expect(await call(ctx, 'removeStorage', { key: 'lastSearch' })).toEqual({ removed: false, currentSize: 12, limitSize: 1048576 });
    expect((await failure(call(ctx, 'getStorage', { key: 'lastSearch' }))).code).toBe('NOT_FOUND');
  });

  it('keeps users, apps and environments apart', async () => {
    const a = testContext(store, { userId: 'iso' });
    await call(a, 'setStorage', { key: 'k', data: 'mine' });
    for (const other of [
      testContext(store, { userId: 'iso2' }),
      testContext(store, { userId: 'iso', appId: 'other-app' }),
      testContext(store, { userId: 'iso', env: 'production' }),
    ]) {
      expect((await failure(call(other, 'getStorage', { key: 'k' }))).code).toBe('NOT_FOUND');
      expect(await call(other, 'getStorageInfo', {})).toMatchObject({ keys: [], currentSize: 0 });
    }
  });

  it('refuses a value over 10 KiB and a key over 128 characters', async () => {
    const ctx = testContext(store, { userId: 'big' });
    const err = await failure(call(ctx, 'setStorage', { key: 'k', data: 'x'.repeat(10 * 1024) }));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await failure(call(ctx, 'setStorage', { key: 'k'.repeat(129), data: 1 }))).code).toBe('INVALID_PARAMS');
    expect(await call(ctx, 'getStorageInfo', {})).toMatchObject({ keys: [], currentSize: 0 });
  });

  it('refuses writes past the quota and the key count, changing nothing', async () => {
    const ctx = testContext(store, { userId: 'quota', config: { allowPrivateNetwork: false, storage: { quotaBytes: 100, maxKeys: 3 } } });
    await call(ctx, 'setStorage', { key: 'a', data: 'x'.repeat(60) }); // 1 + 62
    const err = await failure(call(ctx, 'setStorage', { key: 'b', data: 'y'.repeat(40) })); // 1 + 42 → 105
    expect(err.code).toBe('QUOTA_EXCEEDED');
    expect(await call(ctx, 'getStorageInfo', {})).toEqual({ keys: ['a'], currentSize: 63, limitSize: 100 });
    // Replacing counts only the difference.
    await call(ctx, 'setStorage', { key: 'a', data: 'x'.repeat(90) });
    await call(ctx, 'setStorage', { key: 'a', data: 1 });
    await call(ctx, 'setStorage', { key: 'b', data: 1 });
    await call(ctx, 'setStorage', { key: 'c', data: 1 });
    expect((await failure(call(ctx, 'setStorage', { key: 'd', data: 1 }))).code).toBe('QUOTA_EXCEEDED');
  });

  it('never passes the quota under concurrent writes', async () => {
    const ctx = testContext(store, { userId: 'race', config: { allowPrivateNetwork: false, storage: { quotaBytes: 500 } } });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => call(ctx, 'setStorage', { key: `k${String(i).padStart(2, '0')}`, data: 'v'.repeat(40) })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(11); // 45 bytes each: 11 × 45 = 495 ≤ 500
    for (const r of results) if (r.status === 'rejected') expect((r.reason as LilyError).code).toBe('QUOTA_EXCEEDED');
    const info = (await call(ctx, 'getStorageInfo', {})) as { keys: string[]; currentSize: number };
    expect(info.keys).toHaveLength(11);
    expect(info.currentSize).toBe(495);
    const entries = await store.collection(STORAGE_COLLECTION).find({ kind: 'entry', userId: 'race' }).toArray();
    expect(entries.reduce((n, d) => n + (d['size'] as number), 0)).toBe(495);
  });

  it('clears every key of the user in the app', async () => {
    const ctx = testContext(store, { userId: 'clear' });
    await call(ctx, 'setStorage', { key: 'a', data: 1 });
    await call(ctx, 'setStorage', { key: 'b', data: 2 });
    expect(await call(ctx, 'clearStorage', {})).toEqual({ removedKeys: 2 });
    expect(await call(ctx, 'getStorageInfo', {})).toMatchObject({ keys: [], currentSize: 0 });
    await call(ctx, 'setStorage', { key: 'c', data: 3 });
    expect(await call(ctx, 'getStorageInfo', {})).toMatchObject({ keys: ['c'], currentSize: 2 });
  });

  it('persists across a restart of the store', async () => {
    const ctx = testContext(store, { userId: 'durable' });
    await call(ctx, 'setStorage', { key: 'cart', data: { items: [{ sku: 'A1', qty: 2 }] } });
    await store.close();
    store = await openStore({ dataDir, durability: 'normal' });
    const again = testContext(store, { userId: 'durable' });
    expect(await call(again, 'getStorage', { key: 'cart' })).toEqual({ data: { items: [{ sku: 'A1', qty: 2 }] } });
  });
});
