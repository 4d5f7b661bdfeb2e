/**
 * The Open API framework through HTTP: the merchant client's happy paths, routing, params and
 * bodies, app status, the app in the path, unhandled routes and signed answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError } from '../../open-client/index.ts';
import { expectBankSigned, expectProblem, ORDERS, prepayBody, registerTestHandlers, sendSigned, snapshot, type Probe } from './fixtures.ts';
import { rawFetch, startHarness, type AppKey, type Harness } from './harness.ts';

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

describe('happy paths through lily-open-client', () => {
  it('GET /open/v1/ping answers the signing app, the key environment and the time', async () => {
    const res = await A.client.request<{ appId: string; env: string; time: string }>('GET', '/open/v1/ping');
    expect(res.status).toBe(200);
    expect(res.data.appId).toBe('alpha.app');
    expect(res.data.env).toBe('sandbox');
    expect(Math.abs(Date.parse(res.data.time) - h.now())).toBeLessThan(60_000);
    expect(res.requestId).toMatch(/.+/);
    expect(res.headers.get('ratelimit-limit')).toBe('6000');
  });

  it('POST creates once, with the app and environment from the key, and audits it', async () => {
    const before = await h.store.collection(ORDERS).countDocuments();
    const res = await A.client.request<{ prepayId: string; orderId: string }>('POST', '/open/v1/payments/prepay', {
      body: prepayBody({ description: '电影票 2 张 · Movie tickets' }),
    });
    expect(res.status).toBe(200);
    expect(res.data.prepayId).toMatch(/^pp_/);
    expect(res.idempotencyKey).toMatch(/^idem-/);
    expect(res.replayed).toBe(false);
    expect(await h.store.collection(ORDERS).countDocuments()).toBe(before + 1);
    const order = await h.store.collection(ORDERS).findOne({ orderId: res.data.orderId });
    expect(order).toMatchObject({ appId: 'alpha.app', env: 'sandbox' });
    const last = probe.contexts.at(-1)!;
    expect(last).toMatchObject({ appId: 'alpha.app', env: 'sandbox', idempotencyKey: res.idempotencyKey, requestId: res.requestId });
    const [entry] = await h.audit.list({ action: 'test.prepay.created', limit: 1 });
    expect(entry).toMatchObject({ actor: { kind: 'app', id: 'alpha.app' }, data: { env: 'sandbox', requestId: res.requestId } });
  });

  it('a production key acts in production only', async () => {
    const { credential, privateKey } = await h.credentials.generate('alpha.app', 'production');
    await h.grants.grant({ appId: 'alpha.app', env: 'production', capability: 'payment.cashier' }, { kind: 'ops', id: 'ops-test' });
    const prod = h.clientFor({ appId: 'alpha.app', env: 'production', serial: credential.serial, privateKey, publicKey: credential.publicKey });
    expect(await prod.get('/open/v1/ping')).toMatchObject({ env: 'production' });
    const { orderId } = await prod.post<{ orderId: string }>('/open/v1/payments/prepay', prepayBody());
    expect(await h.store.collection(ORDERS).findOne({ orderId })).toMatchObject({ env: 'production' });
  });

  it('POST /open/v1/ping echoes a signed body', async () => {
    expect(await B.client.post('/open/v1/ping', { hello: '世界' })).toMatchObject({ appId: 'beta.app', echo: { hello: '世界' } });
  });

  it('coerces query strings to the params schema types', async () => {
    await A.client.get('/open/v1/payments/orders', { limit: 5, status: 'paid', from: 0 });
    expect(probe.lastListParams).toEqual({ limit: 5, status: 'paid', from: 0 });
  });

  it('platform routes: handler types inferred from the schemas, query coerced', async () => {
    h.openApi.route({
      method: 'GET',
      path: '/open/v1/typed/{word}',
      operationId: 'typedCheck',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['word'],
        properties: { word: { type: 'string', maxLength: 20 }, times: { type: 'integer', minimum: 1, maximum: 5 } },
      },
      result: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string' } } },
      handler: async (_ctx, { params }) => {
        const times: number | undefined = params.times;
        // @ts-expect-error word is a string, not a number
        const wrong: number = params.word;
        void wrong;
        return { text: params.word.repeat(times ?? 1) };
      },
    });
    expect(h.openApi.routes().find((r) => r.operationId === 'typedCheck')).toMatchObject({ capability: null, tier: 'standard', handled: true });
    expect(await A.client.get('/open/v1/typed/%E7%A5%A8', { times: 3 })).toEqual({ text: '票票票' });
  });

  it('echoes X-Request-Id and puts it in problems', async () => {
    const res = await sendSigned(h, A, 'GET', '/open/v1/nothing-here', { headers: { 'x-request-id': 'merchant-req-42' } });
    expect(res.headers.get('x-request-id')).toBe('merchant-req-42');
    expectProblem(h, res, 404, 'ROUTE_NOT_FOUND');
    expect(res.json.requestId).toBe('merchant-req-42');
  });
});

describe('refusals of well-signed requests', () => {
  it('invalid params and bodies: INVALID_PARAMS naming the field, nothing run', async () => {
    const runs = probe.runs;
    const err = await A.client.get('/open/v1/payments/orders', { limit: 'many' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LilyOpenApiError);
    expect(err).toMatchObject({ status: 400, code: 'INVALID_PARAMS' });
    expect((err as LilyOpenApiError).problem.details).toMatchObject({ errors: [{ field: 'limit' }] });
    await expect(A.client.get('/open/v1/payments/orders', { color: 'red' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(A.client.post('/open/v1/payments/prepay', prepayBody({ amount: -1 }))).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(A.client.post('/open/v1/payments/prepay')).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(probe.runs).toBe(runs);
  });

  it('a body that is not JSON: INVALID_JSON; not application/json: UNSUPPORTED_MEDIA_TYPE', async () => {
    const before = await snapshot(h);
    const bad = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body: '{"amount": 1', idempotencyKey: 'k-json' });
    expectProblem(h, bad, 400, 'INVALID_JSON');
    const text = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', {
      body: 'amount=1',
      idempotencyKey: 'k-form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(h, text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await snapshot(h)).toEqual(before);
  });

  it('a body over the route limit: PAYLOAD_TOO_LARGE; a large upload route takes megabytes', async () => {
    const before = await snapshot(h);
    const big = JSON.stringify(prepayBody({ description: 'x'.repeat(1024 * 1024 + 10) }));
    const res = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body: big, idempotencyKey: 'k-big' });
    expectProblem(h, res, 413, 'PAYLOAD_TOO_LARGE');
    expect(await snapshot(h)).toEqual(before);

    const pkg = 'A'.repeat(2.5 * 1024 * 1024);
    expect(await A.client.post('/open/v1/apps/alpha.app/versions', { package: pkg })).toEqual({ appId: 'alpha.app', size: pkg.length });
    // Beyond the route's own 12 MiB limit: refused from Content-Length, before reading or verifying.
    const huge = JSON.stringify({ package: 'A'.repeat(12 * 1024 * 1024) });
    const over = await sendSigned(h, A, 'POST', '/open/v1/apps/alpha.app/versions', { sendBody: huge, idempotencyKey: 'k-huge' });
    expectProblem(h, over, 413, 'PAYLOAD_TOO_LARGE');
    expect(over.json.details).toEqual({ limit: 12 * 1024 * 1024 });
  });

  it('the app in the path must be the signing app: FORBIDDEN', async () => {
    const before = await snapshot(h);
    await expect(A.client.post('/open/v1/apps/beta.app/versions', { package: 'AA==' })).rejects.toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await snapshot(h)).toEqual(before);
  });

  it('a declared route without a handler: UNAVAILABLE (503), nothing written', async () => {
    const before = await snapshot(h);
    const err = await A.client
      .post('/open/v1/refunds', { orderId: 'ord_12345678', outRefundNo: 'rf-000001', amount: 100 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(await snapshot(h)).toEqual(before);
  });

  it('unknown paths: ROUTE_NOT_FOUND; wrong method: METHOD_NOT_ALLOWED with Allow; both signed', async () => {
    const notFound = await rawFetch(h.baseUrl, 'GET', '/open/v1/payments/nope', {});
    expectProblem(h, notFound, 404, 'ROUTE_NOT_FOUND');
    const wrong = await sendSigned(h, A, 'DELETE', '/open/v1/ping');
    expectProblem(h, wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('a suspended app: APP_SUSPENDED; a delisted app: APP_NOT_LIVE; nothing run or written', async () => {
    const C = await h.appWithKey('gamma.app', { live: true });
    expect(await C.client.get('/open/v1/ping')).toMatchObject({ appId: 'gamma.app' });
    await h.apps.setStatus('gamma.app', 'suspended', 'test: complaints', { kind: 'ops', id: 'ops-test' });
    const runs = probe.runs;
    let before = await snapshot(h);
    await expect(C.client.post('/open/v1/payments/prepay', prepayBody())).rejects.toMatchObject({ status: 403, code: 'APP_SUSPENDED' });
    expect(probe.runs).toBe(runs);
    expect(await snapshot(h)).toEqual(before);
    await h.apps.setStatus('gamma.app', 'delisted', 'test: exit', { kind: 'ops', id: 'ops-test' });
    before = await snapshot(h);
    await expect(C.client.get('/open/v1/ping')).rejects.toMatchObject({ status: 403, code: 'APP_NOT_LIVE' });
    expect(await snapshot(h)).toEqual(before);
  });

  it('server faults answer INTERNAL without internal text', async () => {
    const err = (await A.client.post('/open/v1/payments/prepay', prepayBody({ amount: 500 })).catch((e: unknown) => e)) as LilyOpenApiError;
    expect(err).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(err.problem)).not.toMatch(/exploded|srv/);
  });

  it('every answer carries the bank signature headers', async () => {
    const res = await sendSigned(h, A, 'GET', '/open/v1/ping');
    expect(res.status).toBe(200);
    expectBankSigned(h, res);
  });
});

describe('mounted after a global JSON parser that keeps rawBody', () => {
  it('verifies the kept bytes', async () => {
    const late = await startHarness({ jsonFirst: true });
    try {
      const probeLate = registerTestHandlers(late);
      const K = await late.appWithKey('late.app');
      expect(await K.client.post('/open/v1/payments/prepay', prepayBody({ description: '晚 late' }))).toMatchObject({ prepayId: expect.any(String) });
      expect(probeLate.runs).toBe(1);
      const body = JSON.stringify(prepayBody({ amount: 1 }));
      const tampered = await sendSigned(late, K, 'POST', '/open/v1/payments/prepay', { body, sendBody: body.replace('"amount":1', '"amount":2'), idempotencyKey: 'late-1' });
      expectProblem(late, tampered, 401, 'SIGNATURE_INVALID');
      expect(probeLate.runs).toBe(1);
    } finally {
      await late.close();
    }
  });
});
