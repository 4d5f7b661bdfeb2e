import { describe, expect, it } from 'vitest';
import { testContext } from '../../capabilities/testing/context.ts';
import type { Store } from '../store/types.ts';
import { parseHostConfirmation, requireConfirmation } from './host.ts';

describe('host confirmation', () => {
  it('keeps only well-typed known fields from the bridge request', () => {
    expect(parseHostConfirmation(undefined)).toBeUndefined();
    expect(parseHostConfirmation('yes')).toBeUndefined();
    expect(parseHostConfirmation({ confirmed: true, pin: '123456', cardId: 'card_1', installmentTerm: 6, couponId: 'cp_1', amount: 100, scannedCode: 'LILYPAY:qr_12345678' })).toEqual({
      confirmed: true,
      pin: '123456',
      cardId: 'card_1',
      installmentTerm: 6,
      couponId: 'cp_1',
      amount: 100,
      scannedCode: 'LILYPAY:qr_12345678',
    });
    expect(parseHostConfirmation({ confirmed: 'true', pin: 123456, amount: 1.5, installmentTerm: -3, extra: 1, cardId: '' })).toEqual({});
  });

  it('answers USER_CANCELLED unless the sheet was confirmed', () => {
    const store = {} as Store;
    expect(() => requireConfirmation(testContext(store))).toThrow(expect.objectContaining({ code: 'USER_CANCELLED' }));
    expect(() => requireConfirmation(testContext(store, { host: { confirmed: false } }))).toThrow(expect.objectContaining({ code: 'USER_CANCELLED' }));
    expect(requireConfirmation(testContext(store, { host: { confirmed: true, pin: '1' } }))).toEqual({ confirmed: true, pin: '1' });
  });
});
