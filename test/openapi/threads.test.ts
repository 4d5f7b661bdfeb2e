/**
 * The Open API with its SM2 work on a worker thread (as in production on a multi-core machine):
 * signed requests verify, answers are signed by the bank and verify in the merchant client, and
 * forged or replayed requests are refused exactly as with inline signing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError, LilyOpenClient, signRequest } from '../../open-client/index.ts';
import { createLiveApp } from '../helpers/apps.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let client: LilyOpenClient;
let key: { appId: string; serialNo: string; privateKey: string };

beforeAll(async () => {
  srv = await startTestServer({ LILY_CRYPTO_THREADS: '1' });
  const { deps } = srv.booted;
  await createLiveApp(deps, { appId: 'threads.app', capabilities: ['payment.cashier'], env: 'sandbox' });
  const { credential, privateKey } = await deps.credentials.generate('threads.app', 'sandbox');
  key = { appId: 'threads.app', serialNo: credential.serial, privateKey };
  client = new LilyOpenClient({ baseUrl: srv.baseUrl, ...key, bankPublicKey: deps.bankKeys.publicKey });
});

afterAll(async () => {
  await srv?.close();
});

describe('Open API with SM2 worker threads', () => {
  it('serves many concurrent signed requests, each answer signed by the bank', async () => {
    const alice = await srv.booted.deps.identity.findAccount('user', 'alice');
    const openId = srv.booted.deps.tokens.openId(alice!._id, 'threads.app');
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.post<{ prepayId: string; orderId: string }>('/open/v1/payments/prepay', { openId, outTradeNo: `THREAD-${i}`, amount: 100 + i, description: 'Thread test' }, { idempotencyKey: `thr-${i}` }),
      ),
    );
    expect(new Set(created.map((c) => c.prepayId)).size).toBe(30);
    // Each order holds what its own request asked for.
    for (const [i, c] of created.entries()) {
      const order = await client.get<{ amount: number; outTradeNo: string }>(`/open/v1/payments/orders/${c.orderId}`);
      expect(order).toMatchObject({ amount: 100 + i, outTradeNo: `THREAD-${i}` });
    }
  });

  it('refuses a tampered body and a replayed nonce with their codes', async () => {
    const body = JSON.stringify({ echo: 'x' });
    const signed = signRequest({ method: 'POST', pathWithQuery: '/open/v1/ping', body, ...key });
    const send = (payload: string) =>
      fetch(`${srv.baseUrl}/open/v1/ping`, {
        method: 'POST',
        headers: { authorization: signed.authorization, 'content-type': 'application/json', 'idempotency-key': signed.nonce },
        body: payload,
      });
    const tampered = await send(JSON.stringify({ echo: 'y' }));
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { code: string }).code).toBe('SIGNATURE_INVALID');
    expect(tampered.headers.get('lily-signature')).toBeTruthy();
    expect((await send(body)).status).toBe(200);
    const replay = await send(body);
    expect(((await replay.json()) as { code: string }).code).toBe('NONCE_REPLAYED');
    await expect(client.get('/open/v1/payments/orders/ord_missing')).rejects.toBeInstanceOf(LilyOpenApiError);
  });
});
