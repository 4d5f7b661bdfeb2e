/**
 * Coupon stocks and coupons (`marketing.coupons`).
 *
 * A stock has an inventory, a budget (a cap: at least inventory × discount, checked at creation;
 * redemptions are charged to the merchant by a smaller settlement of the paid order) and a
 * per-user limit. Issuing runs in one transaction: the stock's `issued` count moves with a
 * conditional update (`issued < inventory`) and the user's holder count with another
 * (`n < perUserLimit`), so however many claims race, a stock of K never issues more than K and
 * no user more than the limit. Every check comes before the first write, so a soft issue (draw
 * prizes, referral rewards) can decline without spoiling the caller's transaction.
 */
import { LilyError } from '../../protocol/errors.ts';
import { DuplicateKeyError, type Doc, type Transaction } from '../store/types.ts';
import type { Store } from '../store/types.ts';
import { decodeCursor, encodeCursor, ensureMarketingIndexes, fingerprint, MK, pageSize, publicId, retrying, type Env, type Scope, type UserScope } from './common.ts';

/** How the host groups a user's coupons: usable now (or held by an unpaid order), used, expired. */
export type CouponGroup = 'available' | 'used' | 'expired';
/** The groups, in the order the host shows them. */
export const COUPON_GROUPS: readonly CouponGroup[] = ['available', 'used', 'expired'];

/** The store filter of a coupon group at `now` (`expired` is also derived from `validUntil`). */
function groupFilter(group: CouponGroup, now: number): Record<string, unknown> {
  if (group === 'available') return { status: { $in: ['available', 'locked'] }, validUntil: { $gt: now } };
  if (group === 'used') return { status: 'used' };
  return { $or: [{ status: 'expired' }, { status: { $in: ['available', 'locked'] }, validUntil: { $lte: now } }] };
}

/** A coupon stock. */
export interface StockDoc extends Doc {
  env: Env;
  appId: string;
  outStockNo: string;
  requestHash: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  validFrom: number;
  validUntil: number;
  inventory: number;
  issued: number;
  budgetAmount: number;
  /** Discounts of coupons redeemed and not released. */
  redeemedAmount: number;
  perUserLimit: number;
  status: 'active' | 'paused';
  createdAt: number;
}

/** A coupon in a user's wallet. `expired` is also derived on read from `validUntil`. */
export interface CouponDoc extends Doc {
  env: Env;
  appId: string;
  stockId: string;
  userId: string;
  openId: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  validFrom: number;
  validUntil: number;
  status: 'available' | 'locked' | 'used' | 'expired';
  orderId: string | null;
  /** The merchant's issuing number (Open API issues only). */
  outRequestNo?: string;
  issuedAt: number;
}

/** Input of {@link CouponService.createStock} (the `createCouponStock` body). */
export interface CreateStockInput {
  outStockNo: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  validFrom: number;
  validUntil: number;
  inventory: number;
  budgetAmount: number;
  perUserLimit: number;
}

/** The coupon as users and merchants see it. */
export function couponView(c: CouponDoc, now: number) {
  const status = c.status === 'available' && now >= c.validUntil ? 'expired' : c.status;
  return { couponId: c._id, stockId: c.stockId, title: c.title, discountAmount: c.discountAmount, thresholdAmount: c.thresholdAmount, validFrom: c.validFrom, validUntil: c.validUntil, status };
}

/** Who receives an issued coupon, and how. */
export interface IssueTarget {
  env: Env;
  appId: string;
  userId: string;
  openId: string;
  at: number;
  outRequestNo?: string;
}

