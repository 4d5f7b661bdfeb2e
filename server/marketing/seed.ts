/**
 * Demo marketing data: the bank's marketing budget, a bank discount campaign and a cashback
 * campaign in each environment, and approved message templates for the given apps. Idempotent:
 * the budget is funded once per environment (a fixed journal ref), campaigns and templates are
 * created only when missing.
 */
import { fundMarketingBudget } from '../payments/wallet.ts';
import type { Store } from '../store/types.ts';
import { MK, type Env } from './common.ts';
import type { Marketing } from './marketing.ts';

/** The demo marketing budget per environment: 100,000 yuan. */
export const DEMO_MARKETING_BUDGET = 10_000_000;

/**
 * Seeds the demo marketing data.
 *
 * @example
 * ```ts
 * await seedMarketingDemo(store, marketing, { appIds: ['ride-hailing', 'movie-tickets'] });
 * ```
 */
export async function seedMarketingDemo(store: Store, marketing: Marketing, options: { appIds?: readonly string[]; envs?: readonly Env[]; at?: number } = {}): Promise<void> {
  const at = options.at ?? Date.now();
  await marketing.init(store);
  for (const env of options.envs ?? (['sandbox', 'production'] as const)) {
    await fundMarketingBudget(store, env, DEMO_MARKETING_BUDGET, 'demo-seed', at);
    const existing = await store.collection(MK.campaigns).countDocuments({ env, title: { $in: ['百合卡支付满30减5', '出行返现 1%'] } });
    if (existing > 0) continue;
    const year = 365 * 24 * 3600 * 1000;
    await marketing.campaigns.create(store, { env, kind: 'discount', title: '百合卡支付满30减5', type: 'threshold', discountAmount: 500, thresholdAmount: 3000, payMethods: ['balance', 'debit', 'credit'], perUserDaily: 1, validFrom: at, validUntil: at + year, budgetAmount: 2_000_000, dailyBudget: 100_000 }, at);
    await marketing.campaigns.create(store, { env, kind: 'cashback', title: '出行返现 1%', type: 'instant', discountAmount: 2_000, thresholdAmount: 1_000, cashbackRateBps: 100, payMethods: ['balance', 'debit', 'credit'], perUserDaily: 3, validFrom: at, validUntil: at + year, budgetAmount: 1_000_000 }, at);
  }
  for (const appId of options.appIds ?? []) {
    const safe = appId.replace(/[^A-Za-z0-9]/g, '').slice(0, 20) || 'app';
    await marketing.messages.registerTemplate(store, { appId, templateId: `tpl_${safe}Order`, title: '订单状态通知', content: '您的订单{{orderName}}已{{status}}。', approved: true }, at);
    await marketing.messages.registerTemplate(store, { appId, templateId: `tpl_${safe}Remind`, title: '行程提醒', content: '{{time}} {{place}}，请准时出发。', approved: true }, at);
  }
}
