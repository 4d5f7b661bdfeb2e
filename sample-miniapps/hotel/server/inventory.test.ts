import { describe, expect, it } from 'vitest';
import { findRoom } from './catalog.ts';
import { Inventory, SoldOutError } from './inventory.ts';

describe('room inventory', () => {
  const { room: suite } = findRoom('sh-bund', 'suite')!; // one room
  const { room: twin } = findRoom('sh-bund', 'twin')!; // five rooms

  it('takes every night of a stay or none, and names the nights that are full', () => {
    const inv = new Inventory();
    inv.reserve('sandbox', 'sh-bund', suite, [100, 101]);
    expect([99, 100, 101, 102].map((n) => inv.left('sandbox', 'sh-bund', suite, n))).toEqual([1, 0, 0, 1]);
    let refused: unknown;
    try {
      inv.reserve('sandbox', 'sh-bund', suite, [99, 100, 101, 102]);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(SoldOutError);
    expect((refused as SoldOutError).nights).toEqual([100, 101]);
    // Nothing of the refused stay was taken.
    expect([99, 102].map((n) => inv.left('sandbox', 'sh-bund', suite, n))).toEqual([1, 1]);
    inv.release('sandbox', 'sh-bund', suite, [100, 101]);
    expect(inv.left('sandbox', 'sh-bund', suite, 100)).toBe(1);
  });

  it('never books more rooms than there are, and keeps the worlds apart', () => {
    const inv = new Inventory();
    let booked = 0;
    for (let i = 0; i < 12; i++) {
      try {
        inv.reserve('production', 'sh-bund', twin, [7]);
        booked++;
      } catch (err) {
        expect(err).toBeInstanceOf(SoldOutError);
      }
    }
    expect(booked).toBe(twin.count);
    expect(inv.left('production', 'sh-bund', twin, 7)).toBe(0);
    expect(inv.left('sandbox', 'sh-bund', twin, 7)).toBe(twin.count);
  });
});