/** Coupon stocks and coupons. */
export class CouponService {
  /** Creates a stock; idempotent by `outStockNo` (other content: DUPLICATE). */
  async createStock(scope: Scope, input: CreateStockInput) {
    await ensureMarketingIndexes(scope.store);
    const now = scope.now();
    if (input.validUntil <= input.validFrom || input.validUntil <= now) throw new LilyError('INVALID_PARAMS', 'validUntil must be after validFrom and in the future.', { field: 'validUntil' });
    if (input.budgetAmount < input.inventory * input.discountAmount) throw new LilyError('INVALID_PARAMS', 'budgetAmount must cover inventory × discountAmount.', { field: 'budgetAmount' });
    if (input.thresholdAmount > 0 && input.discountAmount >= input.thresholdAmount) throw new LilyError('INVALID_PARAMS', 'discountAmount must be below thresholdAmount.', { field: 'discountAmount' });
    const { outStockNo, ...rule } = input;
    const requestHash = fingerprint(rule);
    const col = scope.store.collection<StockDoc>(MK.stocks);
    const same = (s: StockDoc) => {
      if (s.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outStockNo ${outStockNo} was already used for another stock.`, { field: 'outStockNo' });
      return { stockId: s._id, status: 'active' as const };
    };
    const existing = await col.findOne({ env: scope.env, appId: scope.appId, outStockNo });
    if (existing) return same(existing);
    const doc: StockDoc = { _id: publicId('cs'), env: scope.env, appId: scope.appId, outStockNo, requestHash, ...rule, issued: 0, redeemedAmount: 0, status: 'active', createdAt: now };
    try {
      await col.insertOne(doc);
    } catch (err) {
      const winner = err instanceof DuplicateKeyError ? await col.findOne({ env: scope.env, appId: scope.appId, outStockNo }) : null;
      if (!winner) throw err;
      return same(winner);
    }
    return { stockId: doc._id, status: 'active' as const };
  }

  /**
   * Issues one coupon inside `tx`. Throws NOT_FOUND (not this app's stock), INVALID_STATE (empty,
   * paused or ended) or LIMIT_EXCEEDED (user at the limit); with `soft`, answers null instead of
   * the last two, having written nothing.
   */
  async issueIn(tx: Transaction, stockId: string, to: IssueTarget, options: { soft?: boolean } = {}): Promise<CouponDoc | null> {
    const stocks = tx.collection<StockDoc>(MK.stocks);
    const stock = await stocks.findOne({ _id: stockId, env: to.env, appId: to.appId });
    if (!stock) throw new LilyError('NOT_FOUND', 'No such coupon stock.');
    const refuse = (code: 'INVALID_STATE' | 'LIMIT_EXCEEDED', message: string) => {
      if (options.soft) return null;
      throw new LilyError(code, message);
    };
    if (stock.status !== 'active' || to.at >= stock.validUntil) return refuse('INVALID_STATE', 'The coupon stock has ended.');
    if (stock.issued >= stock.inventory) return refuse('INVALID_STATE', 'The coupon stock is empty.');
    const holders = tx.collection<{ _id: string; n: number }>(MK.holders);
    const holderId = `${stockId}|${to.userId}`;
    const held = (await holders.findOne({ _id: holderId }))?.n ?? 0;
    if (held >= stock.perUserLimit) return refuse('LIMIT_EXCEEDED', `At most ${stock.perUserLimit} coupons of this stock per user.`);
    // The conditional updates are the guards; the reads above only choose the answer.
    const took = await stocks.updateOne({ _id: stockId, status: 'active', issued: { $lt: stock.inventory } }, { $inc: { issued: 1 } });
    if (took.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The stock changed meanwhile; try again.');
    if (held === 0) await holders.insertOne({ _id: holderId, n: 1 });
    else if ((await holders.updateOne({ _id: holderId, n: held }, { $inc: { n: 1 } })).modifiedCount !== 1) throw new LilyError('CONFLICT', 'Claims raced; try again.');
    const coupon: CouponDoc = {
      _id: publicId('cp'),
      env: to.env,
      appId: to.appId,
      stockId,
      userId: to.userId,
      openId: to.openId,
      title: stock.title,
      discountAmount: stock.discountAmount,
      thresholdAmount: stock.thresholdAmount,
      validFrom: stock.validFrom,
      validUntil: stock.validUntil,
      status: 'available',
      orderId: null,
      ...(to.outRequestNo !== undefined ? { outRequestNo: to.outRequestNo } : {}),
      issuedAt: to.at,
    };
    await tx.collection<CouponDoc>(MK.coupons).insertOne(coupon);
    return coupon;
  }

  /** A user claims one coupon (on a tap in the mini-app). */
  async claim(scope: UserScope, input: { stockId: string }) {
    await ensureMarketingIndexes(scope.store);
    const to = { env: scope.env, appId: scope.appId, userId: scope.userId, openId: scope.openId, at: scope.now() };
    const coupon = await retrying(() => scope.store.transaction((tx) => this.issueIn(tx, input.stockId, to)));
    return couponView(coupon!, to.at);
  }

  /**
   * The merchant issues one coupon to a user; idempotent by `outRequestNo` (the same stock and
   * user answer the same coupon, anything else DUPLICATE).
   */
  async issue(scope: Scope, input: { stockId: string; openId: string; userId: string; outRequestNo: string }) {
    await ensureMarketingIndexes(scope.store);
    const col = scope.store.collection<CouponDoc>(MK.coupons);
    const now = scope.now();
    const existing = async () => {
      const c = await col.findOne({ env: scope.env, appId: scope.appId, outRequestNo: input.outRequestNo });
      if (c && (c.stockId !== input.stockId || c.openId !== input.openId)) throw new LilyError('DUPLICATE', `outRequestNo ${input.outRequestNo} was already used for another coupon.`, { field: 'outRequestNo' });
      return c;
    };
    const to = { env: scope.env, appId: scope.appId, userId: input.userId, openId: input.openId, at: now, outRequestNo: input.outRequestNo };
    const coupon = await retrying(async () => (await existing()) ?? (await scope.store.transaction((tx) => this.issueIn(tx, input.stockId, to)))!);
    return couponView(coupon, now);
  }

  /** Stocks of this app the user can still claim, newest first. */
  async listAvailable(scope: UserScope, input: { limit?: number; cursor?: string }) {
    await ensureMarketingIndexes(scope.store);
    const n = pageSize(input.limit);
    const now = scope.now();
    const query: Record<string, unknown> = { env: scope.env, appId: scope.appId, status: 'active', validUntil: { $gt: now } };
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$or'] = [{ createdAt: { $lt: c.at } }, { createdAt: c.at, _id: { $lt: c.id } }];
    }
    const docs = await scope.store.collection<StockDoc>(MK.stocks).find(query, { sort: { createdAt: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const stocks = [];
    for (const s of page) {
      const claimed = (await scope.store.collection<{ _id: string; n: number }>(MK.holders).findOne({ _id: `${s._id}|${scope.userId}` }))?.n ?? 0;
      if (s.issued >= s.inventory || claimed >= s.perUserLimit) continue;
      const { title, discountAmount, thresholdAmount, validFrom, validUntil, perUserLimit } = s;
      stocks.push({ stockId: s._id, title, discountAmount, thresholdAmount, validFrom, validUntil, remaining: s.inventory - s.issued, perUserLimit, claimed });
    }
    const last = page[page.length - 1];
    return { stocks, nextCursor: docs.length > n && last ? encodeCursor(last.createdAt, last._id) : null };
  }

  /**
   * The user's coupons of every app in one environment, newest first, optionally of one group, with
   * how many each group holds (the host's "me" page). INVALID_PARAMS for a foreign cursor.
   */
  async listForUser(store: Store, env: Env, userId: string, input: { group?: CouponGroup; limit?: number; cursor?: string }, now: number) {
    await ensureMarketingIndexes(store);
    const n = pageSize(input.limit);
    const col = store.collection<CouponDoc>(MK.coupons);
    const and: Record<string, unknown>[] = [{ env, userId }];
    if (input.group) and.push(groupFilter(input.group, now));
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      and.push({ $or: [{ issuedAt: { $lt: c.at } }, { issuedAt: c.at, _id: { $lt: c.id } }] });
    }
    const docs = await col.find({ $and: and }, { sort: { issuedAt: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    const counts = Object.fromEntries(
      await Promise.all(COUPON_GROUPS.map(async (g) => [g, await col.countDocuments({ $and: [{ env, userId }, groupFilter(g, now)] })] as const)),
    ) as Record<CouponGroup, number>;
    return {
      coupons: page.map((c) => ({ ...couponView(c, now), appId: c.appId, orderId: c.orderId, issuedAt: c.issuedAt })),
      counts,
      nextCursor: docs.length > n && last ? encodeCursor(last.issuedAt, last._id) : null,
    };
  }

  /** The user's coupons of this app, soonest to expire first, optionally of one status. */
  async listMine(scope: UserScope, input: { status?: CouponDoc['status']; limit?: number; cursor?: string }) {
    await ensureMarketingIndexes(scope.store);
    const n = pageSize(input.limit);
    const now = scope.now();
    const query: Record<string, unknown> = { env: scope.env, appId: scope.appId, userId: scope.userId };
    if (input.status === 'available') Object.assign(query, { status: 'available', validUntil: { $gt: now } });
    else if (input.status === 'expired') query['$or'] = [{ status: 'expired' }, { status: 'available', validUntil: { $lte: now } }];
    else if (input.status !== undefined) query['status'] = input.status;
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$and'] = [{ $or: [{ validUntil: { $gt: c.at } }, { validUntil: c.at, _id: { $gt: c.id } }] }];
    }
    const docs = await scope.store.collection<CouponDoc>(MK.coupons).find(query, { sort: { validUntil: 1, _id: 1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    return { coupons: page.map((c) => couponView(c, now)), nextCursor: docs.length > n && last ? encodeCursor(last.validUntil, last._id) : null };
  }
}
