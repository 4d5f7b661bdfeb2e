/**
 * `Marketing`: the marketing services behind one object, the payment discount hook, and the
 * follow-ups of payments and refunds (cashback evaluation, coupon and campaign release, cashback
 * reversal and crediting). Like `Payments` it holds no store: every call names its scope.
 *
 * Payments and refunds reach marketing two ways, both idempotent: the lead's code may call
 * `onPaymentSucceeded` / `onRefunded` right after the fact, and `sweep` (on a timer) catches up
 * from the payment collections themselves, so a missed call or a crash loses nothing.
 */
import type { EventBus } from '../events.ts';
import type { Members } from '../members/members.ts';
import type { DiscountHook } from '../payments/settings.ts';
import type { Doc, Store } from '../store/types.ts';
import { Analytics, type AnalyticsOptions } from './analytics.ts';
import { CampaignService } from './campaigns.ts';
import { CashbackService } from './cashback.ts';
import { ensureMarketingIndexes, MK, PAYMENT_ORDERS, PAYMENT_REFUNDS, type OrderFacts } from './common.ts';
import { CouponService } from './coupons.ts';
import { createDiscountHook } from './discount.ts';
import { DrawService } from './draws.ts';
import { MessageService } from './messages.ts';
import { PlacementService } from './placements.ts';
import { Redemptions } from './redemptions.ts';
import { ReferralService } from './referrals.ts';

/** What the marketing services need. */
export interface MarketingOptions {
  /** The membership services (points, open ids, derived secrets). */
  members: Members;
  /** The event bus: `message.delivered` reaches the user's host through the socket gateway. */
  bus: Pick<EventBus, 'emit'>;
  analytics?: AnalyticsOptions;
  /** How long cashback waits for refunds before it is credited (default 7 days). */
  cashbackWindowMs?: number;
}

/** How long `sweep` leaves recent payments alone, so one that committed late with an older time is not skipped. */
const SETTLE_MS = 60 * 1000;

/**
 * The marketing services.
 *
 * @example
 * ```ts
 * const marketing = new Marketing({ members, bus });
 * const payments = new Payments({ discount: marketing.discountHook() });
 * setInterval(() => marketing.sweep(store, Date.now()), 60_000);
 * ```
 */
export class Marketing {
  /** Coupon stocks and coupons. */
  readonly coupons = new CouponService();
  /** Coupon redemptions at checkout and their release. */
  readonly redemptions = new Redemptions();
  /** Bank discount and cashback campaigns. */
  readonly campaigns: CampaignService;
  /** Cashback after payment. */
  readonly cashback: CashbackService;
  /** Lucky draws. */
  readonly draws: DrawService;
  /** Message templates, subscriptions and the inbox. */
  readonly messages: MessageService;
  /** Share links and referrals. */
  readonly referrals: ReferralService;
  /** Custom events, stats and funnels. */
  readonly analytics: Analytics;
  /** Home-page placements. */
  readonly placements = new PlacementService();
  /** The membership services marketing builds on. */
  readonly members: Members;

  constructor(options: MarketingOptions) {
    this.members = options.members;
    this.campaigns = new CampaignService(options.members.secrets);
    this.cashback = new CashbackService(this.campaigns, options.cashbackWindowMs);
    this.draws = new DrawService(options.members.secrets, this.coupons, options.members.points);
    this.messages = new MessageService(options.bus);
    this.referrals = new ReferralService(options.members.points, this.coupons);
    this.analytics = new Analytics(options.analytics);
  }

  /** Creates the indexes (also done lazily on first use). */
  init(store: Store): Promise<void> {
    return ensureMarketingIndexes(store);
  }

  /** The hook to pass as `PaymentSettings.discount`: coupons, then bank campaigns. */
  discountHook(): DiscountHook {
    return createDiscountHook(this);
  }

  /** Evaluates an order's cashback once it is paid (idempotent per order). */
  async onPaymentSucceeded(store: Store, orderId: string, at: number) {
    const order = await store.collection<OrderFacts>(PAYMENT_ORDERS).findOne({ _id: orderId });
    return order ? this.cashback.evaluate(store, order, at) : null;
  }

  /** Applies an order's refunds: releases its coupon and campaign spend, reverses pending cashback. Idempotent. */
  async onRefunded(store: Store, orderId: string, at: number): Promise<{ couponReleased: boolean; campaignReleased: boolean; cashbackReversed: boolean }> {
    const order = await store.collection<OrderFacts>(PAYMENT_ORDERS).findOne({ _id: orderId });
    if (!order) return { couponReleased: false, campaignReleased: false, cashbackReversed: false };
    return {
      couponReleased: await this.redemptions.releaseForOrder(store, order, at),
      campaignReleased: await this.campaigns.releaseForOrder(store, order),
      cashbackReversed: await this.cashback.reverseIfRefunded(store, order),
    };
  }

  /**
   * Catches up with payments and refunds since the last run (`onPaymentSucceeded`,
   * `onRefunded`) and credits cashback past its window. Safe to run from several processes.
   */
  async sweep(store: Store, now: number, limit = 500): Promise<{ paid: number; refunded: number; credited: number }> {
    await ensureMarketingIndexes(store);
    const orders = await this.scan<OrderFacts>(store, 'paid', PAYMENT_ORDERS, 'paidAt', now, limit);
    for (const o of orders) await this.cashback.evaluate(store, o, now);
    const refunds = await this.scan<{ _id: string; orderId: string; createdAt: number }>(store, 'refunded', PAYMENT_REFUNDS, 'createdAt', now, limit);
    for (const orderId of new Set(refunds.map((r) => r.orderId))) await this.onRefunded(store, orderId, now);
    return { paid: orders.length, refunded: refunds.length, credited: await this.cashback.creditDue(store, now) };
  }

  /**
   * The next page of a payment collection by (time, id) after the stored cursor, up to
   * `now - SETTLE_MS` (so a transaction that committed late with an older time is not skipped),
   * advancing the cursor past it.
   */
  private async scan<T extends { _id: string }>(store: Store, name: string, collection: string, field: string, now: number, limit: number): Promise<T[]> {
    const cursors = store.collection<{ _id: string; at: number; id: string }>(MK.cursors);
    const c = (await cursors.findOne({ _id: name })) ?? { _id: name, at: 0, id: '' };
    const docs = await store
      .collection<T & Doc>(collection)
      .find({ [field]: { $lte: now - SETTLE_MS }, $or: [{ [field]: { $gt: c.at } }, { [field]: c.at, _id: { $gt: c.id } }] }, { sort: { [field]: 1, _id: 1 }, limit })
      .toArray();
    const last = docs[docs.length - 1];
    if (last) await cursors.updateOne({ _id: name }, { $set: { at: Number(last[field]), id: last._id } }, { upsert: true });
    return docs;
  }

  /** Writes queued analytics events and stops the batch timer. */
  close(): Promise<void> {
    return this.analytics.flushAll();
  }
}
