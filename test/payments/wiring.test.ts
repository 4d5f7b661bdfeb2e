/**
 * The wiring the server relies on: every guest method of the 13 payment capabilities has a real
 * handler, every payment Open API route has an operation, and the handlers work with the real
 * identity service's PIN check (attempts left, lockout, no PIN set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../capabilities/index.ts';
import { Identity } from '../../server/identity/identity.ts';
import { accounts } from '../../server/ledger/accounts.ts';
import { PAYMENT_OPERATION_IDS } from '../../server/payments/openapi.ts';
import { createKit, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
let identity: Identity;
let userId: string;
let noPinUser: string;

beforeAll(async () => {
  kit = await createKit({}, { verifyPin: (u, p) => identity.verifyPin(u, p) });
  identity = new Identity({ store: kit.store, sessionSecret: 'x'.repeat(32), sessionTtlSeconds: 3600, scryptCost: 1024, pinPepper: 'p'.repeat(32), pinCost: 1024, now: () => kit.clock.now });
  await identity.init();
  userId = (await identity.createAccount('user', { username: 'pinuser', password: 'password-1' })).id;
  noPinUser = (await identity.createAccount('user', { username: 'nopinuser', password: 'password-1' })).id;
  await identity.setPin(userId, 'password-1', '246810');
  await kit.seed([userId, noPinUser]);
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

describe('wiring', () => {
  it('attaches a real handler to every payment guest method and an operation to every payment route', () => {
    const payment = capabilities.filter((c) => c.id.startsWith('payment.'));
    expect(payment).toHaveLength(13);
    for (const c of payment) for (const m of Object.keys(c.methods)) expect(kit.registry.hasHandler(c.id, m), `${c.id}.${m}`).toBe(true);
    const routeIds = payment.flatMap((c) => c.openApi.map((r) => r.operationId)).sort();
    expect([...PAYMENT_OPERATION_IDS].sort()).toEqual(routeIds);
    expect(Object.keys(kit.ops).sort()).toEqual(routeIds);
  });
});

describe('with the identity service’s PIN check', () => {
  it('answers PIN_INCORRECT with attempts left, then PIN_LOCKED, and pays with the right PIN', async () => {
    const { prepayId, orderId } = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId(userId), outTradeNo: tradeNo(), amount: 1_000, description: 'x' });
    const wrong = kit.user(userId, { host: { confirmed: true, pin: '000000' } });
    const first = await kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'PIN_INCORRECT', details: { attemptsLeft: 4 } });
    const right = kit.user(userId, { host: { confirmed: true, pin: '246810' } });
    await kit.call(right, 'payment.cashier', 'requestPayment', { prepayId });
    expect((await kit.op('queryOrder', kit.merchant(), { orderId })).status).toBe('paid');

    const next = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId(userId), outTradeNo: tradeNo(), amount: 1_000, description: 'x' });
    for (let i = 0; i < 4; i++) await expect(kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId: next.prepayId })).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    await expect(kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId: next.prepayId })).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    await expect(kit.call(right, 'payment.cashier', 'requestPayment', { prepayId: next.prepayId })).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    expect(await kit.balance(accounts.wallet('sandbox', userId))).toBe(1_000_000 - 1_000);
  });

  it('answers PIN_NOT_SET for a user without a PIN', async () => {
    const { prepayId } = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId(noPinUser), outTradeNo: tradeNo(), amount: 1, description: 'x' });
    await expect(kit.call(kit.user(noPinUser, { host: { confirmed: true, pin: '123456' } }), 'payment.cashier', 'requestPayment', { prepayId })).rejects.toMatchObject({ code: 'PIN_NOT_SET' });
  });
});
