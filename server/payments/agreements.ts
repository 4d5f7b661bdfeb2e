/**
 * Password-free payment agreements. The user signs in the host sheet with the PIN; afterwards the
 * merchant's server charges finished services without the user present, within the agreement's
 * per-charge and daily limits (checked and counted inside the charge's transaction). Each charge
 * is a paid order, idempotent by `outTradeNo`.
 */
import { LilyError } from '../../protocol/errors.ts';
import { accounts } from '../ledger/accounts.ts';
import { postEntry } from '../ledger/ledger.ts';
import { DuplicateKeyError, type Doc } from '../store/types.ts';
import { assertFen, C, cstDay, ensurePaymentIndexes, fingerprint, publicId, type Env, type Scope, type UserScope } from './common.ts';
import { checkAmountLimit, newOrder, orderResource, type OrderDoc } from './orders.ts';
import { enqueue } from './outbox.ts';
import { consumeDailyAmount } from './quota.ts';
import { feeOn, type PaymentSettings } from './settings.ts';
import { assertTransition, type AgreementStatus } from './state.ts';

/** Most an agreement may allow per charge: 500 yuan. */
export const AGREEMENT_MAX_PER_CHARGE = 50_000;
/** Most an agreement may allow per day: 2,000 yuan. */
export const AGREEMENT_MAX_DAILY = 200_000;

/** What an agreement pays for. */
export type AgreementScene = 'ride' | 'parking' | 'charging' | 'rental' | 'transit';

/** A stored agreement. */
export interface AgreementDoc extends Doc {
  env: Env;
  appId: string;
  userId: string;
  openId: string;
  scene: AgreementScene;
  status: AgreementStatus;
  perChargeLimit: number;
  dailyLimit: number;
  signedAt: number;
  terminatedAt: number | null;
  terminatedBy: 'user' | 'merchant' | 'bank' | null;
  terminationReason: string | null;
}

interface UsageDoc extends Doc {
  agreementId: string;
  day: string;
  amount: number;
}

/** The agreement as users and merchants see it (`agreementView` schema). */
export function agreementView(a: AgreementDoc) {
  return {
    agreementId: a._id,
    scene: a.scene,
    status: a.status,
    perChargeLimit: a.perChargeLimit,
    dailyLimit: a.dailyLimit,
    signedAt: a.signedAt,
    terminatedAt: a.terminatedAt,
  };
}

/**
 * Signs an agreement for the user. LIMIT_EXCEEDED when the limits pass the bank's caps (or the
 * per-charge limit passes the daily one); DUPLICATE when an active agreement for the scene exists.
 * `confirm` (the PIN check) runs after the checks and before anything is written.
 */
export async function signAgreement(
  scope: UserScope,
  input: { scene: AgreementScene; perChargeLimit: number; dailyLimit: number },
  options: { confirm?: () => Promise<void> } = {},
) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.perChargeLimit, 'perChargeLimit');
  assertFen(input.dailyLimit, 'dailyLimit');
  if (input.perChargeLimit > AGREEMENT_MAX_PER_CHARGE) throw new LilyError('LIMIT_EXCEEDED', `The per-charge limit is at most ${AGREEMENT_MAX_PER_CHARGE} fen.`, { field: 'perChargeLimit', limit: AGREEMENT_MAX_PER_CHARGE });
  if (input.dailyLimit > AGREEMENT_MAX_DAILY) throw new LilyError('LIMIT_EXCEEDED', `The daily limit is at most ${AGREEMENT_MAX_DAILY} fen.`, { field: 'dailyLimit', limit: AGREEMENT_MAX_DAILY });
  if (input.perChargeLimit > input.dailyLimit) throw new LilyError('LIMIT_EXCEEDED', 'The per-charge limit cannot exceed the daily limit.', { field: 'perChargeLimit' });
  const col = scope.store.collection<AgreementDoc>(C.agreements);
  const key = { env: scope.env, appId: scope.appId, userId: scope.userId, scene: input.scene, status: 'active' };
  if (await col.findOne(key)) throw new LilyError('DUPLICATE', `An active ${input.scene} agreement already exists; terminate it first.`);
  await options.confirm?.();
  const now = scope.now();
  const doc: AgreementDoc = {
    _id: publicId('agr'),
    env: scope.env,
    appId: scope.appId,
    userId: scope.userId,
    openId: scope.openId,
    scene: input.scene,
    status: 'active',
    perChargeLimit: input.perChargeLimit,
    dailyLimit: input.dailyLimit,
    signedAt: now,
    terminatedAt: null,
    terminatedBy: null,
    terminationReason: null,
  };
  try {
    await scope.store.transaction(async (tx) => {
      await tx.collection<AgreementDoc>(C.agreements).insertOne(doc);
      await enqueue(tx, { env: doc.env, appId: doc.appId, eventType: 'agreement.signed', resourceId: doc._id, resource: { ...agreementView(doc), openId: doc.openId }, at: now });
    });
  } catch (err) {
    // The partial unique index: another tab signed the same scene at the same moment.
    if (err instanceof DuplicateKeyError) throw new LilyError('DUPLICATE', `An active ${input.scene} agreement already exists; terminate it first.`);
    throw err;
  }
  return agreementView(doc);
}

