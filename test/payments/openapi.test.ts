/**
 * The payment operations registered on the real Open API framework: signed requests from the
 * merchant client, idempotent retries, problem+json codes, and a guest payment in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerRegistry } from '../../capabilities/handlers.ts';
import { testContext } from '../../capabilities/testing/context.ts';
import { LilyOpenApiError } from '../../open-client/index.ts';
import { accounts } from '../../server/ledger/accounts.ts';
import { Ledger } from '../../server/ledger/ledger.ts';
import { createPaymentHandlers } from '../../server/payments/handlers.ts';
import { checkPaymentInvariants } from '../../server/payments/invariants.ts';
import { Payments } from '../../server/payments/payments.ts';
import { registerPaymentOperations } from '../../server/payments/routes.ts';
import { seedWallets } from '../../server/payments/wallet.ts';
import { startHarness, type AppKey, type Harness } from '../openapi/harness.ts';

let h: Harness;
let key: AppKey;
const payments = new Payments();
const APP = 'pay-openapi';
const OPEN_ID = 'o_pay-openapi_alice';

beforeAll(async () => {
  h = await startHarness();
  key = await h.appWithKey(APP, { live: true });
  registerPaymentOperations(h.openApi, payments);
  await seedWallets(h.store, ['alice'], 'sandbox');
});
afterAll(async () => {
  expect((await new Ledger(h.store).checkInvariants()).problems).toEqual([]);
  expect((await checkPaymentInvariants(h.store)).problems).toEqual([]);
  await h.close();
});

describe('payment routes on the Open API', () => {
  it('creates a prepay, sees it paid by the user, refunds it idempotently, lists the notifications', async () => {
    const prepay = await key.client.post<{ prepayId: string; orderId: string }>('/open/v1/payments/prepay', {
      openId: OPEN_ID,
      outTradeNo: 'OA-0000001',
      amount: 2_500,
      description: '电影票 2 张',
    });
    const registry = createServerRegistry(createPaymentHandlers({ payments, verifyPin: async () => undefined }));
    const user = testContext(h.store, { appId: APP, userId: 'alice', openId: OPEN_ID, now: h.now, host: { confirmed: true, pin: '123456' } });
    await registry.invoke(user, 'payment.cashier', 'requestPayment', { prepayId: prepay.prepayId });

    const order = await key.client.get<{ status: string; paidAmount: number }>(`/open/v1/payments/orders/${prepay.orderId}`);
    expect(order).toMatchObject({ status: 'paid', paidAmount: 2_500 });

    const body = { orderId: prepay.orderId, outRefundNo: 'OA-RF-0001', amount: 1_000, reason: '少一张' };
    const first = await key.client.request('POST', '/open/v1/refunds', { body, idempotencyKey: 'refund-key-0001' });
    const retry = await key.client.request('POST', '/open/v1/refunds', { body, idempotencyKey: 'refund-key-0001' });
    expect(retry.replayed).toBe(true);
    expect(retry.data).toEqual(first.data);
    expect(await h.store.collection('ledger_accounts').findOne({ _id: accounts.wallet('sandbox', 'alice') })).toMatchObject({ balance: 1_000_000 - 2_500 + 1_000 });

    const too = await key.client.post('/open/v1/refunds', { ...body, outRefundNo: 'OA-RF-0002', amount: 1_501 }).catch((e: unknown) => e);
    expect(too).toBeInstanceOf(LilyOpenApiError);
    expect(too).toMatchObject({ status: 422, code: 'LIMIT_EXCEEDED' });

    const notes = await key.client.get<{ notifications: { eventType: string }[] }>('/open/v1/notifications');
    expect(notes.notifications.map((n) => n.eventType)).toEqual(['payment.succeeded', 'refund.succeeded']);
    const audited = await h.audit.list({ action: 'payment.refunded' });
    expect(audited).toHaveLength(1);
  });

  it('answers the domain codes as problems: DUPLICATE, NOT_FOUND, INVALID_STATE', async () => {
    const body = { openId: OPEN_ID, outTradeNo: 'OA-0000002', amount: 100, description: 'x' };
    const a = await key.client.post<{ orderId: string }>('/open/v1/payments/prepay', body);
    await expect(key.client.post('/open/v1/payments/prepay', { ...body, amount: 101 })).rejects.toMatchObject({ code: 'DUPLICATE', status: 409 });
    await expect(key.client.get('/open/v1/payments/orders/ord_nosuchorder0')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await key.client.post(`/open/v1/payments/orders/${a.orderId}/close`)).toEqual({ orderId: a.orderId, status: 'closed' });
    await expect(key.client.post('/open/v1/refunds', { orderId: a.orderId, outRefundNo: 'OA-RF-0003', amount: 1 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
