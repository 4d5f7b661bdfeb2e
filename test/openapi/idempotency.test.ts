/**
 * Idempotency-Key through HTTP: replays, conflicts, concurrent duplicates, caller and server
 * faults, expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError } from '../../open-client/index.ts';
import { sm3, utf8 } from '../../runtime/crypto/sm.ts';
import { requestFingerprint } from '../../server/openapi/index.ts';
import { expectBankSigned, expectProblem, ORDERS, prepayBody, registerTestHandlers, sendSigned, snapshot, type Probe } from './fixtures.ts';
import { startHarness, type AppKey, type Harness } from './harness.ts';

let h: Harness;
let probe: Probe;
let A: AppKey;
let B: AppKey;

beforeAll(async () => {
  h = await startHarness();
  probe = registerTestHandlers(h);
  A = await h.appWithKey('alpha.app');
  B = await h.appWithKey('beta.app');
});

afterAll(async () => {
  await h?.close();
});

describe('Idempotency-Key', () => {
  it('same key and body: the stored answer is replayed, byte for byte, and nothing runs again', async () => {
    const body = prepayBody();
    const first = await A.client.request<{ orderId: string }>('POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'order-1001' });
    const runs = probe.runs;
    const orders = await h.store.collection(ORDERS).countDocuments();
    const again = await A.client.request<{ orderId: string }>('POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'order-1001' });
    expect(again.data).toEqual(first.data);
    expect(again.replayed).toBe(true);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.requestId).not.toBe(first.requestId);
    expect(probe.runs).toBe(runs);
    expect(await h.store.collection(ORDERS).countDocuments()).toBe(orders);
  });

  it('same key, other body: IDEMPOTENCY_CONFLICT, nothing runs', async () => {
    await A.client.post('/open/v1/payments/prepay', prepayBody({ amount: 100 }), { idempotencyKey: 'order-1002' });
    const runs = probe.runs;
    const orders = await h.store.collection(ORDERS).countDocuments();
    const err = await A.client.post('/open/v1/payments/prepay', prepayBody({ amount: 200 }), { idempotencyKey: 'order-1002' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LilyOpenApiError);
    expect(err).toMatchObject({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect(probe.runs).toBe(runs);
    expect(await h.store.collection(ORDERS).countDocuments()).toBe(orders);
  });

  it('same key on another path (or query): IDEMPOTENCY_CONFLICT', async () => {
    await A.client.post('/open/v1/ping', { a: 1 }, { idempotencyKey: 'shared-key-1' });
    await expect(A.client.post('/open/v1/payments/prepay', prepayBody(), { idempotencyKey: 'shared-key-1' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
  });

  it('keys are per app: another app may use the same key', async () => {
    const body = prepayBody();
    const a = await A.client.post<{ orderId: string }>('/open/v1/payments/prepay', body, { idempotencyKey: 'per-app-key' });
    const b = await B.client.post<{ orderId: string }>('/open/v1/payments/prepay', body, { idempotencyKey: 'per-app-key' });
    expect(b.orderId).not.toBe(a.orderId);
  });

  it('concurrent duplicates: exactly one execution; the others wait their turn or get the answer', async () => {
    const body = prepayBody({ description: 'slow' });
    const runs = probe.runs;
    const orders = await h.store.collection(ORDERS).countDocuments();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        A.client.request('POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'concurrent-1' }).then(
          (r) => ({ status: r.status, code: null as string | null, data: r.data }),
          (e: LilyOpenApiError) => ({ status: e.status, code: e.code, data: null }),
        ),
      ),
    );
    expect(probe.runs).toBe(runs + 1);
    expect(await h.store.collection(ORDERS).countDocuments()).toBe(orders + 1);
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(r.data).toEqual(ok[0]!.data);
    for (const r of results.filter((x) => x.status !== 200)) expect(r).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
    // Once the first finished, a retry gets its answer.
    const after = await A.client.request('POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'concurrent-1' });
    expect(after.replayed).toBe(true);
    expect(after.data).toEqual(ok[0]!.data);
  });

  it('a duplicate while the first runs gets IDEMPOTENCY_IN_PROGRESS with Retry-After', async () => {
    const body = JSON.stringify(prepayBody({ description: 'slow' }));
    const first = sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'in-progress-1' });
    // Wait until the first is inside its handler.
    const runs = probe.runs;
    for (let i = 0; i < 200 && probe.runs === runs; i++) await new Promise((r) => setTimeout(r, 5));
    const second = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'in-progress-1' });
    expectProblem(h, second, 409, 'IDEMPOTENCY_IN_PROGRESS');
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(200);
  });

  it('a caller-fault answer is stored: the retry gets the same problem without running', async () => {
    const body = prepayBody({ amount: 999 });
    const first = (await A.client.post('/open/v1/payments/prepay', body, { idempotencyKey: 'poor-1' }).catch((e: unknown) => e)) as LilyOpenApiError;
    expect(first).toMatchObject({ status: 402, code: 'INSUFFICIENT_FUNDS' });
    const runs = probe.runs;
    const again = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body: JSON.stringify(body), idempotencyKey: 'poor-1' });
    expect(again.status).toBe(402);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    // The stored body, as first sent: its requestId names the request that ran.
    expect(again.json).toEqual(first.problem);
    expect(again.json.requestId).toBe(first.requestId);
    expect(again.headers.get('x-request-id')).not.toBe(first.requestId);
    expectBankSigned(h, again);
    expect(probe.runs).toBe(runs);
  });

  it('a server-fault answer is not stored: the retry runs again', async () => {
    const body = prepayBody({ amount: 500 });
    const runs = probe.runs;
    await expect(A.client.post('/open/v1/payments/prepay', body, { idempotencyKey: 'boom-1' })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(A.client.post('/open/v1/payments/prepay', body, { idempotencyKey: 'boom-1' })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(probe.runs).toBe(runs + 2);
    expect(await h.store.collection('open_idempotency').countDocuments({ key: 'boom-1' })).toBe(0);
  });

  it('answers are kept 24 hours (TTL index), then the key is free again', async () => {
    const body = prepayBody();
    const first = await A.client.post<{ orderId: string }>('/open/v1/payments/prepay', body, { idempotencyKey: 'day-1' });
    const record = await h.store.collection('open_idempotency').findOne({ appId: 'alpha.app', key: 'day-1' });
    expect((record!.expiresAt as Date).getTime() - (record!.createdAt as Date).getTime()).toBe(24 * 3600 * 1000);
    expect(record).toMatchObject({ env: 'sandbox', state: 'done', status: 200 });
    // 24 h later (moving the record, not the clock, since timestamps must stay in the window).
    await h.store.collection('open_idempotency').updateOne({ _id: record!._id }, { $set: { expiresAt: new Date(h.now() - 1) } });
    const later = await A.client.request<{ orderId: string }>('POST', '/open/v1/payments/prepay', { body, idempotencyKey: 'day-1' });
    expect(later.replayed).toBe(false);
    expect(later.data.orderId).not.toBe(first.orderId);
  });

  it('GET needs no key; refused requests leave no record', async () => {
    const before = await snapshot(h);
    await A.client.get('/open/v1/ping');
    const after = await snapshot(h);
    expect(after.open_idempotency).toBe(before.open_idempotency);
    expect(after.open_nonces).toBe(before.open_nonces! + 1);
  });

  it('the fingerprint is SM3 of METHOD, PATH?QUERY and the body bytes', () => {
    const body = utf8('{"a":"中"}');
    const expected = sm3(new Uint8Array([...utf8('POST\n/open/v1/x?b=1\n'), ...body]));
    expect(requestFingerprint('POST', '/open/v1/x?b=1', body)).toBe(expected);
  });
});
