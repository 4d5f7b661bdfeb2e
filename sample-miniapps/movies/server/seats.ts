/**
 * Seat locks of the movies sample: who holds which seat of which screening.
 *
 * A lock takes all its seats or none, and the check and the take happen in one synchronous step
 * (no `await` between them), so of any number of concurrent requests for a seat exactly one gets
 * it: Node runs one request's step to the end before the next one starts. A seat stays taken from
 * the lock until the lock is released or expires unpaid; once sold it stays taken until the
 * ticket is refunded. The sandbox and production are separate worlds: a sandbox trial never
 * blocks a real seat.
 */
import { randomBytes } from 'node:crypto';

/** Why a lock was refused. */
export class SeatError extends Error {
  constructor(
    readonly code: 'SEAT_TAKEN' | 'INVALID_SEATS' | 'TOO_MANY_SEATS',
    message: string,
    /** The seats concerned (taken or unknown). */
    readonly seats: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SeatError';
  }
}

/** A lock on some seats of one screening. */
export interface SeatLock {
  lockId: string;
  /** `sandbox` or `production`. */
  env: string;
  showtimeId: string;
  /** Who holds it (the user's openId). */
  owner: string;
  seats: string[];
  createdAt: number;
  expiresAt: number;
  /** `active` until paid (`sold`), given back (`released`) or timed out (`expired`). */
  status: 'active' | 'sold' | 'released' | 'expired';
}

/** How a seat looks to one viewer. */
export type SeatStatus = 'free' | 'mine' | 'locked' | 'sold';

/** Most seats one lock may hold. */
export const MAX_SEATS_PER_LOCK = 4;

/** The seat book of every screening. */
export class SeatBook {
  /** Every lock ever taken, by id. */
  readonly locks = new Map<string, SeatLock>();
  /** `<env>|<showtimeId>` → seat → the lock that holds it. */
  private readonly taken = new Map<string, Map<string, string>>();

  /**
   * Locks `seats` for `owner` until `now + ttlMs`, all or none. Throws {@link SeatError}:
   * `INVALID_SEATS` (none, duplicates, or not accepted by `exists`), `TOO_MANY_SEATS`, or
   * `SEAT_TAKEN` naming every seat someone else holds.
   *
   * @example
   * ```ts
   * const lock = book.lock({ env: 'sandbox', showtimeId, owner: openId, seats: ['C5', 'C6'], now: Date.now(), ttlMs: 600_000, exists: (s) => isSeat(hall, s) });
   * ```
   */
  lock(input: { env: string; showtimeId: string; owner: string; seats: readonly string[]; now: number; ttlMs: number; exists: (seat: string) => boolean }): SeatLock {
    const seats = [...input.seats];
    if (seats.length === 0) throw new SeatError('INVALID_SEATS', 'Pick at least one seat.');
    if (seats.length > MAX_SEATS_PER_LOCK) throw new SeatError('TOO_MANY_SEATS', `At most ${MAX_SEATS_PER_LOCK} seats per order.`);
    if (new Set(seats).size !== seats.length) throw new SeatError('INVALID_SEATS', 'A seat is listed twice.');
    const unknown = seats.filter((s) => !input.exists(s));
    if (unknown.length > 0) throw new SeatError('INVALID_SEATS', `No seat ${unknown.join(', ')} in this hall.`, unknown);
    const map = this.mapOf(input.env, input.showtimeId);
    const held = seats.filter((s) => map.has(s));
    if (held.length > 0) throw new SeatError('SEAT_TAKEN', `Seat ${held.join(', ')} was just taken by someone else; pick another.`, held);
    const lock: SeatLock = {
      lockId: `lk_${randomBytes(8).toString('hex')}`,
      env: input.env,
      showtimeId: input.showtimeId,
      owner: input.owner,
      seats: seats.sort(compareSeats),
      createdAt: input.now,
      expiresAt: input.now + input.ttlMs,
      status: 'active',
    };
    for (const s of lock.seats) map.set(s, lock.lockId);
    this.locks.set(lock.lockId, lock);
    return lock;
  }

  /** Gives an active lock's seats back (`released`, or `expired` when it timed out). */
  release(lockId: string, why: 'released' | 'expired' = 'released'): void {
    const lock = this.locks.get(lockId);
    if (!lock || lock.status !== 'active') return;
    lock.status = why;
    this.free(lock);
  }

  /** The lock was paid for: its seats stay taken. */
  sell(lockId: string): void {
    const lock = this.locks.get(lockId);
    if (lock && lock.status === 'active') lock.status = 'sold';
  }

  /** A sold lock's ticket was refunded: its seats are for sale again. */
  unsell(lockId: string): void {
    const lock = this.locks.get(lockId);
    if (!lock || lock.status !== 'sold') return;
    lock.status = 'released';
    this.free(lock);
  }

  /** Active locks past their expiry. */
  due(now: number): SeatLock[] {
    return [...this.locks.values()].filter((l) => l.status === 'active' && l.expiresAt <= now);
  }

  /** The active lock of `owner` on a screening, if any. */
  activeLockOf(env: string, showtimeId: string, owner: string): SeatLock | undefined {
    return [...this.locks.values()].find((l) => l.status === 'active' && l.env === env && l.showtimeId === showtimeId && l.owner === owner);
  }

  /** How `seat` looks to `viewer`. */
  statusOf(env: string, showtimeId: string, seat: string, viewer: string): SeatStatus {
    const lockId = this.taken.get(`${env}|${showtimeId}`)?.get(seat);
    const lock = lockId ? this.locks.get(lockId) : undefined;
    if (!lock) return 'free';
    if (lock.status === 'sold') return 'sold';
    return lock.owner === viewer ? 'mine' : 'locked';
  }

  /** How many seats of a screening are taken. */
  takenCount(env: string, showtimeId: string): number {
    return this.taken.get(`${env}|${showtimeId}`)?.size ?? 0;
  }

  private mapOf(env: string, showtimeId: string): Map<string, string> {
    const key = `${env}|${showtimeId}`;
    let map = this.taken.get(key);
    if (!map) this.taken.set(key, (map = new Map()));
    return map;
  }

  private free(lock: SeatLock): void {
    const map = this.taken.get(`${lock.env}|${lock.showtimeId}`);
    for (const s of lock.seats) if (map?.get(s) === lock.lockId) map.delete(s);
  }
}

/** Orders seats by row, then number (`B2` before `B10`). */
export function compareSeats(a: string, b: string): number {
  return a[0]! === b[0]! ? Number(a.slice(1)) - Number(b.slice(1)) : a < b ? -1 : 1;
}
