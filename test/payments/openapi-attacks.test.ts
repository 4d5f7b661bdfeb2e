/**
 * Attacks on the payment routes of the whole server: each refused with its code, and nothing
 * written (no order, no nonce spent, no idempotency record) for any refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { signRequest } from '../../open-client/index.ts';
import { createLiveApp } from '../helpers/apps.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let ride: { serialNo: string; privateKey: string };
let other: { serialNo: string; privateKey: string };
let openId: string;
const PATH = '/open/v1/payments/prepay';

async function send(
  key: { serialNo: string; privateKey: string },
  appId: string,
  body: string,
  options: { timestamp?: number; nonce?: string; idempotencyKey?: string | null; sendBody?: string; path?: string } = {},
) {
  const signed = signRequest({
    method: 'POST',
    pathWithQuery: options.path ?? PATH,
    body,
    appId,
    serialNo: key.serialNo,
    privateKey: key.privateKey,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
  const headers: Record<string, string> = { authorization: signed.authorization, 'content-type': 'application/json' };
  if (options.idempotencyKey !== null) headers['idempotency-key'] = options.idempotencyKey ?? signed.nonce;
  const res = await fetch(srv.baseUrl + (options.path ?? PATH), { method: 'POST', headers, body: options.sendBody ?? body });
  return { status: res.status, body: (await res.json()) as any, nonce: signed.nonce };
}

const count = (name: string) => srv.booted.deps.store.collection(name).countDocuments({});

/**
 * Runs a refused request and checks that it wrote nothing: no order, no idempotency record, and
 * no nonce, except for a request that was properly signed by the app itself (an idempotency
 * conflict), whose nonce is spent so that even the refused request cannot be replayed.
 */
async function nothingWritten<T>(fn: () => Promise<T>, options: { nonceSpent?: boolean } = {}): Promise<T> {
  const before = [await count('payment_orders'), await count('open_nonces'), await count('open_idempotency')];
  const out = await fn();
  const expected = [before[0], before[1]! + (options.nonceSpent ? 1 : 0), before[2]];
  expect([await count('payment_orders'), await count('open_nonces'), await count('open_idempotency')]).toEqual(expected);
  return out;
}

beforeAll(async () => {
  srv = await startTestServer();
  const deps = srv.booted.deps;
  await createLiveApp(deps, { appId: 'ride', capabilities: ['payment.cashier'], env: 'sandbox' });
  await createLiveApp(deps, { appId: 'movies', capabilities: ['payment.cashier'], env: 'sandbox' });
  const a = await deps.credentials.generate('ride', 'sandbox');
  const b = await deps.credentials.generate('movies', 'sandbox');
  ride = { serialNo: a.credential.serial, privateKey: a.privateKey };
  const alice = await deps.identity.findAccount('user', 'alice');
  openId = deps.tokens.openId(alice!._id, 'ride');
  other = { serialNo: b.credential.serial, privateKey: b.privateKey };
});
afterAll(() => srv.close());

const prepay = (n: string) => JSON.stringify({ openId, outTradeNo: `ride-${n}`, amount: 1500, description: '快车' });

describe('payment route attacks', () => {
  it('accepts a well-signed create-prepay (the baseline)', async () => {
    const ok = await send(ride, 'ride', prepay('base'));
    expect(ok.status).toBe(200);
    expect(ok.body.prepayId).toMatch(/^pp_/);
  });

  it('refuses a replayed nonce', async () => {
    const first = await send(ride, 'ride', prepay('replay'), { nonce: 'n'.repeat(32) });
    expect(first.status).toBe(200);
    const replay = await nothingWritten(() => send(ride, 'ride', prepay('replay2'), { nonce: 'n'.repeat(32), idempotencyKey: 'other-key' }));
    expect(replay.body.code).toBe('NONCE_REPLAYED');
  });

  it('refuses stale and future timestamps', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await nothingWritten(() => send(ride, 'ride', prepay('old'), { timestamp: now - 301 }))).body.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect((await nothingWritten(() => send(ride, 'ride', prepay('new'), { timestamp: now + 301 }))).body.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('refuses a tampered body', async () => {
    const tampered = await nothingWritten(() => send(ride, 'ride', prepay('t'), { sendBody: prepay('t').replace('1500', '1') }));
    expect(tampered.body.code).toBe('SIGNATURE_INVALID');
  });

  it('refuses a wrong key and the key of another app', async () => {
    const stranger = generateSm2KeyPair();
    const wrong = await nothingWritten(() => send({ serialNo: ride.serialNo, privateKey: stranger.privateKey }, 'ride', prepay('w')));
    expect(wrong.body.code).toBe('SIGNATURE_INVALID');
    const crossed = await nothingWritten(() => send(other, 'ride', prepay('x')));
    expect(crossed.body.code).toBe('SIGNATURE_INVALID');
  });

  it('refuses a missing idempotency key, and a reused one with another body', async () => {
    expect((await nothingWritten(() => send(ride, 'ride', prepay('i'), { idempotencyKey: null }))).body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const first = await send(ride, 'ride', prepay('idem'), { idempotencyKey: 'k-1' });
    expect(first.status).toBe(200);
    const same = await send(ride, 'ride', prepay('idem'), { idempotencyKey: 'k-1' });
    expect(same.body).toEqual(first.body);
    const conflict = await nothingWritten(() => send(ride, 'ride', prepay('idem-other'), { idempotencyKey: 'k-1' }), { nonceSpent: true });
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('refuses a revoked key and a suspended app', async () => {
    const deps = srv.booted.deps;
    await deps.credentials.revoke('movies', 'sandbox', other.serialNo, 'leaked');
    expect((await nothingWritten(() => send(other, 'movies', prepay('r')))).body.code).toBe('KEY_REVOKED');
    await deps.apps.setStatus('ride', 'suspended', 'investigation', { kind: 'ops', id: 'ops-test' });
    expect((await nothingWritten(() => send(ride, 'ride', prepay('s')))).body.code).toBe('APP_SUSPENDED');
    await deps.apps.setStatus('ride', 'live', 'cleared', { kind: 'ops', id: 'ops-test' });
    expect((await send(ride, 'ride', prepay('s'))).status).toBe(200);
  });
});
