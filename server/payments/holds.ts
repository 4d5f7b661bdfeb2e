/**
 * Pre-authorization holds. The merchant creates a hold; the user authorizes it in the host sheet
 * with the PIN, which moves the amount from the wallet to the hold's own ledger account; the
 * merchant then captures at most the held amount (the capture becomes a paid order, the rest goes
 * back to the wallet at once) or releases it. Uncaptured holds expire and are released.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc, type Store, type Transaction } from '../store/types.ts';
import { assertFen, C, ensurePaymentIndexes, fingerprint, publicId, type Env, type Scope, type UserScope } from './common.ts';
import { checkAmountLimit, newOrder, type OrderDoc } from './orders.ts';
import { enqueue } from './outbox.ts';
import { consumeDailyAmount } from './quota.ts';
import { feeOn, type PaymentSettings } from './settings.ts';
import { assertTransition, type HoldStatus } from './state.ts';

/** A stored hold. */
export interface HoldDoc extends Doc {
  env: Env;
  appId: string;
  openId: string;
  /** Set when the user authorizes. Internal. */
  userId: string | null;
  outHoldNo: string;
  description: string;
  amount: number;
  capturedAmount: number;
  status: HoldStatus;
  expiresAt: number;
  createdAt: number;
  authorizedAt: number | null;
  capturedAt: number | null;
  releasedAt: number | null;
  /** The paid order a capture created. */
  orderId: string | null;
  notifyUrl: string | null;
  requestHash: string;
}

/** The hold as merchants and users see it (`holdView` schema). */
export function holdView(h: HoldDoc) {
  return {
    holdId: h._id,
    outHoldNo: h.outHoldNo,
    description: h.description,
    amount: h.amount,
    capturedAmount: h.capturedAmount,
    status: h.status,
    expiresAt: h.expiresAt,
    createdAt: h.createdAt,
  };
}

async function event(tx: Transaction, h: HoldDoc, eventType: 'hold.authorized' | 'hold.captured' | 'hold.released', at: number): Promise<void> {
  await enqueue(tx, { env: h.env, appId: h.appId, eventType, resourceId: h._id, resource: { ...holdView(h), openId: h.openId, orderId: h.orderId }, notifyUrl: h.notifyUrl, at });
}

/** Input of {@link createHold} (the `createHold` body). */
export interface CreateHoldInput {
  openId: string;
  outHoldNo: string;
  amount: number;
  description: string;
  expireSeconds?: number;
  notifyUrl?: string;
}

