/**
 * What the marketing services share: collection names, indexes, and the payment documents they
 * read (orders and refunds are the payment services'; marketing only reads them).
 */
import type { Store } from '../store/types.ts';

export { publicId, fingerprint, encodeCursor, decodeCursor, cstDay, cstDayRange, type Env, type Scope, type UserScope, type MerchantContext } from '../payments/common.ts';
export { merchantScope, userScope, randomCode, retrying, pageSize, hostOf, requireConfirmed, type PickerConfirmation } from '../members/common.ts';

/** Collection names of the marketing services. */
export const MK = {
  stocks: 'marketing_coupon_stocks',
  coupons: 'marketing_coupons',
  holders: 'marketing_coupon_holders',
  redemptions: 'marketing_redemptions',
  campaigns: 'marketing_campaigns',
  campaignUses: 'marketing_campaign_uses',
  campaignDaily: 'marketing_campaign_daily',
  activities: 'marketing_draw_activities',
  prizes: 'marketing_draw_prizes',
  draws: 'marketing_draws',
  drawCounts: 'marketing_draw_counts',
  templates: 'marketing_message_templates',
  subscriptions: 'marketing_subscriptions',
  messageBans: 'marketing_message_bans',
  inbox: 'inbox',
  shares: 'marketing_shares',
  referrals: 'marketing_referrals',
  settlements: 'marketing_settlements',
  events: 'marketing_events',
  eventDaily: 'marketing_event_daily',
  eventUsers: 'marketing_event_users',
  cashbacks: 'marketing_cashbacks',
  placements: 'marketing_placements',
  cursors: 'marketing_cursors',
} as const;

/** The payment collections marketing reads. */
export const PAYMENT_ORDERS = 'payment_orders';
/** The payment collections marketing reads. */
export const PAYMENT_REFUNDS = 'payment_refunds';

/** The fields of a payment order marketing relies on (see `server/payments/orders.ts`). */
export interface OrderFacts {
  _id: string;
  env: 'sandbox' | 'production';
  appId: string;
  openId: string | null;
  userId: string | null;
  amount: number;
  paidAmount: number;
  discountAmount: number;
  bankDiscount: number;
  refundedAmount: number;
  status: 'created' | 'paid' | 'partially_refunded' | 'refunded' | 'closed';
  paidAt: number | null;
  payMethod: 'balance' | 'card' | null;
  [key: string]: unknown;
}

const indexed = new WeakMap<Store, Promise<void>>();

/** Creates every marketing index once per store. The unique ones carry the business rules. */
export function ensureMarketingIndexes(store: Store): Promise<void> {
  let p = indexed.get(store);
  if (!p) {
    p = (async () => {
      const ix = (name: string, keys: Record<string, 1 | -1>, options: Parameters<ReturnType<Store['collection']>['createIndex']>[1] = {}) =>
        store.collection(name).createIndex(keys, options);
      await ix(MK.stocks, { env: 1, appId: 1, outStockNo: 1 }, { unique: true });
      await ix(MK.stocks, { env: 1, appId: 1, createdAt: -1 });
      await ix(MK.coupons, { env: 1, appId: 1, userId: 1, validUntil: 1 });
      await ix(MK.coupons, { env: 1, userId: 1, issuedAt: -1 });
      await ix(MK.coupons, { env: 1, appId: 1, outRequestNo: 1 }, { unique: true, partialFilterExpression: { outRequestNo: { $exists: true } } });
      await ix(MK.redemptions, { env: 1, appId: 1, redeemedAt: -1 });
      await ix(MK.campaigns, { env: 1, kind: 1, status: 1 });
      await ix(MK.prizes, { activityId: 1 });
      await ix(MK.draws, { activityId: 1, seq: 1 });
      await ix(MK.templates, { appId: 1 });
      await ix(MK.subscriptions, { env: 1, appId: 1, userId: 1, templateId: 1, status: 1 });
      await ix(MK.inbox, { userId: 1, createdAt: -1 });
      await ix(MK.inbox, { userId: 1, readAt: 1 });
      await ix(MK.shares, { env: 1, appId: 1, userId: 1 }, { unique: true, partialFilterExpression: { kind: 'referral' } });
      await ix(MK.referrals, { env: 1, appId: 1, inviteeUserId: 1 }, { unique: true });
      await ix(MK.referrals, { env: 1, appId: 1, createdAt: -1 });
      await ix(MK.referrals, { env: 1, appId: 1, referrerUserId: 1 });
      await ix(MK.events, { env: 1, appId: 1, at: 1 });
      await ix(MK.eventDaily, { env: 1, appId: 1, day: 1 });
      await ix(MK.cashbacks, { status: 1, creditAt: 1 });
      await ix(MK.placements, { env: 1, appId: 1, slot: 1 });
      await ix(MK.placements, { env: 1, slot: 1, status: 1 });
    })();
    p.catch(() => indexed.delete(store));
    indexed.set(store, p);
  }
  return p;
}
