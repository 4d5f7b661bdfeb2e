/**
 * Orders: prepay orders created by merchant servers, QR orders, and the cashier payment that
 * pays either. An order is paid at most once whatever the retries, tabs or crashes: the payment
 * transaction re-reads the order, books the ledger entry (whose ref `pay:<orderId>` is unique) and
 * moves the order `created → paid` with a conditional update, all in one transaction.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import type { Doc, Filter } from '../store/types.ts';
import { DuplicateKeyError } from '../store/types.ts';
import { findUserCard } from './cards.ts';
import {
  assertFen,
  C,
  decodeCursor,
  encodeCursor,
  ensurePaymentIndexes,
  fingerprint,
  publicId,
  type Env,
  type Scope,
  type UserScope,
} from './common.ts';
import { INSTALLMENT_MIN_AMOUNT, INSTALLMENT_TERMS } from './installments.ts';
import { enqueue } from './outbox.ts';
import { consumeDailyAmount } from './quota.ts';
import { feeOn, type PaymentSettings } from './settings.ts';
import { assertTransition, type OrderStatus } from './state.ts';

/** A stored order. Amounts are integer fen; times are ms since the epoch. */
export interface OrderDoc extends Doc {
  env: Env;
  appId: string;
  /** How it came to be: a prepay, a QR code, an agreement charge or a captured hold. */
  source: 'prepay' | 'qr' | 'agreement' | 'hold';
  /** Unique per app and environment: the `outTradeNo`, or `hold:<outHoldNo>` for captures. */
  tradeKey: string;
  outTradeNo: string;
  prepayId: string | null;
  qrOrderId: string | null;
  /** The QR payment code (`LILYPAY:qr_…`), QR orders only. */
  code: string | null;
  agreementId: string | null;
  holdId: string | null;
  /** The payer's open id: from the merchant for prepays, set at payment for QR orders. */
  openId: string | null;
  /** The payer, set at payment. Internal. */
  userId: string | null;
  description: string;
  amount: number;
  paidAmount: number;
  discountAmount: number;
  /** Part of the discount paid by the bank's marketing budget. */
  bankDiscount: number;
  /** Part of the discount borne by the merchant. */
  merchantDiscount: number;
  discountRef: string | null;
  /** Bank fee taken from the merchant's settlement. */
  feeAmount: number;
  refundedAmount: number;
  /** Bank discount taken back from the merchant by refunds so far. */
  discountReturned: number;
  splitAmount: number;
  splitFinished: boolean;
  escrowId: string | null;
  status: OrderStatus;
  payMethod: 'balance' | 'card' | null;
  cardId: string | null;
  installments: number | null;
  createdAt: number;
  paidAt: number | null;
  expiresAt: number;
  closedAt: number | null;
  notifyUrl: string | null;
  attach: Record<string, string> | null;
  /** Fingerprint of the creating request, to tell a retry from a conflicting reuse. */
  requestHash: string;
}

/** The order as merchants and users see it (`orderView` schema). */
export function orderView(o: OrderDoc) {
  return {
    orderId: o._id,
    outTradeNo: o.outTradeNo,
    description: o.description,
    amount: o.amount,
    paidAmount: o.paidAmount,
    discountAmount: o.discountAmount,
    refundedAmount: o.refundedAmount,
    status: o.status,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    expiresAt: o.expiresAt,
    ...(o.attach ? { attach: o.attach } : {}),
  };
}

/** What a webhook about an order carries: the view plus the payer's open id. */
export function orderResource(o: OrderDoc): Record<string, unknown> {
  return { ...orderView(o), openId: o.openId };
}

/** What the merchant's settlement received from the order, net of its own discount and the fee. */
export function merchantNet(o: Pick<OrderDoc, 'amount' | 'merchantDiscount' | 'feeAmount'>): number {
  return o.amount - o.merchantDiscount - o.feeAmount;
}

/** What is left of a paid order to split (0 once splitting is finished or the order is escrowed). */
export function splittable(o: OrderDoc): number {
  if (o.splitFinished || o.escrowId !== null) return 0;
  return Math.max(0, merchantNet(o) - o.refundedAmount - o.discountReturned - o.splitAmount);
}