/** Creates a hold for a user to authorize; idempotent by `outHoldNo` (other content: DUPLICATE). */
export async function createHold(settings: PaymentSettings, scope: Scope, input: CreateHoldInput) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  checkAmountLimit(input.amount, settings);
  const expireSeconds = input.expireSeconds ?? 7 * 24 * 3600;
  if (!Number.isSafeInteger(expireSeconds) || expireSeconds < 3600 || expireSeconds > 2_592_000) {
    throw new LilyError('INVALID_PARAMS', 'expireSeconds must be between 3600 and 2592000.', { field: 'expireSeconds' });
  }
  const now = scope.now();
  const requestHash = fingerprint({ openId: input.openId, amount: input.amount, description: input.description, expireSeconds, notifyUrl: input.notifyUrl ?? null });
  const doc: HoldDoc = {
    _id: publicId('hd'),
    env: scope.env,
    appId: scope.appId,
    openId: input.openId,
    userId: null,
    outHoldNo: input.outHoldNo,
    description: input.description,
    amount: input.amount,
    capturedAmount: 0,
    status: 'created',
    expiresAt: now + expireSeconds * 1000,
    createdAt: now,
    authorizedAt: null,
    capturedAt: null,
    releasedAt: null,
    orderId: null,
    notifyUrl: input.notifyUrl ?? null,
    requestHash,
  };
  const col = scope.store.collection<HoldDoc>(C.holds);
  const same = (h: HoldDoc) => {
    if (h.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outHoldNo ${input.outHoldNo} was already used for a different hold.`, { field: 'outHoldNo' });
    return holdView(h);
  };
  const existing = await col.findOne({ env: scope.env, appId: scope.appId, outHoldNo: input.outHoldNo });
  if (existing) return same(existing);
  try {
    await col.insertOne(doc);
    return holdView(doc);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await col.findOne({ env: scope.env, appId: scope.appId, outHoldNo: input.outHoldNo });
    if (!winner) throw err;
    return same(winner);
  }
}

async function findHold(store: Store | Transaction, scope: Scope, holdId: string): Promise<HoldDoc> {
  const h = await store.collection<HoldDoc>(C.holds).findOne({ _id: holdId, env: scope.env, appId: scope.appId });
  if (!h) throw new LilyError('NOT_FOUND', 'No such hold.');
  return h;
}

/**
 * The user authorizes a hold: the amount moves from the wallet to the hold. `confirm` (the PIN
 * check) runs after the hold has been checked and before money moves.
 */
export async function authorizeHold(scope: UserScope, input: { holdId: string }, options: { confirm?: () => Promise<void> } = {}) {
  await ensurePaymentIndexes(scope.store);
  const hold = await findHold(scope.store, scope, input.holdId);
  if (hold.openId !== scope.openId) throw new LilyError('NOT_FOUND', 'No such hold.');
  const now = scope.now();
  if (hold.status !== 'created') throw new LilyError('INVALID_STATE', `The hold is already ${hold.status}.`, { status: hold.status });
  if (now >= hold.expiresAt) throw new LilyError('INVALID_STATE', 'The hold has expired.', { status: 'expired' });
  await options.confirm?.();
  const updated = await scope.store.transaction(async (tx) => {
    const cur = await findHold(tx, scope, input.holdId);
    assertTransition('hold', cur.status, 'held');
    await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: 'payment.deposit', amount: cur.amount, at: now });
    await postEntry(tx, {
      env: scope.env,
      kind: 'hold.authorize',
      ref: `hold:${cur._id}:authorize`,
      at: now,
      appId: scope.appId,
      postings: [
        { account: accounts.wallet(scope.env, scope.userId), amount: -cur.amount },
        { account: accounts.hold(scope.env, cur._id), amount: cur.amount },
      ],
    });
    const set = { status: 'held' as const, userId: scope.userId, authorizedAt: now };
    const res = await tx.collection<HoldDoc>(C.holds).updateOne({ _id: cur._id, status: 'created' }, { $set: set });
    if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', 'The hold changed meanwhile.');
    const h: HoldDoc = { ...cur, ...set };
    await event(tx, h, 'hold.authorized', now);
    return h;
  });
  return holdView(updated);
}

/** Releases a held hold's money back to the wallet inside `tx` and marks it `to`. */
async function releaseIn(tx: Transaction, h: HoldDoc, to: 'released' | 'expired', at: number): Promise<HoldDoc> {
  assertTransition('hold', h.status, to);
  if (h.status === 'held') {
    await postEntry(tx, {
      env: h.env,
      kind: 'hold.release',
      ref: `hold:${h._id}:release`,
      at,
      appId: h.appId,
      postings: [
        { account: accounts.hold(h.env, h._id), amount: -h.amount },
        { account: accounts.wallet(h.env, h.userId!), amount: h.amount },
      ],
    });
  }
  const set = { status: to, releasedAt: at };
  const res = await tx.collection<HoldDoc>(C.holds).updateOne({ _id: h._id, status: h.status }, { $set: set });
  if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', 'The hold changed meanwhile.');
  const updated: HoldDoc = { ...h, ...set };
  await event(tx, updated, 'hold.released', at);
  return updated;
}

/**
 * Captures at most the held amount: the capture becomes a paid order (refundable like any
 * other), the rest returns to the wallet at once. Capturing the same amount again answers the
 * same hold; another amount answers INVALID_STATE.
 */
export async function captureHold(settings: PaymentSettings, scope: Scope, input: { holdId: string; amount: number }) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  const now = scope.now();
  const before = await findHold(scope.store, scope, input.holdId);
  if (before.status === 'held' && now >= before.expiresAt) {
    await expireHold(scope.store, before._id, now);
    throw new LilyError('INVALID_STATE', 'The hold has expired and was released.', { status: 'expired' });
  }
  const updated = await scope.store.transaction(async (tx) => {
    const h = await findHold(tx, scope, input.holdId);
    if (h.status === 'captured' && h.capturedAmount === input.amount) return h;
    assertTransition('hold', h.status, 'captured');
    if (input.amount > h.amount) throw new LilyError('LIMIT_EXCEEDED', `At most ${h.amount} fen is held.`, { held: h.amount });
    const fee = feeOn(input.amount, settings.feeRateBps);
    const order = newOrder({
      env: h.env,
      appId: h.appId,
      source: 'hold',
      tradeKey: `hold:${h.outHoldNo}`,
      outTradeNo: h.outHoldNo,
      holdId: h._id,
      openId: h.openId,
      userId: h.userId,
      description: h.description,
      amount: input.amount,
      paidAmount: input.amount,
      feeAmount: fee,
      status: 'paid',
      payMethod: 'balance',
      createdAt: now,
      paidAt: now,
      expiresAt: now,
      notifyUrl: h.notifyUrl,
      requestHash: fingerprint({ holdId: h._id, amount: input.amount }),
    });
    await postEntry(tx, {
      env: h.env,
      kind: 'hold.capture',
      ref: `hold:${h._id}:capture`,
      at: now,
      appId: h.appId,
      postings: [
        { account: accounts.hold(h.env, h._id), amount: -h.amount },
        { account: accounts.merchant(h.env, h.appId), amount: input.amount - fee },
        { account: accounts.fees(h.env), amount: fee },
        { account: accounts.wallet(h.env, h.userId!), amount: h.amount - input.amount },
      ],
      meta: { type: 'capture', id: h._id, orderId: order._id, outTradeNo: h.outHoldNo },
    });
    await tx.collection<OrderDoc>(C.orders).insertOne(order);
    const set = { status: 'captured' as const, capturedAmount: input.amount, capturedAt: now, orderId: order._id };
    const res = await tx.collection<HoldDoc>(C.holds).updateOne({ _id: h._id, status: 'held' }, { $set: set });
    if (res.modifiedCount !== 1) throw new LilyError('INVALID_STATE', 'The hold changed meanwhile.');
    const captured: HoldDoc = { ...h, ...set };
    await event(tx, captured, 'hold.captured', now);
    return captured;
  });
  return holdView(updated);
}

/** Releases a hold without taking anything; releasing a released hold answers the same. */
export async function releaseHold(scope: Scope, input: { holdId: string }) {
  await ensurePaymentIndexes(scope.store);
  const now = scope.now();
  const updated = await scope.store.transaction(async (tx) => {
    const h = await findHold(tx, scope, input.holdId);
    if (h.status === 'released') return h;
    return releaseIn(tx, h, 'released', now);
  });
  return holdView(updated);
}

/** Expires one hold if it is still open and past its expiry; true when it did. */
export async function expireHold(store: Store, holdId: string, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const h = await tx.collection<HoldDoc>(C.holds).findOne({ _id: holdId });
    if (!h || (h.status !== 'created' && h.status !== 'held') || now < h.expiresAt) return false;
    await releaseIn(tx, h, 'expired', now);
    return true;
  });
}

/** Expires every open hold past its expiry (money back to the wallets); returns how many. */
export async function expireHolds(store: Store, now: number, limit = 500): Promise<number> {
  await ensurePaymentIndexes(store);
  const due = await store
    .collection<HoldDoc>(C.holds)
    .find({ status: { $in: ['created', 'held'] }, expiresAt: { $lte: now } }, { limit })
    .toArray();
  let n = 0;
  for (const h of due) if (await expireHold(store, h._id, now)) n++;
  return n;
}
