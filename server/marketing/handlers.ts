/**
 * The server handlers of the marketing capabilities' guest methods, as one list for the
 * registry. `marketing.redeem` has no guest methods (the cashier applies coupons; merchants
 * read redemptions over the Open API).
 */
import { createAnalyticsHandlers } from '../../capabilities/marketing/analytics.handler.ts';
import { createCampaignsHandlers } from '../../capabilities/marketing/campaigns.handler.ts';
import { createCashbackHandlers } from '../../capabilities/marketing/cashback.handler.ts';
import { createCouponsHandlers } from '../../capabilities/marketing/coupons.handler.ts';
import { createLuckyDrawHandlers } from '../../capabilities/marketing/luckyDraw.handler.ts';
import { createPlacementHandlers } from '../../capabilities/marketing/placement.handler.ts';
import { createReferralHandlers } from '../../capabilities/marketing/referral.handler.ts';
import { createShareHandlers } from '../../capabilities/marketing/share.handler.ts';
import { createSubscribeHandlers } from '../../capabilities/marketing/subscribe.handler.ts';
import type { CapabilityHandlers } from '../../capabilities/define.ts';
import type { MarketingHandlerDeps } from './host.ts';

/**
 * Every marketing guest handler, wired to one `Marketing`.
 *
 * @example
 * ```ts
 * const registry = createServerRegistry([...createMemberHandlers({ members }), ...createMarketingHandlers({ marketing })]);
 * ```
 */
export function createMarketingHandlers(deps: MarketingHandlerDeps): CapabilityHandlers[] {
  return [
    createCouponsHandlers(deps),
    createCampaignsHandlers(deps),
    createLuckyDrawHandlers(deps),
    createSubscribeHandlers(deps),
    createShareHandlers(deps),
    createReferralHandlers(deps),
    createAnalyticsHandlers(deps),
    createCashbackHandlers(deps),
    createPlacementHandlers(deps),
  ];
}
