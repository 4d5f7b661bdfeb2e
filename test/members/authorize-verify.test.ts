/**
 * member.authorize over the consent service (asked once, refused not re-asked, expired asked
 * again, purpose and expiry in the settings, grants respected), and member.verify: PIN or
 * one-time code in the host sheet, a single-use 5-minute token checked by the merchant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKit, codeOf, PIN, T0, type Kit } from './kit.ts';
import { CONSENT_TTL_MS } from '../../server/consents/consents.ts';

let kit: Kit;
const granted = new Set(['member.userInfo', 'member.phone', 'member.address', 'member.verify']);
beforeAll(async () => {
  kit = await createKit({
    members: { grants: { facts: async (_app, _env, capability) => (granted.has(capability) ? { capability, status: 'granted', quota: null } : null) } },
  });
});
afterAll(() => kit.dispose());

describe('member.authorize', () => {
  it('records the answer from the host sheet and does not ask again after a refusal', async () => {
    const ask = (host?: { confirmed: boolean }, scope = 'scope.userInfo') => kit.call(kit.user('alice', host ? { host } : {}), 'member.authorize', 'authorize', { scope });
    expect(await ask()).toEqual({ scope: 'scope.userInfo', status: 'denied', expiresAt: null });
    expect(await kit.consents.facts('alice', 'demo-app', 'scope.userInfo')).toBeNull();
    expect(await ask({ confirmed: true })).toEqual({ scope: 'scope.userInfo', status: 'granted', expiresAt: T0 + CONSENT_TTL_MS });
    expect(await ask()).toEqual({ scope: 'scope.userInfo', status: 'granted', expiresAt: T0 + CONSENT_TTL_MS });
    expect(await ask({ confirmed: false }, 'scope.phone')).toEqual({ scope: 'scope.phone', status: 'denied', expiresAt: null });
    expect(await ask({ confirmed: true }, 'scope.phone')).toEqual({ scope: 'scope.phone', status: 'denied', expiresAt: null });
    expect(await codeOf(ask({ confirmed: true }, 'scope.location'))).toBe('PERMISSION_DENIED');
    expect(await kit.call(kit.user('alice'), 'member.userInfo', 'getUserInfo')).toMatchObject({ language: 'zh-CN' });
  });

  it('asks again once a consent has expired, and lists status, purpose and expiry', async () => {
    await kit.consent('alice', 'scope.address', true, { ttlMs: 1_000 });
    kit.clock.now = T0 + 2_000;
    const settings = await kit.call(kit.user('alice'), 'member.authorize', 'getSetting');
    expect(settings.scopes).toEqual(
      expect.arrayContaining([
        { scope: 'scope.address', status: 'expired', purpose: 'test', expiresAt: T0 + 1_000 },
        { scope: 'scope.phone', status: 'denied', purpose: expect.stringContaining('联系'), expiresAt: null },
        { scope: 'scope.userInfo', status: 'granted', purpose: '在小程序中显示您的昵称和头像。', expiresAt: T0 + CONSENT_TTL_MS },
      ]),
    );
    const again = await kit.call(kit.user('alice', { host: { confirmed: true } }), 'member.authorize', 'authorize', { scope: 'scope.address' });
    expect(again).toEqual({ scope: 'scope.address', status: 'granted', expiresAt: T0 + 2_000 + CONSENT_TTL_MS });
    await kit.consents.revoke('alice', 'demo-app', 'scope.userInfo');
    const after = await kit.call(kit.user('alice'), 'member.authorize', 'openSetting');
    expect(after.scopes.find((s: { scope: string }) => s.scope === 'scope.userInfo')).toMatchObject({ status: 'denied', expiresAt: null });
    expect(await kit.call(kit.user('alice', { appId: 'other-app' }), 'member.authorize', 'getSetting')).toEqual({ scopes: [] });
    kit.clock.now = T0;
  });
});

describe('member.verify', () => {
  const reason = { reason: '修改联系手机号' };

  it('issues a single-use token after the PIN that the merchant checks once', async () => {
    expect(await codeOf(kit.call(kit.user('bob'), 'member.verify', 'requestVerification', reason))).toBe('USER_CANCELLED');
    expect(await codeOf(kit.call(kit.user('bob', { host: { confirmed: true } }), 'member.verify', 'requestVerification', reason))).toBe('USER_CANCELLED');
    expect(await codeOf(kit.call(kit.user('bob', { host: { confirmed: true, pin: '000000' } }), 'member.verify', 'requestVerification', reason))).toBe('PIN_INCORRECT');
    const r = await kit.call(kit.user('bob', { host: { confirmed: true, pin: PIN } }), 'member.verify', 'requestVerification', reason);
    expect(r).toMatchObject({ method: 'pin', expiresAt: T0 + 300_000 });
    const m = kit.merchant();
    expect(await kit.op('checkVerification', m, { verificationToken: r.verificationToken, openId: kit.openId('alice') })).toMatchObject({ valid: false });
    expect(await kit.op('checkVerification', m, { verificationToken: r.verificationToken, openId: kit.openId('bob') })).toEqual({ valid: true, method: 'pin', reason: '修改联系手机号', verifiedAt: T0 });
    expect(await kit.op('checkVerification', m, { verificationToken: r.verificationToken, openId: kit.openId('bob') })).toMatchObject({ valid: false });
    expect(await codeOf(kit.op('checkVerification', kit.merchant('other-app'), { verificationToken: r.verificationToken, openId: kit.openId('bob') }))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('checkVerification', m, { verificationToken: 'vt_CCCCCCCCCCCCCCCCCCCC', openId: kit.openId('bob') }))).toBe('NOT_FOUND');
  });

  it('lets one of racing checks win and refuses expired tokens', async () => {
    const r = await kit.call(kit.user('bob', { host: { confirmed: true, pin: PIN } }), 'member.verify', 'requestVerification', reason);
    const checks = await Promise.all(Array.from({ length: 6 }, () => kit.op('checkVerification', kit.merchant(), { verificationToken: r.verificationToken, openId: kit.openId('bob') })));
    expect(checks.filter((c) => c.valid)).toHaveLength(1);
    const late = await kit.call(kit.user('bob', { host: { confirmed: true, pin: PIN } }), 'member.verify', 'requestVerification', reason);
    kit.clock.now = T0 + 300_000;
    expect(await kit.op('checkVerification', kit.merchant(), { verificationToken: late.verificationToken, openId: kit.openId('bob') })).toMatchObject({ valid: false });
    kit.clock.now = T0;
  });

  it('accepts a one-time code instead of the PIN, once, with limited attempts', async () => {
    const { code } = await kit.members.verifications.issueOtp(kit.store, { env: 'sandbox', appId: 'demo-app', userId: 'carol', at: T0 });
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await codeOf(kit.call(kit.user('carol', { host: { confirmed: true, otp: wrong } }), 'member.verify', 'requestVerification', reason))).toBe('PIN_INCORRECT');
    const r = await kit.call(kit.user('carol', { host: { confirmed: true, otp: code } }), 'member.verify', 'requestVerification', { ...reason, method: 'otp' });
    expect(r.method).toBe('otp');
    expect(await codeOf(kit.call(kit.user('carol', { host: { confirmed: true, otp: code } }), 'member.verify', 'requestVerification', reason))).toBe('PIN_INCORRECT');
    const second = await kit.members.verifications.issueOtp(kit.store, { env: 'sandbox', appId: 'demo-app', userId: 'carol', at: T0 });
    for (let i = 0; i < 5; i++) await codeOf(kit.call(kit.user('carol', { host: { confirmed: true, otp: second.code === '222222' ? '333333' : '222222' } }), 'member.verify', 'requestVerification', reason));
    expect(await codeOf(kit.call(kit.user('carol', { host: { confirmed: true, otp: second.code } }), 'member.verify', 'requestVerification', reason))).toBe('PIN_INCORRECT');
  });
});
