/**
 * payment.wallet (balance and top-up), payment.cards (masked cards, tokens), payment.installment
 * (quotes through the handler) and the idempotent seeding of demo wallets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { C } from '../../server/payments/common.ts';
import { DEMO_WALLET_AMOUNT, seedWallets } from '../../server/payments/wallet.ts';
import { createKit, expectCode, PIN, T0, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit({ topUpDailyLimit: 100_000 });
  await kit.seed(['alice', 'bob'], 'sandbox');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

const confirmed = { confirmed: true, pin: PIN };

describe('seedWallets', () => {
  it('funds each wallet once per environment and links two masked demo cards', async () => {
    const again = await seedWallets(kit.store, ['alice', 'bob', 'carol'], 'sandbox', { now: T0 });
    expect(again.funded).toEqual(['carol']);
    expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(DEMO_WALLET_AMOUNT);
    const concurrent = await Promise.all([seedWallets(kit.store, ['dan'], 'production'), seedWallets(kit.store, ['dan'], 'production')]);
    expect(concurrent.flatMap((r) => r.funded)).toEqual(['dan']);
    expect(await kit.balance(accounts.wallet('production', 'dan'))).toBe(DEMO_WALLET_AMOUNT);
    expect(await kit.balance(accounts.wallet('sandbox', 'dan'))).toBe(0);
    const cards = await kit.payments.listCards(kit.store, 'alice');
    expect(cards.map((c) => c.cardType)).toEqual(['debit', 'credit']);
    for (const c of cards) expect(c.maskedNumber).toMatch(/^\d{4} \*{4} \*{4} \d{4}$/);
    expect(await kit.store.collection(C.cards).countDocuments({ userId: 'alice' })).toBe(2);
    // No stored text looks like a card number.
    for (const doc of await kit.store.collection(C.cards).find({ userId: 'alice' }).toArray()) {
      for (const v of Object.values(doc)) if (typeof v === 'string') expect(v).not.toMatch(/\d{12,}/);
    }
  });
});

describe('getBalance and openTopUp', () => {
  it('reads the balance', async () => {
    expect(await kit.call(kit.user('alice'), 'payment.wallet', 'getBalance', {})).toEqual({ balance: DEMO_WALLET_AMOUNT, currency: 'CNY', updatedAt: T0 });
    expect(await kit.call(kit.user('nobody'), 'payment.wallet', 'getBalance', {})).toEqual({ balance: 0, currency: 'CNY', updatedAt: 0 });
  });

  it('tops up from a linked card with the PIN, the amount the user settled on in the sheet', async () => {
    const ctx = kit.user('bob', { host: { ...confirmed, amount: 20_000 } });
    expect(await kit.call(ctx, 'payment.wallet', 'openTopUp', { amount: 10_000 })).toEqual({ toppedUp: true, amount: 20_000, balance: DEMO_WALLET_AMOUNT + 20_000 });
    const credit = (await kit.payments.listCards(kit.store, 'bob')).find((c) => c.cardType === 'credit')!;
    expect((await kit.call(kit.user('bob', { host: { ...confirmed, cardId: credit.cardId } }), 'payment.wallet', 'openTopUp', { amount: 10_000 })).amount).toBe(10_000);
    expect(ctx.audits).toEqual([{ event: 'wallet.topped_up', data: { amount: 20_000 } }]);
    expect(await kit.balance(accounts.external('sandbox'))).toBeLessThan(0);
  });

  it('refuses without confirmation, without an amount, with a wrong PIN, and above the daily cap', async () => {
    await expectCode(kit.call(kit.user('alice'), 'payment.wallet', 'openTopUp', { amount: 100 }), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.wallet', 'openTopUp', {}), 'INVALID_PARAMS');
    await expectCode(kit.call(kit.user('alice', { host: { confirmed: true, pin: '000000' } }), 'payment.wallet', 'openTopUp', { amount: 100 }), 'PIN_INCORRECT');
    kit.pinFailures.set('alice', 0);
    await expectCode(kit.call(kit.user('alice', { host: { ...confirmed, cardId: 'card_notmine' } }), 'payment.wallet', 'openTopUp', { amount: 100 }), 'NOT_FOUND');
    await kit.call(kit.user('alice', { host: confirmed }), 'payment.wallet', 'openTopUp', { amount: 90_000 });
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.wallet', 'openTopUp', { amount: 10_001 }), 'LIMIT_EXCEEDED');
    expect(await kit.balance(accounts.wallet('sandbox', 'alice'))).toBe(DEMO_WALLET_AMOUNT + 90_000);
    kit.clock.now = T0 + 12 * 3600_000;
    try {
      await kit.call(kit.user('alice', { host: confirmed }), 'payment.wallet', 'openTopUp', { amount: 10_001 });
    } finally {
      kit.clock.now = T0;
    }
  });
});

describe('chooseCard', () => {
  it('returns the picked card masked with a token bound to the app, stable across calls', async () => {
    const [debit, credit] = await kit.payments.listCards(kit.store, 'alice');
    const ctx = kit.user('alice', { host: { confirmed: true, cardId: credit!.cardId } });
    const picked = await kit.call(ctx, 'payment.cards', 'chooseCard', { cardTypes: ['credit'], purpose: '租车押金' });
    expect(picked).toMatchObject({ bankName: '百合银行', cardType: 'credit', last4: credit!.last4, maskedNumber: credit!.maskedNumber, tokenExpiresAt: T0 + 365 * 24 * 3600_000 });
    expect(picked.cardToken).toMatch(/^ctk_[A-Za-z0-9]{20}$/);
    expect(JSON.stringify(picked)).not.toContain(credit!.cardId);
    expect((await kit.call(ctx, 'payment.cards', 'chooseCard', {})).cardToken).toBe(picked.cardToken);
    const other = await kit.call(kit.user('alice', { appId: 'other-app', host: { confirmed: true, cardId: credit!.cardId } }), 'payment.cards', 'chooseCard', {});
    expect(other.cardToken).not.toBe(picked.cardToken);
    // Without a pick the sheet's default (the first card offered) is used.
    expect((await kit.call(kit.user('alice', { host: { confirmed: true } }), 'payment.cards', 'chooseCard', {})).last4).toBe(debit!.last4);
  });

  it('answers NOT_FOUND with no card of the kind, USER_CANCELLED when the picker is closed', async () => {
    await expectCode(kit.call(kit.user('cardless', { host: { confirmed: true } }), 'payment.cards', 'chooseCard', {}), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice'), 'payment.cards', 'chooseCard', { cardTypes: ['debit'] }), 'USER_CANCELLED');
    const [debit] = await kit.payments.listCards(kit.store, 'alice');
    await expectCode(kit.call(kit.user('alice', { host: { confirmed: true, cardId: debit!.cardId } }), 'payment.cards', 'chooseCard', { cardTypes: ['credit'] }), 'INVALID_PARAMS');
  });
});

describe('getInstallmentPlans', () => {
  it('quotes plans whose payments add up exactly, and none below 600 yuan', async () => {
    const { plans } = await kit.call(kit.user('alice'), 'payment.installment', 'getInstallmentPlans', { amount: 299_900 });
    expect(plans.slice(0, 2)).toEqual([
      { periods: 3, firstPeriodAmount: 99_968, perPeriodAmount: 99_966, feeTotalAmount: 0, feeRateBps: 0, interestFree: true, tag: 'interestFree' },
      { periods: 6, firstPeriodAmount: 51_487, perPeriodAmount: 51_482, feeTotalAmount: 8_997, feeRateBps: 50, interestFree: false, tag: 'popular' },
    ]);
    expect(plans.map((p: { periods: number }) => p.periods)).toEqual([3, 6, 12, 24]);
    expect(await kit.call(kit.user('alice'), 'payment.installment', 'getInstallmentPlans', { amount: 59_999 })).toEqual({ plans: [] });
    await expectCode(kit.call(kit.user('alice'), 'payment.installment', 'getInstallmentPlans', { amount: 1.5 }), 'INVALID_PARAMS');
  });
});
