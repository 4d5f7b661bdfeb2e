/**
 * Supervised escrow. A paid order's amount moves from the merchant's settlement to the escrow's
 * own ledger account, split into milestones that add up to what the user paid; each delivered
 * milestone is released to the merchant; `refundEscrow` returns every pending milestone to the
 * user as a refund of the order.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc, type Transaction } from '../store/types.ts';
import { assertFen, C, ensurePaymentIndexes, fingerprint, publicId, type Env, type Scope, type UserScope } from './common.ts';
import type { OrderDoc } from './orders.ts';
import { enqueue } from './outbox.ts';
import { consumeDailyAmount } from './quota.ts';
import { bookRefund } from './refunds.ts';
import { assertTransition, type EscrowStatus } from './state.ts';

/** One milestone. */
export interface Milestone {
  name: string;
  amount: number;
  status: 'pending' | 'released' | 'refunded';
  releasedAt: number | null;
}

/** A stored escrow. */
export interface EscrowDoc extends Doc {
  env: Env;
  appId: string;
  orderId: string;
  openId: string | null;
  totalAmount: number;
  releasedAmount: number;
  refundedAmount: number;
  status: EscrowStatus;
  milestones: Milestone[];
  createdAt: number;
  requestHash: string;
}

/** The escrow as merchants and users see it (`escrowView` schema). */
export function escrowView(e: EscrowDoc) {
  return {
    escrowId: e._id,
    orderId: e.orderId,
    totalAmount: e.totalAmount,
    releasedAmount: e.releasedAmount,
    refundedAmount: e.refundedAmount,
    status: e.status,
    milestones: e.milestones.map((m) => ({ name: m.name, amount: m.amount, status: m.status, releasedAt: m.releasedAt })),
    createdAt: e.createdAt,
  };
}

/** supervised until no milestone is pending; then completed, or refunded if any was refunded. */
function statusOf(milestones: readonly Milestone[]): EscrowStatus {
  if (milestones.some((m) => m.status === 'pending')) return 'supervised';
  return milestones.some((m) => m.status === 'refunded') ? 'refunded' : 'completed';
}

/**
 * Places a paid, unrefunded, unsplit order under supervision. The milestones must add up to the
 * paid amount (INVALID_PARAMS). One escrow per order: the same milestones again return it,
 * others answer DUPLICATE.
 */
export async function createEscrow(scope: Scope, input: { orderId: string; milestones: readonly { name: string; amount: number }[] }) {
  await ensurePaymentIndexes(scope.store);
  if (input.milestones.length < 1 || input.milestones.length > 12) throw new LilyError('INVALID_PARAMS', 'An escrow has 1 to 12 milestones.', { field: 'milestones' });
  input.milestones.forEach((m, i) => assertFen(m.amount, `milestones[${i}].amount`));
  const requestHash = fingerprint({ orderId: input.orderId, milestones: input.milestones.map((m) => ({ name: m.name, amount: m.amount })) });
  const col = scope.store.collection<EscrowDoc>(C.escrows);
  const same = (e: EscrowDoc) => {
    if (e.appId !== scope.appId) throw new LilyError('NOT_FOUND', 'No such order.');
    if (e.requestHash !== requestHash) throw new LilyError('DUPLICATE', 'This order is already under escrow with other milestones.');
    return escrowView(e);
  };
  const existing = await col.findOne({ env: scope.env, orderId: input.orderId });
  if (existing) return same(existing);
  const now = scope.now();
  try {
    const escrow = await scope.store.transaction(async (tx) => {
      const orders = tx.collection<OrderDoc>(C.orders);
      const order = await orders.findOne({ _id: input.orderId, env: scope.env, appId: scope.appId });
      if (!order) throw new LilyError('NOT_FOUND', 'No such order.');
      if (order.status !== 'paid' || order.splitAmount > 0 || order.splitFinished || order.escrowId !== null) {
        throw new LilyError('INVALID_STATE', 'Only a paid order with no refund or split can be placed under escrow.', { status: order.status });
      }
      const sum = input.milestones.reduce((s, m) => s + m.amount, 0);
      if (sum !== order.paidAmount) {
        throw new LilyError('INVALID_PARAMS', `The milestones add up to ${sum} fen; they must add up to the paid amount, ${order.paidAmount} fen.`, { field: 'milestones' });
      }
      await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: 'payment.escrow', amount: sum, at: now });
      const escrowId = publicId('esc');
      await postEntry(tx, {
        env: scope.env,
        kind: 'escrow.fund',
        ref: `escrow:${escrowId}:fund`,
        at: now,
        appId: scope.appId,
        postings: [
          { account: accounts.merchant(scope.env, scope.appId), amount: -sum },
          { account: accounts.escrow(scope.env, escrowId), amount: sum },
        ],
        meta: { type: 'escrow', id: escrowId, orderId: order._id, outTradeNo: order.outTradeNo },
      });
      const res = await orders.updateOne({ _id: order._id, escrowId: null, status: 'paid' }, { $set: { escrowId } });
      if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The order changed meanwhile; try again.');
      const doc: EscrowDoc = {
        _id: escrowId,
        env: scope.env,
        appId: scope.appId,
        orderId: order._id,
        openId: order.openId,
        totalAmount: sum,
        releasedAmount: 0,
        refundedAmount: 0,
        status: 'supervised',
        milestones: input.milestones.map((m) => ({ name: m.name, amount: m.amount, status: 'pending', releasedAt: null })),
        createdAt: now,
        requestHash,
      };
      await tx.collection<EscrowDoc>(C.escrows).insertOne(doc);
      return doc;
    });
    return escrowView(escrow);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await col.findOne({ env: scope.env, orderId: input.orderId });
    if (!winner) throw err;
    return same(winner);
  }
}

