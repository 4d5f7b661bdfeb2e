import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LilyError } from '../../protocol/errors.ts';
import { generateSm2KeyPair, publicKeyOf } from '../../runtime/crypto/sm.ts';
import { AuditLog } from '../audit/audit.ts';
import { keySerial } from '../keys.ts';
import { openStore, type Store } from '../store/index.ts';
import { CredentialService, DEFAULT_OVERLAP_SECONDS, isUsable } from './credentials.ts';

const MERCHANT = { kind: 'merchant' as const, id: 'm-1' };

let dir: string;
let store: Store;
let audit: AuditLog;
let credentials: CredentialService;
let clock: number;
const known = new Set(['app_a', 'app_b']);

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lily-cred-'));
  store = await openStore({ dataDir: dir, durability: 'normal' });
  clock = Date.UTC(2026, 0, 1);
  audit = new AuditLog(store, () => clock);
  await audit.init();
  const apps = {
    async get(appId: string) {
      if (!known.has(appId)) throw new LilyError('NOT_FOUND', `No app ${appId}.`);
      return { appId };
    },
  };
  credentials = new CredentialService(store, audit, { apps, now: () => clock, cacheTtlMs: 1_000 });
  await credentials.init();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e instanceof LilyError ? e.code : String(e)));

describe('generate', () => {
  it('returns the private key once and stores only the public key', async () => {
    const { credential, privateKey } = await credentials.generate('app_a', 'sandbox', MERCHANT);
    expect(publicKeyOf(privateKey)).toBe(credential.publicKey);
    expect(credential).toMatchObject({ appId: 'app_a', env: 'sandbox', status: 'active', source: 'generated', usable: true, retiresAt: null });
    expect(credential.serial).toBe(keySerial(credential.publicKey));
    expect(credential.serial).toMatch(/^[0-9A-F]{16}$/);
    const stored = JSON.stringify(await store.collection('open_credentials').find({}).toArray());
    expect(stored).not.toContain(privateKey);
    expect(JSON.stringify(await credentials.list('app_a'))).not.toContain(privateKey);
    const [entry] = await audit.list({ action: 'credential.generated' });
    expect(entry).toMatchObject({ actor: MERCHANT, target: { kind: 'app', id: 'app_a' }, data: { env: 'sandbox', serial: credential.serial } });
    expect(JSON.stringify(entry)).not.toContain(privateKey);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('refuses a second active key (rotate instead), an unknown app, an unknown env', async () => {
    await credentials.generate('app_a', 'sandbox');
    expect(await codeOf(credentials.generate('app_a', 'sandbox'))).toBe('CONFLICT');
    expect(await codeOf(credentials.generate('app_zzz', 'sandbox'))).toBe('NOT_FOUND');
    expect(await codeOf(credentials.generate('app_a', 'staging' as never))).toBe('INVALID_PARAMS');
    // Production is a separate world with its own key.
    expect((await credentials.generate('app_a', 'production')).credential.env).toBe('production');
  });

  it('the store allows one active key per app and environment even under concurrent calls', async () => {
    const results = await Promise.all([1, 2, 3].map(() => codeOf(credentials.generate('app_b', 'sandbox'))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(results.filter((r) => r === 'CONFLICT')).toHaveLength(2);
  });
});

describe('upload', () => {
  it('accepts a valid point (with or without 04) and refuses anything else', async () => {
    const pair = generateSm2KeyPair();
    const credential = await credentials.upload('app_a', 'sandbox', pair.publicKey.slice(2).toUpperCase());
    expect(credential).toMatchObject({ publicKey: pair.publicKey.toLowerCase(), source: 'uploaded', serial: keySerial(pair.publicKey) });
    expect(await codeOf(credentials.upload('app_b', 'sandbox', '04' + '1'.repeat(128)))).toBe('INVALID_PARAMS');
    expect(await codeOf(credentials.upload('app_b', 'sandbox', 'hello'))).toBe('INVALID_PARAMS');
    expect(await codeOf(credentials.upload('app_b', 'sandbox', 42 as never))).toBe('INVALID_PARAMS');
  });

  it('refuses a public key registered before, for any app or environment', async () => {
    const pair = generateSm2KeyPair();
    await credentials.upload('app_a', 'sandbox', pair.publicKey);
    expect(await codeOf(credentials.upload('app_a', 'production', pair.publicKey))).toBe('DUPLICATE');
    expect(await codeOf(credentials.upload('app_b', 'sandbox', pair.publicKey))).toBe('DUPLICATE');
  });
});

describe('rotate', () => {
  it('adds an active key and retires the previous one after the overlap (default 24 h)', async () => {
    const first = await credentials.generate('app_a', 'sandbox');
    const rotated = await credentials.rotate('app_a', 'sandbox', {}, MERCHANT);
    expect(rotated.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.retiring).toMatchObject({ serial: first.credential.serial, status: 'retiring', usable: true });
    expect(rotated.retiring!.retiresAt!.getTime()).toBe(clock + DEFAULT_OVERLAP_SECONDS * 1000);
    const old = await credentials.lookup('app_a', first.credential.serial);
    expect(isUsable(old!, clock + DEFAULT_OVERLAP_SECONDS * 1000 - 1)).toBe(true);
    expect(isUsable(old!, clock + DEFAULT_OVERLAP_SECONDS * 1000)).toBe(false);
    const [entry] = await audit.list({ action: 'credential.rotated' });
    expect(entry!.data).toMatchObject({ serial: rotated.credential.serial, retiringSerial: first.credential.serial, overlapSeconds: DEFAULT_OVERLAP_SECONDS });
  });

  it('keeps at most two usable keys: a second rotation revokes the key still retiring', async () => {
    const k1 = await credentials.generate('app_a', 'sandbox');
    const k2 = await credentials.rotate('app_a', 'sandbox', { overlapSeconds: 3600 });
    clock += 60_000;
    const pair = generateSm2KeyPair();
    const k3 = await credentials.rotate('app_a', 'sandbox', { publicKey: pair.publicKey, overlapSeconds: 3600 });
    expect(k3.privateKey).toBeUndefined();
    expect(k3.credential.source).toBe('uploaded');
    const list = await credentials.list('app_a', 'sandbox');
    expect(list.filter((c) => c.usable).map((c) => c.serial).sort()).toEqual([k2.credential.serial, k3.credential.serial].sort());
    expect(list.find((c) => c.serial === k1.credential.serial)).toMatchObject({ status: 'revoked', revokedReason: 'superseded by a newer rotation' });
    expect(list.map((c) => c.serial)[0]).toBe(k3.credential.serial); // newest first
  });

  it('validates the overlap and works without an active key', async () => {
    expect(await codeOf(credentials.rotate('app_a', 'sandbox', { overlapSeconds: -1 }))).toBe('INVALID_PARAMS');
    expect(await codeOf(credentials.rotate('app_a', 'sandbox', { overlapSeconds: 8 * 24 * 3600 }))).toBe('INVALID_PARAMS');
    const r = await credentials.rotate('app_a', 'sandbox');
    expect(r.retiring).toBeNull();
    expect(r.credential.status).toBe('active');
  });
});

describe('revoke', () => {
  it('revokes at once with a reason, idempotently; unknown serials are NOT_FOUND', async () => {
    const { credential } = await credentials.generate('app_a', 'sandbox');
    expect((await credentials.lookup('app_a', credential.serial))!.status).toBe('active');
    expect(await codeOf(credentials.revoke('app_a', 'sandbox', credential.serial, ' '))).toBe('INVALID_PARAMS');
    const revoked = await credentials.revoke('app_a', 'sandbox', credential.serial, 'leaked', MERCHANT);
    expect(revoked).toMatchObject({ status: 'revoked', revokedReason: 'leaked', usable: false });
    // The cache was invalidated: the very next lookup sees it.
    expect((await credentials.lookup('app_a', credential.serial))!.status).toBe('revoked');
    await credentials.revoke('app_a', 'sandbox', credential.serial, 'again');
    expect(await audit.list({ action: 'credential.revoked' })).toHaveLength(1);
    expect(await codeOf(credentials.revoke('app_a', 'production', credential.serial, 'x'))).toBe('NOT_FOUND');
    expect(await codeOf(credentials.revoke('app_a', 'sandbox', '0000000000000000', 'x'))).toBe('NOT_FOUND');
    // After a revoke a new key may be generated.
    expect((await credentials.generate('app_a', 'sandbox')).credential.status).toBe('active');
  });
});

describe('lookup', () => {
  it('is cached (also misses) until a change or the cache TTL', async () => {
    const { credential } = await credentials.generate('app_a', 'sandbox');
    expect(await credentials.lookup('app_a', credential.serial.toLowerCase())).toMatchObject({ env: 'sandbox', publicKey: credential.publicKey });
    expect(await credentials.lookup('app_b', credential.serial)).toBeNull();
    // Changed behind the service's back (as another process would): still the cached answer…
    await store.collection('open_credentials').updateOne({ serial: credential.serial }, { $set: { status: 'revoked' } });
    expect((await credentials.lookup('app_a', credential.serial))!.status).toBe('active');
    // …until the TTL passes, or an explicit invalidation.
    clock += 1_001;
    expect((await credentials.lookup('app_a', credential.serial))!.status).toBe('revoked');
    await store.collection('open_credentials').updateOne({ serial: credential.serial }, { $set: { status: 'active' } });
    credentials.invalidate();
    expect((await credentials.lookup('app_a', credential.serial))!.status).toBe('active');
  });
});
