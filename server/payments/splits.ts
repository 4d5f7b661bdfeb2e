/**
 * Split settlement: part of a paid order's settlement moves from the app's merchant account to
 * sub-merchants' accounts. Never more than what is left of the order (after refunds, the fee and
 * earlier splits); idempotent by `outSplitNo`; `finish` ends splitting for the order.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc } from '../store/types.ts';
import { assertFen, C, ensurePaymentIndexes, fingerprint, publicId, type Env, type Scope } from './common.ts';
import { splittable, type OrderDoc } from './orders.ts';
import { consumeDailyAmount } from './quota.ts';

/** One receiver of a split. */
export interface SplitReceiver {
  subMerchantId: string;
  amount: number;
  description: string;
}

/** A stored split. */
export interface SplitDoc extends Doc {
  env: Env;
  appId: string;
  orderId: string;
  outSplitNo: string;
  receivers: SplitReceiver[];
  total: number;
  finish: boolean;
  status: 'processing' | 'succeeded' | 'failed';
  /** What was left of the order to split right after this split. */
  remainingAmount: number;
  createdAt: number;
  requestHash: string;
}

/** The split as the merchant sees it (`splitView` schema). */
export function splitView(s: SplitDoc) {
  return {
    splitId: s._id,
    orderId: s.orderId,
    outSplitNo: s.outSplitNo,
    status: s.status,
    receivers: s.receivers.map((r) => ({ subMerchantId: r.subMerchantId, amount: r.amount, description: r.description })),
    remainingAmount: s.remainingAmount,
  };
}

/** Input of {@link splitOrder} (the `splitOrder` params and body). */
export interface SplitOrderInput {
  orderId: string;
  outSplitNo: string;
  receivers: readonly SplitReceiver[];
  finish?: boolean;
}

const SUB_MERCHANT = /^sm_[A-Za-z0-9]{6,40}$/;

/** Splits part of a paid order to up to 20 sub-merchants. */
export async function splitOrder(scope: Scope, input: SplitOrderInput) {
  await ensurePaymentIndexes(scope.store);
  if (input.receivers.length < 1 || input.receivers.length > 20) {
    throw new LilyError('INVALID_PARAMS', 'A split has 1 to 20 receivers.', { field: 'receivers' });
  }
  for (const [i, r] of input.receivers.entries()) {
    assertFen(r.amount, `receivers[${i}].amount`);
    if (!SUB_MERCHANT.test(r.subMerchantId)) throw new LilyError('INVALID_PARAMS', 'Not a sub-merchant id.', { field: `receivers[${i}].subMerchantId` });
  }
  const total = input.receivers.reduce((s, r) => s + r.amount, 0);
  const finish = input.finish ?? false;
  const requestHash = fingerprint({ orderId: input.orderId, receivers: input.receivers.map((r) => ({ ...r })), finish });
  const col = scope.store.collection<SplitDoc>(C.splits);
  const same = (s: SplitDoc) => {
    if (s.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outSplitNo ${input.outSplitNo} was already used for a different split.`, { field: 'outSplitNo' });
    return splitView(s);
  };
  const existing = await col.findOne({ env: scope.env, appId: scope.appId, outSplitNo: input.outSplitNo });
  if (existing) return same(existing);
  const now = scope.now();
  try {
    const split = await scope.store.transaction(async (tx) => {
      const orders = tx.collection<OrderDoc>(C.orders);
      const order = await orders.findOne({ _id: input.orderId, env: scope.env, appId: scope.appId });
      if (!order) throw new LilyError('NOT_FOUND', 'No such order.');
      if (order.status !== 'paid' && order.status !== 'partially_refunded') {
        throw new LilyError('INVALID_STATE', 'Only a paid order can be split.', { status: order.status });
      }
      if (order.splitFinished) throw new LilyError('INVALID_STATE', 'Splitting of this order is finished.');
      if (order.escrowId !== null) throw new LilyError('INVALID_STATE', 'The order is under escrow.');
      const left = splittable(order);
      if (total > left) throw new LilyError('LIMIT_EXCEEDED', `At most ${left} fen is left to split.`, { remaining: left });
      await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: 'payment.split', amount: total, at: now });
      const splitId = publicId('sp');
      await postEntry(tx, {
        env: scope.env,
        kind: 'split',
        ref: `split:${splitId}`,
        at: now,
        appId: scope.appId,
        postings: [
          { account: accounts.merchant(scope.env, scope.appId), amount: -total },
          ...input.receivers.map((r) => ({ account: accounts.subMerchant(scope.env, scope.appId, r.subMerchantId), amount: r.amount })),
        ],
        meta: { type: 'split', id: splitId, orderId: order._id, outTradeNo: order.outTradeNo },
      });
      const res = await orders.updateOne(
        { _id: order._id, splitAmount: order.splitAmount, splitFinished: false },
        { $set: { splitAmount: order.splitAmount + total, splitFinished: finish } },
      );
      if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The order changed meanwhile; try again.');
      const doc: SplitDoc = {
        _id: splitId,
        env: scope.env,
        appId: scope.appId,
        orderId: order._id,
        outSplitNo: input.outSplitNo,
        receivers: input.receivers.map((r) => ({ ...r })),
        total,
        finish,
        status: 'succeeded',
        remainingAmount: finish ? 0 : left - total,
        createdAt: now,
        requestHash,
      };
      await tx.collection<SplitDoc>(C.splits).insertOne(doc);
      return doc;
    });
    return splitView(split);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await col.findOne({ env: scope.env, appId: scope.appId, outSplitNo: input.outSplitNo });
    if (!winner) throw err;
    return same(winner);
  }
}
