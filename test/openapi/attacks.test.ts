/**
 * Open API attacks: each refused with its own code, before the handler runs, with nothing written
 * (not even a spent nonce, unless the signature verified).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../open-client/index.ts';
import { fromHex, generateSm2KeyPair, randomBytes, toBase64 } from '../../runtime/crypto/sm.ts';
import { expectProblem, prepayBody, registerTestHandlers, sendSigned, snapshot, type Probe } from './fixtures.ts';
import { startHarness, rawFetch, type AppKey, type Harness } from './harness.ts';

let h: Harness;
let probe: Probe;
let A: AppKey;
let B: AppKey;

const N_HEX = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123';

/** base64 of a DER SEQUENCE { INTEGER r, INTEGER s } built from raw integer bodies (hex). */
function der(rBody: string, sBody: string): string {
  const int = (body: string): string => `02${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
  const seq = int(rBody) + int(sBody);
  return toBase64(fromHex(`30${(seq.length / 2).toString(16).padStart(2, '0')}${seq}`));
}

function withSignature(authorization: string, signature: string): string {
  return authorization.replace(/signature="[^"]*"/, `signature="${signature}"`);
}

beforeAll(async () => {
  h = await startHarness();
  probe = registerTestHandlers(h);
  A = await h.appWithKey('alpha.app');
  B = await h.appWithKey('beta.app');
});

afterAll(async () => {
  await h?.close();
});

/** Runs `attack` and checks: its code, the handler did not run, no collection changed. */
async function refusedWithNothingWritten(
  attack: () => Promise<{ status: number; headers: Headers; text: string; json: any }>,
  status: number,
  code: string,
  detail?: RegExp,
): Promise<void> {
  const runs = probe.runs;
  const before = await snapshot(h);
  const res = await attack();
  expectProblem(h, res, status, code);
  if (detail) expect(res.json.detail).toMatch(detail);
  expect(probe.runs, 'the handler ran').toBe(runs);
  expect(await snapshot(h), 'something was written').toEqual(before);
}

const postPrepay = (key: Pick<AppKey, 'appId' | 'serial' | 'privateKey'>, options: Parameters<typeof sendSigned>[4] = {}) =>
  sendSigned(h, key, 'POST', '/open/v1/payments/prepay', { body: JSON.stringify(prepayBody()), idempotencyKey: `k-${Math.random()}`, ...options });

describe('the Authorization header', () => {
  it('missing, or of another scheme: SIGNATURE_MISSING', async () => {
    await refusedWithNothingWritten(() => rawFetch(h.baseUrl, 'GET', '/open/v1/ping', {}), 401, 'SIGNATURE_MISSING');
    await refusedWithNothingWritten(
      () => rawFetch(h.baseUrl, 'GET', '/open/v1/ping', { authorization: 'Bearer abc.def' }),
      401,
      'SIGNATURE_MISSING',
      /scheme "Bearer"/,
    );
  });

  const malformed: [string, (auth: string) => string, RegExp][] = [
    ['no parameters', () => 'LILY-SM2-SM3', /no parameters/],
    ['a missing parameter', (a) => a.replace(/,nonce="[^"]*"/, ''), /lacks the parameter nonce/],
    ['an unknown parameter', (a) => `${a},mchid="1"`, /unknown parameter "mchid"/],
    ['a repeated parameter', (a) => `${a},app_id="alpha.app"`, /repeats the parameter "app_id"/],
    ['an unquoted value', (a) => a.replace(/app_id="([^"]*)"/, 'app_id=$1'), /malformed at character/],
    ['a trailing comma', (a) => `${a},`, /ends with a comma/],
    ['a quote inside a value', (a) => a.replace(/app_id="([^"]*)"/, 'app_id="app"alpha"'), /malformed/],
    ['a timestamp in milliseconds', (a) => a.replace(/timestamp="(\d+)"/, 'timestamp="$1000"'), /milliseconds/],
    ['a timestamp that is not digits', (a) => a.replace(/timestamp="(\d+)"/, 'timestamp="-$1"'), /whole seconds/],
    ['a short nonce', (a) => a.replace(/nonce="[^"]*"/, 'nonce="abc123"'), /nonce must be 16-64/],
    ['a serial that is not hex', (a) => a.replace(/serial_no="[^"]*"/, 'serial_no="NOT-A-SERIAL-XYZ"'), /serial_no must be/],
    ['a signature that is not base64', (a) => withSignature(a, 'not base64!'), /standard base64/],
    ['a signature that is not DER', (a) => withSignature(a, toBase64(randomBytes(70))), /not a DER-encoded/],
    ['a DER signature with trailing bytes', (a) => withSignature(a, toBase64(new Uint8Array([...fromHex('3006020101020101'), 0]))), /not a DER/],
    ['a non-minimal DER integer', (a) => withSignature(a, der('0001', '01')), /not a DER-encoded/],
    ['r = 0', (a) => withSignature(a, der('00', '01')), /outside \[1, n-1\]/],
    ['s = 0', (a) => withSignature(a, der('01', '00')), /outside \[1, n-1\]/],
    ['r = n', (a) => withSignature(a, der(`00${N_HEX}`, '01')), /outside \[1, n-1\]/],
    ['s ≥ n', (a) => withSignature(a, der('01', `00${'F'.repeat(64)}`)), /outside \[1, n-1\]/],
  ];
  for (const [name, mutate, detail] of malformed) {
    it(`${name}: SIGNATURE_INVALID with a clear message`, async () => {
      await refusedWithNothingWritten(() => postPrepay(A, { authorization: mutate }), 401, 'SIGNATURE_INVALID', detail);
    });
  }

  it('a well-formed DER signature that does not verify: SIGNATURE_INVALID', async () => {
    const forged = der('7'.repeat(64), '3'.repeat(64));
    await refusedWithNothingWritten(() => postPrepay(A, { authorization: (a) => withSignature(a, forged) }), 401, 'SIGNATURE_INVALID', /does not verify/);
  });
});

describe('what the signature covers', () => {
  it('a tampered body: SIGNATURE_INVALID', async () => {
    const signed = JSON.stringify(prepayBody({ amount: 100 }));
    const sent = signed.replace('"amount":100', '"amount":100000');
    await refusedWithNothingWritten(() => postPrepay(A, { body: signed, sendBody: sent }), 401, 'SIGNATURE_INVALID');
  });

  it('a tampered query or path: SIGNATURE_INVALID', async () => {
    await refusedWithNothingWritten(
      () => sendSigned(h, A, 'GET', '/open/v1/payments/orders?limit=1', { sendPath: '/open/v1/payments/orders?limit=100' }),
      401,
      'SIGNATURE_INVALID',
    );
    await refusedWithNothingWritten(
      () => sendSigned(h, A, 'GET', '/open/v1/payments/orders', { sendPath: '/open/v1/payments/orders?status=paid' }),
      401,
      'SIGNATURE_INVALID',
    );
    await refusedWithNothingWritten(
      () => postPrepay(A, { body: '{}', sendPath: '/open/v1/ping' }),
      401,
      'SIGNATURE_INVALID',
    );
  });

  it('a tampered method: SIGNATURE_INVALID', async () => {
    await refusedWithNothingWritten(
      () => sendSigned(h, A, 'GET', '/open/v1/ping', { authorization: (a) => a, sign: { method: 'POST' } }),
      401,
      'SIGNATURE_INVALID',
    );
  });
});

describe('keys', () => {
  it('a key the app does not have (wrong private key): SIGNATURE_INVALID', async () => {
    const stranger = generateSm2KeyPair();
    await refusedWithNothingWritten(() => postPrepay({ ...A, privateKey: stranger.privateKey }), 401, 'SIGNATURE_INVALID');
  });

  it("another app's key: SIGNATURE_INVALID (the serial is not this app's)", async () => {
    await refusedWithNothingWritten(() => postPrepay({ appId: A.appId, serial: B.serial, privateKey: B.privateKey }), 401, 'SIGNATURE_INVALID', /no key with serial_no/);
    // And B's key claiming to be app A cannot be rescued by sending A's serial.
    await refusedWithNothingWritten(() => postPrepay({ appId: A.appId, serial: A.serial, privateKey: B.privateKey }), 401, 'SIGNATURE_INVALID');
  });

  it('a revoked key: KEY_REVOKED', async () => {
    const C = await h.appWithKey('revoked.app');
    expect(await C.client.get('/open/v1/ping')).toMatchObject({ appId: 'revoked.app' });
    await h.credentials.revoke('revoked.app', 'sandbox', C.serial, 'leaked in a log');
    await refusedWithNothingWritten(() => postPrepay(C), 401, 'KEY_REVOKED', /revoked/);
  });

  it('rotation: both keys work during the overlap; the old one is refused after it', async () => {
    const D = await h.appWithKey('rotating.app');
    const rotated = await h.credentials.rotate('rotating.app', 'sandbox', { overlapSeconds: 60 });
    const fresh = h.clientFor({ appId: 'rotating.app', env: 'sandbox', serial: rotated.credential.serial, privateKey: rotated.privateKey!, publicKey: rotated.credential.publicKey });
    expect(rotated.retiring?.serial).toBe(D.serial);
    expect(await D.client.get('/open/v1/ping')).toMatchObject({ appId: 'rotating.app' });
    expect(await fresh.post('/open/v1/payments/prepay', prepayBody())).toMatchObject({ prepayId: expect.any(String) });
    const runs = probe.runs;
    expect(await D.client.post('/open/v1/payments/prepay', prepayBody())).toMatchObject({ prepayId: expect.any(String) });
    expect(probe.runs).toBe(runs + 1);

    h.clock.offsetMs = 61_000; // past the overlap, well inside the ±300 s window
    try {
      await refusedWithNothingWritten(() => postPrepay(D), 401, 'KEY_REVOKED', /overlap has ended/);
      expect(await fresh.get('/open/v1/ping')).toMatchObject({ appId: 'rotating.app' });
    } finally {
      h.clock.offsetMs = 0;
    }
  });
});

describe('time and replays', () => {
  beforeEach(() => {
    h.clock.offsetMs = 0;
  });

  it('a stale timestamp (301 s old): TIMESTAMP_OUT_OF_WINDOW, and the nonce is not spent', async () => {
    const ts = Math.floor(h.now() / 1000) - 301;
    await refusedWithNothingWritten(() => postPrepay(A, { sign: { timestamp: ts } }), 401, 'TIMESTAMP_OUT_OF_WINDOW', /behind/);
  });

  it('a future timestamp (301 s ahead): TIMESTAMP_OUT_OF_WINDOW', async () => {
    const ts = Math.floor(h.now() / 1000) + 301;
    await refusedWithNothingWritten(() => postPrepay(A, { sign: { timestamp: ts } }), 401, 'TIMESTAMP_OUT_OF_WINDOW', /ahead/);
  });

  it('a timestamp 290 s off is still accepted', async () => {
    const res = await sendSigned(h, A, 'GET', '/open/v1/ping', { sign: { timestamp: Math.floor(h.now() / 1000) - 290 } });
    expect(res.status).toBe(200);
  });

  it('a replayed request (same nonce): NONCE_REPLAYED, the handler ran once', async () => {
    const body = JSON.stringify(prepayBody());
    const signed = signRequest({
      method: 'POST',
      pathWithQuery: '/open/v1/payments/prepay',
      body,
      appId: A.appId,
      serialNo: A.serial,
      privateKey: A.privateKey,
    });
    const headers = { authorization: signed.authorization, 'content-type': 'application/json', 'idempotency-key': 'replay-1' };
    const first = await rawFetch(h.baseUrl, 'POST', '/open/v1/payments/prepay', headers, body);
    expect(first.status).toBe(200);
    await refusedWithNothingWritten(() => rawFetch(h.baseUrl, 'POST', '/open/v1/payments/prepay', headers, body), 401, 'NONCE_REPLAYED');
    // Even with another Idempotency-Key (the header is not signed): still the same nonce.
    await refusedWithNothingWritten(
      () => rawFetch(h.baseUrl, 'POST', '/open/v1/payments/prepay', { ...headers, 'idempotency-key': 'replay-2' }, body),
      401,
      'NONCE_REPLAYED',
    );
  });

  it('nonces are per app: another app may use the same nonce', async () => {
    const nonce = 'shared-nonce-0123456789';
    expect((await sendSigned(h, A, 'GET', '/open/v1/ping', { sign: { nonce } })).status).toBe(200);
    expect((await sendSigned(h, B, 'GET', '/open/v1/ping', { sign: { nonce } })).status).toBe(200);
    expectProblem(h, await sendSigned(h, A, 'GET', '/open/v1/ping', { sign: { nonce } }), 401, 'NONCE_REPLAYED');
  });
});

describe('requests signed with the right key, refused anyway', () => {
  it('a POST without Idempotency-Key: IDEMPOTENCY_KEY_REQUIRED, nothing written', async () => {
    await refusedWithNothingWritten(
      () => sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body: JSON.stringify(prepayBody()) }),
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
    );
    await refusedWithNothingWritten(() => postPrepay(A, { idempotencyKey: 'x'.repeat(129) }), 400, 'IDEMPOTENCY_KEY_REQUIRED');
  });

  it('a capability the app was never granted, or that was revoked: PERMISSION_DENIED, nothing written', async () => {
    const G = await h.appWithKey('gamma.app', { granted: ['payment.orders'] });
    await refusedWithNothingWritten(() => postPrepay(G), 403, 'PERMISSION_DENIED', /payment\.cashier, which is not granted to app gamma\.app in sandbox/);
    // Granted in sandbox only: a production key cannot use it either.
    const P = await h.appWithKey('delta.app', { env: 'production', granted: [] });
    await h.grants.grant({ appId: 'delta.app', env: 'sandbox', capability: 'payment.cashier' }, { kind: 'ops', id: 'ops-test' });
    await refusedWithNothingWritten(() => postPrepay(P), 403, 'PERMISSION_DENIED', /not granted to app delta\.app in production/);
    // Revoked: refused at once.
    await h.grants.revoke({ appId: 'alpha.app', env: 'sandbox', capability: 'payment.cashier', reason: 'test' }, { kind: 'ops', id: 'ops-test' });
    try {
      await refusedWithNothingWritten(() => postPrepay(A), 403, 'PERMISSION_DENIED', /was revoked for app alpha\.app/);
    } finally {
      await h.grants.grant({ appId: 'alpha.app', env: 'sandbox', capability: 'payment.cashier' }, { kind: 'ops', id: 'ops-test' });
    }
    // Platform routes belong to no capability: a key of an app with no grant still pings.
    expect((await sendSigned(h, G, 'GET', '/open/v1/ping')).status).toBe(200);
  });

  it('signing material never leaks into problems', async () => {
    const res = await postPrepay(A, { authorization: (a) => withSignature(a, der('00', '01')) });
    expect(res.text).not.toContain(A.privateKey);
    expect(res.text).not.toContain(A.publicKey);
  });
});
