/**
 * Test handlers for the Open API suites: a money-like write (`createPrepay`) that records every
 * run, a list with query params, and a large-upload platform route shaped like version upload.
 */
import { expect } from 'vitest';
import cashier from '../../capabilities/payment/cashier.ts';
import { randomId } from '../../capabilities/ids.ts';
import { signRequest, verifyBankSignature, type SignRequestInput } from '../../open-client/index.ts';
import { LilyError } from '../../protocol/errors.ts';
import type { Harness, AppKey } from './harness.ts';
import { rawFetch } from './harness.ts';

/** What the test handlers observed. */
export interface Probe {
  /** How many times createPrepay's handler started. */
  runs: number;
  /** The params listMerchantOrders last received. */
  lastListParams: Record<string, unknown> | null;
  /** The contexts handlers received, newest last. */
  contexts: { appId: string; env: string; idempotencyKey: string | null; requestId: string }[];
}

/** Writes the test handlers count: `test_orders` documents. */
export const ORDERS = 'test_orders';

/**
 * Registers the test handlers. createPrepay's body steers it: description `slow` waits 800 ms,
 * amount 999 answers INSUFFICIENT_FUNDS (a caller fault), amount 500 throws a plain error (a
 * server fault).
 */
export function registerTestHandlers(h: Harness): Probe {
  const probe: Probe = { runs: 0, lastListParams: null, contexts: [] };
  const createPrepay = cashier.openApi[0];
  h.openApi.handle(createPrepay, async (ctx, { body }) => {
    probe.runs++;
    probe.contexts.push({ appId: ctx.appId, env: ctx.env, idempotencyKey: ctx.idempotencyKey, requestId: ctx.requestId });
    if (body.description === 'slow') await new Promise((r) => setTimeout(r, 800));
    if (body.amount === 999) throw new LilyError('INSUFFICIENT_FUNDS', 'The merchant test balance is too low.');
    if (body.amount === 500) throw new Error('database exploded at /srv/lily');
    const orderId = randomId('ord');
    await ctx.store.transaction(async (tx) => {
      await tx.collection(ORDERS).insertOne({ appId: ctx.appId, env: ctx.env, orderId, outTradeNo: body.outTradeNo, amount: body.amount });
      await ctx.audit({ action: 'test.prepay.created', target: { kind: 'order', id: orderId } }, tx);
    });
    return { prepayId: randomId('pp'), orderId, expiresAt: ctx.now() + 1_800_000 };
  });
  h.openApi.handle('listMerchantOrders', async (ctx, { params }) => {
    probe.lastListParams = params;
    probe.contexts.push({ appId: ctx.appId, env: ctx.env, idempotencyKey: ctx.idempotencyKey, requestId: ctx.requestId });
    return { orders: [], nextCursor: null };
  });
  h.openApi.route({
    method: 'POST',
    path: '/open/v1/apps/{appId}/versions',
    operationId: 'testUploadVersion',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['appId'],
      properties: { appId: { type: 'string', maxLength: 64, description: 'App id.' } },
    },
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['package'],
      properties: { package: { type: 'string', maxLength: 16 * 1024 * 1024, description: 'Base64 package.' } },
    },
    result: {
      type: 'object',
      additionalProperties: false,
      required: ['appId', 'size'],
      properties: {
        appId: { type: 'string', maxLength: 64, description: 'App id.' },
        size: { type: 'integer', minimum: 0, description: 'Characters received.' },
      },
    },
    bodyLimit: 12 * 1024 * 1024,
    handler: async (_ctx, { params, body }) => ({ appId: params.appId, size: body.package.length }),
  });
  return probe;
}

/** A valid createPrepay body. */
export function prepayBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { openId: 'o_testuser0001', outTradeNo: `T${Date.now()}${Math.floor(Math.random() * 1e6)}`, amount: 1250, description: '打车 Ride', ...overrides };
}

/** Counts of the collections a refused request must not touch. */
export async function snapshot(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of [ORDERS, 'open_nonces', 'open_idempotency', 'audit']) out[name] = await h.store.collection(name).countDocuments();
  return out;
}

/** Signs and sends a request by hand, with any part overridable. */
export async function sendSigned(
  h: Harness,
  key: Pick<AppKey, 'appId' | 'serial' | 'privateKey'>,
  method: string,
  pathWithQuery: string,
  options: {
    body?: string;
    /** Send this body instead of the signed one. */
    sendBody?: string;
    /** Send to this path instead of the signed one. */
    sendPath?: string;
    idempotencyKey?: string;
    headers?: Record<string, string>;
    sign?: Partial<SignRequestInput>;
    /** Rewrites the Authorization header before sending. */
    authorization?: (value: string) => string;
  } = {},
): Promise<Awaited<ReturnType<typeof rawFetch>> & { authorization: string }> {
  const body = options.body ?? '';
  const signed = signRequest({
    method,
    pathWithQuery,
    body,
    appId: key.appId,
    serialNo: key.serial,
    privateKey: key.privateKey,
    timestamp: Math.floor(h.now() / 1000),
    ...options.sign,
  });
  const authorization = options.authorization ? options.authorization(signed.authorization) : signed.authorization;
  const headers: Record<string, string> = { authorization, ...options.headers };
  const sent = options.sendBody ?? body;
  if (sent !== '') headers['content-type'] ??= 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const res = await rawFetch(h.baseUrl, method, options.sendPath ?? pathWithQuery, headers, sent === '' ? undefined : sent);
  return { ...res, authorization };
}

/** Asserts a problem+json answer with the code, signed by the bank. */
export function expectProblem(h: Harness, res: { status: number; headers: Headers; text: string; json: any }, status: number, code: string): void {
  expect({ status: res.status, code: res.json?.code }, res.text).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json.requestId).toBe(res.headers.get('x-request-id'));
  expectBankSigned(h, res);
}

/** Asserts the response carries a valid bank signature. */
export function expectBankSigned(h: Harness, res: { headers: Headers; text: string }): void {
  const sig = res.headers.get('lily-signature');
  const ts = res.headers.get('lily-timestamp');
  const nonce = res.headers.get('lily-nonce');
  expect(res.headers.get('lily-serial')).toBe(h.bankKeys.serial);
  expect(sig && ts && nonce && verifyBankSignature(h.bankKeys.publicKey, sig, ts, nonce, res.text)).toBe(true);
}
