/**
 * Sandbox and production are separate worlds of money; the daily amount quota ops attach to a
 * payment capability's grant is enforced on guest calls and Open API operations alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantId } from '../../server/grants/grants.ts';
import { accounts } from '../../server/ledger/accounts.ts';
import { LedgerError } from '../../server/ledger/ledger.ts';
import { postEntry } from '../../server/ledger/ledger.ts';
import type { Env } from '../../server/payments/common.ts';
import { createKit, expectCode, PIN, T0, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice', 'bob'], 'sandbox');
  await kit.seed(['alice', 'bob'], 'production', 500_000);
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

const confirmed = { confirmed: true, pin: PIN };

async function payIn(env: Env, userId: string, amount: number, appId = 'demo-app') {
  const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant(appId, env), { openId: kit.openId(userId, appId), outTradeNo: tradeNo(), amount, description: 'x' });
  return { orderId, result: await kit.call(kit.user(userId, { appId, env, host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId }) };
}

describe('sandbox and production', () => {
  it('keep separate wallets, merchant accounts, orders and notifications', async () => {
    const prodBefore = await kit.balance(accounts.wallet('production', 'alice'));
    const { orderId } = await payIn('sandbox', 'alice', 4_000);
    expect(await kit.balance(accounts.wallet('production', 'alice'))).toBe(prodBefore);
    expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(1_000_000 - 4_000);
    expect(await kit.balance(accounts.merchant('production', 'demo-app'))).toBe(0);
    await expectCode(kit.op('queryOrder', kit.merchant('demo-app', 'production'), { orderId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { env: 'production' }), 'payment.orders', 'getOrder', { orderId }), 'NOT_FOUND');
    expect((await kit.op('listNotifications', kit.merchant('demo-app', 'production'), {})).notifications).toEqual([]);
    await payIn('production', 'alice', 1_000);
    expect(await kit.balance(accounts.wallet('production', 'alice'))).toBe(prodBefore - 1_000);
    expect(await kit.balance(accounts.merchant('production', 'demo-app'))).toBe(1_000);
    expect(await kit.call(kit.user('alice', { env: 'production' }), 'payment.wallet', 'getBalance', {})).toMatchObject({ balance: prodBefore - 1_000 });
  });

  it('a production user cannot pay a sandbox prepay, and a sandbox refund cannot reach a production order', async () => {
    const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant('demo-app', 'sandbox'), { openId: kit.openId('bob'), outTradeNo: tradeNo(), amount: 100, description: 'x' });
    await expectCode(kit.call(kit.user('bob', { env: 'production', host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId }), 'NOT_FOUND');
    const prod = await payIn('production', 'bob', 300);
    await expectCode(kit.op('createRefund', kit.merchant('demo-app', 'sandbox'), { orderId: prod.orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'NOT_FOUND');
    expect((await kit.op('queryOrder', kit.merchant(), { orderId })).status).toBe('created');
  });

  it('the ledger refuses any entry mixing the two, whoever posts it', async () => {
    await expect(
      kit.store.transaction((tx) =>
        postEntry(tx, {
          env: 'sandbox',
          kind: 'attack',
          ref: 'attack:1',
          at: T0,
          postings: [
            { account: accounts.wallet('production', 'alice'), amount: -100 },
            { account: accounts.wallet('sandbox', 'bob'), amount: 100 },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(LedgerError);
    await expect(
      kit.store.transaction((tx) =>
        postEntry(tx, {
          env: 'production',
          kind: 'attack',
          ref: 'attack:2',
          at: T0,
          postings: [
            { account: accounts.external('sandbox'), amount: -100 },
            { account: accounts.wallet('production', 'bob'), amount: 100 },
          ],
        }),
      ),
    ).rejects.toThrow(/environments never mix/);
  });
});

describe('daily amount quota (GrantQuota.dailyAmount)', () => {
  async function grant(appId: string, env: Env, capability: string, dailyAmount: number) {
    await kit.store.collection('grants').insertOne({
      _id: grantId(appId, env, capability),
      appId,
      env,
      capability,
      status: 'granted',
      quota: { dailyAmount },
      grantedBy: 'ops',
      grantedAt: new Date(T0),
      revokedBy: null,
      revokedAt: null,
      reason: null,
    });
  }

  it('limits what the cashier moves per CST day, refusing with QUOTA_EXCEEDED and moving nothing', async () => {
    await grant('quota-app', 'sandbox', 'payment.cashier', 1_000);
    await payIn('sandbox', 'alice', 600, 'quota-app');
    const before = await kit.balance(accounts.wallet('sandbox', 'alice'));
    const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant('quota-app'), { openId: kit.openId('alice', 'quota-app'), outTradeNo: tradeNo(), amount: 401, description: 'x' });
    const err = await kit.call(kit.user('alice', { appId: 'quota-app', host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { dailyAmount: 1_000, remaining: 400 } });
    expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(before);
    expect((await kit.op('queryOrder', kit.merchant('quota-app'), { orderId })).status).toBe('created');
    await payIn('sandbox', 'alice', 400, 'quota-app');
    // Production has its own grant (none here), and the next CST day starts afresh.
    await payIn('production', 'alice', 5_000, 'quota-app');
    kit.clock.now = T0 + 12 * 3600_000;
    try {
      await payIn('sandbox', 'alice', 1_000, 'quota-app');
    } finally {
      kit.clock.now = T0;
    }
  });

  it('is never passed by concurrent payments', async () => {
    await grant('quota-race', 'sandbox', 'payment.cashier', 1_000);
    const prepays = await Promise.all(
      Array.from({ length: 8 }, () => kit.op('createPrepay', kit.merchant('quota-race'), { openId: kit.openId('bob', 'quota-race'), outTradeNo: tradeNo(), amount: 300, description: 'x' })),
    );
    const results = await Promise.allSettled(prepays.map((p) => kit.call(kit.user('bob', { appId: 'quota-race', host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId: p.prepayId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('applies to Open API movements too: agreement charges and refunds', async () => {
    await grant('quota-api', 'sandbox', 'payment.agreement', 2_000);
    await grant('quota-api', 'sandbox', 'payment.refund', 500);
    const a = await kit.call(kit.user('bob', { appId: 'quota-api', host: confirmed }), 'payment.agreement', 'signAgreement', { scene: 'ride', perChargeLimit: 5_000, dailyLimit: 10_000 });
    const m = kit.merchant('quota-api');
    const c = await kit.op('chargeAgreement', m, { agreementId: a.agreementId, outTradeNo: tradeNo(), amount: 2_000, description: 'x' });
    await expectCode(kit.op('chargeAgreement', m, { agreementId: a.agreementId, outTradeNo: tradeNo(), amount: 1, description: 'x' }), 'QUOTA_EXCEEDED');
    await kit.op('createRefund', m, { orderId: c.orderId, outRefundNo: tradeNo('RF'), amount: 500 });
    await expectCode(kit.op('createRefund', m, { orderId: c.orderId, outRefundNo: tradeNo('RF'), amount: 1 }), 'QUOTA_EXCEEDED');
  });

  it('ignores a revoked grant’s quota (the grant gate refuses the call before)', async () => {
    await kit.store.collection('grants').insertOne({ _id: grantId('quota-rev', 'sandbox', 'payment.cashier'), appId: 'quota-rev', env: 'sandbox', capability: 'payment.cashier', status: 'revoked', quota: { dailyAmount: 1 } });
    await payIn('sandbox', 'bob', 100, 'quota-rev');
  });
});
