/**
 * The back end's clock: the wall clock plus an offset that only moves forward. The demo runs on
 * real time; tests and the admin endpoint move it ahead to reach a sale's opening or the day after
 * a show without waiting. Calls to the bank always use real time (its own clock is the authority).
 */

/** A clock that can be moved ahead. */
export interface ConcertsClock {
  /** The back end's current time, ms since the epoch. */
  now(): number;
  /** Moves the clock ahead by `ms` (≥ 0) and answers the new time. */
  advance(ms: number): number;
  /** How far ahead of the wall clock this clock is, in ms. */
  offset(): number;
}

/**
 * The wall clock, movable ahead.
 *
 * @example
 * ```ts
 * const clock = movableClock();
 * clock.advance(3 * 86_400_000); // three days later
 * ```
 */
export function movableClock(wall: () => number = Date.now): ConcertsClock {
  let offset = 0;
  return {
    now: () => wall() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('The clock only moves ahead, by a finite number of ms.');
      offset += Math.round(ms);
      return wall() + offset;
    },
    offset: () => offset,
  };
}
