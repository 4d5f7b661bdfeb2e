/**
 * member.points: earn and deduct from the Open API (idempotent by outBizNo, within the app's
 * budget), redeem from the guest only after the host's confirm sheet, never below zero however
 * deductions race, lots expiring by year, every movement in the points ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createKit, T0, type Kit } from './kit.ts';

let kit: Kit;
beforeAll(async () => {
  kit = await createKit({ members: { pointsBudget: { sandbox: 100_000, production: 0 } } });
  for (const u of ['alice', 'bob', 'carol', 'erin']) await kit.call(kit.user(u), 'member.points', 'getPoints');
});
afterAll(() => kit.dispose());

const earn = (user: string, points: number, outBizNo: string, reason = '乘车奖励') => kit.op('earnPoints', kit.merchant(), { openId: kit.openId(user), points, outBizNo, reason });

describe('earnPoints and deductPoints', () => {
  it('are idempotent by outBizNo and answer DUPLICATE for other content', async () => {
    const first = await earn('alice', 500, 'EARN-0001');
    expect(first).toMatchObject({ points: 500, balance: 500 });
    expect(first.transactionId).toMatch(/^pt_/);
    expect(await earn('alice', 500, 'EARN-0001')).toEqual(first);
    expect(await codeOf(earn('alice', 501, 'EARN-0001'))).toBe('DUPLICATE');
    expect(await codeOf(kit.op('deductPoints', kit.merchant(), { openId: kit.openId('alice'), points: 500, outBizNo: 'EARN-0001', reason: '乘车奖励' }))).toBe('DUPLICATE');
    const racing = await Promise.all(Array.from({ length: 6 }, () => earn('alice', 100, 'EARN-RACE')));
    expect(new Set(racing.map((r) => r.transactionId)).size).toBe(1);
    expect(await kit.op('queryPoints', kit.merchant(), { openId: kit.openId('alice') })).toEqual({ openId: kit.openId('alice'), balance: 600 });
  });

  it('deducts at most what the user has and answers NOT_FOUND for unknown users', async () => {
    expect(await codeOf(kit.op('deductPoints', kit.merchant(), { openId: kit.openId('alice'), points: 601, outBizNo: 'DED-0001', reason: '退款扣回' }))).toBe('INSUFFICIENT_FUNDS');
    expect(await kit.op('deductPoints', kit.merchant(), { openId: kit.openId('alice'), points: 100, outBizNo: 'DED-0002', reason: '退款扣回' })).toMatchObject({ balance: 500 });
    expect(await codeOf(earn('nobody', 1, 'EARN-NOBODY'))).toBe('NOT_FOUND');
    expect(await codeOf(kit.op('queryPoints', kit.merchant(), { openId: 'o_nobody_at_all' }))).toBe('NOT_FOUND');
  });

  it('awards only within the app budget (QUOTA_EXCEEDED), and deductions give budget back', async () => {
    expect(await codeOf(earn('bob', 99_501, 'EARN-BIG'))).toBe('QUOTA_EXCEEDED');
    await earn('bob', 99_000, 'EARN-B1');
    expect(await codeOf(earn('bob', 1_000, 'EARN-B2'))).toBe('QUOTA_EXCEEDED');
    await kit.op('deductPoints', kit.merchant(), { openId: kit.openId('bob'), points: 1_000, outBizNo: 'DED-B1', reason: '退款扣回' });
    await earn('bob', 1_000, 'EARN-B3');
    await kit.members.points.setBudget(kit.store, 'sandbox', 'demo-app', 1_000_000);
    await earn('bob', 1_000, 'EARN-B4');
  });
});

describe('redeemPoints', () => {
  it('needs the host confirm sheet, then spends points; never below zero', async () => {
    const params = { points: 200, outBizNo: 'POP-0001', description: '爆米花兑换券' };
    expect(await codeOf(kit.call(kit.user('alice'), 'member.points', 'redeemPoints', params))).toBe('USER_CANCELLED');
    expect(await codeOf(kit.call(kit.user('alice', { host: { confirmed: false } }), 'member.points', 'redeemPoints', params))).toBe('USER_CANCELLED');
    const ctx = kit.user('alice', { host: { confirmed: true } });
    const r = await kit.call(ctx, 'member.points', 'redeemPoints', params);
    expect(r).toMatchObject({ points: 200, balance: 300, redeemedAt: T0 });
    expect(await kit.call(ctx, 'member.points', 'redeemPoints', params)).toEqual(r);
    expect(await codeOf(kit.call(ctx, 'member.points', 'redeemPoints', { ...params, outBizNo: 'POP-0002', points: 301 }))).toBe('INSUFFICIENT_FUNDS');
    expect(ctx.audits.map((a) => a.event)).toContain('member.points_redeemed');
  });

  it('lets parallel deductions and redemptions take only what there is', async () => {
    await earn('carol', 95, 'EARN-C1');
    const ctx = kit.user('carol', { host: { confirmed: true } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        codeOf(
          i % 2 === 0
            ? kit.op('deductPoints', kit.merchant(), { openId: kit.openId('carol'), points: 10, outBizNo: `DED-C-${i}`, reason: '扣回' })
            : kit.call(ctx, 'member.points', 'redeemPoints', { points: 10, outBizNo: `RED-C-${i}`, description: '兑换' }),
        ),
      ),
    );
    expect(results.filter((r) => r === 'resolved')).toHaveLength(9);
    expect(results.filter((r) => r === 'INSUFFICIENT_FUNDS')).toHaveLength(11);
    expect(await kit.call(kit.user('carol'), 'member.points', 'getPoints')).toEqual({ balance: 5, expiringPoints: 5, expiringAt: Date.UTC(2027, 0, 1) - 8 * 3600_000 });
    const txns = await kit.store.collection('member_point_txns').find({ userId: 'carol' }).toArray();
    expect(txns.reduce((s, t) => s + Number(t['delta']), 0)).toBe(5);
  });
});

describe('expiry', () => {
  it('expires points earned in year Y when year Y+2 begins, oldest lots first', async () => {
    await earn('erin', 100, 'EARN-E2025');
    kit.clock.now = Date.UTC(2026, 5, 1);
    await earn('erin', 50, 'EARN-E2026');
    await kit.op('deductPoints', kit.merchant(), { openId: kit.openId('erin'), points: 30, outBizNo: 'DED-E1', reason: '扣回' });
    expect(await kit.call(kit.user('erin'), 'member.points', 'getPoints')).toEqual({ balance: 120, expiringPoints: 70, expiringAt: Date.UTC(2027, 0, 1) - 8 * 3600_000 });
    kit.clock.now = Date.UTC(2027, 0, 1);
    expect(await kit.call(kit.user('erin'), 'member.points', 'getPoints')).toEqual({ balance: 50, expiringPoints: 50, expiringAt: Date.UTC(2028, 0, 1) - 8 * 3600_000 });
    expect(await codeOf(kit.op('deductPoints', kit.merchant(), { openId: kit.openId('erin'), points: 51, outBizNo: 'DED-E2', reason: '扣回' }))).toBe('INSUFFICIENT_FUNDS');
    await kit.op('deductPoints', kit.merchant(), { openId: kit.openId('erin'), points: 50, outBizNo: 'DED-E3', reason: '扣回' });
    const kinds = (await kit.store.collection('member_point_txns').find({ userId: 'erin' }, { sort: { at: 1 } }).toArray()).map((t) => `${t['kind']}:${t['delta']}`);
    expect(kinds).toEqual(expect.arrayContaining(['earn:100', 'earn:50', 'deduct:-30', 'expire:-70', 'deduct:-50']));
    kit.clock.now = T0;
  });
});
