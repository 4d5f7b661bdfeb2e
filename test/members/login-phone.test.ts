/**
 * member.login and member.phone: single-use 5-minute login codes exchanged for the openId and a
 * session key; the phone number SM4-encrypted to that key (checked against sm-crypto) and the
 * one-time phone code exchange, with consent refused, expired and revoked.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toHex } from '../../runtime/crypto/sm.ts';
import { codeOf, createKit, T0, type Kit } from './kit.ts';

const smCrypto = createRequire(import.meta.url)('sm-crypto') as { sm4: { decrypt(hex: string, keyHex: string, o: { mode: 'cbc'; iv: string }): string } };

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await kit.members.profiles.saveProfile(kit.store, 'alice', { nickName: '小花', province: '上海', city: '上海', phone: '13800138000' });
});
afterAll(() => kit.dispose());

describe('member.login', () => {
  it('issues a code that code2Session exchanges once for the openId and a session key', async () => {
    kit.clock.now = T0;
    const ctx = kit.user('alice');
    const { code, expiresAt } = await kit.call(ctx, 'member.login', 'login');
    expect(code).toMatch(/^lc_[A-Za-z0-9]{20}$/);
    expect(expiresAt).toBe(T0 + 300_000);
    const m = kit.merchant();
    const session = await kit.op('code2Session', m, { code });
    expect(session.openId).toBe(ctx.openId);
    expect(fromBase64(session.sessionKey)).toHaveLength(16);
    expect(session.expiresIn).toBeGreaterThanOrEqual(60);
    expect(await codeOf(kit.op('code2Session', m, { code }))).toBe('INVALID_STATE');
    // The store keeps a digest, never the code.
    expect(JSON.stringify(await kit.store.collection('member_login_codes').find({}).toArray())).not.toContain(code);
  });

  it('answers NOT_FOUND for an expired, unknown or other app’s code', async () => {
    kit.clock.now = T0;
    const { code } = await kit.call(kit.user('alice'), 'member.login', 'login');
    expect(await codeOf(kit.op('code2Session', kit.merchant('other-app'), { code }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('code2Session', kit.merchant('demo-app', 'production'), { code }))).toBe('NOT_FOUND');
    kit.clock.now = T0 + 300_000;
    expect(await codeOf(kit.op('code2Session', kit.merchant(), { code }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('code2Session', kit.merchant(), { code: 'lc_AAAAAAAAAAAAAAAAAAAA' }))).toBe('NOT_FOUND');
    kit.clock.now = T0;
  });

  it('lets exactly one of many racing exchanges win', async () => {
    const { code } = await kit.call(kit.user('alice'), 'member.login', 'login');
    const results = await Promise.all(Array.from({ length: 8 }, () => codeOf(kit.op('code2Session', kit.merchant(), { code }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(results.filter((r) => r === 'INVALID_STATE')).toHaveLength(7);
  });
});

describe('member.phone', () => {
  it('needs consent to scope.phone, then a session', async () => {
    const ctx = kit.user('bob');
    expect(await codeOf(kit.call(ctx, 'member.phone', 'getPhoneNumber'))).toBe('CONSENT_REQUIRED');
    await kit.consent('bob', 'scope.phone', false);
    expect(await codeOf(kit.call(ctx, 'member.phone', 'getPhoneNumber'))).toBe('CONSENT_REQUIRED');
    await kit.consent('bob', 'scope.phone', true);
    expect(await codeOf(kit.call(ctx, 'member.phone', 'getPhoneNumber'))).toBe('UNAUTHENTICATED');
  });

  it('encrypts the number to the session key (SM4-CBC, checked with sm-crypto) and exchanges the phone code once', async () => {
    await kit.consent('alice', 'scope.phone', true);
    const ctx = kit.user('alice');
    const { code } = await kit.call(ctx, 'member.login', 'login');
    const { sessionKey } = await kit.op('code2Session', kit.merchant(), { code });
    const shared = await kit.call(ctx, 'member.phone', 'getPhoneNumber');
    const plain = smCrypto.sm4.decrypt(toHex(fromBase64(shared.encryptedData)), toHex(fromBase64(sessionKey)), { mode: 'cbc', iv: toHex(fromBase64(shared.iv)) });
    expect(JSON.parse(plain)).toEqual({ phoneNumber: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86', openId: ctx.openId, timestamp: Math.floor(kit.clock.now / 1000) });
    expect(await kit.op('exchangePhoneCode', kit.merchant(), { phoneCode: shared.phoneCode })).toEqual({ phoneNumber: '+8613800138000', purePhoneNumber: '13800138000', countryCode: '86' });
    expect(await codeOf(kit.op('exchangePhoneCode', kit.merchant(), { phoneCode: shared.phoneCode }))).toBe('INVALID_STATE');
    expect(await codeOf(kit.op('exchangePhoneCode', kit.merchant(), { phoneCode: 'pc_BBBBBBBBBBBBBBBBBBBB' }))).toBe('NOT_FOUND');
    // The number is sealed at rest.
    expect(JSON.stringify(await kit.store.collection('member_profiles').find({}).toArray())).not.toContain('13800138000');
  });

  it('refuses the exchange once the consent is revoked, and the guest call once it has expired', async () => {
    const ctx = kit.user('alice');
    const { code } = await kit.call(ctx, 'member.login', 'login');
    await kit.op('code2Session', kit.merchant(), { code });
    const shared = await kit.call(ctx, 'member.phone', 'getPhoneNumber');
    await kit.consents.revoke('alice', 'demo-app', 'scope.phone');
    expect(await codeOf(kit.op('exchangePhoneCode', kit.merchant(), { phoneCode: shared.phoneCode }))).toBe('CONSENT_REQUIRED');
    expect(await codeOf(kit.call(ctx, 'member.phone', 'getPhoneNumber'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.phone', true, { ttlMs: 1000 });
    kit.clock.now += 2000;
    expect(await codeOf(kit.call(kit.user('alice'), 'member.phone', 'getPhoneNumber'))).toBe('CONSENT_EXPIRED');
    kit.clock.now = T0;
  });
});
