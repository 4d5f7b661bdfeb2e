/**
 * Cashback (`marketing.cashback`): bank-funded money back after a qualifying payment.
 *
 * A paid order is evaluated once (`_id` is `<env>|<orderId>`, so evaluation is idempotent per
 * order whoever triggers it): the best cashback campaign reserves the amount from its budget and
 * the cashback waits `pending` through the refund window (7 days); then it is credited to the
 * wallet from the bank's marketing budget account with one journal entry (`cashback:<orderId>`),
 * or `reversed` when the order was refunded in the window. Orders with no campaign are recorded
 * as `none`.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';
import type { CampaignDoc, CampaignService } from './campaigns.ts';
import { ensureMarketingIndexes, MK, PAYMENT_ORDERS, type Env, type OrderFacts, type UserScope } from './common.ts';

/** The refund window after which cashback is credited. */
export const CASHBACK_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** The cashback of one order. */
export interface CashbackDoc extends Doc {
  env: Env;
  appId: string;
  orderId: string;
  userId: string;
  campaignId: string | null;
  campaignTitle: string | null;
  amount: number;
  status: 'none' | 'pending' | 'credited' | 'reversed';
  creditAt: number | null;
  createdAt: number;
  creditedAt: number | null;
}

const paid = (o: OrderFacts) => o.status === 'paid' || o.status === 'partially_refunded' || o.status === 'refunded';

/** Cashback after payment. */
export class CashbackService {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly windowMs = CASHBACK_WINDOW_MS,
  ) {}

  /** Evaluates a paid order once (no-op for unpaid or already evaluated orders); returns its cashback. */
  async evaluate(store: Store, order: OrderFacts, at: number): Promise<CashbackDoc | null> {
    await ensureMarketingIndexes(store);
    const col = store.collection<CashbackDoc>(MK.cashbacks);
    const id = `${order.env}|${order._id}`;
    const existing = await col.findOne({ _id: id });
    if (existing || !paid(order) || !order.userId || order.paidAt === null) return existing;
    const userId = order.userId;
    try {
      return await store.transaction(async (tx) => {
        const docs = await tx.collection<CampaignDoc>(MK.campaigns).find({ env: order.env, kind: 'cashback', status: 'active' }).toArray();
        const candidates = docs
          .filter((c) => this.campaigns.live(c, order.appId, order.paidAt!) && order.paidAmount >= c.thresholdAmount)
          .map((c) => ({ c, amount: c.cashbackRateBps === null ? c.discountAmount : Math.min(c.discountAmount, Math.floor((order.paidAmount * c.cashbackRateBps) / 10_000)) }))
          .filter((x) => x.amount >= 1)
          .sort((a, b) => b.amount - a.amount);
        let doc: CashbackDoc = { _id: id, env: order.env, appId: order.appId, orderId: order._id, userId, campaignId: null, campaignTitle: null, amount: 0, status: 'none', creditAt: null, createdAt: at, creditedAt: null };
        for (const { c, amount } of candidates) {
          if (await this.campaigns.reserve(tx, c, userId, amount, order.paidAt!)) {
            doc = { ...doc, campaignId: c._id, campaignTitle: c.title.slice(0, 40), amount, status: 'pending', creditAt: order.paidAt! + this.windowMs };
            break;
          }
        }
        await tx.collection<CashbackDoc>(MK.cashbacks).insertOne(doc);
        return doc;
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) return col.findOne({ _id: id });
      throw err;
    }
  }

  /** Reverses a pending cashback of a refunded order (budget back to the campaign). Idempotent. */
  async reverseIfRefunded(store: Store, order: OrderFacts): Promise<boolean> {
    if (order.refundedAmount <= 0) return false;
    return store.transaction(async (tx) => {
      const col = tx.collection<CashbackDoc>(MK.cashbacks);
      const doc = await col.findOne({ _id: `${order.env}|${order._id}`, status: 'pending' });
      if (!doc) return false;
      await col.updateOne({ _id: doc._id, status: 'pending' }, { $set: { status: 'reversed' } });
      if (doc.campaignId) await tx.collection(MK.campaigns).updateOne({ _id: doc.campaignId }, { $inc: { spentAmount: -doc.amount } });
      return true;
    });
  }

  /**
   * Credits every pending cashback past its window (reversing those whose order was refunded).
   * A marketing budget too small for one leaves it pending for the next run. Returns how many
   * it credited.
   */
  async creditDue(store: Store, now: number, limit = 500): Promise<number> {
    await ensureMarketingIndexes(store);
    const due = await store.collection<CashbackDoc>(MK.cashbacks).find({ status: 'pending', creditAt: { $lte: now } }, { limit }).toArray();
    let credited = 0;
    for (const c of due) {
      const order = await store.collection<OrderFacts>(PAYMENT_ORDERS).findOne({ _id: c.orderId });
      if (order && (await this.reverseIfRefunded(store, order))) continue;
      try {
        const did = await store.transaction(async (tx) => {
          const res = await tx.collection<CashbackDoc>(MK.cashbacks).updateOne({ _id: c._id, status: 'pending' }, { $set: { status: 'credited', creditedAt: now } });
          if (res.modifiedCount !== 1) return false;
          await postEntry(tx, {
            env: c.env,
            kind: 'cashback',
            ref: `cashback:${c.orderId}`,
            at: now,
            appId: c.appId,
            postings: [
              { account: accounts.marketing(c.env), amount: -c.amount },
              { account: accounts.wallet(c.env, c.userId), amount: c.amount },
            ],
            meta: { type: 'cashback', orderId: c.orderId, campaignId: c.campaignId },
          });
          return true;
        });
        if (did) credited++;
      } catch (err) {
        if (!(err instanceof LilyError && err.code === 'INSUFFICIENT_FUNDS')) throw err;
      }
    }
    return credited;
  }

  /** The cashback of one of the user's orders in this app (evaluated on the way); NOT_FOUND otherwise. */
  async forUser(scope: UserScope, orderId: string) {
    const order = await scope.store.collection<OrderFacts>(PAYMENT_ORDERS).findOne({ _id: orderId, env: scope.env, appId: scope.appId });
    if (!order || order.openId !== scope.openId) throw new LilyError('NOT_FOUND', 'No such order.');
    let doc = await this.evaluate(scope.store, order, scope.now());
    if (doc?.status === 'pending' && (await this.reverseIfRefunded(scope.store, order))) doc = { ...doc, status: 'reversed' };
    if (!doc || doc.status === 'none') return { orderId, status: 'none' as const, amount: 0, campaignTitle: null, creditAt: null };
    return { orderId, status: doc.status, amount: doc.amount, campaignTitle: doc.campaignTitle, creditAt: doc.status === 'reversed' ? null : (doc.creditedAt ?? doc.creditAt) };
  }
}
