/**
 * Bank campaigns (`marketing.campaigns` instant discounts, and the cashback campaigns of
 * `marketing.cashback`), set up by bank ops and funded by the bank's marketing budget account.
 *
 * At checkout the discount hook applies the best discount campaign the order qualifies for,
 * inside the payment's transaction: the campaign's spend moves with a conditional update that
 * keeps it within its budget (and its daily budget), the user's daily count with another, and a
 * campaign is only offered while the marketing account can pay it, so the payment's ledger entry
 * (which debits that account) never fails for want of budget. A `random` campaign's amount is
 * derived from a keyed digest of the order id, so a retried transaction gives the same amount.
 */
import { accounts } from '../ledger/accounts.ts';
import { ACCOUNTS_COLLECTION } from '../ledger/ledger.ts';
import type { MemberSecrets } from '../members/common.ts';
import type { Discount } from '../payments/settings.ts';
import type { Doc, Store, Transaction } from '../store/types.ts';
import { cstDay, ensureMarketingIndexes, MK, publicId, type Env, type OrderFacts, type Scope } from './common.ts';
import type { CheckoutFacts } from './redemptions.ts';

/** How the user pays, as campaigns restrict it. */
export type PayMethod = 'balance' | 'debit' | 'credit';
const ALL_METHODS: readonly PayMethod[] = ['balance', 'debit', 'credit'];

/** A bank campaign. */
export interface CampaignDoc extends Doc {
  env: Env;
  kind: 'discount' | 'cashback';
  title: string;
  type: 'instant' | 'threshold' | 'random';
  /** Discount in fen (the cap for random); for cashback, the most one order earns. */
  discountAmount: number;
  thresholdAmount: number;
  /** Cashback only: basis points of the paid amount (null: a fixed `discountAmount`). */
  cashbackRateBps: number | null;
  payMethods: PayMethod[];
  perUserDaily: number;
  validFrom: number;
  validUntil: number;
  budgetAmount: number;
  spentAmount: number;
  /** Most spent per CST day, or null. */
  dailyBudget: number | null;
  /** Apps it applies in, or null for every app. */
  appIds: string[] | null;
  status: 'active' | 'paused';
  createdAt: number;
}

/** Input of {@link CampaignService.create}. */
export type CampaignInput = Pick<CampaignDoc, 'env' | 'kind' | 'title' | 'type' | 'discountAmount' | 'thresholdAmount' | 'payMethods' | 'perUserDaily' | 'validFrom' | 'validUntil' | 'budgetAmount'> &
  Partial<Pick<CampaignDoc, 'cashbackRateBps' | 'dailyBudget' | 'appIds' | 'status'>>;

/** One use of a campaign by an order (`_id` is `<kind>|<env>|<orderId>`). */
interface UseDoc extends Doc {
  campaignId: string;
  amount: number;
  status: 'applied' | 'released';
}

/** Bank campaigns. */
export class CampaignService {
  constructor(private readonly secrets: MemberSecrets) {}

  /** Creates a campaign (bank ops, demo seeding). */
  async create(store: Store, input: CampaignInput, at = Date.now()): Promise<string> {
    await ensureMarketingIndexes(store);
    const doc: CampaignDoc = { cashbackRateBps: null, dailyBudget: null, appIds: null, status: 'active', ...input, _id: publicId('cmp'), spentAmount: 0, createdAt: at };
    await store.collection<CampaignDoc>(MK.campaigns).insertOne(doc);
    return doc._id;
  }

  /** Pauses or resumes a campaign. */
  async setStatus(store: Store, campaignId: string, status: CampaignDoc['status']): Promise<void> {
    await store.collection(MK.campaigns).updateOne({ _id: campaignId }, { $set: { status } });
  }

  /** Discount campaigns that apply in this app now (for an amount, if given), largest first. */
  async listDiscounts(scope: Scope, input: { amount?: number }) {
    await ensureMarketingIndexes(scope.store);
    const now = scope.now();
    const docs = await scope.store.collection<CampaignDoc>(MK.campaigns).find({ env: scope.env, kind: 'discount', status: 'active' }).toArray();
    return docs
      .filter((c) => this.live(c, scope.appId, now) && (input.amount === undefined || input.amount >= c.thresholdAmount))
      .sort((a, b) => b.discountAmount - a.discountAmount)
      .slice(0, 20)
      .map((c) => ({ campaignId: c._id, title: c.title, type: c.type, discountAmount: c.discountAmount, thresholdAmount: c.thresholdAmount, payMethods: [...c.payMethods], perUserDaily: c.perUserDaily, validUntil: c.validUntil }));
  }