async function findAgreement(scope: Scope, agreementId: string): Promise<AgreementDoc> {
  await ensurePaymentIndexes(scope.store);
  const a = await scope.store.collection<AgreementDoc>(C.agreements).findOne({ _id: agreementId, env: scope.env, appId: scope.appId });
  if (!a) throw new LilyError('NOT_FOUND', 'No such agreement.');
  return a;
}

/** The merchant's view of an agreement. */
export async function queryAgreement(scope: Scope, input: { agreementId: string }) {
  return agreementView(await findAgreement(scope, input.agreementId));
}

/** Ends an agreement (idempotent: ending an ended one answers it as it is). */
export async function terminateAgreement(scope: Scope, input: { agreementId: string; reason: string }, by: 'user' | 'merchant' | 'bank' = 'merchant') {
  const a = await findAgreement(scope, input.agreementId);
  if (a.status === 'terminated') return agreementView(a);
  const now = scope.now();
  const updated = await scope.store.transaction(async (tx) => {
    const cur = await tx.collection<AgreementDoc>(C.agreements).findOne({ _id: a._id });
    if (!cur) throw new LilyError('NOT_FOUND', 'No such agreement.');
    if (cur.status === 'terminated') return cur;
    assertTransition('agreement', cur.status, 'terminated');
    const set = { status: 'terminated' as const, terminatedAt: now, terminatedBy: by, terminationReason: input.reason };
    await tx.collection<AgreementDoc>(C.agreements).updateOne({ _id: cur._id, status: 'active' }, { $set: set });
    const next: AgreementDoc = { ...cur, ...set };
    await enqueue(tx, { env: next.env, appId: next.appId, eventType: 'agreement.terminated', resourceId: next._id, resource: { ...agreementView(next), openId: next.openId, reason: input.reason, terminatedBy: by }, at: now });
    return next;
  });
  return agreementView(updated);
}

/** The user ends one of their agreements (host settings); NOT_FOUND for anyone else's. */
export async function terminateAgreementByUser(store: Scope['store'], userId: string, agreementId: string, now: number) {
  await ensurePaymentIndexes(store);
  const a = await store.collection<AgreementDoc>(C.agreements).findOne({ _id: agreementId, userId });
  if (!a) throw new LilyError('NOT_FOUND', 'No such agreement.');
  return terminateAgreement({ store, env: a.env, appId: a.appId, now: () => now }, { agreementId, reason: '用户解约' }, 'user');
}

/** Input of {@link chargeAgreement} (the `chargeAgreement` params and body). */
export interface ChargeAgreementInput {
  agreementId: string;
  outTradeNo: string;
  amount: number;
  description: string;
}

/**
 * Charges the user under an active agreement: a paid order, wallet to merchant, in one
 * transaction that checks the per-charge and the day's limit. Idempotent by `outTradeNo`.
 */
