/**
 * member.userInfo, member.realName and member.tier: consented profile, masked and tokenized
 * identity (never an id number), the yes/no name check, and tiers derived from points and
 * payments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMemberDemo } from '../../server/members/seed.ts';
import { codeOf, createKit, PIN, T0, type Kit } from './kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit();
  await seedMemberDemo(kit.store, kit.members, { alice: 'alice', bob: 'bob' }, T0);
});
afterAll(() => kit.dispose());

describe('member.userInfo', () => {
  it('answers CONSENT_REQUIRED until granted, then the profile; CONSENT_EXPIRED and revoked afterwards', async () => {
    const ctx = kit.user('alice');
    expect(await codeOf(kit.call(ctx, 'member.userInfo', 'getUserInfo'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.userInfo', false);
    expect(await codeOf(kit.call(ctx, 'member.userInfo', 'getUserInfo'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.userInfo', true, { ttlMs: 60_000 });
    expect(await kit.call(ctx, 'member.userInfo', 'getUserInfo')).toEqual({ nickName: '小花', avatarUrl: 'https://cdn.lily.example/avatars/default.png', province: '上海', city: '上海', language: 'zh-CN' });
    kit.clock.now = T0 + 60_000;
    expect(await codeOf(kit.call(kit.user('alice'), 'member.userInfo', 'getUserInfo'))).toBe('CONSENT_EXPIRED');
    kit.clock.now = T0;
    await kit.consents.revoke('alice', 'demo-app', 'scope.userInfo');
    expect(await codeOf(kit.call(ctx, 'member.userInfo', 'getUserInfo'))).toBe('CONSENT_REQUIRED');
  });

  it('falls back to the bank account name for users without a profile', async () => {
    await kit.store.collection('users').insertOne({ _id: 'carol', username: 'carol', displayName: '陈卡萝' });
    await kit.consent('carol', 'scope.userInfo');
    expect(await kit.call(kit.user('carol'), 'member.userInfo', 'getUserInfo')).toMatchObject({ nickName: '陈卡萝', province: '', language: 'zh-CN' });
  });
});

describe('member.realName', () => {
  it('shares status, masked name and a per-app token, never the id number', async () => {
    expect(await codeOf(kit.call(kit.user('alice'), 'member.realName', 'getRealNameStatus'))).toBe('CONSENT_REQUIRED');
    await kit.consent('alice', 'scope.realName');
    await kit.consent('alice', 'scope.realName', true, { appId: 'other-app' });
    const here = await kit.call(kit.user('alice'), 'member.realName', 'getRealNameStatus');
    expect(here).toMatchObject({ verified: true, level: 'strong', maskedName: '**花' });
    const again = await kit.call(kit.user('alice'), 'member.realName', 'getRealNameStatus');
    const there = await kit.call(kit.user('alice', { appId: 'other-app' }), 'member.realName', 'getRealNameStatus');
    expect(again.identityToken).toBe(here.identityToken);
    expect(there.identityToken).not.toBe(here.identityToken);
    const stored = JSON.stringify(await kit.store.collection('member_identities').find({}).toArray());
    expect(stored).not.toContain('31010119900307002X');
    expect(stored).not.toContain('李小花');
  });

  it('answers whether a name and id number match, with consent, for known openIds only', async () => {
    const m = kit.merchant();
    const openId = kit.openId('alice');
    expect(await kit.op('verifyRealName', m, { openId, name: '李小花', idNumber: '31010119900307002X' })).toEqual({ match: true });
    expect(await kit.op('verifyRealName', m, { openId, name: '李小华', idNumber: '31010119900307002X' })).toEqual({ match: false });
    expect(await kit.op('verifyRealName', m, { openId, name: '李小花', idNumber: '310101199003070021' })).toEqual({ match: false });
    expect(await codeOf(kit.op('verifyRealName', m, { openId: 'o_nobody_here_1', name: 'x', idNumber: '310101199003070021' }))).toBe('NOT_FOUND');
    // bob is verified but never granted scope.realName.
    await kit.call(kit.user('bob'), 'member.tier', 'getTier');
    expect(await codeOf(kit.op('verifyRealName', m, { openId: kit.openId('bob'), name: '王大明', idNumber: '110101198805120031' }))).toBe('CONSENT_REQUIRED');
    // carol is not verified.
    await kit.consent('carol', 'scope.realName');
    expect(await kit.call(kit.user('carol'), 'member.realName', 'getRealNameStatus')).toMatchObject({ verified: false, level: 'none', maskedName: '' });
    expect(await codeOf(kit.op('verifyRealName', m, { openId: kit.openId('carol'), name: '陈卡萝', idNumber: '310101199003070021' }))).toBe('INVALID_STATE');
  });
});

describe('member.tier', () => {
  it('rises with points earned and money paid, and the merchant can query it', async () => {
    const ctx = kit.user('dave');
    expect(await kit.call(ctx, 'member.tier', 'getTier')).toMatchObject({ tier: 'regular', tierName: '普通会员', progress: 0, validUntil: null });
    await kit.op('earnPoints', kit.merchant(), { openId: kit.openId('dave'), points: 2_500, outBizNo: 'TIER-0001', reason: '首单奖励' });
    const silver = await kit.call(ctx, 'member.tier', 'getTier');
    expect(silver).toMatchObject({ tier: 'silver', validUntil: Date.UTC(2025, 5, 1) - 8 * 3600_000 });
    expect(silver.progress).toBe(6);
    expect(silver.benefits.map((b: { code: string }) => b.code)).toContain('birthday_gift');
    // 8,000 yuan paid: 2,500 + 8,000 → gold.
    await kit.seed(['dave']);
    const { prepayId } = await kit.op('createPrepay', kit.merchant(), { openId: kit.openId('dave'), outTradeNo: 'TIER-PAY-1', amount: 800_000, description: '机票' });
    await kit.call(kit.user('dave', { host: { confirmed: true, pin: PIN } }), 'payment.cashier', 'requestPayment', { prepayId });
    kit.clock.now = T0 + 3600_000;
    expect((await kit.call(kit.user('dave'), 'member.tier', 'getTier')).tier).toBe('gold');
    const q = await kit.op('queryTier', kit.merchant(), { openId: kit.openId('dave') });
    expect(q).toMatchObject({ openId: kit.openId('dave'), tier: 'gold' });
    expect(await codeOf(kit.op('queryTier', kit.merchant(), { openId: 'o_nobody_here_1' }))).toBe('NOT_FOUND');
    kit.clock.now = T0;
  });
});
