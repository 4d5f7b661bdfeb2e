/**
 * The server side of the bridge over a real socket.io connection: session, launch token, the three
 * gates, schema validation, pushes and revocation while a mini-app is open.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../../protocol/errors.ts';
import { BRIDGE_NAMESPACE, OPS_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../../protocol/socket.ts';
import { createLiveApp } from '../helpers/apps.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';

type BridgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let srv: TestServer;
let alice: string;
let bob: string;
const sockets: BridgeSocket[] = [];

async function open(token: string): Promise<BridgeSocket> {
  const socket: BridgeSocket = connect(`${srv.baseUrl}${BRIDGE_NAMESPACE}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

async function launch(token: string, appId: string, env?: string) {
  const res = await http(srv.baseUrl, 'POST', '/api/launch', { token, body: env ? { appId, env } : { appId } });
  if (res.status !== 200) throw Object.assign(new Error(`launch failed ${res.status}`), { body: res.body });
  return res.body as { launchToken: string; instanceId: string; openId: string; grants: Record<string, unknown>; release: any; consents: any };
}

function call(socket: BridgeSocket, launchToken: string, capability: string, method: string, params: Record<string, unknown> = {}, extra: object = {}) {
  return socket.timeout(10_000).emitWithAck('call', { launchToken, capability, method, params, callId: 'c1', ...extra }) as Promise<Response<any>>;
}

let ops: string;

beforeAll(async () => {
  srv = await startTestServer();
  alice = await login(srv.baseUrl, 'user', 'alice', 'alice-demo');
  bob = await login(srv.baseUrl, 'user', 'bob', 'bob-demo-1');
  ops = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  const deps = srv.booted.deps;
  await createLiveApp(deps, {
    appId: 'ride',
    capabilities: ['base.storage', 'base.log', 'base.support', 'member.userInfo', 'payment.cashier', 'base.ui'],
    granted: ['base.storage', 'base.log', 'base.support', 'member.userInfo', 'payment.cashier', 'base.ui'],
  });
  await createLiveApp(deps, { appId: 'movies', capabilities: ['base.storage', 'base.log'], granted: ['base.storage'] });
  await createLiveApp(deps, {
    appId: 'quota',
    capabilities: ['base.storage'],
    quota: { 'base.storage': { perMinute: 3 } },
  });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await srv.close();
});

describe('bridge connection', () => {
  it('refuses a socket without a session, or with an ops session', async () => {
    await expect(open('')).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    await expect(open('v1.forged.token.x')).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    await expect(open(ops)).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});

describe('launch', () => {
  it('answers the package, the signed release, the grant snapshot and a token; open ids differ per app', async () => {
    const ride = await launch(alice, 'ride');
    const movies = await launch(alice, 'movies');
    expect(ride.launchToken).toMatch(/^lt1\./);
    expect(ride.grants).toHaveProperty('base.storage');
    expect(ride.release.record).toMatchObject({ appId: 'ride', env: 'production', version: '1.0.0' });
    expect(ride.release.signature).toMatch(/^30/);
    expect(ride.openId).toMatch(/^o_/);
    expect(ride.openId).not.toBe(movies.openId);
    expect((await launch(alice, 'ride')).openId).toBe(ride.openId);
    expect((await launch(bob, 'ride')).openId).not.toBe(ride.openId);
  });

  it('refuses unknown, draft and sandbox-only apps', async () => {
    const res = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'nope-app' } });
    expect(res.body.code).toBe('APP_NOT_LIVE');
    const sandbox = await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'ride', env: 'sandbox' } });
    expect(sandbox.body.code).toBe('APP_NOT_LIVE');
  });
});

describe('calls', () => {
  it('runs a granted server capability end to end', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    const set = await call(socket, launchToken, 'base.storage', 'setStorage', { key: 'k', data: { a: 1 } });
    expect(set.error).toBeUndefined();
    expect(set.result).toMatchObject({ key: 'k' });
    const get = await call(socket, launchToken, 'base.storage', 'getStorage', { key: 'k' });
    expect(get.result).toEqual({ data: { a: 1 } });
  });

  it('keeps storage per user and app', async () => {
    const socket = await open(bob);
    const { launchToken } = await launch(bob, 'ride');
    const get = await call(socket, launchToken, 'base.storage', 'getStorage', { key: 'k' });
    expect(get.error?.code).toBe('NOT_FOUND');
  });

  it('refuses invalid params naming the field', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    const res = await call(socket, launchToken, 'base.storage', 'setStorage', { key: 42, data: 1 });
    expect(res.error?.code).toBe('INVALID_PARAMS');
    expect(res.error?.message).toMatch(/key/);
  });

  it('refuses unknown capabilities, host-side capabilities and oversized payloads', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    expect((await call(socket, launchToken, 'base.nothing', 'x')).error?.code).toBe('UNKNOWN_CAPABILITY');
    expect((await call(socket, launchToken, 'base.ui', 'showToast', { title: 'hi' })).error?.code).toBe('UNKNOWN_CAPABILITY');
    const big = await call(socket, launchToken, 'base.storage', 'setStorage', { key: 'big', data: 'x'.repeat(1_100_000) });
    expect(big.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a capability that is declared but not granted, and one that is not declared', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'movies');
    expect((await call(socket, launchToken, 'base.log', 'log', { level: 'info', message: 'hi' })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(socket, launchToken, 'base.support', 'openCustomerService', { question: '退款' })).error?.code).toBe(
      'CAPABILITY_NOT_DECLARED',
    );
    const audit = await srv.booted.deps.audit.list({ action: 'gate.denied', limit: 10 });
    expect(audit.some((e) => e.reason?.includes('base.log') && e.data.code === 'PERMISSION_DENIED')).toBe(true);
  });

  it('needs consent for scoped capabilities: required, refused, granted, expired, revoked', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    // getUserInfo may only run from a user's tap; the host marks calls that started in one.
    const noTap = await call(socket, launchToken, 'member.userInfo', 'getUserInfo');
    expect(noTap.error?.code).toBe('PERMISSION_DENIED');
    expect(noTap.error?.message).toMatch(/user tap/);
    const tap = { userGesture: true };
    const first = await call(socket, launchToken, 'member.userInfo', 'getUserInfo', {}, tap);
    expect(first.error?.code).toBe('CONSENT_REQUIRED');

    const sheet = await http(srv.baseUrl, 'GET', '/api/consents/sheet?appId=ride&scope=scope.userInfo', { token: alice });
    expect(sheet.body).toMatchObject({ appId: 'ride', scope: 'scope.userInfo', appName: 'Test ride' });
    // The purpose in both of the host's languages, Chinese first.
    expect(sheet.body.purpose).toEqual({ zh: '在小程序中显示您的昵称和头像。', en: 'Show your nickname and avatar in the mini-app.' });
    expect(sheet.body.description).toEqual({ zh: '昵称、头像和地区。', en: 'Nickname, avatar and region.' });
    expect(sheet.body.reasons).toContain('The test needs member.userInfo.');

    await http(srv.baseUrl, 'POST', '/api/consents', { token: alice, body: { appId: 'ride', scope: 'scope.userInfo', granted: false } });
    expect((await call(socket, launchToken, 'member.userInfo', 'getUserInfo', {}, tap)).error?.code).toBe('CONSENT_REQUIRED');

    await http(srv.baseUrl, 'POST', '/api/consents', { token: alice, body: { appId: 'ride', scope: 'scope.userInfo', granted: true } });
    // Consent passes: the profile comes back, under the app's open id.
    const granted = await call(socket, launchToken, 'member.userInfo', 'getUserInfo', {}, tap);
    expect(granted.error).toBeUndefined();
    expect(JSON.stringify(granted.result)).not.toContain((await me(alice)).id);

    const listed = await http(srv.baseUrl, 'GET', '/api/consents', { token: alice });
    expect(listed.body.apps[0]).toMatchObject({ appId: 'ride', scopes: [expect.objectContaining({ scope: 'scope.userInfo', status: 'granted' })] });

    // Expired: decide with a past expiry through the service.
    await srv.booted.deps.consents.decide({ userId: (await me(alice)).id, appId: 'ride', scope: 'scope.userInfo', purpose: { zh: 'p', en: 'p' }, granted: true, ttlMs: -1 });
    expect((await call(socket, launchToken, 'member.userInfo', 'getUserInfo', {}, tap)).error?.code).toBe('CONSENT_EXPIRED');

    await http(srv.baseUrl, 'POST', '/api/consents', { token: alice, body: { appId: 'ride', scope: 'scope.userInfo', granted: true } });
    expect((await http(srv.baseUrl, 'DELETE', '/api/consents/ride/scope.userInfo', { token: alice })).status).toBe(204);
    expect((await call(socket, launchToken, 'member.userInfo', 'getUserInfo', {}, tap)).error?.code).toBe('CONSENT_REQUIRED');
    expect((await http(srv.baseUrl, 'DELETE', '/api/consents/ride/scope.userInfo', { token: alice })).body.code).toBe('NOT_FOUND');
  });

  it('pays a prepay through the bridge only with the host sheet confirmed and the right PIN', async () => {
    const socket = await open(alice);
    const { launchToken, openId } = await launch(alice, 'ride');
    const deps = srv.booted.deps;
    const scope = { store: deps.store, env: 'production' as const, appId: 'ride', now: Date.now };
    const { prepayId, orderId } = await deps.payments.createPrepay(scope, { openId, outTradeNo: 'ride-0001', amount: 2350, description: '快车 8.2 km' });
    const tap = { userGesture: true };
    // The guest alone cannot pay: without the host's confirmation the user is treated as having cancelled.
    expect((await call(socket, launchToken, 'payment.cashier', 'requestPayment', { prepayId }, tap)).error?.code).toBe('USER_CANCELLED');
    // A PIN inside the guest's params is not a host confirmation.
    expect((await call(socket, launchToken, 'payment.cashier', 'requestPayment', { prepayId, pin: '123456' }, tap)).error?.code).toBe('INVALID_PARAMS');
    const wrong = await call(socket, launchToken, 'payment.cashier', 'requestPayment', { prepayId }, { ...tap, host: { confirmed: true, pin: '000000' } });
    expect(wrong.error?.code).toBe('PIN_INCORRECT');
    const paid = await call(socket, launchToken, 'payment.cashier', 'requestPayment', { prepayId }, { ...tap, host: { confirmed: true, pin: '123456' } });
    expect(paid.error).toBeUndefined();
    expect(paid.result).toMatchObject({ orderId, status: 'paid', paidAmount: 2350, payMethod: 'balance' });
    // The merchant sees it paid.
    expect(await deps.payments.queryOrder(scope, { orderId })).toMatchObject({ status: 'paid' });
    const orders = await call(socket, launchToken, 'payment.orders', 'listOrders', {});
    expect(orders.error?.code).toBe('CAPABILITY_NOT_DECLARED');
  });

  it('applies the grant quota per app and capability', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'quota');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) codes.push((await call(socket, launchToken, 'base.storage', 'getStorageInfo')).error?.code);
    expect(codes.filter((c) => c === undefined).length).toBeGreaterThanOrEqual(1);
    expect(codes).toContain('QUOTA_EXCEEDED');
  });

  it('rate-limits a flood per app, capability and user with a retry hint', async () => {
    const socket = await open(bob);
    const { launchToken } = await launch(bob, 'ride');
    const results = await Promise.all(Array.from({ length: 80 }, () => call(socket, launchToken, 'base.storage', 'getStorageInfo')));
    const limited = results.filter((r) => r.error?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.error!.details).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    // Another user is not affected by bob's flood.
    const other = await open(alice);
    const mine = await launch(alice, 'ride');
    expect((await call(other, mine.launchToken, 'base.storage', 'getStorageInfo')).error).toBeUndefined();
  });
});

describe('launch tokens', () => {
  it('refuses a forged token, a token of another user, and a token for another app', async () => {
    const socket = await open(alice);
    const mine = await launch(alice, 'ride');
    const forged = mine.launchToken.slice(0, -3) + 'AAA';
    expect((await call(socket, forged, 'base.storage', 'getStorageInfo')).error?.code).toBe('LAUNCH_TOKEN_INVALID');

    const bobs = await launch(bob, 'ride');
    expect((await call(socket, bobs.launchToken, 'base.storage', 'getStorageInfo')).error?.code).toBe('LAUNCH_TOKEN_INVALID');

    // A token for movies cannot reach ride's grants: the app comes from the token alone.
    const movies = await launch(alice, 'movies');
    expect((await call(socket, movies.launchToken, 'base.log', 'log', { level: 'info', message: 'x' })).error?.code).toBe(
      'PERMISSION_DENIED',
    );

    // Rewriting the app inside a token breaks its MAC.
    const [prefix, body, mac] = movies.launchToken.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const swapped = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, a: 'ride' })).toString('base64url')}.${mac}`;
    expect((await call(socket, swapped, 'base.log', 'log', { level: 'info', message: 'x' })).error?.code).toBe('LAUNCH_TOKEN_INVALID');
  });

  it('refreshes a token only for its own user', async () => {
    const mine = await launch(alice, 'ride');
    const refreshed = await http(srv.baseUrl, 'POST', '/api/launch/refresh', { token: alice, body: { launchToken: mine.launchToken } });
    expect(refreshed.body.launchToken).toMatch(/^lt1\./);
    const stolen = await http(srv.baseUrl, 'POST', '/api/launch/refresh', { token: bob, body: { launchToken: mine.launchToken } });
    expect(stolen.body.code).toBe('LAUNCH_TOKEN_INVALID');
  });
});

describe('revocation while open', () => {
  it('pushes a revoked grant to open instances within a second, and refuses the next call', async () => {
    const socket = await open(alice);
    const { launchToken, instanceId } = await launch(alice, 'ride');
    const attached = await socket.timeout(5000).emitWithAck('instance:attach', { launchToken });
    expect(attached.result).toEqual({ appId: 'ride', instanceId });
    expect((await call(socket, launchToken, 'base.log', 'log', { level: 'info', message: 'before' })).error).toBeUndefined();

    const pushed = new Promise<{ at: number; event: unknown }>((resolve) =>
      socket.once('grant:changed', (event) => resolve({ at: Date.now(), event })),
    );
    const started = Date.now();
    const revoke = await http(srv.baseUrl, 'POST', '/api/ops/apps/ride/grants/revoke', {
      token: ops,
      body: { env: 'production', capability: 'base.log', reason: 'abuse report' },
    });
    expect(revoke.status).toBe(200);
    const { at, event } = await pushed;
    expect(at - started).toBeLessThan(1000);
    expect(event).toEqual({ appId: 'ride', env: 'production', capability: 'base.log', status: 'revoked' });
    expect((await call(socket, launchToken, 'base.log', 'log', { level: 'info', message: 'after' })).error?.code).toBe('PERMISSION_DENIED');

    // Re-granting restores it.
    await http(srv.baseUrl, 'POST', '/api/ops/apps/ride/grants', { token: ops, body: { env: 'production', capability: 'base.log' } });
    expect((await call(socket, launchToken, 'base.log', 'log', { level: 'info', message: 'again' })).error).toBeUndefined();
  });

  it('pushes a suspension and refuses every call and launch until resumed', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    await socket.timeout(5000).emitWithAck('instance:attach', { launchToken });
    const pushed = new Promise((resolve) => socket.once('app:status', resolve));
    await srv.booted.deps.apps.setStatus('ride', 'suspended', 'fraud investigation', { kind: 'ops', id: 'ops-test' });
    expect(await pushed).toEqual({ appId: 'ride', status: 'suspended', reason: 'fraud investigation' });
    expect((await call(socket, launchToken, 'base.storage', 'getStorageInfo')).error?.code).toBe('APP_SUSPENDED');
    expect((await http(srv.baseUrl, 'POST', '/api/launch', { token: alice, body: { appId: 'ride' } })).body.code).toBe('APP_SUSPENDED');
    await srv.booted.deps.apps.setStatus('ride', 'live', 'cleared', { kind: 'ops', id: 'ops-test' });
    expect((await call(socket, launchToken, 'base.storage', 'getStorageInfo')).error).toBeUndefined();
  });
});

describe('customer service', () => {
  it('answers from the FAQ, hands off to the live ops queue, and delivers the agent reply to the user', async () => {
    const socket = await open(alice);
    const { launchToken } = await launch(alice, 'ride');
    const answer = await call(socket, launchToken, 'base.support', 'openCustomerService', { question: '退款多久到账' });
    expect(answer.error).toBeUndefined();
    expect(answer.result.answers.length).toBeGreaterThan(0);
    expect(answer.result.ticketId).toBeNull();

    const opsSocket = connect(`${srv.baseUrl}${OPS_NAMESPACE}`, { auth: { token: ops }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      opsSocket.once('connect', () => resolve());
      opsSocket.once('connect_error', reject);
    });
    const queued = new Promise<any>((resolve) => opsSocket.once('support:ticket', resolve));
    const handoff = await call(socket, launchToken, 'base.support', 'openCustomerService', { question: '我的订单一直没有退款', handoff: true });
    expect(handoff.result.ticketId).toMatch(/^tk/);
    const event = await queued;
    expect(event).toMatchObject({ ticketId: handoff.result.ticketId, appId: 'ride', text: '我的订单一直没有退款' });

    const reply = new Promise<any>((resolve) => socket.once('support', resolve));
    const sent = await http(srv.baseUrl, 'POST', `/api/ops/support/tickets/${handoff.result.ticketId}/reply`, { token: ops, body: { text: '已为您加急处理' } });
    expect(sent.status).toBe(200);
    expect(await reply).toMatchObject({ ticketId: handoff.result.ticketId, from: 'agent', text: '已为您加急处理' });
    const mine = await http(srv.baseUrl, 'GET', '/api/me/support/tickets', { token: alice });
    expect(mine.body.tickets[0].messages.map((m: { from: string }) => m.from)).toEqual(['user', 'agent']);
    expect((await http(srv.baseUrl, 'POST', `/api/ops/support/tickets/${handoff.result.ticketId}/close`, { token: ops })).body.ticket.status).toBe('closed');
    expect((await http(srv.baseUrl, 'POST', `/api/ops/support/tickets/${handoff.result.ticketId}/reply`, { token: ops, body: { text: 'late' } })).body.code).toBe('NOT_FOUND');
    // Users cannot join the ops console.
    const intruder = connect(`${srv.baseUrl}${OPS_NAMESPACE}`, { auth: { token: alice }, transports: ['websocket'], reconnection: false });
    const refused = await new Promise<any>((resolve) => intruder.once('connect_error', resolve));
    expect(refused.data.code).toBe('FORBIDDEN');
    opsSocket.disconnect();
  });
});

describe('grants API', () => {
  it('lists requested vs granted, and is for ops admins only', async () => {
    const list = await http(srv.baseUrl, 'GET', '/api/ops/apps/movies/grants', { token: ops });
    expect(list.body.production).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ capability: 'base.log', requested: true, status: 'not-granted' }),
        expect.objectContaining({ capability: 'base.storage', requested: true, status: 'granted' }),
      ]),
    );
    const reviewer = await login(srv.baseUrl, 'ops', 'reviewer', 'reviewer-demo');
    const denied = await http(srv.baseUrl, 'POST', '/api/ops/apps/movies/grants', { token: reviewer, body: { env: 'production', capability: 'base.log' } });
    expect(denied.body.code).toBe('FORBIDDEN');
    const asUser = await http(srv.baseUrl, 'GET', '/api/ops/apps/movies/grants', { token: alice });
    expect(asUser.body.code).toBe('FORBIDDEN');
    const unknown = await http(srv.baseUrl, 'POST', '/api/ops/apps/movies/grants', { token: ops, body: { env: 'production', capability: 'base.nope' } });
    expect(unknown.body.code).toBe('INVALID_PARAMS');
    const badQuota = await http(srv.baseUrl, 'POST', '/api/ops/apps/movies/grants', {
      token: ops,
      body: { env: 'production', capability: 'base.log', quota: { perMinute: 0 } },
    });
    expect(badQuota.body.code).toBe('INVALID_PARAMS');
    const granted = await http(srv.baseUrl, 'POST', '/api/ops/apps/movies/grants', {
      token: ops,
      body: { env: 'production', capability: 'base.log', quota: { perMinute: 100 }, reason: 'logs for support' },
    });
    expect(granted.body).toMatchObject({ status: 'granted', quota: { perMinute: 100 } });
    const audit = await srv.booted.deps.audit.list({ targetId: 'movies', action: 'grant.granted' });
    expect(audit[0]).toMatchObject({ reason: 'logs for support', data: { capability: 'base.log', quota: { perMinute: 100 } } });
    expect((await srv.booted.deps.audit.verify()).ok).toBe(true);
  });
});

async function me(token: string): Promise<{ id: string }> {
  return (await http(srv.baseUrl, 'GET', '/api/auth/me', { token })).body.principal;
}