/** A new order document with every money field at zero. */
export function newOrder(
  fields: Pick<OrderDoc, 'env' | 'appId' | 'source' | 'tradeKey' | 'outTradeNo' | 'description' | 'amount' | 'createdAt' | 'expiresAt' | 'requestHash'> &
    Partial<OrderDoc>,
): OrderDoc {
  return {
    _id: publicId('ord'),
    prepayId: null,
    qrOrderId: null,
    code: null,
    agreementId: null,
    holdId: null,
    openId: null,
    userId: null,
    paidAmount: 0,
    discountAmount: 0,
    bankDiscount: 0,
    merchantDiscount: 0,
    discountRef: null,
    feeAmount: 0,
    refundedAmount: 0,
    discountReturned: 0,
    splitAmount: 0,
    splitFinished: false,
    escrowId: null,
    status: 'created',
    payMethod: null,
    cardId: null,
    installments: null,
    paidAt: null,
    closedAt: null,
    notifyUrl: null,
    attach: null,
    ...fields,
  };
}

function checkExpireSeconds(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 60 || value > 7200) {
    throw new LilyError('INVALID_PARAMS', 'expireSeconds must be between 60 and 7200.', { field: 'expireSeconds' });
  }
  return value;
}

/** LIMIT_EXCEEDED when one order would charge more than the bank allows. */
export function checkAmountLimit(amount: number, settings: PaymentSettings): void {
  const max = settings.maxOrderAmount;
  if (amount > max) throw new LilyError('LIMIT_EXCEEDED', `One order may charge at most ${max} fen.`, { limit: max });
}

/**
 * Inserts a new order, or returns the one the same request created before. Another request with
 * the same trade key answers DUPLICATE.
 */
async function insertIdempotent(scope: Scope, doc: OrderDoc): Promise<OrderDoc> {
  const col = scope.store.collection<OrderDoc>(C.orders);
  const same = (existing: OrderDoc): OrderDoc => {
    if (existing.requestHash !== doc.requestHash) {
      throw new LilyError('DUPLICATE', `outTradeNo ${doc.outTradeNo} was already used for a different order.`, { field: 'outTradeNo' });
    }
    return existing;
  };
  const existing = await col.findOne({ env: scope.env, appId: scope.appId, tradeKey: doc.tradeKey });
  if (existing) return same(existing);
  try {
    await col.insertOne(doc);
    return doc;
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await col.findOne({ env: scope.env, appId: scope.appId, tradeKey: doc.tradeKey });
    if (!winner) throw err;
    return same(winner);
  }
}

/** Input of {@link createPrepay} (the `createPrepay` body). */
export interface CreatePrepayInput {
  openId: string;
  outTradeNo: string;
  amount: number;
  description: string;
  expireSeconds?: number;
  notifyUrl?: string;
  attach?: Record<string, string>;
}

/**
 * Creates a prepay order for a user (by open id). The same `outTradeNo` with the same content
 * returns the same order; with other content it answers DUPLICATE.
 */
export async function createPrepay(settings: PaymentSettings, scope: Scope, input: CreatePrepayInput) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  checkAmountLimit(input.amount, settings);
  const expireSeconds = checkExpireSeconds(input.expireSeconds, 1800);
  const now = scope.now();
  const requestHash = fingerprint({
    source: 'prepay',
    openId: input.openId,
    amount: input.amount,
    description: input.description,
    expireSeconds,
    notifyUrl: input.notifyUrl ?? null,
    attach: input.attach ?? null,
  });
  const order = await insertIdempotent(
    scope,
    newOrder({
      env: scope.env,
      appId: scope.appId,
      source: 'prepay',
      tradeKey: input.outTradeNo,
      outTradeNo: input.outTradeNo,
      prepayId: publicId('pp'),
      openId: input.openId,
      description: input.description,
      amount: input.amount,
      createdAt: now,
      expiresAt: now + expireSeconds * 1000,
      notifyUrl: input.notifyUrl ?? null,
      attach: input.attach ?? null,
      requestHash,
    }),
  );
  return { prepayId: order.prepayId!, orderId: order._id, expiresAt: order.expiresAt };
}

/** Input of {@link createQrOrder} (the `createQrOrder` body). */
export interface CreateQrOrderInput {
  outTradeNo: string;
  amount: number;
  description: string;
  expireSeconds?: number;
  notifyUrl?: string;
}

