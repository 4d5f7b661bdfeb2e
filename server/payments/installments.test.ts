import { describe, expect, it } from 'vitest';
import { INSTALLMENT_MIN_AMOUNT, quoteInstallments } from './installments.ts';

describe('quoteInstallments', () => {
  it('matches the documented example', () => {
    const [three, six] = quoteInstallments(299_900);
    expect(three).toEqual({ periods: 3, firstPeriodAmount: 99_968, perPeriodAmount: 99_966, feeTotalAmount: 0, feeRateBps: 0, interestFree: true, tag: 'interestFree' });
    expect(six).toEqual({ periods: 6, firstPeriodAmount: 51_487, perPeriodAmount: 51_482, feeTotalAmount: 8_997, feeRateBps: 50, interestFree: false, tag: 'popular' });
  });

  it('always adds up exactly to amount plus fee, in whole fen, for any amount', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const amount = INSTALLMENT_MIN_AMOUNT + Math.floor(rand() * 10_000_000_000);
      for (const p of quoteInstallments(amount)) {
        expect(p.firstPeriodAmount + p.perPeriodAmount * (p.periods - 1)).toBe(amount + p.feeTotalAmount);
        expect(p.firstPeriodAmount).toBeGreaterThanOrEqual(p.perPeriodAmount);
        expect(p.firstPeriodAmount - p.perPeriodAmount).toBeLessThan(p.periods);
        expect(Number.isSafeInteger(p.feeTotalAmount)).toBe(true);
        expect(Math.abs(p.feeTotalAmount - (amount * p.feeRateBps * p.periods) / 10_000)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('offers nothing below 600 yuan', () => {
    expect(quoteInstallments(INSTALLMENT_MIN_AMOUNT - 1)).toEqual([]);
    expect(quoteInstallments(INSTALLMENT_MIN_AMOUNT)).toHaveLength(4);
  });
});
