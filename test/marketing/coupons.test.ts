/**
 * marketing.coupons: stocks created over the Open API (idempotent, validated), claimed by users
 * and issued by merchants, never over the inventory or the per-user limit however claims race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createKit, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
});
afterAll(() => kit.dispose());

const DAY = 86_400_000;
let seq = 0;
const stock = (extra: Record<string, unknown> = {}) => ({
  outStockNo: `STOCK-${++seq}-${Date.now()}`,
  title: '满50减10',
  discountAmount: 1000,
  thresholdAmount: 5000,
  validFrom: T0,
  validUntil: T0 + 30 * DAY,
  inventory: 100,
  budgetAmount: 100_000,
  perUserLimit: 1,
  ...extra,
});

describe('createCouponStock', () => {
  it('creates a stock, idempotently by outStockNo, and validates budget and dates', async () => {
    const body = stock();
    const first = await kit.op('createCouponStock', kit.merchant(), body);
    expect(first).toEqual({ stockId: expect.stringMatching(/^cs_/), status: 'active' });
    expect(await kit.op('createCouponStock', kit.merchant(), { ...body })).toEqual(first);
    expect(await codeOf(kit.op('createCouponStock', kit.merchant(), { ...body, inventory: 99 }))).toBe('DUPLICATE');
    expect(await codeOf(kit.op('createCouponStock', kit.merchant(), stock({ budgetAmount: 99_999 })))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('createCouponStock', kit.merchant(), stock({ validUntil: T0 - 1 })))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('createCouponStock', kit.merchant(), stock({ discountAmount: 5000 })))).toBe('INVALID_PARAMS');
  });
});

describe('claimCoupon and listAvailableCoupons', () => {
  it('claims within the per-user limit and lists what the user can still claim', async () => {
    const { stockId } = await kit.op('createCouponStock', kit.merchant(), stock({ perUserLimit: 2, inventory: 10, budgetAmount: 10_000 }));
    const ctx = kit.user('alice');
    const before = await kit.call(ctx, 'marketing.coupons', 'listAvailableCoupons', {});
    expect(before.stocks.find((s: { stockId: string }) => s.stockId === stockId)).toMatchObject({ remaining: 10, perUserLimit: 2, claimed: 0 });
    const c1 = await kit.call(ctx, 'marketing.coupons', 'claimCoupon', { stockId });
    expect(c1).toMatchObject({ stockId, status: 'available', discountAmount: 1000, thresholdAmount: 5000 });
    await kit.call(ctx, 'marketing.coupons', 'claimCoupon', { stockId });
    expect(await codeOf(kit.call(ctx, 'marketing.coupons', 'claimCoupon', { stockId }))).toBe('LIMIT_EXCEEDED');
    const after = await kit.call(ctx, 'marketing.coupons', 'listAvailableCoupons', {});
    expect(after.stocks.find((s: { stockId: string }) => s.stockId === stockId)).toBeUndefined();
    expect(await codeOf(kit.call(kit.user('alice', { appId: 'other-app' }), 'marketing.coupons', 'claimCoupon', { stockId }))).toBe('NOT_FOUND');
    expect((await kit.call(ctx, 'marketing.coupons', 'listMyCoupons', { status: 'available' })).coupons.filter((c: { stockId: string }) => c.stockId === stockId)).toHaveLength(2);
  });

  it('issues exactly K coupons when N users race for a stock of K', async () => {
    const { stockId } = await kit.op('createCouponStock', kit.merchant(), stock({ inventory: 7, budgetAmount: 7_000 }));
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => codeOf(kit.call(kit.user(`racer${i}`), 'marketing.coupons', 'claimCoupon', { stockId }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(7);
    expect(results.filter((r) => r === 'INVALID_STATE')).toHaveLength(23);
    expect(await kit.store.collection('marketing_coupons').countDocuments({ stockId })).toBe(7);
    expect((await kit.store.collection('marketing_coupon_stocks').findOne({ _id: stockId }))?.['issued']).toBe(7);
  });

  it('never gives one user more than the limit when their claims race', async () => {
    const { stockId } = await kit.op('createCouponStock', kit.merchant(), stock({ inventory: 50, budgetAmount: 50_000, perUserLimit: 3 }));
    const results = await Promise.all(Array.from({ length: 12 }, () => codeOf(kit.call(kit.user('greedy'), 'marketing.coupons', 'claimCoupon', { stockId }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(3);
    expect(results.filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(9);
  });

  it('refuses claims on ended stocks and pages the user’s coupons soonest-to-expire first', async () => {
    const short = await kit.op('createCouponStock', kit.merchant(), stock({ validUntil: T0 + DAY }));
    const long = await kit.op('createCouponStock', kit.merchant(), stock({ validUntil: T0 + 10 * DAY }));
    const ctx = kit.user('paula');
    await kit.call(ctx, 'marketing.coupons', 'claimCoupon', { stockId: long.stockId });
    await kit.call(ctx, 'marketing.coupons', 'claimCoupon', { stockId: short.stockId });
    const page1 = await kit.call(ctx, 'marketing.coupons', 'listMyCoupons', { limit: 1 });
    expect(page1.coupons[0].stockId).toBe(short.stockId);
    const page2 = await kit.call(ctx, 'marketing.coupons', 'listMyCoupons', { limit: 1, cursor: page1.nextCursor });
    expect(page2).toMatchObject({ coupons: [{ stockId: long.stockId }], nextCursor: null });
    kit.clock.now = T0 + 2 * DAY;
    expect((await kit.call(ctx, 'marketing.coupons', 'listMyCoupons', { status: 'expired' })).coupons.map((c: { stockId: string }) => c.stockId)).toEqual([short.stockId]);
    expect(await codeOf(kit.call(kit.user('quinn'), 'marketing.coupons', 'claimCoupon', { stockId: short.stockId }))).toBe('INVALID_STATE');
    kit.clock.now = T0;
  });
});

describe('issueCoupon', () => {
  it('issues to a known openId, idempotently by outRequestNo', async () => {
    const { stockId } = await kit.op('createCouponStock', kit.merchant(), stock({ perUserLimit: 5 }));
    await kit.call(kit.user('rita'), 'marketing.coupons', 'listMyCoupons', {});
    const body = { stockId, openId: kit.openId('rita'), outRequestNo: 'ISSUE-0001' };
    const first = await kit.op('issueCoupon', kit.merchant(), body);
    expect(first).toMatchObject({ stockId, status: 'available' });
    expect(await kit.op('issueCoupon', kit.merchant(), { ...body })).toEqual(first);
    const racing = await Promise.all(Array.from({ length: 5 }, () => kit.op('issueCoupon', kit.merchant(), { ...body, outRequestNo: 'ISSUE-RACE' })));
    expect(new Set(racing.map((c) => c.couponId)).size).toBe(1);
    expect(await codeOf(kit.op('issueCoupon', kit.merchant(), { ...body, openId: kit.openId('alice') }))).toBe('DUPLICATE');
    expect(await codeOf(kit.op('issueCoupon', kit.merchant(), { ...body, openId: 'o_nobody_known', outRequestNo: 'ISSUE-0002' }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('issueCoupon', kit.merchant('other-app'), { ...body, outRequestNo: 'ISSUE-0003' }))).toBe('NOT_FOUND');
  });
});