async function findEscrow(tx: Transaction, scope: Scope, escrowId: string): Promise<EscrowDoc> {
  const e = await tx.collection<EscrowDoc>(C.escrows).findOne({ _id: escrowId, env: scope.env, appId: scope.appId });
  if (!e) throw new LilyError('NOT_FOUND', 'No such escrow.');
  return e;
}

/** Releases one milestone to the merchant; releasing it again changes nothing. */
export async function releaseEscrowMilestone(scope: Scope, input: { escrowId: string; milestone: number }) {
  await ensurePaymentIndexes(scope.store);
  const now = scope.now();
  const updated = await scope.store.transaction(async (tx) => {
    const e = await findEscrow(tx, scope, input.escrowId);
    const m = e.milestones[input.milestone];
    if (!m) throw new LilyError('INVALID_PARAMS', `The escrow has ${e.milestones.length} milestones.`, { field: 'milestone' });
    if (m.status === 'released') return e;
    if (m.status === 'refunded') throw new LilyError('INVALID_STATE', 'That milestone was refunded.', { status: 'refunded' });
    const milestones = e.milestones.map((x, i) => (i === input.milestone ? { ...x, status: 'released' as const, releasedAt: now } : x));
    const status = statusOf(milestones);
    assertTransition('escrow', e.status, status);
    const order = await tx.collection<OrderDoc>(C.orders).findOne({ _id: e.orderId });
    await postEntry(tx, {
      env: e.env,
      kind: 'escrow.release',
      ref: `escrow:${e._id}:release:${input.milestone}`,
      at: now,
      appId: e.appId,
      postings: [
        { account: accounts.escrow(e.env, e._id), amount: -m.amount },
        { account: accounts.merchant(e.env, e.appId), amount: m.amount },
      ],
      meta: { type: 'escrow', id: e._id, orderId: e.orderId, outTradeNo: order?.outTradeNo ?? '' },
    });
    const set = { milestones, status, releasedAmount: e.releasedAmount + m.amount };
    const res = await tx.collection<EscrowDoc>(C.escrows).updateOne({ _id: e._id, releasedAmount: e.releasedAmount, refundedAmount: e.refundedAmount }, { $set: set });
    if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The escrow changed meanwhile; try again.');
    const next: EscrowDoc = { ...e, ...set };
    await enqueue(tx, { env: e.env, appId: e.appId, eventType: 'escrow.released', resourceId: e._id, resource: { ...escrowView(next), milestone: input.milestone }, notifyUrl: order?.notifyUrl ?? null, at: now });
    return next;
  });
  return escrowView(updated);
}

/**
 * Refunds every pending milestone to the user (a refund of the order, visible with getRefund).
 * An escrow already refunded answers the same; a completed one answers INVALID_STATE.
 */
export async function refundEscrow(scope: Scope, input: { escrowId: string; reason: string }) {
  await ensurePaymentIndexes(scope.store);
  const now = scope.now();
  const updated = await scope.store.transaction(async (tx) => {
    const e = await findEscrow(tx, scope, input.escrowId);
    if (e.status === 'refunded') return e;
    if (e.status !== 'supervised') throw new LilyError('INVALID_STATE', 'Every milestone was already released.', { status: e.status });
    const pending = e.milestones.filter((m) => m.status === 'pending').reduce((s, m) => s + m.amount, 0);
    const milestones = e.milestones.map((m) => (m.status === 'pending' ? { ...m, status: 'refunded' as const } : m));
    const status = statusOf(milestones);
    assertTransition('escrow', e.status, status);
    const order = await tx.collection<OrderDoc>(C.orders).findOne({ _id: e.orderId });
    if (!order) throw new Error(`escrow ${e._id} lost its order`);
    await bookRefund(tx, {
      order,
      amount: pending,
      from: accounts.escrow(e.env, e._id),
      refund: { _id: publicId('rf'), outRefundNo: `escrow_${e._id}`, reason: input.reason, source: 'escrow', requestHash: fingerprint({ escrowId: e._id }) },
      at: now,
    });
    const set = { milestones, status, refundedAmount: e.refundedAmount + pending };
    const res = await tx.collection<EscrowDoc>(C.escrows).updateOne({ _id: e._id, releasedAmount: e.releasedAmount, refundedAmount: e.refundedAmount }, { $set: set });
    if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The escrow changed meanwhile; try again.');
    return { ...e, ...set };
  });
  return escrowView(updated);
}

/** The user's view of an escrow over one of their own orders in this app. */
export async function viewEscrow(scope: UserScope, input: { escrowId: string }) {
  await ensurePaymentIndexes(scope.store);
  const e = await scope.store.collection<EscrowDoc>(C.escrows).findOne({ _id: input.escrowId, env: scope.env, appId: scope.appId });
  if (!e || e.openId !== scope.openId) throw new LilyError('NOT_FOUND', 'No such escrow.');
  return escrowView(e);
}
