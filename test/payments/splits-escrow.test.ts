/**
 * payment.split (split settlement to sub-merchants) and payment.escrow (supervised funds released
 * by milestone or refunded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
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

async function paidOrder(userId: string, amount: number) {
  const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId(userId), outTradeNo: tradeNo(), amount, description: 'x' });
  await kit.call(kit.user(userId, { host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId });
  return orderId;
}

const sub = (id: string) => accounts.subMerchant('sandbox', 'demo-app', id);

describe('splitOrder', () => {
  it('splits part of a paid order to sub-merchants, idempotently, and finishes', async () => {
    const orderId = await paidOrder('alice', 10_000);
    const m = kit.merchant();
    const merchantBefore = await kit.balance(accounts.merchant('sandbox', 'demo-app'));
    const body = { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 7_000, description: '司机分成' }] };
    const s1 = await kit.op('splitOrder', m, body);
    expect(s1).toMatchObject({ status: 'succeeded', remainingAmount: 3_000, receivers: body.receivers });
    expect(await kit.op('splitOrder', m, { ...body })).toEqual(s1);
    await expectCode(kit.op('splitOrder', m, { ...body, receivers: [{ ...body.receivers[0]!, amount: 1 }] }), 'DUPLICATE');
    expect(await kit.balance(sub('sm_driver001'))).toBe(7_000);
    await expectCode(kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_hotel0001', amount: 3_001, description: 'x' }] }), 'LIMIT_EXCEEDED');
    const s2 = await kit.op('splitOrder', m, {
      orderId,
      outSplitNo: tradeNo('SP'),
      receivers: [
        { subMerchantId: 'sm_hotel0001', amount: 1_000, description: '酒店' },
        { subMerchantId: 'sm_guide0001', amount: 500, description: '导游' },
      ],
      finish: true,
    });
    expect(s2.remainingAmount).toBe(0);
    expect(await kit.balance(accounts.merchant('sandbox', 'demo-app'))).toBe(merchantBefore - 8_500);
    await expectCode(kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_hotel0001', amount: 1, description: 'x' }] }), 'INVALID_STATE');
  });

  it('counts refunds against what is left, and refuses unpaid or unknown orders', async () => {
    const orderId = await paidOrder('bob', 1_000);
    const m = kit.merchant();
    await kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 600 });
    await expectCode(kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 401, description: 'x' }] }), 'LIMIT_EXCEEDED');
    expect((await kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 400, description: 'x' }] })).remainingAmount).toBe(0);
    const unpaid = await kit.op('createPrepay', m, { openId: kit.openId('bob'), outTradeNo: tradeNo(), amount: 100, description: 'x' });
    await expectCode(kit.op('splitOrder', m, { orderId: unpaid.orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 1, description: 'x' }] }), 'INVALID_STATE');
    await expectCode(kit.op('splitOrder', m, { orderId: 'ord_nosuchorder0', outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 1, description: 'x' }] }), 'NOT_FOUND');
  });

  it('never splits more than the order however many splits race', async () => {
    const orderId = await paidOrder('alice', 1_000);
    const m = kit.merchant();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SPR'), receivers: [{ subMerchantId: `sm_racer00${i}`, amount: 300, description: 'x' }] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });
});

describe('escrow', () => {
  it('supervises a paid order, releases milestones to the merchant, and shows the user the state', async () => {
    const orderId = await paidOrder('alice', 600_000);
    const m = kit.merchant();
    const merchantBefore = await kit.balance(accounts.merchant('sandbox', 'demo-app'));
    const body = { orderId, milestones: [{ name: '出发前 机票酒店确认', amount: 200_000 }, { name: '行程结束', amount: 400_000 }] };
    const e = await kit.op('createEscrow', m, body);
    expect(e).toMatchObject({ totalAmount: 600_000, releasedAmount: 0, status: 'supervised' });
    expect(await kit.op('createEscrow', m, { ...body })).toEqual(e);
    await expectCode(kit.op('createEscrow', m, { orderId, milestones: [{ name: 'all', amount: 600_000 }] }), 'DUPLICATE');
    expect(await kit.balance(accounts.merchant('sandbox', 'demo-app'))).toBe(merchantBefore - 600_000);
    expect(await kit.balance(accounts.escrow('sandbox', e.escrowId))).toBe(600_000);
    // Escrowed orders are refunded through the escrow and cannot be split.
    await expectCode(kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'INVALID_STATE');
    await expectCode(kit.op('splitOrder', m, { orderId, outSplitNo: tradeNo('SP'), receivers: [{ subMerchantId: 'sm_driver001', amount: 1, description: 'x' }] }), 'INVALID_STATE');

    const r1 = await kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 0 });
    expect(r1).toMatchObject({ releasedAmount: 200_000, status: 'supervised' });
    expect(r1.milestones[0]).toMatchObject({ status: 'released', releasedAt: kit.clock.now });
    expect(await kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 0 })).toEqual(r1);
    await expectCode(kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 5 }), 'INVALID_PARAMS');
    expect(await kit.call(kit.user('alice'), 'payment.escrow', 'viewEscrow', { escrowId: e.escrowId })).toEqual(r1);
    await expectCode(kit.call(kit.user('bob'), 'payment.escrow', 'viewEscrow', { escrowId: e.escrowId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { appId: 'other-app' }), 'payment.escrow', 'viewEscrow', { escrowId: e.escrowId }), 'NOT_FOUND');

    const done = await kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 1 });
    expect(done).toMatchObject({ releasedAmount: 600_000, status: 'completed' });
    expect(await kit.balance(accounts.merchant('sandbox', 'demo-app'))).toBe(merchantBefore);
    await expectCode(kit.op('refundEscrow', m, { escrowId: e.escrowId, reason: 'x' }), 'INVALID_STATE');
  });

  it('refunds the pending milestones to the user as a refund of the order', async () => {
    const orderId = await paidOrder('bob', 90_000);
    const m = kit.merchant();
    const e = await kit.op('createEscrow', m, { orderId, milestones: [{ name: '第一课', amount: 30_000 }, { name: '第二课', amount: 30_000 }, { name: '第三课', amount: 30_000 }] });
    await kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 0 });
    const before = await kit.balance(accounts.wallet('sandbox', 'bob'));
    const refunded = await kit.op('refundEscrow', m, { escrowId: e.escrowId, reason: '课程取消' });
    expect(refunded).toMatchObject({ releasedAmount: 30_000, refundedAmount: 60_000, status: 'refunded' });
    expect(refunded.milestones.map((x) => x.status)).toEqual(['released', 'refunded', 'refunded']);
    expect(await kit.balance(accounts.wallet('sandbox', 'bob'))).toBe(before + 60_000);
    expect(await kit.op('refundEscrow', m, { escrowId: e.escrowId, reason: '课程取消' })).toEqual(refunded);
    await expectCode(kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: 1 }), 'INVALID_STATE');
    expect(await kit.op('queryOrder', m, { orderId })).toMatchObject({ status: 'partially_refunded', refundedAmount: 60_000 });
  });

  it('refuses milestones that do not add up, unpaid or refunded orders, and unknown escrows', async () => {
    const orderId = await paidOrder('alice', 1_000);
    const m = kit.merchant();
    await expectCode(kit.op('createEscrow', m, { orderId, milestones: [{ name: 'a', amount: 999 }] }), 'INVALID_PARAMS');
    await kit.op('createRefund', m, { orderId, outRefundNo: tradeNo('RF'), amount: 1 });
    await expectCode(kit.op('createEscrow', m, { orderId, milestones: [{ name: 'a', amount: 1_000 }] }), 'INVALID_STATE');
    const unpaid = await kit.op('createPrepay', m, { openId: kit.openId('alice'), outTradeNo: tradeNo(), amount: 100, description: 'x' });
    await expectCode(kit.op('createEscrow', m, { orderId: unpaid.orderId, milestones: [{ name: 'a', amount: 100 }] }), 'INVALID_STATE');
    await expectCode(kit.op('createEscrow', m, { orderId: 'ord_nosuchorder0', milestones: [{ name: 'a', amount: 100 }] }), 'NOT_FOUND');
    await expectCode(kit.op('releaseEscrowMilestone', m, { escrowId: 'esc_nosuchesc00', milestone: 0 }), 'NOT_FOUND');
    await expectCode(kit.op('refundEscrow', m, { escrowId: 'esc_nosuchesc00', reason: 'x' }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice'), 'payment.escrow', 'viewEscrow', { escrowId: 'esc_nosuchesc00' }), 'NOT_FOUND');
  });
});
