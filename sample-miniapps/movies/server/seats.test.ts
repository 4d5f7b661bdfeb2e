import { describe, expect, it } from 'vitest';
import { hallOf, isSeat } from './catalog.ts';
import { SeatBook, SeatError } from './seats.ts';

const hall = hallOf('h1')!;
const exists = (s: string) => isSeat(hall, s);
const T0 = 1_746_000_000_000;
const lockFor = (book: SeatBook, owner: string, seats: string[], env = 'sandbox') =>
  book.lock({ env, showtimeId: 'st-earth-20250501-1930', owner, seats, now: T0, ttlMs: 600_000, exists });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof SeatError ? { code: err.code, seats: err.seats } : err;
  }
  return null;
};

describe('SeatBook', () => {
  it('locks all seats or none, and names the seats someone else holds', () => {
    const book = new SeatBook();
    const a = lockFor(book, 'o_alice', ['C6', 'C5']);
    expect(a).toMatchObject({ seats: ['C5', 'C6'], status: 'active', expiresAt: T0 + 600_000 });
    expect(codeOf(() => lockFor(book, 'o_bob', ['C4', 'C5', 'C6']))).toEqual({ code: 'SEAT_TAKEN', seats: ['C5', 'C6'] });
    // Nothing of the refused lock was taken.
    expect(book.statusOf('sandbox', a.showtimeId, 'C4', 'o_carol')).toBe('free');
    expect(book.statusOf('sandbox', a.showtimeId, 'C5', 'o_alice')).toBe('mine');
    expect(book.statusOf('sandbox', a.showtimeId, 'C5', 'o_bob')).toBe('locked');
    expect(book.takenCount('sandbox', a.showtimeId)).toBe(2);
  });

  it('gives exactly one of many competing locks the seat', () => {
    const book = new SeatBook();
    const won = Array.from({ length: 50 }, (_, i) => codeOf(() => lockFor(book, `o_user${i}`, ['D7'])));
    expect(won.filter((x) => x === null)).toHaveLength(1);
    expect(won.filter((x) => x !== null).every((x) => (x as { code: string }).code === 'SEAT_TAKEN')).toBe(true);
  });

  it('refuses empty, duplicated, unknown and too many seats', () => {
    const book = new SeatBook();
    expect(codeOf(() => lockFor(book, 'o_a', []))).toMatchObject({ code: 'INVALID_SEATS' });
    expect(codeOf(() => lockFor(book, 'o_a', ['B2', 'B2']))).toMatchObject({ code: 'INVALID_SEATS' });
    // A1 is an aisle in 1号厅, G1 a row it does not have.
    expect(codeOf(() => lockFor(book, 'o_a', ['A1', 'G1', 'B2']))).toEqual({ code: 'INVALID_SEATS', seats: ['A1', 'G1'] });
    expect(codeOf(() => lockFor(book, 'o_a', ['B1', 'B2', 'B3', 'B4', 'B5']))).toMatchObject({ code: 'TOO_MANY_SEATS' });
  });

  it('releases, sells, refunds and expires', () => {
    const book = new SeatBook();
    const a = lockFor(book, 'o_a', ['E1']);
    book.release(a.lockId);
    expect(book.statusOf('sandbox', a.showtimeId, 'E1', 'o_b')).toBe('free');
    const b = lockFor(book, 'o_b', ['E1']);
    book.sell(b.lockId);
    expect(book.statusOf('sandbox', b.showtimeId, 'E1', 'o_c')).toBe('sold');
    // Releasing a sold lock does nothing; only a refund frees its seats.
    book.release(b.lockId);
    expect(book.statusOf('sandbox', b.showtimeId, 'E1', 'o_c')).toBe('sold');
    book.unsell(b.lockId);
    expect(book.statusOf('sandbox', b.showtimeId, 'E1', 'o_c')).toBe('free');
    const c = lockFor(book, 'o_c', ['E2']);
    expect(book.due(T0 + 599_999)).toEqual([]);
    expect(book.due(T0 + 600_000).map((l) => l.lockId)).toEqual([c.lockId]);
    book.release(c.lockId, 'expired');
    expect(c.status).toBe('expired');
    expect(book.activeLockOf('sandbox', c.showtimeId, 'o_c')).toBeUndefined();
  });

  it('keeps the sandbox and production apart', () => {
    const book = new SeatBook();
    lockFor(book, 'o_a', ['F3'], 'sandbox');
    expect(lockFor(book, 'o_a', ['F3'], 'production').status).toBe('active');
  });
});
