/**
 * The hotel chain's catalogue and rules, as pure functions: its hotels and room types, calendar
 * dates in hotel time (China Standard Time, UTC+8, no daylight saving), nightly prices (weekend
 * nights cost more, the prepaid rate less), the deposit, and the cancellation policy.
 */

/** A room type of a hotel. */
export interface RoomType {
  id: string;
  name: string;
  beds: string;
  maxGuests: number;
  /** Weeknight price in fen. */
  price: number;
  /** How many rooms of this type the hotel has. */
  count: number;
}

/** A hotel of the chain. */
export interface Hotel {
  id: string;
  city: string;
  name: string;
  address: string;
  /** The front desk's number, as the guest dials it. */
  phone: string;
  rooms: readonly RoomType[];
}

/** The chain's cities (id → name shown). */
export const CITIES: readonly { id: string; name: string }[] = [
  { id: 'shanghai', name: '上海 Shanghai' },
  { id: 'beijing', name: '北京 Beijing' },
  { id: 'hangzhou', name: '杭州 Hangzhou' },
];

/** The chain's hotels. */
export const HOTELS: readonly Hotel[] = [
  {
    id: 'sh-bund',
    city: 'shanghai',
    name: '悦途酒店 外滩店 The Bund',
    address: '上海市黄浦区中山东二路 88 号',
    phone: '021-6333 8801',
    rooms: [
      { id: 'king', name: '高级大床房 Superior King', beds: '1 king bed', maxGuests: 2, price: 58_800, count: 8 },
      { id: 'twin', name: '行政双床房 Executive Twin', beds: '2 single beds', maxGuests: 2, price: 72_800, count: 5 },
      { id: 'suite', name: '江景套房 River Suite', beds: '1 king bed + sofa bed', maxGuests: 3, price: 168_800, count: 1 },
    ],
  },
  {
    id: 'sh-hongqiao',
    city: 'shanghai',
    name: '悦途酒店 虹桥店 Hongqiao',
    address: '上海市闵行区申长路 1688 号',
    phone: '021-6222 5502',
    rooms: [
      { id: 'standard', name: '标准大床房 Standard King', beds: '1 king bed', maxGuests: 2, price: 39_900, count: 12 },
      { id: 'family', name: '家庭房 Family Room', beds: '1 king + 2 single beds', maxGuests: 4, price: 59_900, count: 3 },
    ],
  },
  {
    id: 'bj-guomao',
    city: 'beijing',
    name: '悦途酒店 国贸店 Guomao',
    address: '北京市朝阳区建国门外大街 1 号',
    phone: '010-6505 3303',
    rooms: [
      { id: 'king', name: '高级大床房 Superior King', beds: '1 king bed', maxGuests: 2, price: 65_800, count: 10 },
      { id: 'suite', name: '行政套房 Executive Suite', beds: '1 king bed + sofa bed', maxGuests: 3, price: 188_800, count: 1 },
    ],
  },
  {
    id: 'hz-westlake',
    city: 'hangzhou',
    name: '悦途酒店 西湖店 West Lake',
    address: '杭州市西湖区北山街 28 号',
    phone: '0571-8796 4404',
    rooms: [
      { id: 'lakeview', name: '湖景大床房 Lake-view King', beds: '1 king bed', maxGuests: 2, price: 88_800, count: 4 },
      { id: 'courtyard', name: '庭院家庭房 Courtyard Family', beds: '2 queen beds', maxGuests: 4, price: 108_800, count: 2 },
    ],
  },
];

/** Rules of the chain (amounts in fen, times in hotel time). */
export const RULES = {
  /** Up to this many days ahead a stay may start (holds last at most 30 days). */
  maxDaysAhead: 20,
  maxNights: 7,
  maxGuests: 4,
  /** Friday and Saturday nights cost this many percent more. */
  weekendSurchargePct: 20,
  /** The prepaid rate is this many percent off. */
  prepaidDiscountPct: 10,
  /** The incidentals deposit held on top of the room (flexible rate) or alone (prepaid rate). */
  incidentalsDeposit: 30_000,
  checkInHour: 14,
  checkOutHour: 12,
  /** Free cancellation until this many hours before check-in time. */
  freeCancellationHours: 48,
  /** Percent of the room charge kept on a later cancellation. */
  lateCancellationFeePct: 50,
  /** An unpaid, unauthorized booking holds its rooms this long. */
  pendingMinutes: 15,
} as const;

const DAY_MS = 86_400_000;
const HOTEL_OFFSET_MS = 8 * 3_600_000;

/** A calendar date as days since 1970-01-01 (hotel time). */
export type Day = number;

/**
 * Parses `YYYY-MM-DD` into a {@link Day}; null for anything else or an impossible date.
 *
 * @example
 * ```ts
 * parseDay('2025-05-01'); // 20209
 * parseDay('2025-02-30'); // null
 * ```
 */
