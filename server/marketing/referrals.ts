/**
 * Share links and referrals (`marketing.share`, `marketing.referral`).
 *
 * Every share makes a link with its own code; every user also has one referral code per app.
 * Both live in one collection, so codes are unique across the two. When someone opens a link
 * (the launch route calls `recordShareOpen` with scene `share`, before it records the opener's
 * open id), its open count rises and, if the opener is new to the app and not the sharer, one
 * referral is recorded (a unique index allows one per invitee). The merchant settles rewards
 * (bank points from its budget, or a coupon) once per referral, idempotently by `outSettleNo`.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { PointsService } from '../members/points.ts';
import { findOpenId, rememberOpenId } from '../members/openids.ts';
import { DuplicateKeyError, type Doc, type Store } from '../store/types.ts';
import { decodeCursor, encodeCursor, ensureMarketingIndexes, fingerprint, MK, pageSize, publicId, randomCode, retrying, type Env, type PickerConfirmation, type Scope, type UserScope } from './common.ts';
import type { CouponService } from './coupons.ts';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CHANNELS = ['contacts', 'moments', 'link', 'qrcode'] as const;

/** A share link or a user's referral code (`_id` is the code). */
export interface ShareDoc extends Doc {
  kind: 'share' | 'referral';
  env: Env;
  appId: string;
  userId: string;
  openId: string;
  path: string;
  title: string;
  channel: (typeof CHANNELS)[number] | null;
  opens: number;
  createdAt: number;
}

/** A referral. */
export interface ReferralDoc extends Doc {
  env: Env;
  appId: string;
  code: string;
  referrerUserId: string;
  referrerOpenId: string;
  inviteeUserId: string;
  inviteeOpenId: string;
  status: 'pending' | 'qualified' | 'rewarded';
  createdAt: number;
  rewardedAt: number | null;
}

/** The reward of a settlement. */
export type Reward = { points: number } | { couponStockId: string };

/** Shares and referrals. */
export class ReferralService {
  constructor(
    private readonly points: PointsService,
    private readonly coupons: CouponService,
  ) {}

  /** Records a share the user made in the host's share sheet (`host.pickedId` is the channel). */
  async share(scope: UserScope, input: { title: string; path: string }, host: PickerConfirmation | undefined) {
    if (!host || host.confirmed !== true) throw new LilyError('USER_CANCELLED', 'The user closed the share sheet.');
    const channel = CHANNELS.find((c) => c === host.pickedId) ?? 'link';
    const doc = await this.insertCode(scope, { kind: 'share', path: input.path, title: input.title, channel });
    return { shareCode: doc._id, channel };
  }

  /** Who shared a link of this app and how often it was opened; NOT_FOUND for other apps' codes. */
  async shareInfo(scope: Scope, input: { shareCode: string }) {
    const doc = await scope.store.collection<ShareDoc>(MK.shares).findOne({ _id: input.shareCode, env: scope.env, appId: scope.appId });
    if (!doc) throw new LilyError('NOT_FOUND', 'No such share code in this app.');
    return { shareCode: doc._id, sharerOpenId: doc.openId, path: doc.path, opens: doc.opens, createdAt: doc.createdAt };
  }

  /** The user's referral code in this app (made on first use) and their referral counts. */
  async referralInfo(scope: UserScope) {
    await ensureMarketingIndexes(scope.store);
    const col = scope.store.collection<ShareDoc>(MK.shares);
    const mine = { kind: 'referral', env: scope.env, appId: scope.appId, userId: scope.userId };
    let doc = await col.findOne(mine);
    for (let i = 0; !doc && i < 3; i++) {
      try {
        doc = await this.insertCode(scope, { kind: 'referral', path: '/', title: '', channel: null });
      } catch (err) {
        // Another call made the user's code first (or, once in 10^12, the code was taken).
        if (!(err instanceof DuplicateKeyError)) throw err;
        doc = await col.findOne(mine);
      }
    }
    if (!doc) throw new LilyError('INTERNAL', 'Could not make a referral code.');
    const refs = scope.store.collection<ReferralDoc>(MK.referrals);
    const base = { env: scope.env, appId: scope.appId, referrerUserId: scope.userId };
    const [invited, qualified, rewarded] = await Promise.all([
      refs.countDocuments(base),
      refs.countDocuments({ ...base, status: { $in: ['qualified', 'rewarded'] } }),
      refs.countDocuments({ ...base, status: 'rewarded' }),
    ]);
    return { referralCode: doc._id, invited, qualified, rewarded };
  }

  /**
   * Records that a user opened a link (share or referral code) of this app. Call it at launch
   * BEFORE recording the opener's open id: a user the app already knows is not a referral.
   * Returns the referral id it recorded, or null. Unknown codes are ignored.
   */
  async recordShareOpen(store: Store, input: { env: Env; appId: string; code: string; userId: string; openId: string; at: number }): Promise<string | null> {
    await ensureMarketingIndexes(store);
    const link = await store.collection<ShareDoc>(MK.shares).findOneAndUpdate({ _id: input.code, env: input.env, appId: input.appId }, { $inc: { opens: 1 } });
    if (!link) return null;
    const known = await findOpenId(store, input.appId, input.openId);
    await rememberOpenId(store, { appId: input.appId, openId: input.openId, userId: input.userId, at: input.at });
    if (known || link.userId === input.userId) return null;
    const referral: ReferralDoc = { _id: publicId('ref'), env: input.env, appId: input.appId, code: link._id, referrerUserId: link.userId, referrerOpenId: link.openId, inviteeUserId: input.userId, inviteeOpenId: input.openId, status: 'pending', createdAt: input.at, rewardedAt: null };
    try {
      await store.collection<ReferralDoc>(MK.referrals).insertOne(referral);
      return referral._id;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return null;
      throw err;
    }
  }

