/**
 * The double-pay race: the same prepay paid from two sessions (tabs, devices) at the same moment
 * is debited exactly once, also when the PIN check takes a while and the two overlap fully.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { accounts } from '../../server/ledger/accounts.ts';
import { JOURNAL_COLLECTION } from '../../server/ledger/ledger.ts';
import { C } from '../../server/payments/common.ts';
import { createKit, PIN, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  // A PIN check that takes a few milliseconds, so both sessions are past it before either commits.
  kit = await createKit({}, { verifyPin: async () => sleep(2 + Math.floor(Math.random() * 4)) });
  await kit.seed(['alice', 'bob', 'carol'], 'sandbox');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

describe('double payment', () => {
  it('two sessions paying one prepay at once: exactly one debit, every time', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 25; round++) {
      const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId('alice'), outTradeNo: tradeNo('DP'), amount: 1_000, description: 'x' });
      const before = await kit.balance(accounts.wallet('sandbox', 'alice'));
      const sessions = [0, 1, 2].map((i) => ({ ...kit.user('alice', { host: { confirmed: true, pin: PIN } }), instanceId: `tab-${i}` }));
      const results = await Promise.allSettled(sessions.map((ctx) => kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('INVALID_STATE');
      expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(before - 1_000);
      expect(await kit.store.collection(JOURNAL_COLLECTION).countDocuments({ ref: `pay:${orderId}` })).toBe(1);
      expect(await kit.store.collection(C.outbox).countDocuments({ resourceId: orderId, eventType: 'payment.succeeded' })).toBe(1);
    }
  });

  it('two users scanning one QR code at once: one payer, one debit', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 10; round++) {
      const qr = await kit.op('createQrOrder', kit.merchant(), { outTradeNo: tradeNo('QR'), amount: 700, description: '停车' });
      const before = (await kit.balance(accounts.wallet('sandbox', 'bob'))) + (await kit.balance(accounts.wallet('sandbox', 'carol')));
      const results = await Promise.allSettled(
        ['bob', 'carol'].map((u) => kit.call(kit.user(u, { host: { confirmed: true, pin: PIN } }), 'payment.qrcode', 'scanToPay', { code: qr.code })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const after = (await kit.balance(accounts.wallet('sandbox', 'bob'))) + (await kit.balance(accounts.wallet('sandbox', 'carol')));
      expect(before - after).toBe(700);
    }
  });
});
