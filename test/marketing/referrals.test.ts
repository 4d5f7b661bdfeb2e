/**
 * marketing.share and marketing.referral: share links with their own codes, opens counted,
 * referrals recorded for new users only (never self), listed, and rewarded once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createKit, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit({ members: { pointsBudget: { sandbox: 1_000, production: 0 } } });
});
afterAll(() => kit.dispose());

const open = (code: string, user: string, appId = 'demo-app') => kit.marketing.referrals.recordShareOpen(kit.store, { env: 'sandbox', appId, code, userId: user, openId: kit.openId(user, appId), at: T0 });

describe('share', () => {
  it('makes a link with a code on the host sheet and tells who shared it', async () => {
    const params = { title: '一起看《星海》', path: 'pages/movie/detail?id=m1024' };
    expect(await codeOf(kit.call(kit.user('alice'), 'marketing.share', 'share', params))).toBe('USER_CANCELLED');
    const shared = await kit.call(kit.user('alice', { host: { confirmed: true, pickedId: 'moments' } }), 'marketing.share', 'share', params);
    expect(shared).toEqual({ shareCode: expect.stringMatching(/^[A-Z0-9]{8}$/), channel: 'moments' });
    await open(shared.shareCode, 'bob');
    await open(shared.shareCode, 'alice');
    expect(await kit.call(kit.user('bob'), 'marketing.share', 'getShareInfo', { shareCode: shared.shareCode })).toEqual({ shareCode: shared.shareCode, sharerOpenId: kit.openId('alice'), path: params.path, opens: 2, createdAt: T0 });
    expect(await codeOf(kit.call(kit.user('bob', { appId: 'other-app' }), 'marketing.share', 'getShareInfo', { shareCode: shared.shareCode }))).toBe('NOT_FOUND');
    expect(await open('NOSUCHCODE', 'carol')).toBeNull();
  });
});

describe('referrals', () => {
  it('records referrals for new users only, counts them and lists them', async () => {
    const info = await kit.call(kit.user('rex'), 'marketing.referral', 'getReferralInfo');
    expect(info).toEqual({ referralCode: expect.stringMatching(/^[A-Z0-9]{8}$/), invited: 0, qualified: 0, rewarded: 0 });
    expect((await kit.call(kit.user('rex'), 'marketing.referral', 'getReferralInfo')).referralCode).toBe(info.referralCode);
    expect(await open(info.referralCode, 'nina')).toMatch(/^ref_/);
    expect(await open(info.referralCode, 'nina')).toBeNull();
    expect(await open(info.referralCode, 'rex')).toBeNull();
    expect(await open(info.referralCode, 'alice')).toBeNull(); // known to the app already
    expect(await open(info.referralCode, 'omar')).toMatch(/^ref_/);
    expect(await kit.call(kit.user('rex'), 'marketing.referral', 'getReferralInfo')).toMatchObject({ invited: 2, qualified: 0, rewarded: 0 });
    const { referrals } = await kit.op('listReferrals', kit.merchant(), { referrerOpenId: kit.openId('rex') });
    expect(referrals.map((r: { inviteeOpenId: string }) => r.inviteeOpenId).sort()).toEqual([kit.openId('nina'), kit.openId('omar')]);
    expect((await kit.op('listReferrals', kit.merchant(), { status: 'pending', limit: 1 })).nextCursor).not.toBeNull();
  });

  it('rewards each referral once, idempotently by outSettleNo, within the points budget', async () => {
    const { referrals } = await kit.op('listReferrals', kit.merchant(), { referrerOpenId: kit.openId('rex') });
    const ids = referrals.map((r: { referralId: string }) => r.referralId);
    const body = { outSettleNo: 'SETTLE-0001', referralIds: [ids[0]], reward: { points: 100 } };
    expect(await kit.op('settleReferralRewards', kit.merchant(), body)).toEqual({ rewarded: 1, skipped: 0 });
    expect(await kit.op('settleReferralRewards', kit.merchant(), { ...body })).toEqual({ rewarded: 1, skipped: 0 });
    expect(await codeOf(kit.op('settleReferralRewards', kit.merchant(), { ...body, reward: { points: 200 } }))).toBe('DUPLICATE');
    expect(await kit.op('settleReferralRewards', kit.merchant(), { outSettleNo: 'SETTLE-0002', referralIds: ids, reward: { points: 100 } })).toEqual({ rewarded: 1, skipped: 1 });
    expect(await kit.call(kit.user('rex'), 'member.points', 'getPoints')).toMatchObject({ balance: 200 });
    expect(await kit.call(kit.user('rex'), 'marketing.referral', 'getReferralInfo')).toMatchObject({ invited: 2, qualified: 2, rewarded: 2 });
  });

  it('rewards with a coupon, and refuses points beyond the budget as a whole', async () => {
    const info = await kit.call(kit.user('sam'), 'marketing.referral', 'getReferralInfo');
    const a = (await open(info.referralCode, 'tina'))!;
    const b = (await open(info.referralCode, 'uma'))!;
    expect(await codeOf(kit.op('settleReferralRewards', kit.merchant(), { outSettleNo: 'SETTLE-0003', referralIds: [a, b], reward: { points: 500 } }))).toBe('QUOTA_EXCEEDED');
    expect(await codeOf(kit.op('settleReferralRewards', kit.merchant(), { outSettleNo: 'SETTLE-0004', referralIds: [a], reward: { couponStockId: 'cs_NoSuchStock00' } }))).toBe('INVALID_PARAMS');
    const { stockId } = await kit.op('createCouponStock', kit.merchant(), { outStockNo: 'REF-STOCK', title: '邀请券', discountAmount: 500, thresholdAmount: 0, validFrom: T0, validUntil: T0 + 86_400_000, inventory: 5, budgetAmount: 2_500, perUserLimit: 1 });
    expect(await kit.op('settleReferralRewards', kit.merchant(), { outSettleNo: 'SETTLE-0005', referralIds: [a, b, 'ref_NoSuchReferral0'], reward: { couponStockId: stockId } })).toEqual({ rewarded: 1, skipped: 2 });
    expect((await kit.call(kit.user('sam'), 'marketing.coupons', 'listMyCoupons', {})).coupons).toHaveLength(1);
  });
});
