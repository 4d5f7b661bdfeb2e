/**
 * Shows of the concerts sample and the pure rules around them: the demo catalogue, checking a
 * show an operator adds, who the virtual queue admits when, seat numbers, and the escrow
 * milestones of a paid ticket. No I/O.
 */

/** A show on sale (or soon): everything the sale needs. Times are ms since the epoch. */
export interface ShowDefinition {
  showId: string;
  title: string;
  artist: string;
  venue: string;
  city: string;
  /** Ticket price in fen. */
  price: number;
  /** Tickets for sale in each world (sandbox, production). */
  inventory: number;
  /** Chance of one draw winning a ticket while any is left, in parts per million. */
  oddsPpm: number;
  onSaleAt: number;
  startsAt: number;
  endsAt: number;
  /** The queue lets in this many fans per round… */
  admitBatch: number;
  /** …one round every this many ms after the sale opens. */
  admitEveryMs: number;
}

/** Why a show definition was refused, and which field. */
export class ShowInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ShowInputError';
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long after a show the last part of the ticket money stays in escrow (complaints, refunds). */
export const AFTER_SALES_MS = 3 * DAY;

/**
 * The demo catalogue, relative to `now` (the back end's start): two sales already open (one a
 * true lottery at 50 %, one where every draw wins while tickets last) and one opening two minutes
 * later, so its countdown can be watched.
 *
 * @example
 * ```ts
 * const shows = demoShows(Date.now());
 * shows.map((s) => s.showId); // ['jay-shanghai', 'mayday-beijing', 'sso-newyear']
 * ```
 */
export function demoShows(now: number): ShowDefinition[] {
  const at = (days: number, hour: number) => {
    const d = new Date(now + days * DAY);
    d.setHours(hour, 30, 0, 0);
    return d.getTime();
  };
  const jay = at(30, 19);
  const mayday = at(45, 19);
  const sso = at(10, 19);
  return [
    {
      showId: 'jay-shanghai',
      title: '周杰伦「嘉年华」上海站',
      artist: '周杰伦 Jay Chou',
      venue: '上海体育场',
      city: '上海',
      price: 128_000,
      inventory: 100,
      oddsPpm: 500_000,
      onSaleAt: now - MINUTE,
      startsAt: jay,
      endsAt: jay + 3 * HOUR,
      admitBatch: 20,
      admitEveryMs: 10_000,
    },
    {
      showId: 'mayday-beijing',
      title: '五月天「回到那一天」北京站',
      artist: '五月天 Mayday',
      venue: '国家体育场（鸟巢）',
      city: '北京',
      price: 88_000,
      inventory: 200,
      oddsPpm: 1_000_000,
      onSaleAt: now + 2 * MINUTE,
      startsAt: mayday,
      endsAt: mayday + 3 * HOUR,
      admitBatch: 20,
      admitEveryMs: 10_000,
    },
    {
      showId: 'sso-newyear',
      title: '上海交响乐团 新年音乐会',
      artist: '上海交响乐团 SSO',
      venue: '上海交响乐团音乐厅',
      city: '上海',
      price: 68_000,
      inventory: 50,
      oddsPpm: 1_000_000,
      onSaleAt: now - MINUTE,
      startsAt: sso,
      endsAt: sso + 2 * HOUR,
      admitBatch: 50,
      admitEveryMs: 10_000,
    },
  ];
}

const text = (input: Record<string, unknown>, field: string, max: number, fallback?: string): string => {
  const v = input[field] ?? fallback;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > max) throw new ShowInputError(field, `${field} must be text of 1 to ${max} characters.`);
  return v.trim();
};
const integer = (input: Record<string, unknown>, field: string, min: number, max: number, fallback?: number): number => {
  const v = input[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ShowInputError(field, `${field} must be a whole number from ${min} to ${max}.`);
  return v;
};

/**
 * Checks a show an operator adds (admin endpoint) and places it in time relative to `now`:
 * `onSaleInSeconds` (default 0), `startsInSeconds` (default a week after the sale opens),
 * `durationMinutes` (default 180).
 *
 * @example
 * ```ts
 * parseShowInput({ title: '草莓音乐节', artist: '群星', venue: '世博公园', city: '上海', price: 98000, inventory: 3, oddsPpm: 1_000_000 }, Date.now(), 'strawberry');
 * ```
 */
export function parseShowInput(raw: unknown, now: number, fallbackId: string): ShowDefinition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ShowInputError('body', 'Send the show as a JSON object.');
  const input = raw as Record<string, unknown>;
  const showId = text(input, 'showId', 32, fallbackId);
  if (!/^[a-z0-9][a-z0-9-]{2,31}$/.test(showId)) throw new ShowInputError('showId', 'showId is 3 to 32 lower-case letters, digits and dashes.');
  const onSaleIn = integer(input, 'onSaleInSeconds', 0, 365 * 86_400, 0);
  const startsIn = integer(input, 'startsInSeconds', onSaleIn + 60, 2 * 365 * 86_400, onSaleIn + 7 * 86_400);
  const duration = integer(input, 'durationMinutes', 30, 720, 180);
  const onSaleAt = now + onSaleIn * 1000;
  const startsAt = now + startsIn * 1000;
  return {
    showId,
    title: text(input, 'title', 30),
    artist: text(input, 'artist', 40),
    venue: text(input, 'venue', 40),
    city: text(input, 'city', 20),
    price: integer(input, 'price', 100, 10_000_000),
    inventory: integer(input, 'inventory', 1, 100_000),
    oddsPpm: integer(input, 'oddsPpm', 1, 1_000_000),
    onSaleAt,
    startsAt,
    endsAt: startsAt + duration * MINUTE,
    admitBatch: integer(input, 'admitBatch', 1, 10_000, 50),
    admitEveryMs: integer(input, 'admitEverySeconds', 1, 3600, 10) * 1000,
  };
}

