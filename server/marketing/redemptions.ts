/**
 * Coupon redemptions (`marketing.redeem`): the cashier redeems the coupon the user picked inside
 * the payment's own transaction (through the payment discount hook), so a coupon is used exactly
 * when its order is paid; a refund releases it again by the rules in the capability's docs.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Discount } from '../payments/settings.ts';
import type { Doc, Store, Transaction } from '../store/types.ts';
import { decodeCursor, encodeCursor, ensureMarketingIndexes, MK, pageSize, type Env, type OrderFacts, type Scope } from './common.ts';
import { couponView, type CouponDoc, type StockDoc } from './coupons.ts';

/** One redemption (`_id` is `<env>|<orderId>`: at most one coupon per order). */
export interface RedemptionDoc extends Doc {
  env: Env;
  appId: string;
  couponId: string;
  stockId: string;
  userId: string;
  openId: string;
  orderId: string;
  discountAmount: number;
  status: 'redeemed' | 'released';
  redeemedAt: number;
  releasedAt: number | null;
}

/** What the payment discount hook is given. */
export interface CheckoutFacts {
  env: Env;
  appId: string;
  userId: string;
  orderId: string;
  amount: number;
  couponId: string | null;
  at: number;
}

const unusable = (why: string) => new LilyError('INVALID_STATE', `The coupon cannot be used for this order: ${why}.`, { field: 'couponId' });

/** Redeems and releases coupons. */
export class Redemptions {
  /** The user's coupons usable for an order of `amount` now, largest discount first (for the cashier sheet). */
  async usableCoupons(store: Store, input: { env: Env; appId: string; userId: string; amount: number; at: number }) {
    await ensureMarketingIndexes(store);
    if (input.amount < 2) return [];
    const docs = await store
      .collection<CouponDoc>(MK.coupons)
      .find({ env: input.env, appId: input.appId, userId: input.userId, status: 'available', validUntil: { $gt: input.at }, validFrom: { $lte: input.at }, thresholdAmount: { $lte: input.amount } }, { limit: 100 })
      .toArray();
    return docs.sort((a, b) => b.discountAmount - a.discountAmount || a.validUntil - b.validUntil).map((c) => couponView(c, input.at));
  }

  /**
   * Redeems the coupon the user picked, inside the payment transaction: INVALID_STATE when it is
   * not theirs, not usable now or for this amount, or its stock's budget is spent. The discount
   * always leaves at least 1 fen to pay.
   */
  async redeemIn(tx: Transaction, input: CheckoutFacts & { couponId: string }): Promise<Discount> {
    const coupons = tx.collection<CouponDoc>(MK.coupons);
    const coupon = await coupons.findOne({ _id: input.couponId, env: input.env, appId: input.appId, userId: input.userId });
    if (!coupon) throw unusable('no such coupon');
    if (coupon.status !== 'available') throw unusable(`it is ${coupon.status}`);
    if (input.at < coupon.validFrom || input.at >= coupon.validUntil) throw unusable('it is outside its validity');
    if (input.amount < coupon.thresholdAmount || input.amount < 2) throw unusable('the amount is below its threshold');
    const d = Math.min(coupon.discountAmount, input.amount - 1);
    const stocks = tx.collection<StockDoc>(MK.stocks);
    const stock = await stocks.findOne({ _id: coupon.stockId });
    if (!stock) throw unusable('its stock is gone');
    const budget = await stocks.updateOne({ _id: stock._id, redeemedAmount: { $lte: stock.budgetAmount - d } }, { $inc: { redeemedAmount: d } });
    if (budget.modifiedCount !== 1) throw unusable('the stock budget is spent');
    // The conditional update is the guard against a second redemption of the same coupon.
    const used = await coupons.updateOne({ _id: coupon._id, status: 'available' }, { $set: { status: 'used', orderId: input.orderId, usedAt: input.at } });
    if (used.modifiedCount !== 1) throw unusable('it was just used');
    await tx.collection<RedemptionDoc>(MK.redemptions).insertOne({
      _id: `${input.env}|${input.orderId}`,
      env: input.env,
      appId: input.appId,
      couponId: coupon._id,
      stockId: coupon.stockId,
      userId: input.userId,
      openId: coupon.openId,
      orderId: input.orderId,
      discountAmount: d,
      status: 'redeemed',
      redeemedAt: input.at,
      releasedAt: null,
    });
    return { amount: d, fundedBy: 'merchant', ref: coupon._id };
  }

  /**
   * Applies a refund of `order` to its coupon: released on a full refund, or when what the user
   * keeps (paid − refunded + discount) falls below the coupon's threshold; then returned to the
   * user if still valid, else expired. Idempotent. Returns true when it released one now.
   */
  async releaseForOrder(store: Store, order: OrderFacts, at: number): Promise<boolean> {
    return store.transaction(async (tx) => {
      const redemptions = tx.collection<RedemptionDoc>(MK.redemptions);
      const r = await redemptions.findOne({ _id: `${order.env}|${order._id}`, status: 'redeemed' });
      if (!r || order.refundedAmount <= 0) return false;
      const coupon = await tx.collection<CouponDoc>(MK.coupons).findOne({ _id: r.couponId });
      const kept = order.paidAmount - order.refundedAmount + order.discountAmount;
      if (order.status !== 'refunded' && kept >= (coupon?.thresholdAmount ?? 0)) return false;
      if ((await redemptions.updateOne({ _id: r._id, status: 'redeemed' }, { $set: { status: 'released', releasedAt: at } })).modifiedCount !== 1) return false;
      if (coupon) {
        await tx.collection<CouponDoc>(MK.coupons).updateOne({ _id: coupon._id, status: 'used' }, { $set: { status: at < coupon.validUntil ? 'available' : 'expired', orderId: null } });
      }
      await tx.collection<StockDoc>(MK.stocks).updateOne({ _id: r.stockId }, { $inc: { redeemedAmount: -r.discountAmount } });
      return true;
    });
  }

  /** The app's redemptions, newest first, with filters. */
  async list(scope: Scope, input: { stockId?: string; from?: number; to?: number; status?: RedemptionDoc['status']; limit?: number; cursor?: string }) {
    await ensureMarketingIndexes(scope.store);
    const n = pageSize(input.limit);
    const query: Record<string, unknown> = { env: scope.env, appId: scope.appId };
    if (input.stockId !== undefined) query['stockId'] = input.stockId;
    if (input.status !== undefined) query['status'] = input.status;
    if (input.from !== undefined || input.to !== undefined) {
      query['redeemedAt'] = { ...(input.from !== undefined ? { $gte: input.from } : {}), ...(input.to !== undefined ? { $lt: input.to } : {}) };
    }
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$or'] = [{ redeemedAt: { $lt: c.at } }, { redeemedAt: c.at, _id: { $lt: c.id } }];
    }
    const docs = await scope.store.collection<RedemptionDoc>(MK.redemptions).find(query, { sort: { redeemedAt: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    return {
      redemptions: page.map((r) => ({ couponId: r.couponId, stockId: r.stockId, openId: r.openId, orderId: r.orderId, discountAmount: r.discountAmount, status: r.status, redeemedAt: r.redeemedAt, releasedAt: r.releasedAt })),
      nextCursor: docs.length > n && last ? encodeCursor(last.redeemedAt, last._id) : null,
    };
  }
}