  /** The app's referrals, newest first. */
  async list(scope: Scope, input: { referrerOpenId?: string; status?: ReferralDoc['status']; limit?: number; cursor?: string }) {
    await ensureMarketingIndexes(scope.store);
    const n = pageSize(input.limit);
    const query: Record<string, unknown> = { env: scope.env, appId: scope.appId };
    if (input.referrerOpenId !== undefined) query['referrerOpenId'] = input.referrerOpenId;
    if (input.status !== undefined) query['status'] = input.status;
    if (input.cursor !== undefined) {
      const c = decodeCursor(input.cursor);
      query['$or'] = [{ createdAt: { $lt: c.at } }, { createdAt: c.at, _id: { $lt: c.id } }];
    }
    const docs = await scope.store.collection<ReferralDoc>(MK.referrals).find(query, { sort: { createdAt: -1, _id: -1 }, limit: n + 1 }).toArray();
    const page = docs.slice(0, n);
    const last = page[page.length - 1];
    return {
      referrals: page.map((r) => ({ referralId: r._id, referrerOpenId: r.referrerOpenId, inviteeOpenId: r.inviteeOpenId, status: r.status, createdAt: r.createdAt })),
      nextCursor: docs.length > n && last ? encodeCursor(last.createdAt, last._id) : null,
    };
  }

  /**
   * Marks referrals qualified and rewards each referrer once, in one transaction; unknown or
   * already rewarded referrals (and coupon rewards the stock can no longer give) are skipped.
   * Idempotent by `outSettleNo`; QUOTA_EXCEEDED (nothing settled) when the points budget is short.
   */
  async settle(scope: Scope, input: { outSettleNo: string; referralIds: string[]; reward: Reward }) {
    await ensureMarketingIndexes(scope.store);
    const id = `${scope.env}|${scope.appId}|${input.outSettleNo}`;
    const requestHash = fingerprint({ referralIds: [...input.referralIds].sort(), reward: input.reward });
    const col = scope.store.collection<{ _id: string; requestHash: string; rewarded: number; skipped: number }>(MK.settlements);
    const stored = async () => {
      const s = await col.findOne({ _id: id });
      if (s && s.requestHash !== requestHash) throw new LilyError('DUPLICATE', `outSettleNo ${input.outSettleNo} was already used for another settlement.`, { field: 'outSettleNo' });
      return s ? { rewarded: s.rewarded, skipped: s.skipped } : null;
    };
    const reward = input.reward;
    if ('couponStockId' in reward && !(await scope.store.collection(MK.stocks).findOne({ _id: reward.couponStockId, env: scope.env, appId: scope.appId }))) {
      throw new LilyError('INVALID_PARAMS', 'No such coupon stock in this app.', { field: 'reward.couponStockId' });
    }
    const at = scope.now();
    return retrying(async () => (await stored()) ?? scope.store.transaction(async (tx) => {
      let rewarded = 0;
      for (const refId of input.referralIds) {
        const r = await tx.collection<ReferralDoc>(MK.referrals).findOne({ _id: refId, env: scope.env, appId: scope.appId });
        if (!r || r.status === 'rewarded') continue;
        if ('points' in reward) {
          await this.points.applyIn(tx, { env: scope.env, appId: scope.appId, userId: r.referrerUserId, openId: r.referrerOpenId, kind: 'reward', points: reward.points, reason: '邀请奖励', outBizNo: `referral-${r._id}`, at });
        } else if (!(await this.coupons.issueIn(tx, reward.couponStockId, { env: scope.env, appId: scope.appId, userId: r.referrerUserId, openId: r.referrerOpenId, at }, { soft: true }))) {
          continue;
        }
        const res = await tx.collection(MK.referrals).updateOne({ _id: r._id, status: r.status }, { $set: { status: 'rewarded', rewardedAt: at } });
        if (res.modifiedCount !== 1) throw new LilyError('CONFLICT', 'A referral changed meanwhile.');
        rewarded++;
      }
      const result = { rewarded, skipped: input.referralIds.length - rewarded };
      await tx.collection(MK.settlements).insertOne({ _id: id, requestHash, ...result, at });
      return result;
    }));
  }

  private async insertCode(scope: UserScope, fields: Pick<ShareDoc, 'kind' | 'path' | 'title' | 'channel'>): Promise<ShareDoc> {
    await ensureMarketingIndexes(scope.store);
    for (let i = 0; ; i++) {
      const doc: ShareDoc = { _id: randomCode(8, CODE_ALPHABET), env: scope.env, appId: scope.appId, userId: scope.userId, openId: scope.openId, opens: 0, createdAt: scope.now(), ...fields };
      try {
        await scope.store.collection<ShareDoc>(MK.shares).insertOne(doc);
        return doc;
      } catch (err) {
        // A code collision (one in 10^12) draws again; a second referral code of the user does not.
        if (!(err instanceof DuplicateKeyError) || fields.kind === 'referral' || i >= 3) throw err;
      }
    }
  }
}
