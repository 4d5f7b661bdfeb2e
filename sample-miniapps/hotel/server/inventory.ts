/**
 * Room inventory per night: how many rooms of each type are taken on each night, per world of
 * the bank (sandbox bookings never take production rooms). Reserving checks and takes every
 * night of a stay in one synchronous step, so two requests racing for the last room cannot both
 * get it: Node runs one step at a time and nothing awaits in between.
 */
import type { Day, RoomType } from './catalog.ts';

/** Nights a reservation could not get, with what was left. */
export class SoldOutError extends Error {
  constructor(readonly nights: Day[]) {
    super('Sold out');
  }
}

/** Inventory of every hotel and room type, per night. */
export class Inventory {
  private readonly taken = new Map<string, number>();

  private key(world: string, hotelId: string, roomId: string, night: Day): string {
    return `${world}|${hotelId}|${roomId}|${night}`;
  }

  /** Rooms of `room` still free on `night`. */
  left(world: string, hotelId: string, room: RoomType, night: Day): number {
    return room.count - (this.taken.get(this.key(world, hotelId, room.id, night)) ?? 0);
  }

  /**
   * Takes one room of `room` for every night, or nothing.
   *
   * @throws {SoldOutError} listing the nights with no room left.
   */
  reserve(world: string, hotelId: string, room: RoomType, nights: readonly Day[]): void {
    const full = nights.filter((n) => this.left(world, hotelId, room, n) <= 0);
    if (full.length > 0) throw new SoldOutError(full);
    for (const n of nights) {
      const k = this.key(world, hotelId, room.id, n);
      this.taken.set(k, (this.taken.get(k) ?? 0) + 1);
    }
  }

  /** Gives back one room of `room` for every night (a cancellation or an expired booking). */
  release(world: string, hotelId: string, room: RoomType, nights: readonly Day[]): void {
    for (const n of nights) {
      const k = this.key(world, hotelId, room.id, n);
      const v = (this.taken.get(k) ?? 0) - 1;
      if (v > 0) this.taken.set(k, v);
      else this.taken.delete(k);
    }
  }
}
