/**
 * Membership tiers (`member.tier`), derived from the user's real activity with the bank in one
 * environment:
 *
 *   score = points earned in the current and the previous CST year
 *         + whole yuan paid through Lily in the last 365 days (net of refunds)
 *
 * | tier     | score from |
 * |----------|-----------:|
 * | regular  |          0 |
 * | silver   |      2,000 |
 * | gold     |     10,000 |
 * | platinum |     50,000 |
 * | diamond  |    200,000 |
 *
 * The tier is reviewed at the start of every CST month (`validUntil`); between reviews it is
 * recomputed at most hourly and whenever points are earned (the points service marks it stale).
 */
import type { Doc, Store } from '../store/types.ts';
import { cstDay, MC, type Env } from './common.ts';
import type { PointsDoc } from './points.ts';

/** The tiers, lowest first. */
export const TIERS = [
  { tier: 'regular', from: 0, name: '普通会员', benefits: [{ code: 'points_earning', title: '消费积分' }] },
  { tier: 'silver', from: 2_000, name: '银卡会员', benefits: [{ code: 'points_earning', title: '消费积分' }, { code: 'birthday_gift', title: '生日礼遇' }] },
  { tier: 'gold', from: 10_000, name: '金卡会员', benefits: [{ code: 'points_boost', title: '积分1.2倍' }, { code: 'birthday_gift', title: '生日礼遇' }, { code: 'airport_lounge', title: '机场贵宾厅' }] },
  { tier: 'platinum', from: 50_000, name: '白金会员', benefits: [{ code: 'points_boost', title: '积分1.5倍' }, { code: 'airport_lounge', title: '机场贵宾厅' }, { code: 'priority_service', title: '专属客服' }] },
  { tier: 'diamond', from: 200_000, name: '钻石会员', benefits: [{ code: 'points_boost', title: '积分2倍' }, { code: 'airport_lounge', title: '机场贵宾厅' }, { code: 'priority_service', title: '专属客服' }, { code: 'free_upgrade', title: '免费升舱升房' }] },
] as const;

/** A tier id. */
export type TierId = (typeof TIERS)[number]['tier'];

interface TierDoc extends Doc {
  tier: TierId;
  score: number;
  checkedAt: number;
  stale: boolean;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const RECHECK_MS = 3600 * 1000;

/** The start of the CST month after `at` (the next review). */
export function nextReview(at: number): number {
  const [y, m] = cstDay(at).split('-').map(Number) as [number, number];
  return Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) - 8 * 3600 * 1000;
}

/** The tier of a score. */
export function tierOf(score: number) {
  let i = 0;
  while (i + 1 < TIERS.length && score >= TIERS[i + 1]!.from) i++;
  const cur = TIERS[i]!;
  const next = TIERS[i + 1];
  const progress = next ? Math.min(99, Math.floor(((score - cur.from) * 100) / (next.from - cur.from))) : 100;
  return { ...cur, progress };
}

/** Computes the score from points and payments (see the module comment). */
export async function activityScore(store: Store, env: Env, userId: string, at: number): Promise<number> {
  const points = await store.collection<PointsDoc>(MC.points).findOne({ _id: `${env}|${userId}` });
  const y = Number(cstDay(at).slice(0, 4));
  const earned = (points?.earnedByYear[String(y)] ?? 0) + (points?.earnedByYear[String(y - 1)] ?? 0);
  let fen = 0;
  for await (const o of store.collection('payment_orders').find({ env, userId, paidAt: { $gte: at - YEAR_MS } })) {
    fen += Number(o['paidAmount'] ?? 0) - Number(o['refundedAmount'] ?? 0);
  }
  return earned + Math.floor(Math.max(0, fen) / 100);
}

/** The user's tier, recomputed when stale. */
export async function currentTier(store: Store, env: Env, userId: string, at: number) {
  const col = store.collection<TierDoc>(MC.tiers);
  const id = `${env}|${userId}`;
  let doc = await col.findOne({ _id: id });
  if (!doc || doc.stale || at - doc.checkedAt >= RECHECK_MS || at < doc.checkedAt) {
    const score = await activityScore(store, env, userId, at);
    doc = { _id: id, tier: tierOf(score).tier, score, checkedAt: at, stale: false };
    await col.updateOne({ _id: id }, { $set: { tier: doc.tier, score, checkedAt: at, stale: false } }, { upsert: true });
  }
  const t = tierOf(doc.score);
  return {
    tier: t.tier,
    tierName: t.name,
    benefits: t.benefits.map((b) => ({ ...b })),
    progress: t.progress,
    validUntil: t.tier === 'regular' ? null : nextReview(doc.checkedAt),
    checkedAt: doc.checkedAt,
  };
}
