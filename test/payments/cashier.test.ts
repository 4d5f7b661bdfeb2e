/**
 * payment.cashier, payment.orders and payment.qrcode: prepay and QR orders created by the
 * merchant, paid in the host cashier with the PIN, listed and queried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { C } from '../../server/payments/common.ts';
import type { OutboxDoc } from '../../server/payments/outbox.ts';
import { createKit, expectCode, PIN, T0, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice', 'bob', 'carol', 'poor'], 'sandbox');
  await kit.seed(['alice'], 'production');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

const confirmed = { confirmed: true, pin: PIN };
const wallet = (u: string) => accounts.wallet('sandbox', u);
const merchant = accounts.merchant('sandbox', 'demo-app');

async function prepay(userId: string, amount: number, extra: Record<string, unknown> = {}) {
  const m = kit.merchant();
  return kit.op('createPrepay', m, { openId: kit.openId(userId), outTradeNo: tradeNo(), amount, description: '快车 人民广场→虹桥机场', ...extra });
}

describe('createPrepay', () => {
  it('creates an order and answers the same order for the same request', async () => {
    const m = kit.merchant();
    const body = { openId: kit.openId('alice'), outTradeNo: tradeNo('P'), amount: 8650, description: '快车', attach: { rideId: 'r1' } };
    const first = await kit.op('createPrepay', m, body);
    expect(first.prepayId).toMatch(/^pp_[A-Za-z0-9]{20}$/);
    expect(first.expiresAt).toBe(T0 + 1800_000);
    const again = await kit.op('createPrepay', m, { ...body });
    expect(again).toEqual(first);
    const order = await kit.op('queryOrder', m, { orderId: first.orderId });
    expect(order).toMatchObject({ status: 'created', amount: 8650, paidAmount: 0, attach: { rideId: 'r1' }, outTradeNo: body.outTradeNo });
    expect(m.audits.map((a) => a.event)).toContain('payment.prepay_created');
  });

  it('answers DUPLICATE for the same outTradeNo with other content, and LIMIT_EXCEEDED above the order limit', async () => {
    const m = kit.merchant();
    const body = { openId: kit.openId('alice'), outTradeNo: tradeNo('D'), amount: 100, description: 'x' };
    await kit.op('createPrepay', m, body);
    await expectCode(kit.op('createPrepay', m, { ...body, amount: 101 }), 'DUPLICATE');
    await expectCode(kit.op('createPrepay', m, { ...body, outTradeNo: tradeNo(), amount: 100_000_001 }), 'LIMIT_EXCEEDED');
    // The same outTradeNo is free in another app and in another environment.
    await kit.op('createPrepay', kit.merchant('other-app'), { ...body, amount: 101 });
    await kit.op('createPrepay', kit.merchant('demo-app', 'production'), { ...body, amount: 101 });
  });

  it('creates exactly one order when the same request races itself', async () => {
    const m = kit.merchant();
    const body = { openId: kit.openId('alice'), outTradeNo: tradeNo('R'), amount: 300, description: 'race' };
    const results = await Promise.all(Array.from({ length: 8 }, () => kit.op('createPrepay', m, { ...body })));
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(await kit.store.collection(C.orders).countDocuments({ appId: 'demo-app', env: 'sandbox', tradeKey: body.outTradeNo })).toBe(1);
  });
});

describe('requestPayment', () => {
  it('pays from the wallet after the confirm sheet and the PIN, in one ledger entry with the order and the webhook', async () => {
    const { prepayId, orderId } = await prepay('alice', 8650);
    const before = await kit.balance(wallet('alice'));
    const merchantBefore = await kit.balance(merchant);
    const ctx = kit.user('alice', { host: confirmed });
    const paid = await kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId });
    expect(paid).toEqual({ orderId, status: 'paid', paidAmount: 8650, discountAmount: 0, payMethod: 'balance', installments: null, paidAt: T0 });
    expect(await kit.balance(wallet('alice'))).toBe(before - 8650);
    expect(await kit.balance(merchant)).toBe(merchantBefore + 8650);
    const entry = await kit.ledger.entry('sandbox', `pay:${orderId}`);
    expect(entry?.postings).toEqual([
      { account: merchant, amount: 8650 },
      { account: wallet('alice'), amount: -8650 },
    ]);
    const note = await kit.store.collection<OutboxDoc>(C.outbox).findOne({ resourceId: orderId, eventType: 'payment.succeeded' });
    expect(note).toMatchObject({ status: 'pending', appId: 'demo-app', env: 'sandbox', resource: { orderId, status: 'paid', openId: kit.openId('alice') } });
    expect(ctx.audits).toEqual([{ event: 'payment.paid', data: { orderId, amount: 8650, payMethod: 'balance' } }]);
    expect(await kit.op('queryOrder', kit.merchant(), { orderId })).toMatchObject({ status: 'paid', paidAmount: 8650, paidAt: T0 });
  });

  it('answers USER_CANCELLED without a confirmed sheet or without a PIN, and moves nothing', async () => {
    const { prepayId, orderId } = await prepay('alice', 100);
    const before = await kit.balance(wallet('alice'));
    await expectCode(kit.call(kit.user('alice'), 'payment.cashier', 'requestPayment', { prepayId }), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('alice', { host: { confirmed: false, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId }), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('alice', { host: { confirmed: true } }), 'payment.cashier', 'requestPayment', { prepayId }), 'USER_CANCELLED');
    expect(await kit.balance(wallet('alice'))).toBe(before);
    expect((await kit.op('queryOrder', kit.merchant(), { orderId })).status).toBe('created');
  });

  it('answers PIN_INCORRECT, then PIN_LOCKED, moving nothing; a checked order never costs an attempt', async () => {
    const { prepayId, orderId } = await prepay('carol', 100);
    const wrong = kit.user('carol', { host: { confirmed: true, pin: '000000' } });
    for (let i = 0; i < 4; i++) await expectCode(kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId }), 'PIN_INCORRECT');
    // A prepay that does not exist answers NOT_FOUND before the PIN is checked.
    await expectCode(kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId: 'pp_doesnotexist000' }), 'NOT_FOUND');
    expect(kit.pinFailures.get('carol')).toBe(4);
    await expectCode(kit.call(wrong, 'payment.cashier', 'requestPayment', { prepayId }), 'PIN_LOCKED');
    await expectCode(kit.call(kit.user('carol', { host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId }), 'PIN_LOCKED');
    expect((await kit.op('queryOrder', kit.merchant(), { orderId })).status).toBe('created');
    kit.pinFailures.set('carol', 0);
  });

  it('answers NOT_FOUND for another user’s prepay, another app’s and another environment’s', async () => {
    const { prepayId } = await prepay('alice', 100);
    await expectCode(kit.call(kit.user('bob', { host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed, appId: 'other-app' }), 'payment.cashier', 'requestPayment', { prepayId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed, env: 'production' }), 'payment.cashier', 'requestPayment', { prepayId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId: 'bad' }), 'INVALID_PARAMS');
  });

  it('answers INVALID_STATE for a second payment, a closed order and an expired one', async () => {
    const ctx = kit.user('alice', { host: confirmed });
    const a = await prepay('alice', 100);
    await kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId: a.prepayId });
    await expectCode(kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId: a.prepayId }), 'INVALID_STATE');
    await expectCode(kit.op('closeOrder', kit.merchant(), { orderId: a.orderId }), 'INVALID_STATE');

    const b = await prepay('alice', 100);
    expect(await kit.op('closeOrder', kit.merchant(), { orderId: b.orderId })).toEqual({ orderId: b.orderId, status: 'closed' });
    expect(await kit.op('closeOrder', kit.merchant(), { orderId: b.orderId })).toEqual({ orderId: b.orderId, status: 'closed' });
    await expectCode(kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId: b.prepayId }), 'INVALID_STATE');

    const c = await prepay('alice', 100, { expireSeconds: 60 });
    kit.clock.now = T0 + 61_000;
    try {
      await expectCode(kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId: c.prepayId }), 'INVALID_STATE');
      expect((await kit.op('queryOrder', kit.merchant(), { orderId: c.orderId })).status).toBe('closed');
    } finally {
      kit.clock.now = T0;
    }
    await expectCode(kit.op('closeOrder', kit.merchant(), { orderId: 'ord_nosuchorder0' }), 'NOT_FOUND');
    await expectCode(kit.op('queryOrder', kit.merchant('other-app'), { orderId: a.orderId }), 'NOT_FOUND');
  });

  it('answers INSUFFICIENT_FUNDS when the wallet is short, leaving the order payable', async () => {
    await kit.seed(['tiny'], 'sandbox', 50);
    const { prepayId, orderId } = await prepay('tiny', 51);
    const ctx = kit.user('tiny', { host: confirmed });
    await expectCode(kit.call(ctx, 'payment.cashier', 'requestPayment', { prepayId }), 'INSUFFICIENT_FUNDS');
    expect(await kit.balance(wallet('tiny'))).toBe(50);
    expect((await kit.op('queryOrder', kit.merchant(), { orderId })).status).toBe('created');
    expect(await kit.ledger.entry('sandbox', `pay:${orderId}`)).toBeNull();
    expect(await kit.store.collection(C.outbox).countDocuments({ resourceId: orderId })).toBe(0);
  });

  it('pays with a linked card (from outside the wallet) and with installments on a credit card', async () => {
    const cards = await kit.payments.listCards(kit.store, 'bob');
    const debit = cards.find((c) => c.cardType === 'debit')!;
    const credit = cards.find((c) => c.cardType === 'credit')!;
    const before = await kit.balance(wallet('bob'));
    const small = await prepay('bob', 2000);
    const paid = await kit.call(kit.user('bob', { host: { ...confirmed, cardId: debit.cardId } }), 'payment.cashier', 'requestPayment', { prepayId: small.prepayId });
    expect(paid).toMatchObject({ payMethod: 'card', installments: null });
    expect(await kit.balance(wallet('bob'))).toBe(before);

    await expectCode(
      kit.call(kit.user('bob', { host: { ...confirmed, cardId: credit.cardId, installmentTerm: 6 } }), 'payment.cashier', 'requestPayment', { prepayId: (await prepay('bob', 59_999)).prepayId }),
      'LIMIT_EXCEEDED',
    );
    await expectCode(
      kit.call(kit.user('bob', { host: { ...confirmed, cardId: debit.cardId, installmentTerm: 6 } }), 'payment.cashier', 'requestPayment', { prepayId: (await prepay('bob', 299_900)).prepayId }),
      'INVALID_PARAMS',
    );
    await expectCode(
      kit.call(kit.user('bob', { host: { ...confirmed, cardId: 'card_notmine' } }), 'payment.cashier', 'requestPayment', { prepayId: (await prepay('bob', 100)).prepayId }),
      'NOT_FOUND',
    );
    const big = await prepay('bob', 299_900);
    const inst = await kit.call(kit.user('bob', { host: { ...confirmed, cardId: credit.cardId, installmentTerm: 6 } }), 'payment.cashier', 'requestPayment', { prepayId: big.prepayId });
    expect(inst).toMatchObject({ payMethod: 'card', installments: 6, paidAmount: 299_900 });
  });
});

describe('payment.orders', () => {
  it('lists only this user’s orders in this app, newest first, with a cursor and a status filter', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      kit.clock.now = T0 + 10_000 + i;
      created.push((await prepay('poor', 10 + i)).orderId);
    }
    kit.clock.now = T0;
    await kit.op('createPrepay', kit.merchant('other-app'), { openId: kit.openId('poor', 'other-app'), outTradeNo: tradeNo(), amount: 5, description: 'x' });
    const ctx = kit.user('poor');
    const first = await kit.call(ctx, 'payment.orders', 'listOrders', { limit: 2 });
    expect(first.orders.map((o: { orderId: string }) => o.orderId)).toEqual([created[4], created[3]]);
    const second = await kit.call(ctx, 'payment.orders', 'listOrders', { limit: 2, cursor: first.nextCursor });
    expect(second.orders.map((o: { orderId: string }) => o.orderId)).toEqual([created[2], created[1]]);
    const third = await kit.call(ctx, 'payment.orders', 'listOrders', { limit: 2, cursor: second.nextCursor });
    expect(third.orders.map((o: { orderId: string }) => o.orderId)).toEqual([created[0]]);
    expect(third.nextCursor).toBeNull();
    await kit.call(kit.user('poor', { host: confirmed }), 'payment.cashier', 'requestPayment', { prepayId: (await kit.store.collection(C.orders).findOne({ _id: created[2] }))!.prepayId });
    const paid = await kit.call(ctx, 'payment.orders', 'listOrders', { status: 'paid' });
    expect(paid.orders.map((o: { orderId: string }) => o.orderId)).toEqual([created[2]]);
    await expectCode(kit.call(ctx, 'payment.orders', 'listOrders', { cursor: 'garbage' }), 'INVALID_PARAMS');
  });

  it('gets one of the user’s orders and answers NOT_FOUND for anyone else’s', async () => {
    const { orderId } = await prepay('alice', 100);
    expect(await kit.call(kit.user('alice'), 'payment.orders', 'getOrder', { orderId })).toMatchObject({ orderId, status: 'created' });
    await expectCode(kit.call(kit.user('bob'), 'payment.orders', 'getOrder', { orderId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { appId: 'other-app' }), 'payment.orders', 'getOrder', { orderId }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice'), 'payment.orders', 'getOrder', { orderId: 'ord_nosuchorder0' }), 'NOT_FOUND');
  });

  it('lists the merchant’s orders with filters', async () => {
    const m = kit.merchant('list-app');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      kit.clock.now = T0 + 20_000 + i * 1000;
      ids.push((await kit.op('createPrepay', m, { openId: kit.openId(i === 0 ? 'alice' : 'bob', 'list-app'), outTradeNo: `LIST-${i}-000`, amount: 100, description: 'x' })).orderId);
    }
    kit.clock.now = T0;
    expect((await kit.op('listMerchantOrders', m, {})).orders.map((o) => o.orderId)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await kit.op('listMerchantOrders', m, { openId: kit.openId('alice', 'list-app') })).orders.map((o) => o.orderId)).toEqual([ids[0]]);
    expect((await kit.op('listMerchantOrders', m, { outTradeNo: 'LIST-1-000' })).orders.map((o) => o.orderId)).toEqual([ids[1]]);
    expect((await kit.op('listMerchantOrders', m, { from: T0 + 21_000, to: T0 + 22_000 })).orders.map((o) => o.orderId)).toEqual([ids[1]]);
    expect((await kit.op('listMerchantOrders', m, { status: 'paid' })).orders).toEqual([]);
    const page = await kit.op('listMerchantOrders', m, { limit: 2 });
    expect(page.nextCursor).not.toBeNull();
    expect((await kit.op('listMerchantOrders', m, { limit: 2, cursor: page.nextCursor! })).orders.map((o) => o.orderId)).toEqual([ids[0]]);
  });
});

describe('payment.qrcode', () => {
  it('creates a QR order; the user scanning it pays through the cashier and becomes its payer', async () => {
    const m = kit.merchant();
    const body = { outTradeNo: tradeNo('Q'), amount: 1200, description: '停车费' };
    const qr = await kit.op('createQrOrder', m, body);
    expect(qr.code).toBe(`LILYPAY:${qr.qrOrderId}`);
    expect(qr.expiresAt).toBe(T0 + 300_000);
    expect(await kit.op('createQrOrder', m, body)).toEqual(qr);
    await expectCode(kit.op('createQrOrder', m, { ...body, amount: 1 }), 'DUPLICATE');
    const ctx = kit.user('bob', { host: confirmed });
    const paid = await kit.call(ctx, 'payment.qrcode', 'scanToPay', { code: qr.code });
    expect(paid).toMatchObject({ orderId: qr.orderId, status: 'paid', paidAmount: 1200 });
    expect(await kit.call(kit.user('bob'), 'payment.orders', 'getOrder', { orderId: qr.orderId })).toMatchObject({ status: 'paid' });
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.qrcode', 'scanToPay', { code: qr.code }), 'INVALID_STATE');
  });

  it('takes the code from the host scanner, and refuses missing, foreign and expired codes', async () => {
    const m = kit.merchant();
    const qr = await kit.op('createQrOrder', m, { outTradeNo: tradeNo('Q'), amount: 500, description: '充电' });
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.qrcode', 'scanToPay', {}), 'USER_CANCELLED');
    await expectCode(kit.call(kit.user('alice', { host: { ...confirmed, scannedCode: 'https://evil.example' } }), 'payment.qrcode', 'scanToPay', {}), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.qrcode', 'scanToPay', { code: 'LILYPAY:qr_unknown000000' }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: confirmed, appId: 'other-app' }), 'payment.qrcode', 'scanToPay', { code: qr.code }), 'NOT_FOUND');
    await expectCode(kit.call(kit.user('alice', { host: { scannedCode: qr.code } }), 'payment.qrcode', 'scanToPay', {}), 'USER_CANCELLED');
    // A prepay id is not a QR code and a QR order is not a prepay.
    const order = await kit.store.collection(C.orders).findOne({ _id: qr.orderId });
    expect(order!.prepayId).toBeNull();
    const paid = await kit.call(kit.user('alice', { host: { ...confirmed, scannedCode: qr.code } }), 'payment.qrcode', 'scanToPay', {});
    expect(paid.orderId).toBe(qr.orderId);

    const late = await kit.op('createQrOrder', m, { outTradeNo: tradeNo('Q'), amount: 500, description: '充电', expireSeconds: 60 });
    kit.clock.now = T0 + 60_000;
    try {
      await expectCode(kit.call(kit.user('alice', { host: confirmed }), 'payment.qrcode', 'scanToPay', { code: late.code }), 'INVALID_STATE');
    } finally {
      kit.clock.now = T0;
    }
  });

  it('sweeps expired unpaid orders closed', async () => {
    const { orderId } = await prepay('alice', 100, { expireSeconds: 60 });
    const swept = await kit.payments.expireDue(kit.store, T0 + 3_600_000);
    expect(swept.orders).toBeGreaterThanOrEqual(1);
    expect((await kit.store.collection(C.orders).findOne({ _id: orderId }))!.status).toBe('closed');
  });
});
