/**
 * The marketing capabilities' Open API operations as plain functions, one per `operationId`,
 * each `(ctx, input) => result` with `input` the route's path/query params and body merged.
 */
import analytics from '../../capabilities/marketing/analytics.ts';
import coupons from '../../capabilities/marketing/coupons.ts';
import luckyDraw from '../../capabilities/marketing/luckyDraw.ts';
import placement from '../../capabilities/marketing/placement.ts';
import redeem from '../../capabilities/marketing/redeem.ts';
import referral from '../../capabilities/marketing/referral.ts';
import subscribe from '../../capabilities/marketing/subscribe.ts';
import type { FromSchema } from '../../capabilities/schema-types.ts';
import { merchantScope, type MerchantContext } from './common.ts';
import type { Marketing } from './marketing.ts';

type Route =
  | (typeof coupons)['openApi'][number]
  | (typeof redeem)['openApi'][number]
  | (typeof luckyDraw)['openApi'][number]
  | (typeof subscribe)['openApi'][number]
  | (typeof referral)['openApi'][number]
  | (typeof analytics)['openApi'][number]
  | (typeof placement)['openApi'][number];

/** The operation ids of the marketing Open API. */
export type MarketingOperationId = Route['operationId'];
type RouteOf<Id> = Extract<Route, { readonly operationId: Id }>;

/** An operation's input: its path/query params and its body, merged. */
export type MarketingOperationInput<Id extends MarketingOperationId> = (RouteOf<Id> extends { readonly params: infer P } ? FromSchema<P> : unknown) &
  (RouteOf<Id> extends { readonly body: infer B } ? FromSchema<B> : unknown);
/** An operation's result. */
export type MarketingOperationResult<Id extends MarketingOperationId> = FromSchema<RouteOf<Id>['result']>;
/** Every marketing operation by operation id. */
export type MarketingOperations = { readonly [Id in MarketingOperationId]: (ctx: MerchantContext, input: MarketingOperationInput<Id>) => Promise<MarketingOperationResult<Id>> };

/** The ids, in catalog order. */
export const MARKETING_OPERATION_IDS = [coupons, redeem, luckyDraw, subscribe, referral, analytics, placement].flatMap((c) => c.openApi.map((r) => r.operationId)) as MarketingOperationId[];

/**
 * The operations, bound to one `Marketing`.
 *
 * @example
 * ```ts
 * const ops = createMarketingOperations(marketing);
 * const { stockId } = await ops.createCouponStock(ctx, { outStockNo: 'STOCK-0001', title: '满50减10', ... });
 * ```
 */
export function createMarketingOperations(marketing: Marketing): MarketingOperations {
  const userOf = (ctx: MerchantContext, openId: string) => marketing.members.userOf(merchantScope(ctx), openId);
  return {
    async createCouponStock(ctx, input) {
      const result = await marketing.coupons.createStock(merchantScope(ctx), input);
      await ctx.audit('marketing.stock_created', { stockId: result.stockId, outStockNo: input.outStockNo, inventory: input.inventory, budgetAmount: input.budgetAmount });
      return result;
    },
    async issueCoupon(ctx, input) {
      const userId = await userOf(ctx, input.openId);
      const coupon = await marketing.coupons.issue(merchantScope(ctx), { ...input, userId });
      await ctx.audit('marketing.coupon_issued', { couponId: coupon.couponId, stockId: input.stockId, outRequestNo: input.outRequestNo });
      return coupon;
    },
    listRedemptions: (ctx, input) => marketing.redemptions.list(merchantScope(ctx), input),
    async createLuckyDraw(ctx, input) {
      const result = await marketing.draws.create(merchantScope(ctx), input);
      await ctx.audit('marketing.draw_created', { activityId: result.activityId, commitment: result.commitment });
      return result;
    },
    listDraws: (ctx, input) => marketing.draws.list(merchantScope(ctx), input),
    async sendMessage(ctx, input) {
      const userId = await userOf(ctx, input.openId);
      const result = await marketing.messages.send(merchantScope(ctx), { ...input, userId });
      await ctx.audit('marketing.message_sent', { messageId: result.messageId, templateId: input.templateId, openId: input.openId });
      return result;
    },
    listReferrals: (ctx, input) => marketing.referrals.list(merchantScope(ctx), input),
    async settleReferralRewards(ctx, input) {
      const result = await marketing.referrals.settle(merchantScope(ctx), input);
      await ctx.audit('marketing.referrals_settled', { outSettleNo: input.outSettleNo, ...result });
      return result;
    },
    queryStats: (ctx, input) => marketing.analytics.stats(merchantScope(ctx), input),
    queryFunnel: (ctx, input) => marketing.analytics.funnel(merchantScope(ctx), input),
    async applyPlacement(ctx, input) {
      const result = await marketing.placements.apply(merchantScope(ctx), input);
      await ctx.audit('marketing.placement_applied', { placementId: result.placementId, slot: input.slot });
      return result;
    },
  };
}