export async function chargeAgreement(settings: PaymentSettings, scope: Scope, input: ChargeAgreementInput) {
  await ensurePaymentIndexes(scope.store);
  assertFen(input.amount, 'amount');
  checkAmountLimit(input.amount, settings);
  const requestHash = fingerprint({ source: 'agreement', agreementId: input.agreementId, amount: input.amount, description: input.description });
  const orders = scope.store.collection<OrderDoc>(C.orders);
  const result = (o: OrderDoc) => ({ orderId: o._id, agreementId: o.agreementId!, amount: o.amount, status: 'paid' as const, paidAt: o.paidAt! });
  const same = (o: OrderDoc) => {
    if (o.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outTradeNo ${input.outTradeNo} was already used for a different order.`, { field: 'outTradeNo' });
    return result(o);
  };
  const existing = await orders.findOne({ env: scope.env, appId: scope.appId, tradeKey: input.outTradeNo });
  if (existing) return same(existing);
  const now = scope.now();
  try {
    const order = await scope.store.transaction(async (tx) => {
      const a = await tx.collection<AgreementDoc>(C.agreements).findOne({ _id: input.agreementId, env: scope.env, appId: scope.appId });
      if (!a) throw new LilyError('NOT_FOUND', 'No such agreement.');
      if (a.status !== 'active') throw new LilyError('INVALID_STATE', 'The agreement is terminated.', { status: a.status });
      if (input.amount > a.perChargeLimit) throw new LilyError('LIMIT_EXCEEDED', `One charge may be at most ${a.perChargeLimit} fen.`, { perChargeLimit: a.perChargeLimit });
      const day = cstDay(now);
      const usage = tx.collection<UsageDoc>(C.agreementUsage);
      const usageId = `${a._id}|${day}`;
      const used = (await usage.findOne({ _id: usageId }))?.amount ?? 0;
      if (used + input.amount > a.dailyLimit) {
        throw new LilyError('LIMIT_EXCEEDED', `The agreement allows ${a.dailyLimit} fen a day; ${a.dailyLimit - used} fen is left today.`, { dailyLimit: a.dailyLimit, remaining: a.dailyLimit - used });
      }
      await usage.updateOne({ _id: usageId }, { $inc: { amount: input.amount }, $setOnInsert: { agreementId: a._id, day } }, { upsert: true });
      await consumeDailyAmount(tx, { env: scope.env, appId: scope.appId, capability: 'payment.agreement', amount: input.amount, at: now });
      const fee = feeOn(input.amount, settings.feeRateBps);
      const o = newOrder({
        env: scope.env,
        appId: scope.appId,
        source: 'agreement',
        tradeKey: input.outTradeNo,
        outTradeNo: input.outTradeNo,
        agreementId: a._id,
        openId: a.openId,
        userId: a.userId,
        description: input.description,
        amount: input.amount,
        paidAmount: input.amount,
        feeAmount: fee,
        status: 'paid',
        payMethod: 'balance',
        createdAt: now,
        paidAt: now,
        expiresAt: now,
        requestHash,
      });
      await postEntry(tx, {
        env: scope.env,
        kind: 'payment',
        ref: `pay:${o._id}`,
        at: now,
        appId: scope.appId,
        postings: [
          { account: accounts.wallet(scope.env, a.userId), amount: -input.amount },
          { account: accounts.merchant(scope.env, scope.appId), amount: input.amount - fee },
          { account: accounts.fees(scope.env), amount: fee },
        ],
        meta: { type: 'payment', id: o._id, orderId: o._id, outTradeNo: o.outTradeNo, agreementId: a._id },
      });
      await tx.collection<OrderDoc>(C.orders).insertOne(o);
      await enqueue(tx, { env: scope.env, appId: scope.appId, eventType: 'payment.succeeded', resourceId: o._id, resource: orderResource(o), at: now });
      return o;
    });
    return result(order);
  } catch (err) {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const winner = await orders.findOne({ env: scope.env, appId: scope.appId, tradeKey: input.outTradeNo });
    if (!winner) throw err;
    return same(winner);
  }
}