  /**
   * Every campaign running now in an environment, for the host's home page: instant discounts
   * first, then cashback, the largest amount first in each. `appIds` null means every app.
   */
  async listRunning(store: Store, env: Env, now: number) {
    await ensureMarketingIndexes(store);
    const docs = await store.collection<CampaignDoc>(MK.campaigns).find({ env, status: 'active' }, { limit: 200 }).toArray();
    return docs
      .filter((c) => c.validFrom <= now && now < c.validUntil && c.spentAmount < c.budgetAmount)
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'discount' ? -1 : 1) || b.discountAmount - a.discountAmount || a.validUntil - b.validUntil)
      .slice(0, 20)
      .map((c) => ({
        campaignId: c._id,
        kind: c.kind,
        title: c.title,
        type: c.type,
        discountAmount: c.discountAmount,
        thresholdAmount: c.thresholdAmount,
        cashbackRateBps: c.cashbackRateBps,
        payMethods: [...c.payMethods],
        perUserDaily: c.perUserDaily,
        validUntil: c.validUntil,
        appIds: c.appIds ? [...c.appIds] : null,
      }));
  }

  /** Applies the best discount campaign inside the payment transaction, or answers null. */
  async applyIn(tx: Transaction, facts: CheckoutFacts & { payMethod?: PayMethod }): Promise<Discount | null> {
    const docs = await tx.collection<CampaignDoc>(MK.campaigns).find({ env: facts.env, kind: 'discount', status: 'active' }).toArray();
    const methods = facts.payMethod ? [facts.payMethod] : ALL_METHODS;
    const candidates = docs
      .filter((c) => this.live(c, facts.appId, facts.at) && facts.amount >= c.thresholdAmount && methods.every((m) => c.payMethods.includes(m)))
      .map((c) => ({ c, d: Math.min(this.amountFor(c, facts.orderId), facts.amount - 1) }))
      .filter((x) => x.d >= 1)
      .sort((a, b) => b.d - a.d);
    const marketing = await tx.collection<{ _id: string; balance: number }>(ACCOUNTS_COLLECTION).findOne({ _id: accounts.marketing(facts.env) });
    for (const { c, d } of candidates) {
      if ((marketing?.balance ?? 0) < d) continue;
      if (!(await this.reserve(tx, c, facts.userId, d, facts.at))) continue;
      await tx.collection<UseDoc>(MK.campaignUses).insertOne({ _id: `discount|${facts.env}|${facts.orderId}`, campaignId: c._id, amount: d, status: 'applied' });
      return { amount: d, fundedBy: 'bank', ref: c._id };
    }
    return null;
  }

  /**
   * Reserves `amount` of a campaign's budget and one of the user's daily uses, inside `tx`;
   * false (having written nothing) when the budget, the daily budget or the daily uses are spent.
   */
  async reserve(tx: Transaction, c: CampaignDoc, userId: string, amount: number, at: number): Promise<boolean> {
    const day = cstDay(at);
    const daily = tx.collection<{ _id: string; n: number; spent: number }>(MK.campaignDaily);
    const userDay = await daily.findOne({ _id: `${c._id}|${day}|${userId}` });
    if ((userDay?.n ?? 0) >= c.perUserDaily) return false;
    const campaignDay = await daily.findOne({ _id: `${c._id}|${day}` });
    if (c.dailyBudget !== null && (campaignDay?.spent ?? 0) + amount > c.dailyBudget) return false;
    const spent = await tx.collection<CampaignDoc>(MK.campaigns).updateOne({ _id: c._id, spentAmount: { $lte: c.budgetAmount - amount } }, { $inc: { spentAmount: amount } });
    if (spent.modifiedCount !== 1) return false;
    await daily.updateOne({ _id: `${c._id}|${day}|${userId}` }, { $inc: { n: 1 } }, { upsert: true });
    await daily.updateOne({ _id: `${c._id}|${day}` }, { $inc: { spent: amount } }, { upsert: true });
    return true;
  }

  /** Gives a fully refunded order's campaign discount back to the campaign's budget. Idempotent. */
  async releaseForOrder(store: Store, order: OrderFacts): Promise<boolean> {
    if (order.status !== 'refunded') return false;
    return store.transaction(async (tx) => {
      const uses = tx.collection<UseDoc>(MK.campaignUses);
      const use = await uses.findOne({ _id: `discount|${order.env}|${order._id}`, status: 'applied' });
      if (!use) return false;
      await uses.updateOne({ _id: use._id }, { $set: { status: 'released' } });
      await tx.collection(MK.campaigns).updateOne({ _id: use.campaignId }, { $inc: { spentAmount: -use.amount } });
      return true;
    });
  }

  /** True when the campaign runs now, in this app, with budget left. */
  live(c: CampaignDoc, appId: string, at: number): boolean {
    return c.status === 'active' && c.validFrom <= at && at < c.validUntil && (c.appIds === null || c.appIds.includes(appId)) && c.spentAmount < c.budgetAmount;
  }

  private amountFor(c: CampaignDoc, orderId: string): number {
    if (c.type !== 'random') return c.discountAmount;
    return 1 + (parseInt(this.secrets.mac('campaign-random', `${c._id}|${orderId}`).slice(0, 12), 16) % c.discountAmount);
  }
}