export function parseDay(text: unknown): Day | null {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10)));
  const day = ms / DAY_MS;
  return formatDay(day) === text ? day : null;
}

/** Formats a {@link Day} as `YYYY-MM-DD`. */
export function formatDay(day: Day): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Today in hotel time. */
export function hotelToday(now: number): Day {
  return Math.floor((now + HOTEL_OFFSET_MS) / DAY_MS);
}

/** The instant of `hour`:00 hotel time on `day`. */
export function hotelTime(day: Day, hour: number): number {
  return day * DAY_MS + hour * 3_600_000 - HOTEL_OFFSET_MS;
}

/** True for Friday and Saturday nights. */
export function isWeekendNight(day: Day): boolean {
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday === 5 || weekday === 6;
}

/** The rate plans: pay at the hotel (cancel under the policy) or prepay now for less. */
export type RatePlan = 'flexible' | 'prepaid';

/** The price of one night of `room` under `rate`, in fen. */
export function nightPrice(room: RoomType, day: Day, rate: RatePlan): number {
  const base = isWeekendNight(day) ? Math.round((room.price * (100 + RULES.weekendSurchargePct)) / 100) : room.price;
  return rate === 'prepaid' ? Math.round((base * (100 - RULES.prepaidDiscountPct)) / 100) : base;
}

/** A stay's dates once checked: the nights it covers, first to last. */
export interface Stay {
  checkIn: Day;
  checkOut: Day;
  nights: Day[];
}

/** Why a stay or a guest count was refused (a message for the guest). */
export class StayError extends Error {}

/**
 * Checks a stay request against the rules: real dates, check-out after check-in, not in the past,
 * not too far ahead, not too long, and a sensible number of guests.
 *
 * @throws {StayError} with a message for the guest.
 */
export function checkStay(input: { checkIn: unknown; checkOut: unknown; guests: unknown }, now: number): Stay & { guests: number } {
  const checkIn = parseDay(input.checkIn);
  const checkOut = parseDay(input.checkOut);
  if (checkIn === null || checkOut === null) throw new StayError('Pick a check-in and a check-out date (YYYY-MM-DD).');
  const today = hotelToday(now);
  if (checkIn < today) throw new StayError('The check-in date has passed.');
  if (checkIn > today + RULES.maxDaysAhead) throw new StayError(`Stays can be booked up to ${RULES.maxDaysAhead} days ahead.`);
  if (checkOut <= checkIn) throw new StayError('Check-out must be after check-in.');
  if (checkOut - checkIn > RULES.maxNights) throw new StayError(`A stay is at most ${RULES.maxNights} nights.`);
  const guests = Number(input.guests ?? 1);
  if (!Number.isInteger(guests) || guests < 1 || guests > RULES.maxGuests) throw new StayError(`Guests must be 1 to ${RULES.maxGuests}.`);
  const nights: Day[] = [];
  for (let d = checkIn; d < checkOut; d++) nights.push(d);
  return { checkIn, checkOut, nights, guests };
}

/** The hotel and room type by id, or undefined. */
export function findRoom(hotelId: unknown, roomId: unknown): { hotel: Hotel; room: RoomType } | undefined {
  const hotel = HOTELS.find((h) => h.id === hotelId);
  const room = hotel?.rooms.find((r) => r.id === roomId);
  return hotel && room ? { hotel, room } : undefined;
}

/** What a cancellation costs at `now`. */
export interface CancellationTerms {
  /** Whether the booking may still be cancelled (until the end of the check-in day). */
  allowed: boolean;
  /** Free until this instant. */
  freeUntil: number;
  /** Kept by the hotel, in fen. */
  fee: number;
}

/**
 * The cancellation policy: free until 48 hours before check-in time (14:00 on the check-in day),
 * then 50% of the room charge; no cancellation once the check-in day is over (a no-show stays
 * a stay).
 *
 * @example
 * ```ts
 * cancellationTerms({ checkIn: parseDay('2025-05-10')!, roomTotal: 58800 }, Date.parse('2025-05-09T00:00:00+08:00'));
 * // { allowed: true, freeUntil: …, fee: 29400 }
 * ```
 */
export function cancellationTerms(booking: { checkIn: Day; roomTotal: number }, now: number): CancellationTerms {
  const freeUntil = hotelTime(booking.checkIn, RULES.checkInHour) - RULES.freeCancellationHours * 3_600_000;
  const allowed = now < hotelTime(booking.checkIn + 1, 0);
  const fee = now < freeUntil ? 0 : Math.round((booking.roomTotal * RULES.lateCancellationFeePct) / 100);
  return { allowed, freeUntil, fee };
}

/** The membership level for the nights stayed with the chain. */
export function memberLevel(nights: number): string {
  if (nights >= 10) return '金卡 Gold';
  if (nights >= 3) return '银卡 Silver';
  return '会员 Member';
}
