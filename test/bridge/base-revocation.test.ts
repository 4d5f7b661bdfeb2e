/**
 * Live changes while a mini-app is open in a connected headless host, and launch tokens: ops
 * revoke grants (the host hears within a second and refuses at once; the server refuses too),
 * suspend the app; a forged token, another app's token, a rewritten token and another user's
 * token are refused by the server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../../protocol/errors.ts';
import { generateSm2KeyPair } from '../../runtime/crypto/sm.ts';
import { openConnected } from '../../runtime/headless/connected.ts';
import type { GrantChangedEvent } from '../../protocol/socket.ts';
import { http, login, startTestServer, type TestServer } from '../helpers/server.ts';
import { useLeakCheckedEngine } from '../runtime/support/engine.ts';
import { BASE, newUser, openTour, packTour, releaseTour, tapCall, until, type TourSession } from './tour-kit.ts';

const APP = 'com.lily.basetour.live';
const OTHER = 'com.lily.basetour.other';
const OPS = { kind: 'ops' as const, id: 'ops-test' };

const engine = useLeakCheckedEngine();
let srv: TestServer;
let ops: string;
let alice: { token: string; id: string };
let bob: { token: string; id: string };

const closers: (() => Promise<void>)[] = [];
// Registered after the leak check, so it runs before it.
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function session(user: { token: string }, appId = APP): Promise<TourSession> {
  const s = await openTour(srv, user.token, appId, { engine: engine() });
  closers.push(() => s.connected.close());
  s.connected.host.sheets.handle('consent', () => ({ granted: true }));
  return s;
}

/** Sends a call straight over the session's socket with a given launch token (the host's gates bypassed). */
async function direct(s: TourSession, launchToken: string, capability: string, method: string, params: Record<string, unknown> = {}): Promise<Response<unknown>> {
  return (await s.connected.connection.socket.timeout(10_000).emitWithAck('call', { launchToken, capability, method, params, callId: 'direct' })) as Response<unknown>;
}

/** Swaps a token's claims without its key: the MAC no longer matches. */
function rewrite(token: string, claims: Record<string, unknown>): string {
  const [prefix, body, mac] = token.split('.');
  const decoded = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
  return `${prefix}.${Buffer.from(JSON.stringify({ ...decoded, ...claims })).toString('base64url')}.${mac}`;
}

beforeAll(async () => {
  srv = await startTestServer();
  ops = await login(srv.baseUrl, 'ops', 'admin', 'admin-demo');
  alice = await newUser(srv, 'live-alice');
  bob = await newUser(srv, 'live-bob');
  const [app, other] = await Promise.all([packTour(APP, { name: 'Base Tour Live' }), packTour(OTHER, { name: 'Base Tour Other' })]);
  await releaseTour(srv, app, { name: 'Base Tour Live', granted: BASE.map((c) => c.id), envs: ['production'] });
  // The other app declares all 14 base capabilities too, but is granted only system info.
  await releaseTour(srv, other, { name: 'Base Tour Other', granted: ['base.system'], envs: ['production'] });
}, 120_000);

afterAll(() => srv?.close());

describe('revocation while the mini-app is open', () => {
  it('reaches the host within a second; the next calls fail host-side and server-side; a new grant restores them', async () => {
    const s = await session(alice);
    expect((await tapCall(s.app, 'getStorageInfo')).ok).toBe(true);
    expect((await tapCall(s.app, 'getLocation')).ok).toBe(true);

    const pushed = new Map<string, number>();
    const off = s.connected.connection.on((event, payload) => {
      if (event === 'grant:changed') pushed.set(`${(payload as GrantChangedEvent).capability}:${(payload as GrantChangedEvent).status}`, Date.now());
    });
    for (const capability of ['base.storage', 'base.location']) {
      const started = Date.now();
      const revoked = await http(srv.baseUrl, 'POST', `/api/ops/apps/${APP}/grants/revoke`, { token: ops, body: { env: 'production', capability, reason: 'abuse report' } });
      expect(revoked.status).toBe(200);
      await until(() => pushed.has(`${capability}:revoked`), 2_000);
      expect(pushed.get(`${capability}:revoked`)! - started).toBeLessThan(1000);
      expect(s.launched.granted.has(capability)).toBe(false);
    }

    // Host-side: refused by the host's grant gate, for a server-backed and a host-answered capability.
    const storage = await tapCall(s.app, 'getStorageInfo');
    expect(storage.error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/base\.storage was revoked/) });
    const location = await tapCall(s.app, 'getLocation');
    expect(location.error?.code).toBe('PERMISSION_DENIED');
    expect(s.connected.denials.map((d) => [d.capability, d.gate, d.code])).toEqual([
      ['base.storage', 'grant', 'PERMISSION_DENIED'],
      ['base.location', 'grant', 'PERMISSION_DENIED'],
    ]);
    expect((await tapCall(s.app, 'canIUse', { schema: 'base.storage' })).result).toEqual({ available: false, reason: 'notGranted' });
    // Server-side: the server refuses the same launch token on its own.
    expect((await direct(s, s.launched.info.launchToken, 'base.storage', 'getStorageInfo')).error?.code).toBe('PERMISSION_DENIED');
    const audit = await srv.booted.deps.audit.list({ action: 'gate.denied', limit: 20 });
    expect(audit.some((e) => e.actor.id === APP && e.reason?.includes('base.storage was revoked'))).toBe(true);
    // Other capabilities go on.
    expect((await tapCall(s.app, 'getSystemInfo')).ok).toBe(true);

    for (const capability of ['base.storage', 'base.location']) {
      await http(srv.baseUrl, 'POST', `/api/ops/apps/${APP}/grants`, { token: ops, body: { env: 'production', capability } });
      await until(() => pushed.has(`${capability}:granted`), 2_000);
    }
    off();
    expect((await tapCall(s.app, 'getStorageInfo')).ok).toBe(true);
    expect((await tapCall(s.app, 'getLocation')).ok).toBe(true);
  });

  it('a suspension stops every call on the host and on the server until ops resume the app', async () => {
    const s = await session(alice);
    await srv.booted.deps.apps.setStatus(APP, 'suspended', 'fraud investigation', OPS);
    try {
      await until(() => s.launched.stopped !== null, 2_000);
      expect((await tapCall(s.app, 'getSystemInfo')).error?.code).toBe('APP_SUSPENDED');
      expect((await tapCall(s.app, 'getStorageInfo')).error?.code).toBe('APP_SUSPENDED');
      expect((await direct(s, s.launched.info.launchToken, 'base.storage', 'getStorageInfo')).error?.code).toBe('APP_SUSPENDED');
    } finally {
      await srv.booted.deps.apps.setStatus(APP, 'live', 'cleared', OPS);
    }
    await until(() => s.launched.stopped === null, 2_000);
    expect((await tapCall(s.app, 'getStorageInfo')).ok).toBe(true);
  });
});

