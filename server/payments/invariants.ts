/**
 * Business invariants of the payment services, checked against the ledger at one instant (in one
 * transaction): no order paid twice, refunds never above paid, order states agreeing with their
 * amounts, refunds and splits adding up, hold and escrow accounts holding exactly what their
 * state says, and one payment notification per payment. Used by tests and by ops tooling.
 */
import { accounts } from '../ledger/accounts.ts';
import { ACCOUNTS_COLLECTION, JOURNAL_COLLECTION, type AccountDoc, type JournalDoc } from '../ledger/ledger.ts';
import type { Store } from '../store/types.ts';
import { C } from './common.ts';
import type { EscrowDoc } from './escrow.ts';
import type { HoldDoc } from './holds.ts';
import type { OrderDoc } from './orders.ts';
import type { OutboxDoc } from './outbox.ts';
import type { RefundDoc } from './refunds.ts';
import type { SplitDoc } from './splits.ts';

/** What {@link checkPaymentInvariants} found. */
export interface PaymentInvariantReport {
  ok: boolean;
  orders: number;
  problems: string[];
}

/** Checks every rule listed in the module comment; `problems` has one line per breach. */
export function checkPaymentInvariants(store: Store): Promise<PaymentInvariantReport> {
  return store.transaction(async (tx) => {
    const problems: string[] = [];
    const payRefs = new Map<string, number>();
    for (const e of await tx.collection<JournalDoc>(JOURNAL_COLLECTION).find({ kind: 'payment' }).toArray()) {
      payRefs.set(`${e.env}|${e.ref}`, (payRefs.get(`${e.env}|${e.ref}`) ?? 0) + 1);
    }
    const balances = new Map<string, number>();
    for (const a of await tx.collection<AccountDoc>(ACCOUNTS_COLLECTION).find({}).toArray()) balances.set(a._id, a.balance);
    const sumBy = <T>(docs: T[], key: (d: T) => string, amount: (d: T) => number) => {
      const m = new Map<string, number>();
      for (const d of docs) m.set(key(d), (m.get(key(d)) ?? 0) + amount(d));
      return m;
    };
    const refunds = sumBy(await tx.collection<RefundDoc>(C.refunds).find({}).toArray(), (r) => r.orderId, (r) => r.amount);
    const splits = sumBy(await tx.collection<SplitDoc>(C.splits).find({}).toArray(), (s) => s.orderId, (s) => s.total);
    const notices = sumBy(
      await tx.collection<OutboxDoc>(C.outbox).find({ eventType: 'payment.succeeded' }).toArray(),
      (n) => n.resourceId,
      () => 1,
    );

    const orders = await tx.collection<OrderDoc>(C.orders).find({}).toArray();
    for (const o of orders) {
      const at = `order ${o._id} (${o.env}, ${o.status})`;
      const paid = o.status === 'paid' || o.status === 'partially_refunded' || o.status === 'refunded';
      if (o.source !== 'hold') {
        const booked = payRefs.get(`${o.env}|pay:${o._id}`) ?? 0;
        if (paid && booked !== 1) problems.push(`${at}: ${booked} payment entries`);
        if (!paid && booked !== 0) problems.push(`${at}: unpaid but ${booked} payment entries`);
        const n = notices.get(o._id) ?? 0;
        if (paid && n !== 1) problems.push(`${at}: ${n} payment notifications`);
      }
      if (!paid && (o.paidAmount !== 0 || o.refundedAmount !== 0)) problems.push(`${at}: unpaid with money on it`);
      if (paid && o.paidAmount + o.discountAmount !== o.amount) problems.push(`${at}: paid ${o.paidAmount} + discount ${o.discountAmount} ≠ amount ${o.amount}`);
      if (o.refundedAmount < 0 || o.refundedAmount > o.paidAmount) problems.push(`${at}: refunded ${o.refundedAmount} of ${o.paidAmount}`);
      if (o.status === 'paid' && o.refundedAmount !== 0) problems.push(`${at}: refunded ${o.refundedAmount} but status paid`);
      if (o.status === 'partially_refunded' && !(o.refundedAmount > 0 && o.refundedAmount < o.paidAmount)) problems.push(`${at}: refunded ${o.refundedAmount} of ${o.paidAmount}`);
      if (o.status === 'refunded' && o.refundedAmount !== o.paidAmount) problems.push(`${at}: refunded ${o.refundedAmount} of ${o.paidAmount}`);
      if ((refunds.get(o._id) ?? 0) !== o.refundedAmount) problems.push(`${at}: refunds add up to ${refunds.get(o._id) ?? 0}, order says ${o.refundedAmount}`);
      if ((splits.get(o._id) ?? 0) !== o.splitAmount) problems.push(`${at}: splits add up to ${splits.get(o._id) ?? 0}, order says ${o.splitAmount}`);
      if (o.splitAmount > o.amount - o.merchantDiscount - o.feeAmount) problems.push(`${at}: split ${o.splitAmount} above the merchant's share`);
    }

    for (const h of await tx.collection<HoldDoc>(C.holds).find({}).toArray()) {
      const held = balances.get(accounts.hold(h.env, h._id)) ?? 0;
      const expected = h.status === 'held' ? h.amount : 0;
      if (held !== expected) problems.push(`hold ${h._id} (${h.status}): account holds ${held}, expected ${expected}`);
      if (h.capturedAmount > h.amount) problems.push(`hold ${h._id}: captured ${h.capturedAmount} above held ${h.amount}`);
    }

    for (const e of await tx.collection<EscrowDoc>(C.escrows).find({}).toArray()) {
      const inEscrow = balances.get(accounts.escrow(e.env, e._id)) ?? 0;
      const expected = e.totalAmount - e.releasedAmount - e.refundedAmount;
      if (inEscrow !== expected) problems.push(`escrow ${e._id}: account holds ${inEscrow}, expected ${expected}`);
      const released = e.milestones.filter((m) => m.status === 'released').reduce((s, m) => s + m.amount, 0);
      const refunded = e.milestones.filter((m) => m.status === 'refunded').reduce((s, m) => s + m.amount, 0);
      if (released !== e.releasedAmount || refunded !== e.refundedAmount) problems.push(`escrow ${e._id}: milestones disagree with its totals`);
    }
    return { ok: problems.length === 0, orders: orders.length, problems };
  });
}
