/**
 * Lucky draws (`marketing.luckyDraw`) with exact prize inventory and committed randomness.
 *
 * Each activity gets a secret 32-byte seed (sealed at rest); its SM3 commitment is published at
 * creation and the seed is revealed by `listDraws` once the activity has ended. A draw's number
 * is `n = int(first 13 hex of HMAC-SM3(seed hex, drawId)) mod 1,000,000`; the prize is the first
 * whose cumulative odds (ppm) exceed `n`. The draw id is chosen before the transaction, so a
 * retried transaction draws the same number. The user's draw count, the award (coupon or points,
 * declined softly when the stock or budget is spent) and the prize's inventory (a conditional
 * decrement) change in one transaction with the draw record, so inventory is exact under any
 * concurrency; draws are numbered in the order they consumed inventory, so every result can be
 * re-checked.
 */
import { LilyError } from '../../protocol/errors.ts';
import { hmacSm3, randomBytes, sm3, toHex } from '../../runtime/crypto/sm.ts';
import type { MemberSecrets } from '../members/common.ts';
import type { PointsService } from '../members/points.ts';
import type { Doc, Store, Transaction } from '../store/types.ts';
import { decodeCursor, encodeCursor, ensureMarketingIndexes, MK, pageSize, publicId, retrying, type Env, type Scope, type UserScope } from './common.ts';
import type { CouponService, StockDoc } from './coupons.ts';

/** A prize of an activity. */
export interface Prize {
  prizeId: string;
  title: string;
  type: 'coupon' | 'points' | 'physical';
  inventory: number;
  probabilityPpm: number;
  couponStockId?: string;
  points?: number;
}

/** An activity. */
export interface ActivityDoc extends Doc {
  env: Env;
  appId: string;
  title: string;
  startAt: number;
  endAt: number;
  drawsPerUser: number;
  prizes: Prize[];
  status: 'pending_review' | 'scheduled' | 'rejected';
  commitment: string;
  sealedSeed: string;
  /** Draws so far; each draw's `seq` is its position, the order inventory was consumed in. */
  draws: number;
  createdAt: number;
}

/** One draw, kept for audit. */
export interface DrawDoc extends Doc {
  env: Env;
  appId: string;
  activityId: string;
  userId: string;
  openId: string;
  seq: number;
  n: number;
  won: boolean;
  prize: { prizeId: string; title: string; type: Prize['type'] } | null;
  at: number;
}

/** The number a seed gives a draw id (see the module comment). */
export function drawNumber(seedHex: string, drawId: string): number {
  return parseInt(hmacSm3(seedHex, drawId).slice(0, 13), 16) % 1_000_000;
}

/** The prize `n` picks by cumulative odds, or undefined for "no prize". */
export function pickPrize(prizes: readonly Prize[], n: number): Prize | undefined {
  let cumulative = 0;
  for (const p of prizes) {
    cumulative += p.probabilityPpm;
    if (n < cumulative) return p;
  }
  return undefined;
}

/** Lucky draws. */
export class DrawService {
  constructor(
    private readonly secrets: MemberSecrets,
    private readonly coupons: CouponService,
    private readonly points: PointsService,
  ) {}

  /** Creates an activity: scheduled at once in the sandbox, reviewed by bank ops in production. */
  async create(scope: Scope, input: { title: string; startAt: number; endAt: number; drawsPerUser: number; prizes: Omit<Prize, 'prizeId'>[] }) {
    await ensureMarketingIndexes(scope.store);
    if (input.endAt <= input.startAt) throw new LilyError('INVALID_PARAMS', 'endAt must be after startAt.', { field: 'endAt' });
    if (input.prizes.reduce((s, p) => s + p.probabilityPpm, 0) > 1_000_000) throw new LilyError('INVALID_PARAMS', 'Probabilities add up to more than 1,000,000 ppm.', { field: 'prizes' });
    for (const [i, p] of input.prizes.entries()) {
      if (p.type === 'coupon') {
        if (!p.couponStockId) throw new LilyError('INVALID_PARAMS', 'Coupon prizes need couponStockId.', { field: `prizes[${i}].couponStockId` });
        if (!(await scope.store.collection<StockDoc>(MK.stocks).findOne({ _id: p.couponStockId, env: scope.env, appId: scope.appId }))) throw new LilyError('NOT_FOUND', `No coupon stock ${p.couponStockId}.`, { field: `prizes[${i}].couponStockId` });
      }
      if (p.type === 'points' && !p.points) throw new LilyError('INVALID_PARAMS', 'Points prizes need points.', { field: `prizes[${i}].points` });
    }
    const id = publicId('act');
    const seed = toHex(randomBytes(32));
    const prizes = input.prizes.map((p) => ({ ...p, prizeId: publicId('prz') }));
    const status = scope.env === 'sandbox' ? ('scheduled' as const) : ('pending_review' as const);
    const doc: ActivityDoc = { _id: id, env: scope.env, appId: scope.appId, title: input.title, startAt: input.startAt, endAt: input.endAt, drawsPerUser: input.drawsPerUser, prizes, status, commitment: sm3(seed), sealedSeed: this.secrets.seal(seed, `draw|${id}`), draws: 0, createdAt: scope.now() };
    await scope.store.transaction(async (tx) => {
      await tx.collection<ActivityDoc>(MK.activities).insertOne(doc);
      for (const p of prizes) await tx.collection(MK.prizes).insertOne({ _id: p.prizeId, activityId: id, remaining: p.inventory });
    });
    return { activityId: id, status, commitment: doc.commitment };
  }

