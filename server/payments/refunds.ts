/**
 * Refunds, full or partial, never above what the user paid. Idempotent by the merchant's
 * `outRefundNo`. The refund, the order's refunded amount and state, the ledger entry and the
 * webhook commit in one transaction; the order update is conditional on the refunded amount the
 * transaction read, so racing refunds cannot both pass the limit.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc, type Transaction } from '../store/types.ts';
import { assertFen, C, ensurePaymentIndexes, fingerprint, publicId, type Env, type Scope, type UserScope } from './common.ts';
import type { OrderDoc } from './orders.ts';
import { orderResource } from './orders.ts';
import { enqueue } from './outbox.ts';
import { consumeDailyAmount } from './quota.ts';
import { assertTransition } from './state.ts';

/** A stored refund. */
export interface RefundDoc extends Doc {
  env: Env;
  appId: string;
  orderId: string;
  /** The payer's open id (for the user's own view). */
  openId: string | null;
  outRefundNo: string;
  amount: number;
  reason: string;
  status: 'processing' | 'succeeded' | 'failed';
  /** `merchant`: createRefund; `escrow`: refundEscrow returned pending milestones. */
  source: 'merchant' | 'escrow';
  createdAt: number;
  succeededAt: number | null;
  requestHash: string;
}

/** The refund as merchants and users see it (`refundView` schema). */
export function refundView(r: RefundDoc) {
  return {
    refundId: r._id,
    orderId: r.orderId,
    outRefundNo: r.outRefundNo,
    amount: r.amount,
    reason: r.reason,
    status: r.status,
    createdAt: r.createdAt,
    succeededAt: r.succeededAt,
  };
}

/** Where refunded money goes: back the way it came (wallet, or the card through the external source). */
export function payerAccount(order: Pick<OrderDoc, 'env' | 'payMethod' | 'userId'>): string {
  if (order.payMethod === 'card') return accounts.external(order.env);
  if (!order.userId) throw new Error('a paid order has a payer');
  return accounts.wallet(order.env, order.userId);
}

/**
 * Books a refund of `amount` inside `tx`: money from `from` (the merchant's settlement, or an
 * escrow) back to the payer, plus the proportional share of a bank discount taken back from the
 * merchant to the marketing budget; updates the order, inserts the refund and its webhook.
 * The caller has checked `amount ≤ paidAmount - refundedAmount`.
 */
export async function bookRefund(
  tx: Transaction,
  input: {
    order: OrderDoc;
    amount: number;
    from: string;
    refund: Pick<RefundDoc, '_id' | 'outRefundNo' | 'reason' | 'source' | 'requestHash'>;
    at: number;
  },
): Promise<{ refund: RefundDoc; order: OrderDoc }> {
  const { order, amount, at } = input;
  const refunded = order.refundedAmount + amount;
  if (refunded > order.paidAmount) throw new LilyError('LIMIT_EXCEEDED', 'Refunds may not exceed what was paid.');
  const status = refunded === order.paidAmount ? 'refunded' : 'partially_refunded';
  assertTransition('order', order.status, status);
  // The bank discount goes back in proportion to what is refunded; cumulative rounding makes a
  // full refund return exactly all of it.
  const discountReturned = order.paidAmount === 0 ? 0 : Math.floor((order.bankDiscount * refunded) / order.paidAmount);
  const clawback = discountReturned - order.discountReturned;
  const merchant = accounts.merchant(order.env, order.appId);
  await postEntry(tx, {
    env: order.env,
    kind: input.refund.source === 'escrow' ? 'escrow.refund' : 'refund',
    ref: `refund:${input.refund._id}`,
    at,
    appId: order.appId,
    postings: [
      { account: input.from, amount: -amount },
      { account: payerAccount(order), amount },
      { account: merchant, amount: -clawback },
      { account: accounts.marketing(order.env), amount: clawback },
    ],
    meta: { type: 'refund', id: input.refund._id, orderId: order._id, outTradeNo: order.outTradeNo },
  });
  const res = await tx
    .collection<OrderDoc>(C.orders)
    .updateOne(
      { _id: order._id, status: order.status, refundedAmount: order.refundedAmount },
      { $set: { status, refundedAmount: refunded, discountReturned } },
    );
  if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The order changed meanwhile; try again.');
  const refund: RefundDoc = {
    ...input.refund,
    env: order.env,
    appId: order.appId,
    orderId: order._id,
    openId: order.openId,
    amount,
    status: 'succeeded',
    createdAt: at,
    succeededAt: at,
  };
  await tx.collection<RefundDoc>(C.refunds).insertOne(refund);
  const updated: OrderDoc = { ...order, status, refundedAmount: refunded, discountReturned };
  await enqueue(tx, {
    env: order.env,
    appId: order.appId,
    eventType: 'refund.succeeded',
    resourceId: refund._id,
    resource: { ...refundView(refund), order: orderResource(updated) },
    notifyUrl: order.notifyUrl,
    at,
  });
  return { refund, order: updated };
}