/** Creates an order payable by scanning its code; idempotent by `outTradeNo` like prepays. */
export async function createQrOrder(settings: PaymentSettings, scope: Scope, input: CreateQrOrderInput) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  checkAmountLimit(input.amount, settings);
  const expireSeconds = checkExpireSeconds(input.expireSeconds, 300);
  const now = scope.now();
  const qrOrderId = publicId('qr');
  const requestHash = fingerprint({
    source: 'qr',
    amount: input.amount,
    description: input.description,
    expireSeconds,
    notifyUrl: input.notifyUrl ?? null,
  });
  const order = await insertIdempotent(
    scope,
    newOrder({
      env: scope.env,
      appId: scope.appId,
      source: 'qr',
      tradeKey: input.outTradeNo,
      outTradeNo: input.outTradeNo,
      qrOrderId,
      code: `LILYPAY:${qrOrderId}`,
      description: input.description,
      amount: input.amount,
      createdAt: now,
      expiresAt: now + expireSeconds * 1000,
      notifyUrl: input.notifyUrl ?? null,
      requestHash,
    }),
  );
  return { qrOrderId: order.qrOrderId!, orderId: order._id, code: order.code!, expiresAt: order.expiresAt };
}

/** Closes an unpaid order past its expiry (no-op otherwise); returns the order as it now is. */
async function closeIfExpired(scope: Scope, order: OrderDoc): Promise<OrderDoc> {
  const now = scope.now();
  if (order.status !== 'created' || now < order.expiresAt) return order;
  const col = scope.store.collection<OrderDoc>(C.orders);
  await col.updateOne({ _id: order._id, status: 'created' }, { $set: { status: 'closed', closedAt: now } });
  return (await col.findOne({ _id: order._id })) ?? order;
}

/** An order of this app in this environment, or NOT_FOUND. Expired unpaid orders are closed on the way. */
export async function findOrder(scope: Scope, orderId: string): Promise<OrderDoc> {
  await ensurePaymentIndexes(scope.store);
  const order = await scope.store.collection<OrderDoc>(C.orders).findOne({ _id: orderId, env: scope.env, appId: scope.appId });
  if (!order) throw new LilyError('NOT_FOUND', 'No such order.');
  return closeIfExpired(scope, order);
}

/** The merchant's view of one order. */
export async function queryOrder(scope: Scope, input: { orderId: string }) {
  return orderView(await findOrder(scope, input.orderId));
}

/** Closes an unpaid order; closing a closed order again answers the same; a paid one answers INVALID_STATE. */
export async function closeOrder(scope: Scope, input: { orderId: string }) {
  await ensurePaymentIndexes(scope.store);
  const now = scope.now();
  await scope.store.transaction(async (tx) => {
    const col = tx.collection<OrderDoc>(C.orders);
    const order = await col.findOne({ _id: input.orderId, env: scope.env, appId: scope.appId });
    if (!order) throw new LilyError('NOT_FOUND', 'No such order.');
    if (order.status === 'closed') return;
    assertTransition('order', order.status, 'closed', 'A paid order cannot be closed; refund it instead.');
    const res = await col.updateOne({ _id: order._id, status: 'created' }, { $set: { status: 'closed', closedAt: now } });
    if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', 'The order changed meanwhile; query it again.');
  });
  return { orderId: input.orderId, status: 'closed' as const };
}

/** One page of orders, newest first. */
async function pageOfOrders(scope: Scope, filter: Filter, limit: number | undefined, cursor: string | undefined) {
  await ensurePaymentIndexes(scope.store);
  const n = Math.min(Math.max(limit ?? 20, 1), 100);
  const query: Filter = { ...filter, env: scope.env, appId: scope.appId };
  if (cursor !== undefined) {
    const c = decodeCursor(cursor);
    query.$or = [{ createdAt: { $lt: c.at } }, { createdAt: c.at, _id: { $lt: c.id } }];
  }
  const docs = await scope.store
    .collection<OrderDoc>(C.orders)
    .find(query, { sort: { createdAt: -1, _id: -1 }, limit: n + 1 })
    .toArray();
  const page = docs.slice(0, n);
  const last = page[page.length - 1];
  return { orders: page.map(orderView), nextCursor: docs.length > n && last ? encodeCursor(last.createdAt, last._id) : null };
}

