/**
 * Bank points (`member.points`).
 *
 * Each user has one points account per environment holding lots by the CST year they were
 * earned in; points earned in year Y expire when year Y+2 begins, and spending takes the oldest
 * lots first. Every change is one `member_point_txns` document written in the same transaction
 * as the account, whose update is conditional on the version it read, so no balance ever goes
 * negative however changes race. Merchant numbers (`outBizNo`) are unique per app: the same
 * number and content answers the same change, other content DUPLICATE. Points a merchant awards
 * come out of the points budget it bought from the bank (QUOTA_EXCEEDED when spent).
 */
import { LilyError } from '../../protocol/errors.ts';
import { DuplicateKeyError, type Doc, type Store, type Transaction } from '../store/types.ts';
import { cstDay, decodeCursor, encodeCursor, fingerprint, MC, pageSize, publicId, retrying, type Env } from './common.ts';
import { ensureMemberIndexes } from './indexes.ts';

/** A points account (`_id` is `<env>|<userId>`). */
export interface PointsDoc extends Doc {
  env: Env;
  userId: string;
  /** Unexpired points by the CST year they were earned in. */
  lots: Record<string, number>;
  /** Points earned by CST year (tiers read it). */
  earnedByYear: Record<string, number>;
  version: number;
  updatedAt: number;
}

/** Kinds of points movement. */
export type PointsKind = 'earn' | 'deduct' | 'redeem' | 'reward' | 'expire';

/** One points movement. */
export interface PointTxnDoc extends Doc {
  env: Env;
  appId: string | null;
  userId: string;
  openId: string | null;
  kind: PointsKind;
  /** Points moved (positive); `delta` carries the sign. */
  points: number;
  delta: number;
  balance: number;
  /** The merchant's number; absent for movements without one. */
  outBizNo?: string;
  reason: string;
  requestHash: string;
  at: number;
}

/** One change to apply. */
export interface PointsChange {
  env: Env;
  appId: string;
  userId: string;
  openId: string | null;
  kind: 'earn' | 'deduct' | 'redeem' | 'reward';
  points: number;
  reason: string;
  outBizNo?: string;
  at: number;
}

const year = (at: number) => Number(cstDay(at).slice(0, 4));
/** When the lots of `y` expire: the start of year y+2, CST. */
export const lotExpiry = (y: number) => Date.UTC(y + 2, 0, 1) - 8 * 3600 * 1000;
const live = (lots: Record<string, number>, at: number) => Object.entries(lots).filter(([y, n]) => n > 0 && lotExpiry(Number(y)) > at);
const sum = (entries: [string, number][]) => entries.reduce((s, [, n]) => s + n, 0);

/** The user's balance and the next expiry, at `at`. */
export function pointsView(doc: PointsDoc | null, at: number) {
  const lots = live(doc?.lots ?? {}, at).sort(([a], [b]) => Number(a) - Number(b));
  const oldest = lots[0];
  return { balance: sum(lots), expiringPoints: oldest ? oldest[1] : 0, expiringAt: oldest ? lotExpiry(Number(oldest[0])) : null };
}

/** The business content of a change, to tell a retry from a conflicting reuse of `outBizNo`. */
const hashOf = (c: PointsChange) => fingerprint({ kind: c.kind, userId: c.userId, points: c.points, reason: c.reason });

/** The points ledger of the bank. */
export class PointsService {
  constructor(private readonly defaultBudget: Readonly<Record<Env, number>>) {}

  /** The balance and next expiry of a user. */
  async view(store: Store, env: Env, userId: string, at: number) {
    return pointsView(await store.collection<PointsDoc>(MC.points).findOne({ _id: `${env}|${userId}` }), at);
  }

