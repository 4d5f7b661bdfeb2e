/**
 * payment.notify: the outbox written with each money event, the merchant's catch-up API, and
 * webhook delivery as signed digital envelopes with persisted retries.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { keySerial, type BankKeys } from '../../server/keys.ts';
import { C } from '../../server/payments/common.ts';
import type { OutboxDoc } from '../../server/payments/outbox.ts';
import { deliverOutbox, openEnvelope, resendNotification, RETRY_DELAYS_MS, verifyWebhook, type WebhookBody } from '../../server/payments/webhooks.ts';
import { createKit, expectCode, PIN, T0, tradeNo, type Kit } from './helpers.ts';

let kit: Kit;
const bankPair = generateSm2KeyPair();
const bank: BankKeys = { ...bankPair, serial: keySerial(bankPair.publicKey) };
const merchantKeys = generateSm2KeyPair();

beforeAll(async () => {
  kit = await createKit();
  await kit.seed(['alice'], 'sandbox');
});
afterAll(async () => {
  await kit.expectInvariants();
  await kit.dispose();
});

async function pay(appId: string, amount = 100, notifyUrl?: string) {
  const m = kit.merchant(appId);
  const { prepayId, orderId } = await kit.op('createPrepay', m, {
    openId: kit.openId('alice', appId),
    outTradeNo: tradeNo(),
    amount,
    description: 'x',
    ...(notifyUrl ? { notifyUrl } : {}),
  });
  await kit.call(kit.user('alice', { appId, host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId });
  return orderId;
}

describe('listNotifications and acknowledgeNotification', () => {
  it('lists the app’s unacknowledged notifications oldest first, pages them, and acknowledges', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      kit.clock.now = T0 + i * 1000;
      ids.push(await pay('notify-app'));
    }
    kit.clock.now = T0;
    const m = kit.merchant('notify-app');
    const page1 = await kit.op('listNotifications', m, { limit: 2 });
    expect(page1.notifications.map((n) => n.resourceId)).toEqual([ids[0], ids[1]]);
    expect(page1.notifications[0]).toMatchObject({ eventType: 'payment.succeeded', status: 'pending', attempts: 0, createdAt: T0, nextAttemptAt: T0 });
    const page2 = await kit.op('listNotifications', m, { limit: 2, cursor: page1.nextCursor! });
    expect(page2.notifications.map((n) => n.resourceId)).toEqual([ids[2]]);
    expect(page2.nextCursor).toBeNull();
    const first = page1.notifications[0]!.notificationId;
    kit.clock.now = T0 + 9_000;
    const ack = await kit.op('acknowledgeNotification', m, { notificationId: first });
    kit.clock.now = T0 + 10_000;
    expect(await kit.op('acknowledgeNotification', m, { notificationId: first })).toEqual(ack);
    kit.clock.now = T0;
    expect(ack.acknowledgedAt).toBe(T0 + 9_000);
    expect((await kit.op('listNotifications', m, {})).notifications.map((n) => n.notificationId)).not.toContain(first);
    expect((await kit.op('listNotifications', m, { status: 'all' })).notifications.map((n) => n.notificationId)).toContain(first);
    expect((await kit.op('listNotifications', m, { status: 'failed' })).notifications).toEqual([]);
    await expectCode(kit.op('acknowledgeNotification', kit.merchant('other-app'), { notificationId: first }), 'NOT_FOUND');
    await expectCode(kit.op('acknowledgeNotification', m, { notificationId: 'ntf_nosuchntf00' }), 'NOT_FOUND');
    expect((await kit.op('listNotifications', kit.merchant('notify-app', 'production'), {})).notifications).toEqual([]);
  });
});

describe('deliverOutbox', () => {
  // Delivery serves every due notification of the store, so each case starts from an empty one.
  beforeEach(async () => {
    await kit.expectInvariants();
    await kit.dispose();
    kit = await createKit();
    await kit.seed(['alice'], 'sandbox');
  });

  it('POSTs a bank-signed envelope the merchant can open, over real HTTP, and marks it delivered', async () => {
    const orderId = await pay('hook-app', 777);
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const report = await deliverOutbox({
        store: kit.store,
        bank,
        endpoint: async (appId) => (appId === 'hook-app' ? { url, publicKey: merchantKeys.publicKey } : null),
        now: () => kit.clock.now,
      });
      expect(report.delivered).toBeGreaterThanOrEqual(1);
      const mine = received.find((r) => (JSON.parse(r.body) as WebhookBody).eventType === 'payment.succeeded');
      expect(mine).toBeDefined();
      const body = JSON.parse(mine!.body) as WebhookBody;
      const h = mine!.headers;
      expect(h['lily-serial']).toBe(bank.serial);
      expect(verifyWebhook({ 'Lily-Timestamp': h['lily-timestamp'] as string, 'Lily-Nonce': h['lily-nonce'] as string, 'Lily-Signature': h['lily-signature'] as string }, mine!.body, bank.publicKey, kit.clock.now)).toBe(true);
      expect(verifyWebhook({ 'Lily-Timestamp': h['lily-timestamp'] as string, 'Lily-Nonce': h['lily-nonce'] as string, 'Lily-Signature': h['lily-signature'] as string }, `${mine!.body} `, bank.publicKey, kit.clock.now)).toBe(false);
      expect(body.resource.algorithm).toBe('SM4-GCM');
      expect(mine!.body).not.toContain(orderId);
      const resource = openEnvelope(body, merchantKeys.privateKey);
      expect(resource).toMatchObject({ orderId, status: 'paid', paidAmount: 777, openId: kit.openId('alice', 'hook-app') });
      const stored = (await kit.store.collection<OutboxDoc>(C.outbox).findOne({ _id: body.id }))!;
      expect(stored).toMatchObject({ status: 'delivered', attempts: 1, nextAttemptAt: null });
      expect(stored.attemptLog[0]).toMatchObject({ httpStatus: 204, error: null });
      // Tampering with the ciphertext is detected.
      const bad = { ...body, resource: { ...body.resource, associatedData: 'ntf_other' } };
      expect(() => openEnvelope(bad, merchantKeys.privateKey)).toThrow();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('retries with backoff across calls (15 s, 15 s, 30 s, 3 min, …, hourly) and fails after 24 h', async () => {
    const orderId = await pay('retry-app', 5, 'https://merchant.example/pay/notify');
    const calls: string[] = [];
    const failing = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response('no', { status: 500 });
    }) as typeof fetch;
    const deps = { store: kit.store, bank, endpoint: async () => ({ url: 'https://merchant.example/default', publicKey: merchantKeys.publicKey }), fetch: failing, now: () => kit.clock.now };
    const col = kit.store.collection<OutboxDoc>(C.outbox);
    const note = () => col.findOne({ resourceId: orderId }) as Promise<OutboxDoc>;
    let t = T0;
    for (let i = 0; i < RETRY_DELAYS_MS.length + 2; i++) {
      kit.clock.now = t;
      await deliverOutbox(deps);
      const n = await note();
      expect(n.attempts).toBe(i + 1);
      expect(n.nextAttemptAt! - t).toBe(RETRY_DELAYS_MS[i] ?? 3_600_000);
      // Not due yet: nothing happens.
      kit.clock.now = n.nextAttemptAt! - 1;
      await deliverOutbox(deps);
      expect((await note()).attempts).toBe(i + 1);
      t = n.nextAttemptAt!;
    }
    expect(calls.every((u) => u === 'https://merchant.example/pay/notify')).toBe(true);
    while ((await note()).status === 'pending') {
      kit.clock.now = (await note()).nextAttemptAt!;
      await deliverOutbox(deps);
    }
    const failed = await note();
    expect(failed.status).toBe('failed');
    expect(failed.attemptLog.at(-1)).toMatchObject({ httpStatus: 500, error: 'HTTP 500' });
    expect(failed.attemptLog.at(-1)!.at - T0).toBeLessThanOrEqual(24 * 3_600_000);
    kit.clock.now = T0;
    const listed = await kit.op('listNotifications', kit.merchant('retry-app'), { status: 'failed' });
    expect(listed.notifications.map((n) => n.resourceId)).toEqual([orderId]);
    // A resend makes it due again; a 2xx then delivers it.
    expect(await resendNotification(kit.store, { env: 'sandbox', appId: 'retry-app', now: kit.clock.now }, failed._id)).toBe(true);
    await deliverOutbox({ ...deps, fetch: (async () => new Response(null, { status: 200 })) as typeof fetch });
    expect((await note()).status).toBe('delivered');
  });

  it('records network errors and a missing endpoint as failed attempts, and never sends an acknowledged one', async () => {
    const orderId = await pay('quiet-app', 5);
    const col = kit.store.collection<OutboxDoc>(C.outbox);
    await deliverOutbox({ store: kit.store, bank, endpoint: async () => null, now: () => kit.clock.now });
    expect((await col.findOne({ resourceId: orderId }))!.attemptLog[0]!.error).toBe('no webhook endpoint configured');
    kit.clock.now = T0 + 20_000;
    await deliverOutbox({
      store: kit.store,
      bank,
      endpoint: async () => ({ url: 'https://merchant.example/x', publicKey: merchantKeys.publicKey }),
      fetch: (async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      }) as typeof fetch,
      now: () => kit.clock.now,
    });
    const n = (await col.findOne({ resourceId: orderId }))!;
    expect(n.attemptLog[1]!.error).toBe('ECONNREFUSED');
    await kit.op('acknowledgeNotification', kit.merchant('quiet-app'), { notificationId: n._id });
    kit.clock.now = T0 + 3_600_000;
    let sent = 0;
    await deliverOutbox({
      store: kit.store,
      bank,
      endpoint: async () => ({ url: 'https://merchant.example/x', publicKey: merchantKeys.publicKey }),
      fetch: (async () => {
        sent++;
        return new Response(null, { status: 200 });
      }) as typeof fetch,
      now: () => kit.clock.now,
    });
    kit.clock.now = T0;
    expect((await col.findOne({ resourceId: orderId }))!.status).toBe('acknowledged');
    expect(sent).toBe(0);
  });
});