/** Where a fan stands in the queue. */
export interface Admission {
  admitted: boolean;
  /** Positions let in so far (0 before the sale opens). */
  admittedUpTo: number;
  /** Seconds until this position is let in (0 once admitted). */
  etaSeconds: number;
}

/**
 * Who the queue lets in: `admitBatch` positions when the sale opens and `admitBatch` more every
 * `admitEveryMs`, in the order fans joined.
 *
 * @example
 * ```ts
 * admission({ ...show, admitBatch: 2, admitEveryMs: 10_000 }, 5, show.onSaleAt + 1_000);
 * // { admitted: false, admittedUpTo: 2, etaSeconds: 19 }
 * ```
 */
export function admission(show: Pick<ShowDefinition, 'onSaleAt' | 'admitBatch' | 'admitEveryMs'>, position: number, now: number): Admission {
  const round = Math.ceil(position / show.admitBatch) - 1;
  const dueAt = show.onSaleAt + round * show.admitEveryMs;
  const admittedUpTo = now < show.onSaleAt ? 0 : (Math.floor((now - show.onSaleAt) / show.admitEveryMs) + 1) * show.admitBatch;
  const admitted = now >= show.onSaleAt && position <= admittedUpTo;
  return { admitted, admittedUpTo, etaSeconds: admitted ? 0 : Math.max(1, Math.ceil((dueAt - now) / 1000)) };
}

/** What a fan sees of a sale. */
export type SaleStatus = 'upcoming' | 'on_sale' | 'sold_out' | 'closed' | 'cancelled';

/** The state of a show's sale at `now`. */
export function saleStatus(show: Pick<ShowDefinition, 'onSaleAt' | 'startsAt'>, now: number, facts: { cancelled: boolean; soldOut: boolean }): SaleStatus {
  if (facts.cancelled) return 'cancelled';
  if (now >= show.startsAt) return 'closed';
  if (now < show.onSaleAt) return 'upcoming';
  return facts.soldOut ? 'sold_out' : 'on_sale';
}

const ZONES = ['内场A区', '内场B区', '看台C区', '看台D区'];
const SEATS_PER_ROW = 30;
const ROWS_PER_ZONE = 10;

/**
 * The seat of the `n`-th ticket (0-based) of a show: zones of 10 rows of 30 seats.
 *
 * @example
 * ```ts
 * seatFor(0); // '内场A区 1排1座'
 * seatFor(31); // '内场A区 2排2座'
 * ```
 */
export function seatFor(n: number): string {
  const perZone = SEATS_PER_ROW * ROWS_PER_ZONE;
  const zone = ZONES[Math.floor(n / perZone) % ZONES.length]!;
  const inZone = n % perZone;
  return `${zone} ${Math.floor(inZone / SEATS_PER_ROW) + 1}排${(inZone % SEATS_PER_ROW) + 1}座`;
}

/** A milestone of a ticket's escrow, with when this back end releases it. */
export interface MilestonePlan {
  name: string;
  amount: number;
  dueAt: number;
}

/**
 * How the money of a paid ticket is released from escrow: 90 % once the show has been performed,
 * the rest when the after-sales period ends. The amounts add up to `paid` exactly.
 *
 * @example
 * ```ts
 * milestonesFor(128000, show).map((m) => m.amount); // [115200, 12800]
 * ```
 */
export function milestonesFor(paid: number, show: Pick<ShowDefinition, 'endsAt'>, afterSalesMs = AFTER_SALES_MS): MilestonePlan[] {
  const performed = { name: '演出完成 Show performed', amount: paid, dueAt: show.endsAt };
  const first = Math.floor((paid * 9) / 10);
  if (first <= 0 || first >= paid) return [performed];
  return [
    { ...performed, amount: first },
    { name: '售后期满 After-sales period over', amount: paid - first, dueAt: show.endsAt + afterSalesMs },
  ];
}
