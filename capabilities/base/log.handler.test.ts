import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import type { Store } from '../../server/store/types.ts';
import { RATE_TIERS } from '../define.ts';
import { createServerRegistry } from '../handlers.ts';
import { openTestStore, testContext } from '../testing/context.ts';
import { LOG_COLLECTION, type AppLogDoc } from './log.handler.ts';

const registry = createServerRegistry();
let store: Store;
let dispose: () => Promise<void>;
beforeAll(async () => ({ store, dispose } = await openTestStore()));
afterAll(async () => dispose());

describe('base.log', () => {
  it('writes a log line to app_logs with the openId and never the user id', async () => {
    const ctx = testContext(store, { instanceId: 'inst-log' });
    expect(await registry.invoke(ctx, 'base.log', 'log', { message: 'seat map loaded', data: { ms: 182 } })).toEqual({ ok: true });
    const doc = (await store.collection<AppLogDoc>(LOG_COLLECTION).findOne({ instanceId: 'inst-log' }))!;
    expect(doc).toMatchObject({ kind: 'log', level: 'info', message: 'seat map loaded', data: { ms: 182 }, appId: 'demo-app', version: '1.0.0', openId: ctx.openId, env: 'sandbox' });
    expect(doc.createdAt).toEqual(new Date(ctx.now()));
    expect(JSON.stringify(doc)).not.toContain('"u1"');
  });

  it('stores error reports with their stack and returns an id to quote', async () => {
    const ctx = testContext(store, { instanceId: 'inst-err' });
    const res = (await registry.invoke(ctx, 'base.log', 'reportError', { name: 'TypeError', message: 'x is undefined', stack: 'at render (page.js:3)' })) as { errorId: string };
    expect(res.errorId).toMatch(/^log_[A-Za-z0-9]{12}$/);
    const doc = (await store.collection<AppLogDoc>(LOG_COLLECTION).findOne({ _id: res.errorId }))!;
    expect(doc).toMatchObject({ kind: 'error', level: 'error', message: 'x is undefined', error: { name: 'TypeError', stack: 'at render (page.js:3)' } });
    expect(doc.error).not.toHaveProperty('page');
  });

  it('refuses bad levels and oversized messages before writing', async () => {
    const ctx = testContext(store, { instanceId: 'inst-bad' });
    for (const params of [{ level: 'fatal', message: 'x' }, { message: 'x'.repeat(2001) }, { message: 'x', data: { nested: { a: 1 } } }]) {
      await expect(registry.invoke(ctx, 'base.log', 'log', params)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    }
    expect(await store.collection(LOG_COLLECTION).countDocuments({ instanceId: 'inst-bad' })).toBe(0);
    expect(new LilyError('RATE_LIMITED').status).toBe(429);
  });

  it('is in the light rate tier, which the flow-control gate enforces', () => {
    expect(registry.get('base.log')!.rateTier).toBe('light');
    expect(RATE_TIERS.light.perMinute).toBeGreaterThan(0);
  });
});