  /**
   * The user's points movements in one environment, newest first, across apps (the host's "me"
   * page). INVALID_PARAMS for a cursor this method did not return.
   */
  async history(store: Store, env: Env, userId: string, input: { limit?: number; cursor?: string } = {}) {
    await ensureMemberIndexes(store);
    const n = pageSize(input.limit);
    const query: Record<string, unknown> = { env, userId };
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$or'] = [{ at: { $lt: c.at } }, { at: c.at, _id: { $lt: c.id } }];
    }
    const docs = await store.collection<PointTxnDoc>(MC.pointTxns).find(query, { sort: { at: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    return {
      history: page.map((t) => ({ transactionId: t._id, appId: t.appId, kind: t.kind, points: t.points, delta: t.delta, balance: t.balance, reason: t.reason, at: t.at })),
      nextCursor: docs.length > n && last ? encodeCursor(last.at, last._id) : null,
    };
  }

  /** Sets an app's points budget (total points it may award, per environment). */
  async setBudget(store: Store, env: Env, appId: string, total: number): Promise<void> {
    await store.collection(MC.pointBudgets).updateOne({ _id: `${env}|${appId}` }, { $set: { total }, $setOnInsert: { used: 0 } }, { upsert: true });
  }

  /**
   * Applies a change idempotently by `outBizNo`: the same number and content answers the
   * movement booked before; other content DUPLICATE.
   */
  async change(store: Store, change: PointsChange): Promise<PointTxnDoc> {
    await ensureMemberIndexes(store);
    const requestHash = hashOf(change);
    const existing = async () => {
      if (change.outBizNo === undefined) return null;
      const doc = await store.collection<PointTxnDoc>(MC.pointTxns).findOne({ env: change.env, appId: change.appId, outBizNo: change.outBizNo });
      if (doc && doc.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outBizNo ${change.outBizNo} was already used for another change.`, { field: 'outBizNo' });
      return doc;
    };
    const before = await existing();
    if (before) return before;
    try {
      return await retrying(async () => (await existing()) ?? store.transaction((tx) => this.applyIn(tx, change)));
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const winner = await existing();
      if (!winner) throw err;
      return winner;
    }
  }

  /**
   * Applies a change inside the caller's transaction (draw prizes, referral rewards): checks
   * the budget (earn, reward) or the balance (deduct, redeem), books the movement, updates the
   * account. Throws QUOTA_EXCEEDED or INSUFFICIENT_FUNDS, rolling the caller back.
   */
  async applyIn(tx: Transaction, change: PointsChange): Promise<PointTxnDoc> {
    const { env, userId, at } = change;
    if (!Number.isSafeInteger(change.points) || change.points < 1) throw new LilyError('INVALID_PARAMS', 'points must be a positive integer.', { field: 'points' });
    const accounts = tx.collection<PointsDoc>(MC.points);
    const txns = tx.collection<PointTxnDoc>(MC.pointTxns);
    const id = `${env}|${userId}`;
    const doc = (await accounts.findOne({ _id: id })) ?? { _id: id, env, userId, lots: {}, earnedByYear: {}, version: 0, updatedAt: at };
    // Expired lots leave first, as their own movement.
    const lots = Object.fromEntries(live(doc.lots, at));
    const expired = sum(Object.entries(doc.lots)) - sum(Object.entries(lots));
    let balance = sum(Object.entries(lots));
    if (expired > 0) {
      await txns.insertOne({ _id: publicId('pt'), env, appId: null, userId, openId: null, kind: 'expire', points: expired, delta: -expired, balance, reason: '积分过期', requestHash: '', at });
    }
    const earnedByYear = { ...doc.earnedByYear };
    const gain = change.kind === 'earn' || change.kind === 'reward';
    if (gain) {
      await this.useBudget(tx, env, change.appId, change.points);
      const y = String(year(at));
      lots[y] = (lots[y] ?? 0) + change.points;
      earnedByYear[y] = (earnedByYear[y] ?? 0) + change.points;
      balance += change.points;
    } else {
      if (balance < change.points) throw new LilyError('INSUFFICIENT_FUNDS', `The user has ${balance} points.`, { balance });
      let left = change.points;
      for (const y of Object.keys(lots).sort((a, b) => Number(a) - Number(b))) {
        const take = Math.min(left, lots[y]!);
        lots[y] = lots[y]! - take;
        left -= take;
        if (lots[y] === 0) delete lots[y];
      }
      balance -= change.points;
      if (change.kind === 'deduct') await this.returnBudget(tx, env, change.appId, change.points);
    }
    const next = { lots, earnedByYear, version: doc.version + 1, updatedAt: at };
    if (doc.version === 0) await accounts.insertOne({ ...doc, ...next });
    else {
      const res = await accounts.updateOne({ _id: id, version: doc.version }, { $set: next });
      if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The points balance changed meanwhile.');
    }
    if (gain) await tx.collection(MC.tiers).updateOne({ _id: id }, { $set: { stale: true } });
    const txn: PointTxnDoc = {
      _id: publicId('pt'),
      env,
      appId: change.appId,
      userId,
      openId: change.openId,
      kind: change.kind,
      points: change.points,
      delta: gain ? change.points : -change.points,
      balance,
      ...(change.outBizNo !== undefined ? { outBizNo: change.outBizNo } : {}),
      reason: change.reason,
      requestHash: hashOf(change),
      at,
    };
    await txns.insertOne(txn);
    return txn;
  }

  /** Points the app may still award (inside `tx`, so a caller can decline instead of failing). */
  async budgetLeft(tx: Transaction, env: Env, appId: string): Promise<number> {
    const budget = await tx.collection<{ _id: string; total: number; used: number }>(MC.pointBudgets).findOne({ _id: `${env}|${appId}` });
    return (budget?.total ?? this.defaultBudget[env]) - (budget?.used ?? 0);
  }

  private async useBudget(tx: Transaction, env: Env, appId: string, points: number): Promise<void> {
    const col = tx.collection<{ _id: string; total: number; used: number }>(MC.pointBudgets);
    const id = `${env}|${appId}`;
    const budget = (await col.findOne({ _id: id })) ?? { _id: id, total: this.defaultBudget[env], used: 0 };
    if (budget.used + points > budget.total) {
      throw new LilyError('QUOTA_EXCEEDED', "The app's points budget is used up.", { remaining: Math.max(0, budget.total - budget.used) });
    }
    await col.updateOne({ _id: id }, { $inc: { used: points }, $setOnInsert: { total: budget.total } }, { upsert: true });
  }

  private async returnBudget(tx: Transaction, env: Env, appId: string, points: number): Promise<void> {
    const col = tx.collection<{ _id: string; total: number; used: number }>(MC.pointBudgets);
    const budget = await col.findOne({ _id: `${env}|${appId}` });
    if (budget) await col.updateOne({ _id: budget._id }, { $set: { used: Math.max(0, budget.used - points) } });
  }
}