/** Input of {@link listMerchantOrders} (the `listMerchantOrders` query). */
export interface ListMerchantOrdersInput {
  status?: OrderStatus;
  outTradeNo?: string;
  openId?: string;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

/** Every order of the app, newest first, with filters. */
export async function listMerchantOrders(scope: Scope, input: ListMerchantOrdersInput) {
  const filter: Filter = {};
  if (input.status !== undefined) filter.status = input.status;
  if (input.outTradeNo !== undefined) filter.outTradeNo = input.outTradeNo;
  if (input.openId !== undefined) filter.openId = input.openId;
  if (input.from !== undefined || input.to !== undefined) {
    filter.createdAt = { ...(input.from !== undefined ? { $gte: input.from } : {}), ...(input.to !== undefined ? { $lt: input.to } : {}) };
  }
  return pageOfOrders(scope, filter, input.limit, input.cursor);
}

/** The user's orders in this app, newest first. */
export async function listUserOrders(scope: UserScope, input: { status?: OrderStatus; limit?: number; cursor?: string }) {
  return pageOfOrders(scope, { openId: scope.openId, ...(input.status ? { status: input.status } : {}) }, input.limit, input.cursor);
}

/** One of the user's orders in this app; another user's or app's order answers NOT_FOUND. */
export async function getUserOrder(scope: UserScope, input: { orderId: string }) {
  const order = await findOrder(scope, input.orderId);
  if (order.openId !== scope.openId) throw new LilyError('NOT_FOUND', 'No such order.');
  return orderView(order);
}

/** Which order to pay: a prepay id (cashier) or a scanned code (QR). */
export type PayTarget = { prepayId: string } | { code: string };

/** How the user pays, as chosen in the host's cashier sheet. */
export interface PayChoice {
  /** A linked card (`payment_cards` id); absent for the wallet balance. */
  cardId?: string | null;
  /** Installment periods (credit cards only). */
  installments?: number | null;
  couponId?: string | null;
}

/** What the cashier answers (`paidResult` schema). */
export interface PaidResult {
  orderId: string;
  status: 'paid';
  paidAmount: number;
  discountAmount: number;
  payMethod: 'balance' | 'card';
  installments: number | null;
  paidAt: number;
}

/** Finds the order a cashier call names, checking it belongs to this user (prepay) and this app. */
async function payableOrder(scope: UserScope, target: PayTarget): Promise<OrderDoc> {
  const col = scope.store.collection<OrderDoc>(C.orders);
  const order =
    'prepayId' in target
      ? await col.findOne({ prepayId: target.prepayId, env: scope.env, appId: scope.appId })
      : await col.findOne({ code: target.code, env: scope.env, appId: scope.appId });
  if (!order) throw new LilyError('NOT_FOUND', 'prepayId' in target ? 'No such prepay order.' : 'This is not a payment code of a live order.');
  if ('prepayId' in target && (order.source !== 'prepay' || order.openId !== scope.openId)) {
    throw new LilyError('NOT_FOUND', 'No such prepay order.');
  }
  if ('code' in target && order.source !== 'qr') throw new LilyError('NOT_FOUND', 'This is not a payment code of a live order.');
  const current = await closeIfExpired(scope, order);
  if (current.status === 'closed' && current.paidAt === null && scope.now() >= current.expiresAt) {
    throw new LilyError('INVALID_STATE', 'The order has expired.', { status: 'closed' });
  }
  if (current.status !== 'created') {
    throw new LilyError('INVALID_STATE', current.status === 'closed' ? 'The order is closed.' : 'The order is already paid.', { status: current.status });
  }
  return current;
}

/** The order the cashier sheet shows before the user confirms. */
export async function cashierSummary(scope: UserScope, target: PayTarget) {
  await ensurePaymentIndexes(scope.store);
  const order = await payableOrder(scope, target);
  return { orderId: order._id, appId: order.appId, description: order.description, amount: order.amount, expiresAt: order.expiresAt };
}

/**
 * Pays an order from the user's wallet or a linked card. `confirm` runs after the order has been
 * checked and before any money moves: the handler verifies the PIN there, so a wrong order never
 * costs a PIN attempt. Counts against the daily amount quota of `capability`.
 */
export async function payOrder(
  settings: PaymentSettings,
  scope: UserScope,
  target: PayTarget,
  choice: PayChoice,
  options: { capability: string; confirm?: () => Promise<void> },
): Promise<PaidResult> {
  await ensurePaymentIndexes(scope.store);
  const order = await payableOrder(scope, target);
  const card = choice.cardId ? await findUserCard(scope.store, scope.userId, choice.cardId) : null;
  if (choice.cardId && !card) throw new LilyError('NOT_FOUND', 'No such card.', { field: 'cardId' });
  const installments = choice.installments ?? null;
  if (installments !== null) {
    if (!card || card.cardType !== 'credit') throw new LilyError('INVALID_PARAMS', 'Installments need a credit card.', { field: 'installments' });
    if (!(INSTALLMENT_TERMS as readonly number[]).includes(installments)) {
      throw new LilyError('INVALID_PARAMS', `Installments are ${INSTALLMENT_TERMS.join(', ')} periods.`, { field: 'installments' });
    }
    if (order.amount < INSTALLMENT_MIN_AMOUNT) {
      throw new LilyError('LIMIT_EXCEEDED', `Installments start at ${INSTALLMENT_MIN_AMOUNT} fen.`, { limit: INSTALLMENT_MIN_AMOUNT });
    }
  }
  await options.confirm?.();

  const { env, appId, userId, openId } = scope;
  const now = scope.now();
  const payMethod: 'card' | 'balance' = card ? 'card' : 'balance';
  const paid = await scope.store.transaction(async (tx) => {
    const col = tx.collection<OrderDoc>(C.orders);
    const cur = await col.findOne({ _id: order._id });
    if (!cur) throw new LilyError('NOT_FOUND', 'No such order.');
    assertTransition('order', cur.status, 'paid', cur.status === 'closed' ? 'The order is closed.' : 'The order is already paid.');
    if (now >= cur.expiresAt) throw new LilyError('INVALID_STATE', 'The order has expired.', { status: 'closed' });

    const discount = settings.discount ? await settings.discount(tx, { env, appId, userId, orderId: cur._id, amount: cur.amount, couponId: choice.couponId ?? null, payMethod: card ? card.cardType : 'balance', at: now }) : null;
    const d = discount?.amount ?? 0;
    if (!Number.isSafeInteger(d) || d < 0 || d >= cur.amount) throw new Error('a discount must leave at least 1 fen to pay');
    const bankDiscount = discount?.fundedBy === 'bank' ? d : 0;
    const merchantDiscount = d - bankDiscount;
    const paidAmount = cur.amount - d;
    const gross = cur.amount - merchantDiscount;
    const fee = feeOn(gross, settings.feeRateBps);

    await consumeDailyAmount(tx, { env, appId, capability: options.capability, amount: cur.amount, at: now });
    await postEntry(tx, {
      env,
      kind: 'payment',
      ref: `pay:${cur._id}`,
      at: now,
      appId,
      postings: [
        { account: card ? accounts.external(env) : accounts.wallet(env, userId), amount: -paidAmount },
        { account: accounts.marketing(env), amount: -bankDiscount },
        { account: accounts.merchant(env, appId), amount: gross - fee },
        { account: accounts.fees(env), amount: fee },
      ],
      meta: { type: 'payment', id: cur._id, orderId: cur._id, outTradeNo: cur.outTradeNo, discountRef: discount?.ref ?? null },
    });
    const set = {
      status: 'paid' as const,
      userId,
      openId,
      paidAmount,
      discountAmount: d,
      bankDiscount,
      merchantDiscount,
      discountRef: discount?.ref ?? null,
      feeAmount: fee,
      payMethod,
      cardId: card?._id ?? null,
      installments,
      paidAt: now,
    };
    // The conditional update is the guard: of two racing payments only one finds `created`.
    const res = await col.updateOne({ _id: cur._id, status: 'created' }, { $set: set });
    if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', 'The order is already paid.', { status: 'paid' });
    const updated: OrderDoc = { ...cur, ...set };
    await enqueue(tx, { env, appId, eventType: 'payment.succeeded', resourceId: cur._id, resource: orderResource(updated), notifyUrl: cur.notifyUrl, at: now });
    return updated;
  });
  return {
    orderId: paid._id,
    status: 'paid',
    paidAmount: paid.paidAmount,
    discountAmount: paid.discountAmount,
    payMethod,
    installments,
    paidAt: now,
  };
}

/** Closes every unpaid order past its expiry; returns how many it closed. */
export async function closeExpiredOrders(store: Scope['store'], now: number, limit = 500): Promise<number> {
  await ensurePaymentIndexes(store);
  const col = store.collection<OrderDoc>(C.orders);
  const due = await col.find({ status: 'created', expiresAt: { $lte: now } }, { limit }).toArray();
  let closed = 0;
  for (const o of due) {
    const res = await col.updateOne({ _id: o._id, status: 'created' }, { $set: { status: 'closed', closedAt: now } });
    closed += res.modifiedCount;
  }
  return closed;
}
