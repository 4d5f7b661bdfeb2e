/**
 * payment.refund: full and partial refunds, idempotent by outRefundNo, never above what was paid
 * (also when many race), the user's view, and fees and bank discounts going back correctly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { C } from '../../server/payments/common.ts';
import { fundMarketingBudget } from '../../server/payments/wallet.ts';
import { createKit, expectCode, PIN, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice', 'bob'], 'sandbox');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

async function paidOrder(k: Kit, userId: string, amount: number, appId = 'demo-app') {
  const m = k.merchant(appId);
  const { prepayId, orderId } = await k.op('createPrepay', m, { openId: k.openId(userId, appId), outTradeNo: tradeNo(), amount, description: 'x' });
  await k.call(k.user(userId, { appId, host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId });
  return orderId;
}

describe('createRefund', () => {
  it('refunds in part, then the rest, moving the order to partially_refunded then refunded', async () => {
    const orderId = await paidOrder(kit, 'alice', 5000);
    const m = kit.merchant();
    const before = await kit.balance(accounts.wallet('sandbox', 'alice'));
    const r1 = await kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 1500, reason: '行程费用调整' });
    expect(r1).toMatchObject({ orderId, amount: 1500, status: 'succeeded', reason: '行程费用调整' });
    expect(await kit.op('queryOrder', m, { orderId })).toMatchObject({ status: 'partially_refunded', refundedAmount: 1500 });
    const r2 = await kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 3500 });
    expect(r2.reason).toBe('');
    expect(await kit.op('queryOrder', m, { orderId })).toMatchObject({ status: 'refunded', refundedAmount: 5000 });
    expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(before + 5000);
    expect(await kit.op('queryRefund', m, { refundId: r1.refundId })).toEqual(r1);
    await expectCode(kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'INVALID_STATE');
    const notes = await kit.store.collection(C.outbox).find({ eventType: 'refund.succeeded', resourceId: { $in: [r1.refundId, r2.refundId] } }).toArray();
    expect(notes).toHaveLength(2);
    expect(m.audits.filter((a) => a.event === 'payment.refunded')).toHaveLength(2);
  });

  it('is idempotent by outRefundNo and answers DUPLICATE for another body', async () => {
    const orderId = await paidOrder(kit, 'alice', 1000);
    const m = kit.merchant();
    const body = { orderId, outRefundNo: tradeNo('RF'), amount: 400, reason: 'r' };
    const first = await kit.op('createRefund', m, body);
    expect(await kit.op('createRefund', m, { ...body })).toEqual(first);
    await expectCode(kit.op('createRefund', m, { ...body, amount: 401 }), 'DUPLICATE');
    expect((await kit.op('queryOrder', m, { orderId })).refundedAmount).toBe(400);
  });

  it('answers LIMIT_EXCEEDED above what is left, NOT_FOUND for unknown or foreign orders, INVALID_STATE for unpaid ones', async () => {
    const orderId = await paidOrder(kit, 'alice', 1000);
    const m = kit.merchant();
    await expectCode(kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 1001 }), 'LIMIT_EXCEEDED');
    await expectCode(kit.op('createRefund', kit.merchant('other-app'), { orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'NOT_FOUND');
    await expectCode(kit.op('createRefund', kit.merchant('demo-app', 'production'), { orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'NOT_FOUND');
    await expectCode(kit.op('createRefund', m, { orderId: 'ord_nosuchorder0', outRefundNo: tradeNo('RF'), amount: 1 }), 'NOT_FOUND');
    const unpaid = await kit.op('createPrepay', m, { openId: kit.openId('alice'), outTradeNo: tradeNo(), amount: 100, description: 'x' });
    await expectCode(kit.op('createRefund', m, { orderId: unpaid.orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'INVALID_STATE');
    await expectCode(kit.op('queryRefund', m, { refundId: 'rf_nosuchrefund0' }), 'NOT_FOUND');
    expect(await kit.store.collection(C.refunds).countDocuments({ orderId })).toBe(0);
  });

  it('never refunds more than was paid however many refunds race', async () => {
    const orderId = await paidOrder(kit, 'bob', 1000);
    const m = kit.merchant();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RACE'), amount: 300 })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('LIMIT_EXCEEDED');
    expect(await kit.op('queryOrder', m, { orderId })).toMatchObject({ status: 'partially_refunded', refundedAmount: 900 });
  });
});

describe('getRefund', () => {
  it('shows the user a refund of their own order, and nobody else', async () => {
    const orderId = await paidOrder(kit, 'alice', 800);
    const refund = await kit.op('createRefund', kit.merchant(), { orderId, outRefundNo: tradeNo('RF'), amount: 800 });
    expect(await kit.call(kit.user('alice'), 'payment.refund', 'getRefund', { refundId: refund.refundId })).toEqual(refund);
    await expectCode(kit.call(kit.user('bob'), 'payment.refund', 'getRefund', { refundId: refund.refundId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { appId: 'other-app' }), 'payment.refund', 'getRefund', { refundId: refund.refundId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice'), 'payment.refund', 'getRefund', { refundId: 'rf_nosuchrefund0' }), 'NOT_FOUND');
  });
});

describe('fees and bank-funded discounts', () => {
  it('takes the bank fee from the merchant, and a refund takes back the bank discount in proportion', async () => {
    const k = await createKit({
      feeRateBps: 60,
      discount: async (_tx, input) => (input.couponId === 'camp_1' ? { amount: 500, fundedBy: 'bank', ref: 'camp_1' } : input.couponId === 'mc_1' ? { amount: 300, fundedBy: 'merchant', ref: 'mc_1' } : null),
    });
    try {
      await k.seed(['dora']);
      await fundMarketingBudget(k.store, 'sandbox', 100_000, 'test-budget', k.clock.now);
      expect(await fundMarketingBudget(k.store, 'sandbox', 100_000, 'test-budget', k.clock.now)).toBe(false);
      const m = k.merchant();
      const merchant = accounts.merchant('sandbox', 'demo-app');
      const { prepayId, orderId } = await k.op('createPrepay', m, { openId: k.openId('dora'), outTradeNo: tradeNo(), amount: 10_000, description: 'x' });
      const paid = await k.call(k.user('dora', { host: { confirmed: true, pin: PIN, couponId: 'camp_1' } }), 'payment.cashier', 'requestPayment', { prepayId });
      expect(paid).toMatchObject({ paidAmount: 9500, discountAmount: 500 });
      // Merchant: the whole 10,000 less the 0.6 % fee (60); the bank budget paid 500.
      expect(await k.balance(merchant)).toBe(9940);
      expect(await k.balance(accounts.fees('sandbox'))).toBe(60);
      expect(await k.balance(accounts.marketing('sandbox'))).toBe(99_500);
      // Refund a third of what was paid: a third of the discount goes back to the budget.
      await k.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 3166 });
      expect(await k.balance(accounts.marketing('sandbox'))).toBe(99_500 + 166);
      expect(await k.balance(merchant)).toBe(9940 - 3166 - 166);
      // The rest needs 6,334 for the user and 334 of discount back: more than the merchant holds.
      const rest = { orderId, outRefundNo: tradeNo('RF'), amount: 9500 - 3166 };
      await expectCode(k.op('createRefund', m, rest), 'INSUFFICIENT_FUNDS');
      expect(await k.balance(merchant)).toBe(6608);
      expect(await k.store.collection(C.refunds).countDocuments({ outRefundNo: rest.outRefundNo })).toBe(0);
      // Another sale funds the settlement; then the rest goes through and the budget is whole again.
      await k.seed(['eve']);
      const other = await k.op('createPrepay', m, { openId: k.openId('eve'), outTradeNo: tradeNo(), amount: 1000, description: 'y' });
      await k.call(k.user('eve', { host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId: other.prepayId });
      await k.op('createRefund', m, rest);
      expect(await k.balance(accounts.marketing('sandbox'))).toBe(100_000);
      expect(await k.balance(merchant)).toBe(6608 + 994 - 6668);
      expect(await k.balance(accounts.wallet('sandbox', 'dora'))).toBe(1_000_000);
      expect(await k.op('queryOrder', m, { orderId })).toMatchObject({ status: 'refunded', refundedAmount: 9500 });
    } finally {
      await k.expectInvariants();
      await k.dispose();
    }
  });

  it('a merchant coupon reduces the merchant’s settlement, not the bank’s budget', async () => {
    const k = await createKit({ discount: async () => ({ amount: 300, fundedBy: 'merchant', ref: 'mc_1' }) });
    try {
      await k.seed(['dora']);
      const m = k.merchant();
      const merchant = accounts.merchant('sandbox', 'demo-app');
      const { prepayId, orderId } = await k.op('createPrepay', m, { openId: k.openId('dora'), outTradeNo: tradeNo(), amount: 1000, description: 'x' });
      await k.call(k.user('dora', { host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId });
      expect(await k.balance(merchant)).toBe(700);
      expect(await k.op('queryOrder', m, { orderId })).toMatchObject({ paidAmount: 700, discountAmount: 300 });
      await expectCode(k.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 701 }), 'LIMIT_EXCEEDED');
      await k.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 700 });
      expect(await k.balance(merchant)).toBe(0);
      expect(await k.balance(accounts.wallet('sandbox', 'dora'))).toBe(1_000_000);
    } finally {
      await k.expectInvariants();
      await k.dispose();
    }
  });
});
