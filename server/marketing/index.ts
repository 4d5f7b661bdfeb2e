/**
 * The marketing services, as the server wires them: the `Marketing` facade, the guest handlers,
 * the merchant Open API operations, the payment discount hook, the payment and refund
 * follow-ups, the ops and host functions, and demo seeding. See `README.md` for the wiring.
 */
export { Marketing, type MarketingOptions } from './marketing.ts';
export { createMarketingHandlers } from './handlers.ts';
export { registerMarketingOperations } from './routes.ts';
export { createMarketingOperations, MARKETING_OPERATION_IDS, type MarketingOperationId, type MarketingOperationInput, type MarketingOperationResult, type MarketingOperations } from './openapi.ts';
export { createDiscountHook } from './discount.ts';
export type { MarketingHandlerDeps } from './host.ts';
export { MK, ensureMarketingIndexes, type OrderFacts } from './common.ts';
export { CouponService, couponView, type CouponDoc, type StockDoc, type CreateStockInput, type IssueTarget } from './coupons.ts';
export { Redemptions, type RedemptionDoc, type CheckoutFacts } from './redemptions.ts';
export { CampaignService, type CampaignDoc, type CampaignInput, type PayMethod } from './campaigns.ts';
export { CashbackService, CASHBACK_WINDOW_MS, type CashbackDoc } from './cashback.ts';
export { DrawService, drawNumber, pickPrize, type ActivityDoc, type DrawDoc, type Prize } from './draws.ts';
export { MessageService, type InboxDoc, type TemplateDoc } from './messages.ts';
export { ReferralService, type ReferralDoc, type Reward, type ShareDoc } from './referrals.ts';
export { Analytics, type AnalyticsOptions } from './analytics.ts';
export { PlacementService, placementStatus, MAX_PLACEMENT_MS, type PlacementDoc, type Slot } from './placements.ts';
export { DEMO_MARKETING_BUDGET, seedMarketingDemo } from './seed.ts';
