/**
 * payment.agreement: the user signs with the PIN in the host sheet; the merchant charges within
 * the per-charge and daily limits; terminated agreements charge nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { terminateAgreementByUser } from '../../server/payments/agreements.ts';
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

const confirmed = { confirmed: true, pin: PIN };

describe('signAgreement', () => {
  it('signs after the sheet and the PIN; one active agreement per scene', async () => {
    const ctx = kit.user('alice', { host: confirmed });
    const a = await kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 30_000, dailyLimit: 100_000 });
    expect(a).toMatchObject({ scene: 'ride', status: 'active', perChargeLimit: 30_000, dailyLimit: 100_000, signedAt: T0, terminatedAt: null });
    expect(a.agreementId).toMatch(/^agr_/);
    await expectCode(kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 1_000, dailyLimit: 2_000 }), 'DUPLICATE');
    expect((await kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'parking', perChargeLimit: 1_000, dailyLimit: 2_000 })).scene).toBe('parking');
    expect(await kit.store.collection(C.outbox).countDocuments({ resourceId: a.agreementId, eventType: 'agreement.signed' })).toBe(1);
  });

  it('refuses limits above the caps, without confirmation, with a wrong PIN', async () => {
    const ctx = kit.user('bob', { host: confirmed });
    await expectCode(kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 50_001, dailyLimit: 100_000 }), 'LIMIT_EXCEEDED');
    await expectCode(kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 1_000, dailyLimit: 200_001 }), 'LIMIT_EXCEEDED');
    await expectCode(kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 2_000, dailyLimit: 1_000 }), 'LIMIT_EXCEEDED');
    await expectCode(kit.call(kit.user('bob'), 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 1_000, dailyLimit: 2_000 }), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('bob', { host: { confirmed: true, pin: '999999' } }), 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 1_000, dailyLimit: 2_000 }), 'PIN_INCORRECT');
    kit.pinFailures.set('bob', 0);
    expect(await kit.store.collection(C.agreements).countDocuments({ userId: 'bob' })).toBe(0);
  });

  it('lets only one of two racing signatures for a scene through', async () => {
    const ctx = kit.user('bob', { host: confirmed });
    const results = await Promise.allSettled([0, 1, 2].map(() => kit.call(ctx, 'payment.agreement', 'signAgreement', { scene: 'charging', perChargeLimit: 1_000, dailyLimit: 2_000 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('DUPLICATE');
  });
});

describe('chargeAgreement, queryAgreement, terminateAgreement', () => {
  it('charges within the limits as paid orders, idempotently, and refuses above them', async () => {
    const a = await kit.call(kit.user('bob', { host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'rental', perChargeLimit: 5_000, dailyLimit: 8_000 });
    const m = kit.merchant();
    const before = await kit.balance(accounts.wallet('sandbox', 'bob'));
    const body = { agreementId: a.agreementId, outTradeNo: tradeNo('AG'), amount: 5_000, description: '租车 2 小时' };
    const c1 = await kit.op('chargeAgreement', m, body);
    expect(c1).toMatchObject({ agreementId: a.agreementId, amount: 5_000, status: 'paid', paidAt: T0 });
    expect(await kit.op('chargeAgreement', m, { ...body })).toEqual(c1);
    await expectCode(kit.op('chargeAgreement', m, { ...body, amount: 4_000 }), 'DUPLICATE');
    await expectCode(kit.op('chargeAgreement', m, { ...body, outTradeNo: tradeNo('AG'), amount: 5_001 }), 'LIMIT_EXCEEDED');
    await expectCode(kit.op('chargeAgreement', m, { ...body, outTradeNo: tradeNo('AG'), amount: 3_001 }), 'LIMIT_EXCEEDED');
    await kit.op('chargeAgreement', m, { ...body, outTradeNo: tradeNo('AG'), amount: 3_000 });
    expect(await kit.balance(accounts.wallet('sandbox', 'bob'))).toBe(before - 8_000);
    expect(await kit.call(kit.user('bob'), 'payment.orders', 'getOrder', { orderId: c1.orderId })).toMatchObject({ status: 'paid', amount: 5_000 });
    // The next CST day starts a new daily total.
    kit.clock.now = T0 + 12 * 3600_000;
    try {
      await kit.op('chargeAgreement', m, { ...body, outTradeNo: tradeNo('AG'), amount: 5_000 });
    } finally {
      kit.clock.now = T0;
    }
    // A charge is refundable like any paid order.
    expect((await kit.op('createRefund', m, { orderId: c1.orderId, outRefundNo: tradeNo('RF'), amount: 5_000 })).status).toBe('succeeded');
  });

  it('never passes the daily limit however many charges race', async () => {
    const a = await kit.call(kit.user('alice', { host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'transit', perChargeLimit: 1_000, dailyLimit: 3_000 });
    const m = kit.merchant();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => kit.op('chargeAgreement', m, { agreementId: a.agreementId, outTradeNo: tradeNo('AGR'), amount: 1_000, description: '地铁' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('answers INSUFFICIENT_FUNDS when the wallet is short, and NOT_FOUND for other apps', async () => {
    await kit.seed(['thin'], 'sandbox', 100);
    const a = await kit.call(kit.user('thin', { host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'parking', perChargeLimit: 1_000, dailyLimit: 2_000 });
    await expectCode(kit.op('chargeAgreement', kit.merchant(), { agreementId: a.agreementId, outTradeNo: tradeNo('AG'), amount: 101, description: 'x' }), 'INSUFFICIENT_FUNDS');
    await expectCode(kit.op('chargeAgreement', kit.merchant('other-app'), { agreementId: a.agreementId, outTradeNo: tradeNo('AG'), amount: 1, description: 'x' }), 'NOT_FOUND');
    await expectCode(kit.op('queryAgreement', kit.merchant('other-app'), { agreementId: a.agreementId }), 'NOT_FOUND');
    expect(await kit.balance(accounts.wallet('sandbox', 'thin'))).toBe(100);
  });

  it('terminates (merchant or user): queries show it and charges answer INVALID_STATE', async () => {
    const a = await kit.call(kit.user('alice', { host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'charging', perChargeLimit: 1_000, dailyLimit: 2_000 });
    const m = kit.merchant();
    expect(await kit.op('queryAgreement', m, { agreementId: a.agreementId })).toEqual(a);
    kit.clock.now = T0 + 5_000;
    const t = await kit.op('terminateAgreement', m, { agreementId: a.agreementId, reason: '服务下线' });
    kit.clock.now = T0;
    expect(t).toMatchObject({ status: 'terminated', terminatedAt: T0 + 5_000 });
    expect(await kit.op('terminateAgreement', m, { agreementId: a.agreementId, reason: '再次' })).toEqual(t);
    await expectCode(kit.op('chargeAgreement', m, { agreementId: a.agreementId, outTradeNo: tradeNo('AG'), amount: 1, description: 'x' }), 'INVALID_STATE');
    await expectCode(kit.op('terminateAgreement', m, { agreementId: 'agr_nosuchagr00', reason: 'x' }), 'NOT_FOUND');
    // The scene is free to sign again.
    const again = await kit.call(kit.user('alice', { host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'charging', perChargeLimit: 1_000, dailyLimit: 2_000 });
    const byUser = await terminateAgreementByUser(kit.store, 'alice', again.agreementId, T0);
    expect(byUser.status).toBe('terminated');
    await expectCode(terminateAgreementByUser(kit.store, 'bob', a.agreementId, T0), 'NOT_FOUND');
  });
});
