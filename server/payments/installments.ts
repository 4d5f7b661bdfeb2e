/**
 * Credit-card installment quotes. The fee is a rate per period in basis points of the amount;
 * each payment is `(amount + fee) / periods` in whole fen and the first one takes the remainder,
 * so the payments always add up exactly to amount + fee.
 */

/** Installments start at 600 yuan. */
export const INSTALLMENT_MIN_AMOUNT = 60_000;

/** The periods offered, fewest first. */
export const INSTALLMENT_TERMS = [3, 6, 12, 24] as const;

/** Fee per period (basis points of the amount), the interest-free campaign and the badge, per term. */
export const INSTALLMENT_RATES: Readonly<Record<(typeof INSTALLMENT_TERMS)[number], { feeRateBps: number; interestFree: boolean; tag: 'none' | 'popular' | 'interestFree' }>> = {
  3: { feeRateBps: 0, interestFree: true, tag: 'interestFree' },
  6: { feeRateBps: 50, interestFree: false, tag: 'popular' },
  12: { feeRateBps: 45, interestFree: false, tag: 'none' },
  24: { feeRateBps: 40, interestFree: false, tag: 'none' },
};

/** One quoted plan (the `getInstallmentPlans` plan schema). */
export interface InstallmentPlan {
  periods: 3 | 6 | 12 | 24;
  firstPeriodAmount: number;
  perPeriodAmount: number;
  feeTotalAmount: number;
  feeRateBps: number;
  interestFree: boolean;
  tag: 'none' | 'popular' | 'interestFree';
}

/**
 * The plans for an amount in fen; empty below {@link INSTALLMENT_MIN_AMOUNT}.
 *
 * @example
 * ```ts
 * quoteInstallments(299900)[1]; // { periods: 6, firstPeriodAmount: 51487, perPeriodAmount: 51482, feeTotalAmount: 8997, … }
 * ```
 */
export function quoteInstallments(amount: number): InstallmentPlan[] {
  if (!Number.isSafeInteger(amount) || amount < INSTALLMENT_MIN_AMOUNT) return [];
  return INSTALLMENT_TERMS.map((periods) => {
    const { feeRateBps, interestFree, tag } = INSTALLMENT_RATES[periods];
    // Rounded half up to whole fen; amount ≤ 1e10 keeps the product far below 2^53.
    const feeTotalAmount = Math.floor((amount * feeRateBps * periods + 5_000) / 10_000);
    const total = amount + feeTotalAmount;
    const perPeriodAmount = Math.floor(total / periods);
    const firstPeriodAmount = total - perPeriodAmount * (periods - 1);
    return { periods, firstPeriodAmount, perPeriodAmount, feeTotalAmount, feeRateBps, interestFree, tag };
  });
}