describe('launch tokens', () => {
  it('a forged token is refused by the server, for calls and for attaching', async () => {
    const s = await session(alice);
    const real = s.launched.info.launchToken;
    const forged = `${real.slice(0, -4)}${real.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    s.launched.info.launchToken = forged;
    try {
      const out = await tapCall(s.app, 'getStorageInfo');
      expect(out.error?.code).toBe('LAUNCH_TOKEN_INVALID');
      const attach = (await s.connected.connection.socket.timeout(5_000).emitWithAck('instance:attach', { launchToken: forged })) as Response<unknown>;
      expect(attach.error?.code).toBe('LAUNCH_TOKEN_INVALID');
      expect((await direct(s, 'lt1.not.a-token', 'base.storage', 'getStorageInfo')).error?.code).toBe('LAUNCH_TOKEN_INVALID');
    } finally {
      s.launched.info.launchToken = real;
    }
    expect((await tapCall(s.app, 'getStorageInfo')).ok).toBe(true);
  });

  it("another app's token acts only as that app: its grants and its data, never this app's", async () => {
    const s = await session(alice);
    const other = await session(alice, OTHER);
    const mine = s.launched.info.launchToken;
    await tapCall(s.app, 'setStorage', { key: 'secret', data: 'mine' });

    // Through the guest: the host forwards, the server decides from the token alone.
    s.launched.info.launchToken = other.launched.info.launchToken;
    try {
      expect((await tapCall(s.app, 'getStorage', { key: 'secret' })).error?.code).toBe('PERMISSION_DENIED');
      expect((await tapCall(s.app, 'log')).error?.code).toBe('PERMISSION_DENIED');
    } finally {
      s.launched.info.launchToken = mine;
    }
    // Rewriting the app inside the other app's token breaks its MAC.
    const swapped = rewrite(other.launched.info.launchToken, { a: APP });
    expect((await direct(s, swapped, 'base.storage', 'getStorage', { key: 'secret' })).error?.code).toBe('LAUNCH_TOKEN_INVALID');
    // This app's own token still reads its own data.
    expect((await tapCall(s.app, 'getStorage', { key: 'secret' })).result).toEqual({ data: 'mine' });
  });

  it("another user's token for the same app is refused", async () => {
    const s = await session(alice);
    const bobs = await openConnected({ baseUrl: srv.baseUrl, sessionToken: bob.token, bankPublicKey: srv.booted.deps.bankKeys.publicKey, engine: engine(), appId: APP });
    closers.push(() => bobs.close());
    expect((await tapCall(bobs.app, 'getStorageInfo')).ok).toBe(true);
    expect(bobs.launched.info.openId).not.toBe(s.launched.info.openId);
    expect((await direct(s, bobs.launched.info.launchToken, 'base.storage', 'getStorageInfo')).error?.code).toBe('LAUNCH_TOKEN_INVALID');
    const attach = (await s.connected.connection.socket.timeout(5_000).emitWithAck('instance:attach', { launchToken: bobs.launched.info.launchToken })) as Response<unknown>;
    expect(attach.error?.code).toBe('LAUNCH_TOKEN_INVALID');
  });

  it('a launch refused by the server, or a package that does not verify, opens nothing', async () => {
    const options = { baseUrl: srv.baseUrl, sessionToken: alice.token, engine: engine() };
    await expect(openConnected({ ...options, bankPublicKey: srv.booted.deps.bankKeys.publicKey, appId: 'com.lily.nowhere' })).rejects.toMatchObject({ code: 'APP_NOT_LIVE' });
    // A host that pins another bank key refuses the server's package before a line of it runs.
    const impostor = generateSm2KeyPair().publicKey;
    await expect(openConnected({ ...options, bankPublicKey: impostor, appId: APP })).rejects.toMatchObject({ code: 'PACKAGE_TAMPERED' });
  });
});
