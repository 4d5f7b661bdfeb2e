/**
 * Server handlers of `marketing.coupons`: stocks the user can claim, a claim (on a tap; never
 * over the inventory or the per-user limit, however many claims race) and the user's coupons.
 */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import coupons from './coupons.ts';

/** Handlers of `marketing.coupons`. */
export function createCouponsHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(coupons, {
    async listAvailableCoupons(ctx, params) {
      return deps.marketing.coupons.listAvailable(await enter(ctx), params);
    },
    async claimCoupon(ctx, params) {
      const coupon = await deps.marketing.coupons.claim(await enter(ctx), params);
      await ctx.audit('marketing.coupon_claimed', { couponId: coupon.couponId, stockId: coupon.stockId });
      return coupon;
    },
    async listMyCoupons(ctx, params) {
      return deps.marketing.coupons.listMine(await enter(ctx), params);
    },
  });
}
