/**
 * marketing.redeem, marketing.campaigns and marketing.cashback at checkout: coupons redeemed in
 * the payment's transaction (never twice, even racing), released on refund; bank campaigns
 * applied by rule within budget, funded from the marketing budget account; cashback pending
 * through the refund window, then credited (or reversed); ledger and payment invariants hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { checkPaymentInvariants } from '../../server/payments/invariants.ts';
import { fundMarketingBudget } from '../../server/payments/wallet.ts';
import { codeOf, createKit, PIN, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
const DAY = 86_400_000;
const T1 = T0 + 60_000;
const marketingAccount = accounts.marketing('sandbox');
const merchantAccount = accounts.merchant('sandbox', 'demo-app');
let seq = 0;

beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice', 'bob', 'carol', 'dan', 'eve']);
});
afterAll(async () => {
  expect((await kit.ledger.checkInvariants()).problems).toEqual([]);
  expect((await checkPaymentInvariants(kit.store)).problems).toEqual([]);
  await kit.dispose();
});

async function prepay(user: string, amount: number, appId = 'demo-app') {
  return kit.op('createPrepay', kit.merchant(appId), { openId: kit.openId(user, appId), outTradeNo: `ORD-${++seq}-${Date.now()}`, amount, description: '电影票' });
}
const pay = (user: string, prepayId: string, couponId?: string) =>
  kit.call(kit.user(user, { host: { confirmed: true, pin: PIN, ...(couponId ? { couponId } : {}) } }), 'payment.cashier', 'requestPayment', { prepayId });

async function couponFor(user: string, extra: Record<string, unknown> = {}) {
  const { stockId } = await kit.op('createCouponStock', kit.merchant(), {
    outStockNo: `CK-${++seq}-${Date.now()}`, title: '满50减10', discountAmount: 1000, thresholdAmount: 5000, validFrom: T0, validUntil: T0 + 30 * DAY, inventory: 10, budgetAmount: 10_000, perUserLimit: 5, ...extra,
  });
  return kit.call(kit.user(user), 'marketing.coupons', 'claimCoupon', { stockId });
}

describe('coupons in the cashier', () => {
  it('redeems the picked coupon with the payment, once, and lists the redemption', async () => {
    const coupon = await couponFor('alice');
    const order = await prepay('alice', 8000);
    const merchantBefore = await kit.ledger.balance(merchantAccount);
    const paid = await pay('alice', order.prepayId, coupon.couponId);
    expect(paid).toMatchObject({ paidAmount: 7000, discountAmount: 1000 });
    expect(await kit.ledger.balance(merchantAccount)).toBe(merchantBefore + 7000);
    expect((await kit.call(kit.user('alice'), 'marketing.coupons', 'listMyCoupons', { status: 'used' })).coupons.map((c: { couponId: string }) => c.couponId)).toContain(coupon.couponId);
    const second = await prepay('alice', 8000);
    expect(await codeOf(pay('alice', second.prepayId, coupon.couponId))).toBe('INVALID_STATE');
    const { redemptions } = await kit.op('listRedemptions', kit.merchant(), { stockId: coupon.stockId });
    expect(redemptions).toEqual([{ couponId: coupon.couponId, stockId: coupon.stockId, openId: kit.openId('alice'), orderId: paid.orderId, discountAmount: 1000, status: 'redeemed', redeemedAt: T0, releasedAt: null }]);
  });

  it('refuses coupons below the threshold, of other users, or outside validity', async () => {
    const coupon = await couponFor('bob');
    expect(await codeOf(pay('bob', (await prepay('bob', 4999)).prepayId, coupon.couponId))).toBe('INVALID_STATE');
    expect(await codeOf(pay('carol', (await prepay('carol', 9000)).prepayId, coupon.couponId))).toBe('INVALID_STATE');
    const later = await couponFor('bob', { validFrom: T0 + DAY });
    expect(await codeOf(pay('bob', (await prepay('bob', 9000)).prepayId, later.couponId))).toBe('INVALID_STATE');
    expect(await kit.store.collection('marketing_coupons').findOne({ _id: coupon.couponId })).toMatchObject({ status: 'available' });
  });

  it('lets one of two racing payments use a coupon', async () => {
    const coupon = await couponFor('carol');
    const [a, b] = [await prepay('carol', 6000), await prepay('carol', 6000)];
    const results = await Promise.all([codeOf(pay('carol', a.prepayId, coupon.couponId)), codeOf(pay('carol', b.prepayId, coupon.couponId))]);
    expect(results.sort()).toEqual(['INVALID_STATE', 'resolved']);
  });

  it('releases the coupon on a full refund, and on a partial one that falls below the threshold', async () => {
    const coupon = await couponFor('dan');
    const paid = await pay('dan', (await prepay('dan', 9000)).prepayId, coupon.couponId);
    await kit.op('createRefund', kit.merchant(), { orderId: paid.orderId, outRefundNo: `REFUND-${++seq}`, amount: 2000 });
    expect(await kit.marketing.onRefunded(kit.store, paid.orderId, T0)).toMatchObject({ couponReleased: false });
    await kit.op('createRefund', kit.merchant(), { orderId: paid.orderId, outRefundNo: `REFUND-${++seq}`, amount: 3000 });
    kit.clock.now = T0 + 2 * 60_000;
    expect(await kit.marketing.sweep(kit.store, kit.clock.now)).toMatchObject({ refunded: 2 });
    expect(await kit.store.collection('marketing_coupons').findOne({ _id: coupon.couponId })).toMatchObject({ status: 'available', orderId: null });
    expect((await kit.op('listRedemptions', kit.merchant(), { stockId: coupon.stockId, status: 'released' })).redemptions).toHaveLength(1);
    const full = await couponFor('dan');
    const paid2 = await pay('dan', (await prepay('dan', 9000)).prepayId, full.couponId);
    await kit.op('createRefund', kit.merchant(), { orderId: paid2.orderId, outRefundNo: `REFUND-${++seq}`, amount: 8000 });
    expect(await kit.marketing.onRefunded(kit.store, paid2.orderId, kit.clock.now)).toMatchObject({ couponReleased: true });
    expect(await kit.marketing.onRefunded(kit.store, paid2.orderId, kit.clock.now)).toMatchObject({ couponReleased: false });
    kit.clock.now = T0;
  });
});

describe('bank campaigns', () => {
  it('advertises live campaigns and applies the best one, funded by the marketing budget, within budget', async () => {
    await fundMarketingBudget(kit.store, 'sandbox', 1_000, 'test-1', T0);
    const campaignId = await kit.marketing.campaigns.create(kit.store, { env: 'sandbox', kind: 'discount', title: '百合卡支付满30减5', type: 'threshold', discountAmount: 500, thresholdAmount: 3000, payMethods: ['balance', 'debit', 'credit'], perUserDaily: 1, validFrom: T0, validUntil: T0 + 30 * DAY, budgetAmount: 1_000 }, T0);
    await kit.marketing.campaigns.create(kit.store, { env: 'sandbox', kind: 'discount', title: '信用卡专享', type: 'instant', discountAmount: 800, thresholdAmount: 0, payMethods: ['credit'], perUserDaily: 1, validFrom: T0, validUntil: T0 + 30 * DAY, budgetAmount: 100_000 }, T0);
    const listed = await kit.call(kit.user('eve'), 'marketing.campaigns', 'listCampaigns', { amount: 4000 });
    expect(listed.campaigns.map((c: { title: string }) => c.title)).toEqual(['信用卡专享', '百合卡支付满30减5']);
    expect((await kit.call(kit.user('eve'), 'marketing.campaigns', 'listCampaigns', { amount: 2000 })).campaigns.map((c: { title: string }) => c.title)).toEqual(['信用卡专享']);

    const merchantBefore = await kit.ledger.balance(merchantAccount);
    const paid = await pay('eve', (await prepay('eve', 4000)).prepayId);
    // The credit-card-only campaign does not apply when the method is not known to be a credit card.
    expect(paid).toMatchObject({ paidAmount: 3500, discountAmount: 500 });
    expect(await kit.ledger.balance(merchantAccount)).toBe(merchantBefore + 4000);
    expect(await kit.ledger.balance(marketingAccount)).toBe(500);
    // One per user and day.
    expect(await pay('eve', (await prepay('eve', 4000)).prepayId)).toMatchObject({ discountAmount: 0 });
    // The budget of 1,000 covers two discounts; the third user pays in full.
    expect(await pay('alice', (await prepay('alice', 4000)).prepayId)).toMatchObject({ discountAmount: 500 });
    expect(await pay('bob', (await prepay('bob', 4000)).prepayId)).toMatchObject({ discountAmount: 0 });
    expect((await kit.store.collection('marketing_campaigns').findOne({ _id: campaignId }))?.['spentAmount']).toBe(1_000);
    expect(await kit.ledger.balance(marketingAccount)).toBe(0);
  });

  it('offers no discount the marketing account cannot pay, and gives the budget back on a full refund', async () => {
    const campaignId = await kit.marketing.campaigns.create(kit.store, { env: 'sandbox', kind: 'discount', title: '随机立减', type: 'random', discountAmount: 300, thresholdAmount: 0, payMethods: ['balance', 'debit', 'credit'], perUserDaily: 5, validFrom: T0, validUntil: T0 + 30 * DAY, budgetAmount: 100_000 }, T0);
    expect(await pay('carol', (await prepay('carol', 2000)).prepayId)).toMatchObject({ discountAmount: 0 });
    await fundMarketingBudget(kit.store, 'sandbox', 10_000, 'test-2', T0);
    const paid = await pay('carol', (await prepay('carol', 2000)).prepayId);
    expect(paid.discountAmount).toBeGreaterThanOrEqual(1);
    expect(paid.discountAmount).toBeLessThanOrEqual(300);
    const before = await kit.ledger.balance(marketingAccount);
    await kit.op('createRefund', kit.merchant(), { orderId: paid.orderId, outRefundNo: `REFUND-${++seq}`, amount: paid.paidAmount });
    expect(await kit.ledger.balance(marketingAccount)).toBe(before + paid.discountAmount);
    await kit.marketing.onRefunded(kit.store, paid.orderId, T0);
    expect((await kit.store.collection('marketing_campaigns').findOne({ _id: campaignId }))?.['spentAmount']).toBe(0);
    await kit.marketing.campaigns.setStatus(kit.store, campaignId, 'paused');
  });
});

describe('cashback', () => {
  it('is pending through the refund window, then credited from the marketing budget; idempotent per order', async () => {
    // Orders paid before the campaign starts get nothing.
    kit.clock.now = T1;
    await fundMarketingBudget(kit.store, 'sandbox', 100_000, 'test-3', T1);
    await kit.marketing.campaigns.create(kit.store, { env: 'sandbox', kind: 'cashback', title: '出行返现 1%', type: 'instant', discountAmount: 2000, thresholdAmount: 1000, cashbackRateBps: 100, payMethods: ['balance', 'debit', 'credit'], perUserDaily: 3, validFrom: T1, validUntil: T1 + 30 * DAY, budgetAmount: 5_000 }, T1);
    const small = await pay('bob', (await prepay('bob', 500)).prepayId);
    expect(await kit.call(kit.user('bob'), 'marketing.cashback', 'getCashback', { orderId: small.orderId })).toEqual({ orderId: small.orderId, status: 'none', amount: 0, campaignTitle: null, creditAt: null });
    const paid = await pay('bob', (await prepay('bob', 50_000)).prepayId);
    await Promise.all(Array.from({ length: 4 }, () => kit.marketing.onPaymentSucceeded(kit.store, paid.orderId, T1)));
    expect(await kit.store.collection('marketing_cashbacks').countDocuments({ orderId: paid.orderId })).toBe(1);
    const view = await kit.call(kit.user('bob'), 'marketing.cashback', 'getCashback', { orderId: paid.orderId });
    expect(view).toEqual({ orderId: paid.orderId, status: 'pending', amount: 500, campaignTitle: '出行返现 1%', creditAt: T1 + 7 * DAY });
    expect(await codeOf(kit.call(kit.user('alice'), 'marketing.cashback', 'getCashback', { orderId: paid.orderId }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.call(kit.user('bob', { appId: 'other-app' }), 'marketing.cashback', 'getCashback', { orderId: paid.orderId }))).toBe('NOT_FOUND');

    const wallet = await kit.ledger.balance(accounts.wallet('sandbox', 'bob'));
    expect((await kit.marketing.sweep(kit.store, T1 + DAY)).credited).toBe(0);
    expect((await kit.marketing.sweep(kit.store, T1 + 7 * DAY)).credited).toBe(1);
    expect((await kit.marketing.sweep(kit.store, T1 + 8 * DAY)).credited).toBe(0);
    expect(await kit.ledger.balance(accounts.wallet('sandbox', 'bob'))).toBe(wallet + 500);
    expect(await kit.call(kit.user('bob'), 'marketing.cashback', 'getCashback', { orderId: paid.orderId })).toMatchObject({ status: 'credited', amount: 500 });
  });

  it('is reversed when the order is refunded in the window', async () => {
    kit.clock.now = T1;
    const paid = await pay('alice', (await prepay('alice', 20_000)).prepayId);
    kit.clock.now = T1 + 2 * 60_000;
    await kit.marketing.sweep(kit.store, kit.clock.now);
    expect(await kit.call(kit.user('alice'), 'marketing.cashback', 'getCashback', { orderId: paid.orderId })).toMatchObject({ status: 'pending', amount: 200 });
    await kit.op('createRefund', kit.merchant(), { orderId: paid.orderId, outRefundNo: `REFUND-${++seq}`, amount: 100 });
    expect(await kit.call(kit.user('alice'), 'marketing.cashback', 'getCashback', { orderId: paid.orderId })).toMatchObject({ status: 'reversed', creditAt: null });
    expect((await kit.marketing.sweep(kit.store, T1 + 9 * DAY)).credited).toBe(0);
    kit.clock.now = T0;
  });
});
