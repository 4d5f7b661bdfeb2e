/**
 * payment.deposit: holds created by the merchant, authorized by the user with the PIN, captured
 * (at most the held amount, the rest released at once), released, and expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { C } from '../../server/payments/common.ts';
import { createKit, expectCode, PIN, T0, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice', 'bob'], 'sandbox');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

const wallet = (u: string) => accounts.wallet('sandbox', u);
const confirmed = { confirmed: true, pin: PIN };

async function hold(userId: string, amount: number, extra: Record<string, unknown> = {}) {
  return kit.op('createHold', kit.merchant(), { openId: kit.openId(userId), outHoldNo: tradeNo('H'), amount, description: '上海静安店 押金', ...extra });
}

describe('createHold and authorizeHold', () => {
  it('creates a hold idempotently, and the user authorizes it: wallet → hold account', async () => {
    const m = kit.merchant();
    const body = { openId: kit.openId('alice'), outHoldNo: tradeNo('H'), amount: 50_000, description: '押金' };
    const h = await kit.op('createHold', m, body);
    expect(h).toMatchObject({ status: 'created', amount: 50_000, capturedAmount: 0, expiresAt: T0 + 7 * 24 * 3600_000, createdAt: T0 });
    expect(await kit.op('createHold', m, { ...body })).toEqual(h);
    await expectCode(kit.op('createHold', m, { ...body, amount: 1 }), 'DUPLICATE');
    const before = await kit.balance(wallet('alice'));
    const ctx = kit.user('alice', { host: confirmed });
    const held = await kit.call(ctx, 'payment.deposit', 'authorizeHold', { holdId: h.holdId });
    expect(held).toMatchObject({ holdId: h.holdId, status: 'held' });
    expect(await kit.balance(wallet('alice'))).toBe(before - 50_000);
    expect(await kit.balance(accounts.hold('sandbox', h.holdId))).toBe(50_000);
    expect(ctx.audits[0]).toEqual({ event: 'hold.authorized', data: { holdId: h.holdId, amount: 50_000 } });
    await expectCode(kit.call(ctx, 'payment.deposit', 'authorizeHold', { holdId: h.holdId }), 'INVALID_STATE');
    expect(await kit.store.collection(C.outbox).countDocuments({ resourceId: h.holdId, eventType: 'hold.authorized' })).toBe(1);
  });

  it('refuses without confirmation, with a wrong PIN, for other users, when funds are short, and after expiry', async () => {
    const h = await hold('alice', 100);
    await expectCode(kit.call(kit.user('alice'), 'payment.deposit', 'authorizeHold', { holdId: h.holdId }), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('alice', { host: { confirmed: true, pin: '111111' } }), 'payment.deposit', 'authorizeHold', { holdId: h.holdId }), 'PIN_INCORRECT');
    kit.pinFailures.set('alice', 0);
    await expectCode(kit.call(kit.user('bob', { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: h.holdId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: 'hd_nosuchhold00' }), 'NOT_FOUND');
    await expectCode(kit.op('createHold', kit.merchant(), { openId: kit.openId('alice'), outHoldNo: tradeNo('H'), amount: 100_000_001, description: 'x' }), 'LIMIT_EXCEEDED');
    const big = await hold('bob', 5_000_000);
    await expectCode(kit.call(kit.user('bob', { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: big.holdId }), 'INSUFFICIENT_FUNDS');
    expect((await kit.store.collection(C.holds).findOne({ _id: big.holdId }))!.status).toBe('created');
    const short = await hold('alice', 100, { expireSeconds: 3600 });
    kit.clock.now = T0 + 3600_000;
    try {
      await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: short.holdId }), 'INVALID_STATE');
    } finally {
      kit.clock.now = T0;
    }
  });
});

describe('captureHold and releaseHold', () => {
  async function heldHold(userId: string, amount: number, extra: Record<string, unknown> = {}) {
    const h = await hold(userId, amount, extra);
    await kit.call(kit.user(userId, { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: h.holdId });
    return h;
  }

  it('captures part: the capture becomes a paid, refundable order and the rest returns at once', async () => {
    const h = await heldHold('alice', 30_000);
    const before = await kit.balance(wallet('alice'));
    const merchantBefore = await kit.balance(accounts.merchant('sandbox', 'demo-app'));
    const m = kit.merchant();
    const captured = await kit.op('captureHold', m, { holdId: h.holdId, amount: 21_800 });
    expect(captured).toMatchObject({ status: 'captured', capturedAmount: 21_800 });
    expect(await kit.balance(wallet('alice'))).toBe(before + 8_200);
    expect(await kit.balance(accounts.hold('sandbox', h.holdId))).toBe(0);
    expect(await kit.balance(accounts.merchant('sandbox', 'demo-app'))).toBe(merchantBefore + 21_800);
    // Capturing the same amount again answers the same; another amount, or a release, is refused.
    expect(await kit.op('captureHold', m, { holdId: h.holdId, amount: 21_800 })).toEqual(captured);
    await expectCode(kit.op('captureHold', m, { holdId: h.holdId, amount: 100 }), 'INVALID_STATE');
    await expectCode(kit.op('releaseHold', m, { holdId: h.holdId }), 'INVALID_STATE');
    const order = (await kit.store.collection(C.orders).findOne({ holdId: h.holdId }))!;
    expect(order).toMatchObject({ status: 'paid', amount: 21_800, paidAmount: 21_800, source: 'hold', openId: kit.openId('alice') });
    const refund = await kit.op('createRefund', m, { orderId: order._id, outRefundNo: tradeNo('RF'), amount: 800 });
    expect(refund.amount).toBe(800);
    expect(await kit.call(kit.user('alice'), 'payment.orders', 'getOrder', { orderId: order._id })).toMatchObject({ status: 'partially_refunded' });
  });

  it('captures all, and refuses more than held or an unauthorized hold', async () => {
    const h = await heldHold('bob', 2_000);
    const m = kit.merchant();
    await expectCode(kit.op('captureHold', m, { holdId: h.holdId, amount: 2_001 }), 'LIMIT_EXCEEDED');
    expect(await kit.op('captureHold', m, { holdId: h.holdId, amount: 2_000 })).toMatchObject({ capturedAmount: 2_000 });
    const created = await hold('bob', 100);
    await expectCode(kit.op('captureHold', m, { holdId: created.holdId, amount: 100 }), 'INVALID_STATE');
    await expectCode(kit.op('captureHold', kit.merchant('other-app'), { holdId: h.holdId, amount: 2_000 }), 'NOT_FOUND');
  });

  it('releases a held hold back to the wallet, and an unauthorized one with no money moving', async () => {
    const h = await heldHold('alice', 7_000);
    const before = await kit.balance(wallet('alice'));
    const m = kit.merchant();
    expect(await kit.op('releaseHold', m, { holdId: h.holdId })).toMatchObject({ status: 'released' });
    expect(await kit.op('releaseHold', m, { holdId: h.holdId })).toMatchObject({ status: 'released' });
    expect(await kit.balance(wallet('alice'))).toBe(before + 7_000);
    await expectCode(kit.op('captureHold', m, { holdId: h.holdId, amount: 1 }), 'INVALID_STATE');
    const created = await hold('alice', 100);
    expect(await kit.op('releaseHold', m, { holdId: created.holdId })).toMatchObject({ status: 'released' });
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.deposit', 'authorizeHold', { holdId: created.holdId }), 'INVALID_STATE');
    await expectCode(kit.op('releaseHold', m, { holdId: 'hd_nosuchhold00' }), 'NOT_FOUND');
    expect(await kit.store.collection(C.outbox).countDocuments({ resourceId: h.holdId, eventType: 'hold.released' })).toBe(1);
  });

  it('expires holds past their expiry: a capture then answers INVALID_STATE and the money is back', async () => {
    const a = await heldHold('bob', 1_000, { expireSeconds: 3600 });
    const b = await heldHold('bob', 2_000, { expireSeconds: 3600 });
    const before = await kit.balance(wallet('bob'));
    kit.clock.now = T0 + 3600_000;
    try {
      await expectCode(kit.op('captureHold', kit.merchant(), { holdId: a.holdId, amount: 1_000 }), 'INVALID_STATE');
      expect((await kit.store.collection(C.holds).findOne({ _id: a.holdId }))!.status).toBe('expired');
      const swept = await kit.payments.expireDue(kit.store, kit.clock.now);
      expect(swept.holds).toBeGreaterThanOrEqual(1);
      expect((await kit.store.collection(C.holds).findOne({ _id: b.holdId }))!.status).toBe('expired');
      expect(await kit.balance(wallet('bob'))).toBe(before + 3_000);
    } finally {
      kit.clock.now = T0;
    }
  });
});
