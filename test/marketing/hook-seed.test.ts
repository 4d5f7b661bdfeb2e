/**
 * The discount hook on its own (payment methods, the 1-fen floor, no side effects when it
 * declines) and the idempotent demo seeding of membership and marketing data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/ledger/accounts.ts';
import { DEMO_MARKETING_BUDGET, seedMarketingDemo } from '../../server/marketing/seed.ts';
import { seedMemberDemo } from '../../server/members/seed.ts';
import type { DiscountHook } from '../../server/payments/settings.ts';
import { codeOf, createKit, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
let hook: DiscountHook;
beforeAll(async () => {
  kit = await createKit();
  hook = kit.marketing.discountHook();
  await seedMarketingDemo(kit.store, kit.marketing, { appIds: ['demo-app'], at: T0 });
  await kit.marketing.campaigns.create(kit.store, { env: 'sandbox', kind: 'discount', title: '信用卡专享', type: 'instant', discountAmount: 800, thresholdAmount: 0, payMethods: ['credit'], perUserDaily: 5, validFrom: T0, validUntil: T0 + 86_400_000, budgetAmount: 100_000 }, T0);
});
afterAll(() => kit.dispose());

const input = (extra: Record<string, unknown> = {}) => ({ env: 'sandbox' as const, appId: 'demo-app', userId: 'alice', orderId: `ord_Hook${Math.random().toString(36).slice(2, 12)}`, amount: 5000, couponId: null, at: T0, ...extra });

describe('the discount hook', () => {
  it('applies method-limited campaigns only for that method, and always leaves 1 fen', async () => {
    expect(await kit.store.transaction((tx) => hook(tx, input({ payMethod: 'credit' }) as never))).toEqual({ amount: 800, fundedBy: 'bank', ref: expect.stringMatching(/^cmp_/) });
    expect(await kit.store.transaction((tx) => hook(tx, input({ payMethod: 'debit' }) as never))).toMatchObject({ amount: 500 });
    expect(await kit.store.transaction((tx) => hook(tx, input({ userId: 'bob', amount: 600, payMethod: 'credit' }) as never))).toMatchObject({ amount: 599 });
    expect(await kit.store.transaction((tx) => hook(tx, input({ userId: 'carol', amount: 1 }) as never))).toBeNull();
  });

  it('fails the payment for a coupon that is not the user’s', async () => {
    expect(await codeOf(kit.store.transaction((tx) => hook(tx, input({ couponId: 'cp_NotACoupon000' }) as never)))).toBe('INVALID_STATE');
  });
});

describe('demo seeding', () => {
  it('is idempotent', async () => {
    await seedMarketingDemo(kit.store, kit.marketing, { appIds: ['demo-app'], at: T0 });
    expect(await kit.store.collection('marketing_campaigns').countDocuments({ title: '百合卡支付满30减5' })).toBe(2);
    expect(await kit.store.collection('marketing_message_templates').countDocuments({ appId: 'demo-app' })).toBe(2);
    expect(await kit.ledger.balance(accounts.marketing('production'))).toBe(DEMO_MARKETING_BUDGET);
    await seedMemberDemo(kit.store, kit.members, { alice: 'alice' }, T0);
    await seedMemberDemo(kit.store, kit.members, { alice: 'alice', nobody: 'x' }, T0);
    expect(await kit.members.addresses.list(kit.store, 'alice')).toHaveLength(2);
    expect(await kit.members.profiles.phone(kit.store, 'alice')).toMatchObject({ purePhoneNumber: '13800138000' });
    expect(await kit.members.profiles.matches(kit.store, 'alice', { name: '李小花', idNumber: '31010119900307002x' })).toBe(true);
  });
});
