/**
 * The "me" page's points and coupons and the home page's promotions against a fake server.
 */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { useCouponsStore } from './coupons.ts';
import { usePointsStore } from './points.ts';
import { targetOf, usePromotionsStore } from './promotions.ts';

const movement = (id: string, delta: number) => ({ transactionId: id, appId: 'com.movie', appName: '百合影城', kind: delta > 0 ? 'earn' : 'redeem', points: Math.abs(delta), delta, balance: 100, reason: '购票奖励', at: 1 });
const coupon = (id: string, appId: string, status: string) => ({ couponId: id, stockId: 's', appId, appName: appId === 'com.movie' ? '百合影城' : '百合酒店', title: '满20减5', discountAmount: 500, thresholdAmount: 2000, validFrom: 0, validUntil: 2, status, orderId: null, issuedAt: 1 });

describe('points store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads the balance and pages through the history without duplicates', async () => {
    fakeFetch({
      'GET /api/me/points?limit=10': { env: 'production', balance: 125, expiringPoints: 20, expiringAt: 1_800_000_000_000, history: [movement('pt1', 5), movement('pt2', 20)], nextCursor: 'c1' },
      'GET /api/me/points?limit=10&cursor=c1': { env: 'production', balance: 125, expiringPoints: 20, expiringAt: null, history: [movement('pt2', 20), movement('pt3', -100)], nextCursor: null },
    });
    const p = usePointsStore();
    await p.load();
    expect(p).toMatchObject({ balance: 125, expiringPoints: 20, loaded: true, nextCursor: 'c1' });
    await p.more();
    expect(p.history.map((t) => t.transactionId)).toEqual(['pt1', 'pt2', 'pt3']);
    expect(p.nextCursor).toBeNull();
    await p.more();
    expect(p.history).toHaveLength(3);
  });

  it('keeps the error for the page to show, with a retry that works', async () => {
    let fail = true;
    fakeFetch({ 'GET /api/me/points?limit=10': () => (fail ? problem(401, 'UNAUTHENTICATED') : { env: 'production', balance: 1, expiringPoints: 0, expiringAt: null, history: [], nextCursor: null }) });
    const p = usePointsStore();
    await p.load();
    expect(p.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(p.loaded).toBe(false);
    fail = false;
    await p.load();
    expect(p.error).toBeNull();
    expect(p.balance).toBe(1);
  });
});

describe('coupons store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads a group, groups coupons by app, and switches groups', async () => {
    const calls = fakeFetch({
      'GET /api/me/coupons?status=available&limit=50': { env: 'production', coupons: [coupon('c1', 'com.movie', 'available'), coupon('c2', 'com.hotel', 'locked'), coupon('c3', 'com.movie', 'available')], counts: { available: 3, used: 1, expired: 0 }, nextCursor: null },
      'GET /api/me/coupons?status=used&limit=50': { env: 'production', coupons: [coupon('c4', 'com.movie', 'used')], counts: { available: 3, used: 1, expired: 0 }, nextCursor: null },
    });
    const c = useCouponsStore();
    await c.load();
    expect(c.byApp.map((a) => [a.appName, a.coupons.map((x) => x.couponId)])).toEqual([
      ['百合影城', ['c1', 'c3']],
      ['百合酒店', ['c2']],
    ]);
    expect(c.counts).toEqual({ available: 3, used: 1, expired: 0 });
    await c.setGroup('used');
    expect(c.group).toBe('used');
    expect(c.coupons.map((x) => x.couponId)).toEqual(['c4']);
    expect(calls.map((x) => x.url)).toEqual(['/api/me/coupons?status=available&limit=50', '/api/me/coupons?status=used&limit=50']);
  });

  it('lets the last group chosen win over a slower answer', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => (release = r));
    fakeFetch({
      'GET /api/me/coupons?status=used&limit=50': { env: 'production', coupons: [coupon('u', 'com.movie', 'used')], counts: { available: 0, used: 1, expired: 0 }, nextCursor: null },
      'GET /api/me/coupons?status=expired&limit=50': { env: 'production', coupons: [coupon('e', 'com.movie', 'expired')], counts: { available: 0, used: 1, expired: 1 }, nextCursor: null },
    });
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      if (String(url).includes('status=used')) await gate;
      return realFetch(url, init);
    });
    const c = useCouponsStore();
    const slow = c.setGroup('used');
    await c.setGroup('expired');
    release!();
    await slow;
    expect(c.group).toBe('expired');
    expect(c.coupons.map((x) => x.couponId)).toEqual(['e']);
  });
});

describe('promotions store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  const placement = (id: string, slot: string) => ({ placementId: id, appId: 'com.movie', appName: '百合影城', appIcon: '', slot, title: '新片首映', imageUrl: '', path: 'pages/film/index?id=7&from=banner' });

  it('splits banners and tiles, counts one impression per placement per session and a click per tap', async () => {
    const calls = fakeFetch({
      'GET /api/me/promotions': { placements: [placement('p1', 'home_banner'), placement('p2', 'home_grid')], campaigns: [{ campaignId: 'cmp1', kind: 'discount', title: '立减', apps: null }] },
      'POST /api/me/promotions/p1/events': { status: 204 },
      'POST /api/me/promotions/p2/events': { status: 204 },
    });
    const p = usePromotionsStore();
    await p.load();
    await p.load();
    expect(p.banners.map((x) => x.placementId)).toEqual(['p1']);
    expect(p.tiles.map((x) => x.placementId)).toEqual(['p2']);
    expect(p.campaigns).toHaveLength(1);
    expect(p.tap(p.banners[0]!)).toEqual({ appId: 'com.movie', path: 'pages/film/index', query: { id: '7', from: 'banner' } });
    await new Promise((r) => setTimeout(r, 0));
    const events = calls.filter((c) => c.method === 'POST').map((c) => [c.path, (c.body as { kind: string }).kind]);
    expect(events).toEqual([
      ['/api/me/promotions/p1/events', 'impression'],
      ['/api/me/promotions/p2/events', 'impression'],
      ['/api/me/promotions/p1/events', 'click'],
    ]);
  });

  it('turns page paths into a page and a launch query', () => {
    expect(targetOf('a', null)).toEqual({ appId: 'a', query: {} });
    expect(targetOf('a', 'pages/index/index')).toEqual({ appId: 'a', path: 'pages/index/index', query: {} });
    expect(targetOf('a', '?x=1')).toEqual({ appId: 'a', query: { x: '1' } });
  });

  it('shows what went wrong when the promotions cannot load', async () => {
    fakeFetch({ 'GET /api/me/promotions': problem(503, 'UNAVAILABLE') });
    const p = usePromotionsStore();
    await p.load();
    expect(p.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(p.placements).toEqual([]);
  });
});
