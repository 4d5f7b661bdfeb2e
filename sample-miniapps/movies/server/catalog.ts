/**
 * What the cinema of the movies sample ("百合影城") shows: its films, its halls and their seat
 * plans, the daily schedule and the ticket prices (fen). Pure functions, no I/O; times are
 * China Standard Time (UTC+8), the cinema's wall clock.
 */

/** A film on the programme. */
export interface Film {
  id: string;
  title: string;
  titleEn: string;
  genre: string;
  minutes: number;
  /** Audience score out of 10. */
  score: number;
  /** Ticket price in a standard hall before the evening supplement, in fen. */
  basePrice: number;
  synopsis: string;
}

/** A hall: its rows (letters), seats per row, and seats that do not exist (aisles, pillars). */
export interface Hall {
  id: string;
  name: string;
  rows: readonly string[];
  seatsPerRow: number;
  missing: readonly string[];
  /** Added to the film's price, in fen. */
  surcharge: number;
}

/** One screening of a film in a hall. */
export interface Showtime {
  showtimeId: string;
  filmId: string;
  hallId: string;
  /** When the film starts (ms since epoch). */
  startsAt: number;
  /** Price of one seat, in fen. */
  price: number;
}

/** The programme. */
export const FILMS: readonly Film[] = [
  { id: 'earth', title: '流浪地球3', titleEn: 'The Wandering Earth III', genre: '科幻', minutes: 173, score: 9.1, basePrice: 4500, synopsis: '太阳危机进入最后阶段，人类再次踏上流浪之路。' },
  { id: 'nezha', title: '哪吒之魔童闹海', titleEn: 'Ne Zha 2', genre: '动画', minutes: 144, score: 9.3, basePrice: 4200, synopsis: '天劫之后，哪吒与敖丙的灵魂保住了，却要为重塑肉身再闯难关。' },
  { id: 'detective', title: '唐探1900', titleEn: 'Detective Chinatown 1900', genre: '喜剧', minutes: 136, score: 8.2, basePrice: 4000, synopsis: '1900年的旧金山唐人街，一桩命案牵出两位神探的奇遇。' },
  { id: 'creation', title: '封神第二部', titleEn: 'Creation of the Gods II', genre: '奇幻', minutes: 144, score: 8.0, basePrice: 4800, synopsis: '西岐之战一触即发，姬发与众将迎战殷商大军。' },
];

/** The halls. */
export const HALLS: readonly Hall[] = [
  { id: 'h1', name: '1号厅', rows: ['A', 'B', 'C', 'D', 'E', 'F'], seatsPerRow: 10, missing: ['A1', 'A10'], surcharge: 0 },
  { id: 'imax', name: 'IMAX厅', rows: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], seatsPerRow: 12, missing: ['A1', 'A2', 'A11', 'A12', 'E6', 'E7'], surcharge: 2000 },
  { id: 'h3', name: '3号厅', rows: ['A', 'B', 'C', 'D', 'E'], seatsPerRow: 8, missing: [], surcharge: 0 },
];

/** Start times of each film's screenings (CST, minutes after midnight), before the film's offset. */
const SLOTS = [10 * 60 + 30, 14 * 60, 16 * 60 + 45, 19 * 60 + 30, 22 * 60];
/** Evening screenings (from 18:00) cost this much more, in fen. */
export const EVENING_SUPPLEMENT = 500;
/** Days of the schedule, today included. */
export const SCHEDULE_DAYS = 3;
const CST_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The film with `id`, or undefined. */
export function filmOf(id: string): Film | undefined {
  return FILMS.find((f) => f.id === id);
}

/** The hall with `id`, or undefined. */
export function hallOf(id: string): Hall | undefined {
  return HALLS.find((h) => h.id === id);
}

/** Every seat of a hall that exists, front row first (`A3`, …). */
export function seatsOf(hall: Hall): string[] {
  const out: string[] = [];
  for (const row of hall.rows) for (let n = 1; n <= hall.seatsPerRow; n++) if (!hall.missing.includes(`${row}${n}`)) out.push(`${row}${n}`);
  return out;
}

/** True when `seat` (e.g. `C5`) exists in `hall`. */
export function isSeat(hall: Hall, seat: string): boolean {
  const m = /^([A-Z])([1-9][0-9]?)$/.exec(seat);
  if (!m) return false;
  return hall.rows.includes(m[1]!) && Number(m[2]) <= hall.seatsPerRow && !hall.missing.includes(seat);
}

/** `2025-05-01 19:30` for a time, in CST. */
export function cstLabel(at: number): string {
  const d = new Date(at + CST_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * The schedule of the CST days from the one holding `now`, `SCHEDULE_DAYS` long: five screenings
 * a day per film, each film in turn in each hall. Ids are stable (`st-<film>-<yyyymmdd>-<hhmm>`),
 * so calling it again later yields the same showtimes plus the new days.
 *
 * @example
 * ```ts
 * schedule(Date.parse('2025-05-01T02:00:00Z'))[0];
 * // { showtimeId: 'st-earth-20250501-1030', filmId: 'earth', hallId: 'h1', startsAt: 1746066600000, price: 4500 }
 * ```
 */
export function schedule(now: number): Showtime[] {
  const today = Math.floor((now + CST_MS) / DAY_MS) * DAY_MS - CST_MS;
  const out: Showtime[] = [];
  for (let day = 0; day < SCHEDULE_DAYS; day++) {
    FILMS.forEach((film, i) => {
      SLOTS.forEach((slot, j) => {
        const minutes = slot + i * 15;
        const startsAt = today + day * DAY_MS + minutes * 60_000;
        const hall = HALLS[(i + j) % HALLS.length]!;
        const label = cstLabel(startsAt).replace(/[-: ]/g, '');
        out.push({
          showtimeId: `st-${film.id}-${label.slice(0, 8)}-${label.slice(8)}`,
          filmId: film.id,
          hallId: hall.id,
          startsAt,
          price: film.basePrice + hall.surcharge + (minutes >= 18 * 60 ? EVENING_SUPPLEMENT : 0),
        });
      });
    });
  }
  return out;
}
