import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../server/seed.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await http(srv.baseUrl, 'GET', '/healthz')).body).toMatchObject({ status: 'ok' });
    expect((await http(srv.baseUrl, 'GET', '/readyz')).body).toEqual({ status: 'ready', store: 'embedded' });
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const ok = await http(srv.baseUrl, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    const bad = await http(srv.baseUrl, 'GET', '/healthz', { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('errors over HTTP', () => {
  it('answers unknown routes with problem+json and the request id', async () => {
    const res = await http(srv.baseUrl, 'GET', '/api/nope', { headers: { 'x-request-id': 'r-1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404, requestId: 'r-1' });
  });

  it('gives Open API answers, which bypass Express, the same request id and common headers', async () => {
    for (const [path, headers] of [
      ['/healthz', { 'x-request-id': 'r-2' }],
      ['/open/v1/payments/orders/o_1?x=1', { 'x-request-id': 'r-2' }],
      ['/open/v1', { 'x-request-id': 'r-2' }],
    ] as const) {
      const res = await http(srv.baseUrl, 'GET', path, { headers });
      expect(res.headers.get('x-request-id'), path).toBe('r-2');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    const unsigned = await http(srv.baseUrl, 'GET', '/open/v1/payments/orders/o_1?x=1', { headers: { 'x-request-id': 'r-3' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ code: 'SIGNATURE_MISSING', requestId: 'r-3', instance: '/open/v1/payments/orders/o_1?x=1' });
    expect(unsigned.headers.get('lily-signature')).toBeTruthy();
    // A path that only starts like the Open API is the app's: Express answers it.
    const other = await http(srv.baseUrl, 'GET', '/open/v1x', { headers: { 'x-request-id': 'r-4' } });
    expect(other.status).toBe(404);
    expect(other.headers.get('lily-signature')).toBeNull();
    expect(other.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: 'r-4' });
  });

  it('answers malformed JSON with INVALID_JSON and no parser internals', async () => {
    const res = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: '{"kind": "user",' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_JSON');
    expect(JSON.stringify(res.body)).not.toMatch(/at |SyntaxError|position/);
  });

  it('answers an oversized body with PAYLOAD_TOO_LARGE', async () => {
    const res = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: JSON.stringify({ x: 'a'.repeat(1_100_000) }) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('names the bad field in INVALID_PARAMS', async () => {
    const res = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: { kind: 'robot', username: 'a', password: 'b' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_PARAMS');
    expect(res.body.detail).toMatch(/kind/);
    expect(res.body.details.errors[0].path).toBe('/kind');
    const extra = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: { kind: 'user', username: 'a', password: 'b', admin: true } });
    expect(extra.body.details.errors[0]).toEqual({ path: '/admin', message: 'is not allowed' });
  });
});

describe('identity', () => {
  it('seeds every demo account, idempotently', async () => {
    for (const account of DEMO_ACCOUNTS) {
      await expect(login(srv.baseUrl, account.kind, account.username, account.password)).resolves.toMatch(/^v1\./);
    }
    const { seed } = await import('../../server/seed.ts');
    const again = await seed({ ...srv.booted.deps });
    expect(again.created).toEqual([]);
  });

  it('logs in, tells who is calling, and logs out for good', async () => {
    const token = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
    const me = await http(srv.baseUrl, 'GET', '/api/auth/me', { token });
    expect(me.body.principal).toMatchObject({ kind: 'user', username: 'alice', roles: [] });
    expect((await http(srv.baseUrl, 'POST', '/api/auth/logout', { token })).status).toBe(204);
    const after = await http(srv.baseUrl, 'GET', '/api/auth/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('SESSION_EXPIRED');
  });

  it('refuses wrong passwords, unknown users and forged tokens alike', async () => {
    const wrong = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: { kind: 'user', username: 'alice', password: 'nope' } });
    const unknown = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: { kind: 'user', username: 'zed', password: 'nope' } });
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.detail).toBe(unknown.body.detail);
    // A user's password does not open an ops session.
    const crossKind = await http(srv.baseUrl, 'POST', '/api/auth/login', { body: { kind: 'ops', username: 'alice', password: 'alice-demo' } });
    expect(crossKind.status).toBe(401);

    const token = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
    const [v, sid, exp] = token.split('.');
    const forged = `${v}.${sid}.${(Date.now() + 1e9).toString(36)}.${token.split('.')[3]}`;
    expect((await http(srv.baseUrl, 'GET', '/api/auth/me', { token: forged })).body.code).toBe('UNAUTHENTICATED');
    expect((await http(srv.baseUrl, 'GET', '/api/auth/me', { token: 'garbage' })).body.code).toBe('UNAUTHENTICATED');
    expect((await http(srv.baseUrl, 'GET', '/api/auth/me')).body.code).toBe('UNAUTHENTICATED');
    expect(exp).toBeTruthy();
  });

  it('registers merchants and users but never ops by self-service', async () => {
    const res = await http(srv.baseUrl, 'POST', '/api/auth/register', {
      body: { kind: 'merchant', username: 'ridego', password: 'ridego-pass', displayName: 'RideGo' },
    });
    expect(res.status).toBe(201);
    const dup = await http(srv.baseUrl, 'POST', '/api/auth/register', {
      body: { kind: 'merchant', username: 'RideGo', password: 'another-pass' },
    });
    expect(dup.body.code).toBe('ACCOUNT_EXISTS');
    const ops = await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'ops', username: 'evil', password: 'evil-pass-1' } });
    expect(ops.body.code).toBe('INVALID_PARAMS');
    const weak = await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'user', username: 'weak', password: 'short' } });
    expect(weak.body.code).toBe('INVALID_PARAMS');
    await expect(login(srv.baseUrl, 'merchant', 'ridego', 'ridego-pass')).resolves.toBeTruthy();
  });

  it('requires X-Lily-Client on cookie-authenticated changes (CSRF)', async () => {
    const res = await fetch(`${srv.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'user', username: 'bob', password: 'bob-demo-1' }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/lily_session=.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = cookie.split(';')[0]!;
    const read = await http(srv.baseUrl, 'GET', '/api/auth/me', { headers: { cookie: session } });
    expect(read.body.principal.username).toBe('bob');
    const forged = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { headers: { cookie: session }, body: { pin: '654321' } });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('CSRF_REJECTED');
    const ok = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', {
      headers: { cookie: session, 'x-lily-client': 'web' },
      body: { pin: '654321' },
    });
    expect(ok.body).toEqual({ verified: true });
  });

  it('checks roles and principal kinds', async () => {
    const merchant = await login(srv.baseUrl, 'merchant', 'merchant', 'merchant-demo');
    const res = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token: merchant, body: { pin: '123456' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});

describe('payment PIN', () => {
  it('locks after five wrong PINs, even when they arrive in parallel, and says when to retry', async () => {
    await http(srv.baseUrl, 'POST', '/api/auth/register', { body: { kind: 'user', username: 'pinner', password: 'pinner-pass' } });
    const token = await login(srv.baseUrl, 'user', 'pinner', 'pinner-pass');
    const notSet = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token, body: { pin: '111111' } });
    expect(notSet.body.code).toBe('PIN_NOT_SET');
    const badPin = await http(srv.baseUrl, 'PUT', '/api/me/pin', { token, body: { password: 'pinner-pass', pin: '12ab56' } });
    expect(badPin.body.code).toBe('INVALID_PARAMS');
    const wrongPassword = await http(srv.baseUrl, 'PUT', '/api/me/pin', { token, body: { password: 'nope', pin: '246810' } });
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
    expect((await http(srv.baseUrl, 'PUT', '/api/me/pin', { token, body: { password: 'pinner-pass', pin: '246810' } })).status).toBe(204);

    const first = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token, body: { pin: '000000' } });
    expect(first.body).toMatchObject({ code: 'PIN_INCORRECT', details: { attemptsLeft: 4 } });
    expect((await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token, body: { pin: '246810' } })).body).toEqual({ verified: true });

    // Twelve wrong guesses at once: at most five are ever checked.
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token, body: { pin: String(100000 + i) } })),
    );
    const codes = guesses.map((g) => g.body.code);
    expect(codes.filter((c) => c === 'PIN_INCORRECT').length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === 'PIN_LOCKED').length).toBeGreaterThanOrEqual(8);
    const locked = await http(srv.baseUrl, 'POST', '/api/me/pin/verify', { token, body: { pin: '246810' } });
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('PIN_LOCKED');
    expect(locked.body.details.retryAfterSeconds).toBeGreaterThan(800);
  });
});

describe('PIN storage', () => {
  it('stores a salted scrypt hash of the peppered PIN: the PIN alone does not verify against it', async () => {
    const { verifySecret } = await import('../../server/identity/secrets.ts');
    const alice = await srv.booted.deps.identity.findAccount('user', 'alice');
    expect(alice?.pin?.hash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(alice!.pin!.hash).not.toContain('123456');
    expect(await verifySecret('123456', alice!.pin!.hash)).toBe(false);
    await expect(srv.booted.deps.identity.verifyPin(alice!._id, '123456')).resolves.toBeUndefined();
  });
});

describe('bank keys', () => {
  it('publishes the bank public key and its serial', async () => {
    const res = await http(srv.baseUrl, 'GET', '/api/bank/public-key');
    expect(res.body).toMatchObject({ algorithm: 'SM2', userId: '1234567812345678' });
    expect(res.body.publicKey).toMatch(/^04[0-9a-f]{128}$/);
    expect(res.body.serial).toMatch(/^[0-9A-F]{16}$/);
  });
});
