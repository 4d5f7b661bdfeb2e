/**
 * The call counters: calls are counted per app, environment, CST day and capability with their
 * errors by code, written in batches, kept when a write fails, and calls without an app are
 * not counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../events.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { CALLS_DAILY, CallStats } from './calls.ts';

let store: Store;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lily-calls-'));
  store = await openStore({ dataDir: dir });
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (over: Partial<Parameters<CallStats['record']>[0]> = {}) => ({ appId: 'com.a', env: 'production' as const, capability: 'base.ui', method: 'showToast', ms: 2, ok: true, code: null, ...over });

describe('CallStats', () => {
  it('counts bus calls per day and capability, with errors by code, in one write per key', async () => {
    // 2026-05-01 23:30 CST, then 2026-05-02 00:30 CST.
    let now = Date.UTC(2026, 4, 1, 15, 30);
    const stats = new CallStats(store, { flushMs: 60_000, now: () => now });
    const bus = new EventBus();
    const off = stats.attach(bus);
    bus.emit('bridge.call', call());
    bus.emit('bridge.call', call({ ms: 4 }));
    bus.emit('bridge.call', call({ capability: 'payment.cashier', ok: false, code: 'PIN_INCORRECT', ms: 30 }));
    bus.emit('bridge.call', call({ capability: 'payment.cashier', ok: false, code: 'not a code', ms: 1 }));
    bus.emit('bridge.call', call({ appId: 'unknown', env: undefined }));
    bus.emit('bridge.call', call({ env: 'sandbox' }));
    now += 3600_000;
    bus.emit('bridge.call', call());
    off();
    bus.emit('bridge.call', call());

    const rows = await stats.daily('production', 'com.a', '2026-05-01', '2026-05-02');
    expect(rows.map((r) => [r.day, r.capability, r.calls, r.errors, r.totalMs, r.codes ?? {}])).toEqual([
      ['2026-05-01', 'base.ui', 2, 0, 6, {}],
      ['2026-05-01', 'payment.cashier', 2, 2, 31, { PIN_INCORRECT: 1, INTERNAL: 1 }],
      ['2026-05-02', 'base.ui', 1, 0, 2, {}],
    ]);
    expect((await stats.daily('sandbox', 'com.a', '2026-05-01', '2026-05-01')).map((r) => r.calls)).toEqual([1]);
    expect(await stats.daily('production', 'unknown', '2026-05-01', '2026-05-02')).toEqual([]);

    // Later batches add to the same documents.
    stats.record(call());
    await stats.flush();
    expect((await store.collection(CALLS_DAILY).findOne({ _id: 'production|com.a|2026-05-02|base.ui' }))?.['calls']).toBe(2);
  });

  it('keeps the counts when a write fails, and writes them with the next flush', async () => {
    const failing = {
      ...store,
      collection: (name: string) => {
        const col = store.collection(name);
        return { ...col, createIndex: col.createIndex.bind(col), updateOne: async () => Promise.reject(new Error('store down')) };
      },
    } as unknown as Store;
    const now = () => Date.UTC(2026, 5, 1, 4);
    const broken = new CallStats(failing, { now });
    broken.record(call({ appId: 'com.b' }));
    broken.record(call({ appId: 'com.b', capability: 'base.storage' }));
    await expect(broken.flush()).rejects.toThrow('store down');
    // The same counter, now over a working store, still holds both calls.
    Object.assign(broken as unknown as { store: Store }, { store });
    await broken.flush();
    const rows = await new CallStats(store).daily('production', 'com.b', '2026-06-01', '2026-06-01');
    expect(rows.map((r) => [r.capability, r.calls])).toEqual([
      ['base.storage', 1],
      ['base.ui', 1],
    ]);
  });
});
