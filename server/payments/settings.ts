/**
 * Bank-side settings of the payment services, and the extension point through which marketing
 * applies coupons and campaigns in the cashier.
 */
import type { Transaction } from '../store/types.ts';
import type { Env } from './common.ts';

/** A discount the cashier applies to one payment. */
export interface Discount {
  /** Fen off the order amount; the user pays `amount - discount`, at least 1 fen. */
  amount: number;
  /**
   * `bank`: a bank campaign, paid from the bank's marketing budget, so the merchant still
   * receives the whole order amount; `merchant`: the merchant's own coupon, which reduces its
   * settlement.
   */
  fundedBy: 'bank' | 'merchant';
  /** What was applied (campaign or coupon id), kept on the order and the journal entry. */
  ref: string;
}

/**
 * Picks the discount for a payment, inside the payment's transaction (so a coupon it redeems is
 * redeemed only if the payment commits). Returns null for none. It must not have side effects
 * outside the store: the transaction may be retried.
 */
export type DiscountHook = (
  tx: Transaction,
  input: {
    env: Env;
    appId: string;
    userId: string;
    orderId: string;
    amount: number;
    couponId: string | null;
    /** `balance`, or the type of the card the user picked (campaigns may be limited by method). */
    payMethod: string;
    at: number;
  },
) => Promise<Discount | null>;

/** The settings. */
export interface PaymentSettings {
  /** Bank fee on what the merchant is settled, in basis points (default 0; 60 = 0.6 %). */
  feeRateBps: number;
  /** Most a user may top up per CST day, in fen (default 5,000,000 = 50,000 yuan). */
  topUpDailyLimit: number;
  /** Largest amount of one order, in fen (default 100,000,000 = 1,000,000 yuan). */
  maxOrderAmount: number;
  /** Coupons and campaigns (default none). */
  discount: DiscountHook | null;
}

/** Defaults of {@link PaymentSettings}. */
export const DEFAULT_SETTINGS: PaymentSettings = {
  feeRateBps: 0,
  topUpDailyLimit: 5_000_000,
  maxOrderAmount: 100_000_000,
  discount: null,
};

/** The bank fee on `amount` fen, rounded half up to whole fen. */
export function feeOn(amount: number, feeRateBps: number): number {
  if (feeRateBps <= 0) return 0;
  return Math.floor((amount * feeRateBps + 5_000) / 10_000);
}