  /** Bank ops' decision on an activity under review. */
  async review(store: Store, input: { activityId: string; approve: boolean }) {
    const doc = await store.collection<ActivityDoc>(MK.activities).findOneAndUpdate({ _id: input.activityId, status: 'pending_review' }, { $set: { status: input.approve ? 'scheduled' : 'rejected' } }, { returnDocument: 'after' });
    if (!doc) throw new LilyError('NOT_FOUND', 'No activity awaiting review with that id.');
    return { activityId: doc._id, status: doc.status };
  }

  /** One draw for the user (see the module comment). */
  async draw(scope: UserScope, input: { activityId: string }) {
    await ensureMarketingIndexes(scope.store);
    const drawId = publicId('drw');
    const at = scope.now();
    return retrying(() => scope.store.transaction((tx) => this.drawIn(tx, scope, input.activityId, drawId, at)));
  }

  private async drawIn(tx: Transaction, scope: UserScope, activityId: string, drawId: string, at: number) {
    const act = await tx.collection<ActivityDoc>(MK.activities).findOne({ _id: activityId, env: scope.env, appId: scope.appId });
    if (!act) throw new LilyError('NOT_FOUND', 'No such activity.');
    if (act.status !== 'scheduled' || at < act.startAt || at >= act.endAt) throw new LilyError('INVALID_STATE', 'The activity is not running.', { status: act.status });
    const counts = tx.collection<{ _id: string; n: number }>(MK.drawCounts);
    const countId = `${activityId}|${scope.userId}`;
    const used = (await counts.findOne({ _id: countId }))?.n ?? 0;
    if (used >= act.drawsPerUser) throw new LilyError('LIMIT_EXCEEDED', 'No draws left in this activity.');
    if (used === 0) await counts.insertOne({ _id: countId, n: 1 });
    else if ((await counts.updateOne({ _id: countId, n: used }, { $inc: { n: 1 } })).modifiedCount !== 1) throw new LilyError('CONFLICT', 'Draws raced.');

    // The activity's draw counter orders the draws (and makes them contend, so the order is exact).
    const seq = act.draws + 1;
    if ((await tx.collection<ActivityDoc>(MK.activities).updateOne({ _id: act._id, draws: act.draws }, { $inc: { draws: 1 } })).modifiedCount !== 1) throw new LilyError('CONFLICT', 'Draws raced.');
    const n = drawNumber(this.secrets.open(act.sealedSeed, `draw|${act._id}`), drawId);
    const picked = pickPrize(act.prizes, n);
    let won = false;
    if (picked) {
      const prizes = tx.collection<{ _id: string; remaining: number }>(MK.prizes);
      if (((await prizes.findOne({ _id: picked.prizeId }))?.remaining ?? 0) > 0 && (await this.award(tx, scope, picked, drawId, at))) {
        const took = await prizes.updateOne({ _id: picked.prizeId, remaining: { $gt: 0 } }, { $inc: { remaining: -1 } });
        if (took.modifiedCount !== 1) throw new LilyError('CONFLICT', 'The prize ran out meanwhile.');
        won = true;
      }
    }
    const prize = won && picked ? { prizeId: picked.prizeId, title: picked.title, type: picked.type } : null;
    await tx.collection<DrawDoc>(MK.draws).insertOne({ _id: drawId, env: scope.env, appId: scope.appId, activityId, userId: scope.userId, openId: scope.openId, seq, n, won, prize, at });
    return { drawId, won, prize, remainingDraws: act.drawsPerUser - used - 1 };
  }

  /** Gives the prize; false (nothing written) when its coupon stock or the points budget is spent. */
  private async award(tx: Transaction, scope: UserScope, prize: Prize, drawId: string, at: number): Promise<boolean> {
    if (prize.type === 'coupon') {
      const to = { env: scope.env, appId: scope.appId, userId: scope.userId, openId: scope.openId, at };
      return (await this.coupons.issueIn(tx, prize.couponStockId!, to, { soft: true })) !== null;
    }
    if (prize.type === 'points') {
      if ((await this.points.budgetLeft(tx, scope.env, scope.appId)) < prize.points!) return false;
      await this.points.applyIn(tx, { env: scope.env, appId: scope.appId, userId: scope.userId, openId: scope.openId, kind: 'reward', points: prize.points!, reason: prize.title, outBizNo: `draw-${drawId}`, at });
    }
    return true;
  }

  /** Every draw of an activity of this app in draw order, with the commitment and (after the end) the seed. */
  async list(scope: Scope, input: { activityId: string; winnersOnly?: boolean; limit?: number; cursor?: string }) {
    const act = await scope.store.collection<ActivityDoc>(MK.activities).findOne({ _id: input.activityId, env: scope.env, appId: scope.appId });
    if (!act) throw new LilyError('NOT_FOUND', 'No such activity.');
    const n = pageSize(input.limit);
    const query: Record<string, unknown> = { activityId: act._id, ...(input.winnersOnly ? { won: true } : {}) };
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['seq'] = { $gt: c.at };
    }
    const docs = await scope.store.collection<DrawDoc>(MK.draws).find(query, { sort: { seq: 1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    const ended = scope.now() >= act.endAt;
    return {
      draws: page.map((d) => ({ drawId: d._id, won: d.won, prize: d.prize, openId: d.openId, at: d.at })),
      nextCursor: docs.length > n && last ? encodeCursor(last.seq, last._id) : null,
      commitment: act.commitment,
      seed: ended ? this.secrets.open(act.sealedSeed, `draw|${act._id}`) : null,
    };
  }
}
