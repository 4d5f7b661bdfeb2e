/**
 * The movies sample's marketing with the bank: its two coupon stocks (a welcome coupon users claim
 * in the mini-app, and a "see another film" coupon the back end issues after a paid booking) and
 * its showtime-reminder message template (registered for the app and approved by bank ops).
 */

/** The reminder template: fields `film`, `time`, `hall`, `seats`. */
export const REMINDER_TEMPLATE = {
  templateId: 'tpl_MoviesShowReminder',
  title: '开场提醒',
  content: '《{{film}}》{{time}} 在{{hall}}开场，座位 {{seats}}，请提前15分钟入场。',
} as const;

/** A coupon stock as this merchant runs it (amounts in fen). */
export interface StockPlan {
  /** Prefix of the merchant's stock number; the month (`yyyymm`) is appended. */
  outStockPrefix: string;
  title: string;
  discountAmount: number;
  thresholdAmount: number;
  inventory: number;
  perUserLimit: number;
}

/** Claimed by users in the mini-app. */
export const WELCOME_STOCK: StockPlan = { outStockPrefix: 'MOVIESWELCOME', title: '新客观影券 满40减10', discountAmount: 1000, thresholdAmount: 4000, inventory: 10_000, perUserLimit: 1 };

/** Issued by the back end to a user whose booking was paid. */
export const RETURN_STOCK: StockPlan = { outStockPrefix: 'MOVIESRETURN', title: '再看一场 满40减5', discountAmount: 500, thresholdAmount: 4000, inventory: 10_000, perUserLimit: 1 };

const CST_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The `createCouponStock` body of a plan for the month holding `now` (CST): valid from the first
 * of the month for 62 days, so it is still valid whatever the day, and the same body all month,
 * which makes re-creating it after a restart an idempotent replay rather than a duplicate.
 *
 * @example
 * ```ts
 * stockBody(WELCOME_STOCK, Date.parse('2025-05-20T00:00:00Z')).outStockNo; // 'MOVIESWELCOME202505'
 * ```
 */
export function stockBody(plan: StockPlan, now: number) {
  const d = new Date(now + CST_MS);
  const validFrom = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - CST_MS;
  const month = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return {
    outStockNo: `${plan.outStockPrefix}${month}`,
    title: plan.title,
    discountAmount: plan.discountAmount,
    thresholdAmount: plan.thresholdAmount,
    validFrom,
    validUntil: validFrom + 62 * DAY_MS,
    inventory: plan.inventory,
    budgetAmount: plan.inventory * plan.discountAmount,
    perUserLimit: plan.perUserLimit,
  };
}