/** Input of {@link createRefund} (the `createRefund` body). */
export interface CreateRefundInput {
  orderId: string;
  outRefundNo: string;
  amount: number;
  reason?: string;
}

/**
 * Refunds a paid order in full or in part. The same `outRefundNo` and body returns the same
 * refund; another body answers DUPLICATE. Above what is left answers LIMIT_EXCEEDED.
 */
export async function createRefund(scope: Scope, input: CreateRefundInput) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  const reason = input.reason ?? '';
  const requestHash = fingerprint({ orderId: input.orderId, amount: input.amount, reason });
  const col = scope.store.collection<RefundDoc>(C.refunds);
  const same = (r: RefundDoc) => {
    if (r.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outRefundNo ${input.outRefundNo} was already used for a different refund.`, { field: 'outRefundNo' });
    return refundView(r);
  };
  const existing = await col.findOne({ env: scope.env, appId: scope.appId, outRefundNo: input.outRefundNo });
  if (existing) return same(existing);
  const now = scope.now();
  try {
    const { refund } = await scope.store.transaction(async (tx) => {
      const order = await tx.collection<OrderDoc>(C.orders).findOne({ _id: input.orderId, env: scope.env, appId: scope.appId });
      if (!order) throw new LilyError('NOT_FOUND', 'No such order.');
      if (order.status !== 'paid' && order.status !== 'partially_refunded') {
        throw new LilyError('INVALID_STATE', order.status === 'refunded' ? 'The order is already fully refunded.' : 'Only a paid order can be refunded.', { status: order.status });
      }
      if (order.escrowId !== null) throw new LilyError('INVALID_STATE', 'The order is under escrow; use refundEscrow.', { escrowId: order.escrowId });
      const left = order.paidAmount - order.refundedAmount;
      if (input.amount > left) throw new LilyError('LIMIT_EXCEEDED', `At most ${left} fen is left to refund.`, { refundable: left });
      await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: 'payment.refund', amount: input.amount, at: now });
      return bookRefund(tx, {
        order,
        amount: input.amount,
        from: accounts.merchant(scope.env, scope.appId),
        refund: { _id: publicId('rf'), outRefundNo: input.outRefundNo, reason, source: 'merchant', requestHash },
        at: now,
      });
    });
    return refundView(refund);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await col.findOne({ env: scope.env, appId: scope.appId, outRefundNo: input.outRefundNo });
    if (!winner) throw err;
    return same(winner);
  }
}

/** The merchant's view of one refund. */
export async function queryRefund(scope: Scope, input: { refundId: string }) {
  await ensurePaymentIndexes(scope.store);
  const r = await scope.store.collection<RefundDoc>(C.refunds).findOne({ _id: input.refundId, env: scope.env, appId: scope.appId });
  if (!r) throw new LilyError('NOT_FOUND', 'No such refund.');
  return refundView(r);
}

/** A refund of one of the user's orders in this app; anything else answers NOT_FOUND. */
export async function getUserRefund(scope: UserScope, input: { refundId: string }) {
  await ensurePaymentIndexes(scope.store);
  const r = await scope.store.collection<RefundDoc>(C.refunds).findOne({ _id: input.refundId, env: scope.env, appId: scope.appId });
  if (!r || r.openId !== scope.openId) throw new LilyError('NOT_FOUND', 'No such refund.');
  return refundView(r);
}
