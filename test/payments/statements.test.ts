/**
 * payment.reconciliation: the daily statement per app and environment, from the ledger, as JSON
 * or CSV with an SM3 checksum of the exact bytes; published from 09:00 CST the next day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3 } from '../../runtime/crypto/sm.ts';
import { createKit, expectCode, PIN, T0, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
const APP = 'stmt-app';
const DAY = '2025-05-01';
/** 2025-05-02 09:00 CST. */
const PUBLISHED = Date.UTC(2025, 4, 2, 1, 0, 0);

beforeAll(async () => {
  kit = await createKit({ feeRateBps: 60 });
  await kit.seed(['alice'], 'sandbox');
  await kit.store.collection('apps').insertOne({ _id: APP, merchantId: 'm1', name: 'x', createdAt: new Date(T0 - 10 * 24 * 3600_000) });
  const m = kit.merchant(APP);
  const user = kit.user('alice', { appId: APP, host: { confirmed: true, pin: PIN } });
  // A payment of 10,000 (fee 60), a refund of 2,000, a split of 3,000.
  const p = await kit.op('createPrepay', m, { openId: kit.openId('alice', APP), outTradeNo: 'STMT-PAY-1', amount: 10_000, description: 'x' });
  await kit.call(user, 'payment.cashier', 'requestPayment', { prepayId: p.prepayId });
  kit.clock.now = T0 + 1000;
  await kit.op('createRefund', m, { orderId: p.orderId, outRefundNo: 'STMT-RF-1', amount: 2_000 });
  kit.clock.now = T0 + 2000;
  await kit.op('splitOrder', m, { orderId: p.orderId, outSplitNo: 'STMT-SP-1', receivers: [{ subMerchantId: 'sm_driver001', amount: 3_000, description: 'x' }] });
  // A hold captured at 5,000 (fee 30).
  kit.clock.now = T0 + 3000;
  const h = await kit.op('createHold', m, { openId: kit.openId('alice', APP), outHoldNo: 'STMT-HOLD-1', amount: 8_000, description: 'x' });
  await kit.call(user, 'payment.deposit', 'authorizeHold', { holdId: h.holdId });
  await kit.op('captureHold', m, { holdId: h.holdId, amount: 5_000 });
  // The next day's movement must not appear.
  kit.clock.now = Date.UTC(2025, 4, 1, 16, 0, 1);
  const next = await kit.op('createPrepay', m, { openId: kit.openId('alice', APP), outTradeNo: tradeNo(), amount: 1, description: 'x' });
  await kit.call(user, 'payment.cashier', 'requestPayment', { prepayId: next.prepayId });
  kit.clock.now = PUBLISHED;
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

describe('getStatement', () => {
  it('lists the day’s movements with signed amounts and fees, and totals that match the settlement', async () => {
    const s = await kit.op('getStatement', kit.merchant(APP), { date: DAY });
    expect(s.format).toBe('json');
    expect(s.entries!.map((e) => [e.type, e.amount, e.feeAmount])).toEqual([
      ['payment', 10_000, 60],
      ['refund', -2_000, 0],
      ['split', -3_000, 0],
      ['capture', 5_000, 30],
    ]);
    expect(s.entries![0]).toMatchObject({ outTradeNo: 'STMT-PAY-1', at: T0 });
    expect(s.entries![3]!.outTradeNo).toBe('STMT-HOLD-1');
    expect(s.totals).toEqual({ paymentAmount: 15_000, refundAmount: 2_000, feeAmount: 90, netAmount: 15_000 - 2_000 - 3_000 - 90 });
    expect(s.count).toBe(4);
    // The checksum covers the entries serialized compactly with sorted keys, which is how they arrive.
    expect(s.sm3).toBe(sm3(JSON.stringify(JSON.parse(JSON.stringify(s.entries)))));
  });

  it('serves CSV with its checksum, and filters by type', async () => {
    const s = await kit.op('getStatement', kit.merchant(APP), { date: DAY, format: 'csv' });
    const lines = s.csv!.trimEnd().split('\n');
    expect(lines[0]).toBe('type,id,orderId,outTradeNo,amount,feeAmount,at');
    expect(lines[1]).toMatch(new RegExp(`^payment,ord_\\w+,ord_\\w+,STMT-PAY-1,10000,60,${T0}$`));
    expect(lines).toHaveLength(5);
    expect(s.sm3).toBe(sm3(s.csv!));
    expect(s.entries).toBeUndefined();
    const refunds = await kit.op('getStatement', kit.merchant(APP), { date: DAY, type: 'refund' });
    expect(refunds.entries!.map((e) => e.type)).toEqual(['refund']);
    expect((await kit.op('getStatement', kit.merchant(APP), { date: DAY, type: 'payment' })).count).toBe(1);
  });

  it('never changes once published', async () => {
    const before = await kit.op('getStatement', kit.merchant(APP), { date: DAY });
    // A movement booked late with a time inside the day does not alter the published statement.
    const m = { ...kit.merchant(APP), now: () => T0 + 5000 };
    const p = await kit.op('createPrepay', m, { openId: kit.openId('alice', APP), outTradeNo: tradeNo(), amount: 5, description: 'late' });
    await kit.call({ ...kit.user('alice', { appId: APP, host: { confirmed: true, pin: PIN } }), now: () => T0 + 5000 }, 'payment.cashier', 'requestPayment', { prepayId: p.prepayId });
    expect(await kit.op('getStatement', kit.merchant(APP), { date: DAY })).toEqual(before);
  });

  it('answers INVALID_STATE before 09:00 the next day, NOT_FOUND before the app existed, and keeps worlds apart', async () => {
    const early = { ...kit.merchant(APP), now: () => PUBLISHED - 1 };
    await expectCode(kit.op('getStatement', early, { date: DAY }), 'INVALID_STATE');
    await expectCode(kit.op('getStatement', kit.merchant(APP), { date: '2025-04-20' }), 'NOT_FOUND');
    await expectCode(kit.op('getStatement', kit.merchant('no-such-app'), { date: DAY }), 'NOT_FOUND');
    await expectCode(kit.op('getStatement', kit.merchant(APP), { date: '2025-02-30' }), 'INVALID_PARAMS');
    const prod = await kit.op('getStatement', kit.merchant(APP, 'production'), { date: DAY });
    expect(prod.count).toBe(0);
    expect(prod.totals).toEqual({ paymentAmount: 0, refundAmount: 0, feeAmount: 0, netAmount: 0 });
  });
});
