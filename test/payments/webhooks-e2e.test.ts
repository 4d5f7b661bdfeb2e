/**
 * A payment from end to end on the whole server, ending at the merchant's own web server: prepay
 * over the signed Open API, payment through the bridge with the host's PIN, then the enveloped,
 * bank-signed webhook delivered by the background worker, opened with the merchant's key, with
 * its delivery log and a resend from the merchant portal.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenClient, LilyWebhookError, openWebhook, openWebhookWithKeys } from '../../open-client/index.ts';
import { BRIDGE_NAMESPACE } from '../../protocol/socket.ts';
import { createLiveApp } from '../helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let merchantServer: Server;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let answerStatus = 204;

beforeAll(async () => {
  srv = await startTestServer({ LILY_ALLOW_PRIVATE_NETWORK: 'true' });
  merchantServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answerStatus;
      res.end();
    });
  });
  await new Promise<void>((resolve) => merchantServer.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  merchantServer.close();
  await srv.close();
});

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('payment webhooks, end to end', () => {
  it('delivers a signed, enveloped payment.succeeded the merchant can open, logs attempts, and resends', async () => {
    const admin = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
    await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'merchant', username: 'ridego', password: 'ridego-pass' } });
    const merchant = await login(srv.baseUrl, 'merchant', 'ridego', 'ridego-pass');
    const reg = await http(srv.baseUrl, 'POST', '/api/merchant/register', {
      token: merchant,
      body: { businessName: '快行出行', licenceNo: '91310000MA1RIDE001', contact: { name: '张', phone: '13800000001', email: 'ops@ridego.example' } },
    });
    await http(srv.baseUrl, 'POST', `/api/ops/merchants/${reg.body.id}/decision`, { token: admin, body: { admit: true, reason: 'ok' } });
    const created = await http(srv.baseUrl, 'POST', '/api/merchant/apps', { token: merchant, body: { appId: 'com.ridego.app', name: '快行', category: 'travel' } });
    const creds = created.body.sandboxCredentials;
    await createLiveApp(srv.booted.deps, { appId: 'com.ridego.app', capabilities: ['payment.cashier'], env: 'sandbox' });
    await http(srv.baseUrl, 'PUT', '/api/merchant/apps/com.ridego.app/testers', { token: merchant, body: { usernames: ['alice'] } });
    const { port } = merchantServer.address() as AddressInfo;
    const hook = await http(srv.baseUrl, 'PUT', '/api/merchant/apps/com.ridego.app/webhook', { token: merchant, body: { url: `http://127.0.0.1:${port}/lily/webhook` } });
    expect(hook.status).toBe(200);
    expect((await http(srv.baseUrl, 'PUT', '/api/merchant/apps/com.ridego.app/webhook', { token: merchant, body: { url: 'ftp://x' } })).body.code).toBe('INVALID_PARAMS');

    // The user opens the trial; the merchant's server creates a prepay for the user's open id.
    const alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
    const launch = (await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'com.ridego.app', env: 'sandbox' } })).body;
    const client = new LilyOpenClient({ baseUrl: srv.baseUrl, appId: creds.appId, serialNo: creds.serialNo, privateKey: creds.privateKey, bankPublicKey: creds.bank.publicKey });
    const prepay = await client.post<{ prepayId: string; orderId: string }>('/open/v1/payments/prepay', {
      openId: launch.openId,
      outTradeNo: 'trip-20261122-001',
      amount: 3260,
      description: '快车 12.4 km',
    });

    // The user pays in the host's cashier with the PIN.
    const socket = connect(`${srv.baseUrl}${BRIDGE_NAMESPACE}`, { auth: { token: alice }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const paid = (await socket.timeout(10_000).emitWithAck('call', {
      launchToken: launch.launchToken,
      capability: 'payment.cashier',
      method: 'requestPayment',
      params: { prepayId: prepay.prepayId },
      callId: '1',
      userGesture: true,
      host: { confirmed: true, pin: '123456' },
    })) as { result?: { status: string }; error?: unknown };
    socket.disconnect();
    expect(paid.result?.status).toBe('paid');

    // The worker delivers the webhook to the merchant's server.
    srv.booted.startWorkers();
    const first = await until(() => received[0]);
    const event = openWebhook({ headers: first.headers as Record<string, string>, body: first.body, privateKey: creds.privateKey, bankPublicKey: creds.bank.publicKey });
    expect(event.eventType).toBe('payment.succeeded');
    expect(event.resource).toMatchObject({ orderId: prepay.orderId, outTradeNo: 'trip-20261122-001', status: 'paid' });
    // The body on the wire is sealed: no plain order data.
    expect(first.body).not.toContain('trip-20261122-001');
    // Altered bodies, other keys and stale timestamps are refused.
    expect(() => openWebhook({ headers: first.headers as Record<string, string>, body: first.body.replace('payment', 'pAyment'), privateKey: creds.privateKey, bankPublicKey: creds.bank.publicKey })).toThrow(LilyWebhookError);
    expect(() => openWebhook({ headers: first.headers as Record<string, string>, body: first.body, privateKey: '1'.repeat(64), bankPublicKey: creds.bank.publicKey })).toThrow(/cannot be opened/);
    expect(() =>
      openWebhook({ headers: first.headers as Record<string, string>, body: first.body, privateKey: creds.privateKey, bankPublicKey: creds.bank.publicKey, nowMs: Date.now() + 600_000 }),
    ).toThrow(/300 s/);
    // A server holding several keys learns which one opened it; a bad signature fails at once.
    const headers = first.headers as Record<string, string>;
    const other = '2'.repeat(64);
    expect(openWebhookWithKeys({ headers, body: first.body, privateKeys: { production: other, sandbox: creds.privateKey }, bankPublicKey: creds.bank.publicKey })).toMatchObject({
      key: 'sandbox',
      event: { id: event.id, eventType: 'payment.succeeded' },
    });
    expect(() => openWebhookWithKeys({ headers, body: first.body, privateKeys: { production: other }, bankPublicKey: creds.bank.publicKey })).toThrow(/cannot be opened/);
    expect(() => openWebhookWithKeys({ headers, body: first.body, privateKeys: {}, bankPublicKey: creds.bank.publicKey })).toThrow(LilyWebhookError);
    expect(() =>
      openWebhookWithKeys({ headers, body: first.body.replace('payment', 'pAyment'), privateKeys: { production: other, sandbox: creds.privateKey }, bankPublicKey: creds.bank.publicKey }),
    ).toThrow(/not signed by the bank/);

    // The portal shows the delivery with its attempt; a resend delivers it again.
    const log = await until(async () => {
      const r = await http(srv.baseUrl, 'GET', '/api/merchant/apps/com.ridego.app/notifications?env=sandbox', { token: merchant });
      const n = r.body.notifications?.find((x: { status: string }) => x.status === 'delivered');
      return n;
    });
    expect(log.attempts[0]).toMatchObject({ httpStatus: 204 });
    const resend = await http(srv.baseUrl, 'POST', `/api/merchant/apps/com.ridego.app/notifications/${log.id}/resend?env=sandbox`, { token: merchant });
    expect(resend.body.status).toBe('pending');
    await until(() => (received.length >= 2 ? true : undefined));
    expect(JSON.parse(received[1]!.body).id).toBe(event.id);
  }, 90_000);
});
