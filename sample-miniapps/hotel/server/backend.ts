/**
 * The merchant back end of the hotel sample ("悦途酒店"): what a hotel chain runs on its own
 * servers. It talks to the bank only through the public Open API client (`open-client`, wrapped
 * in `bank.ts`) and keeps its own state in memory:
 *
 * - `POST /session` exchanges the mini-app's login code (code2Session) for the guest's openId;
 * - `POST /phone` reads the number the guest shared (phone code exchange, checked against the
 *   SM4-encrypted payload for this session's openId);
 * - `GET /cities`, `GET /hotels`, `GET /hotels/:hotelId/rooms/:roomId` search rooms with their
 *   price and availability per night;
 * - `POST /bookings` takes the rooms for every night at once (never more bookings than rooms) and
 *   creates the deposit hold (and, for the prepaid rate, the prepay order); `POST
 *   /bookings/:id/confirm` confirms once the bank says the deposit is held (and the room paid);
 * - `POST /bookings/:id/cancel` applies the cancellation policy: free until 48 hours before
 *   check-in, then half the room charge, taken from the deposit (pay at the hotel) or kept from a
 *   refund (prepaid);
 * - `POST /bookings/:id/checkout` settles the stay: the charge captured from the deposit (the rest
 *   released), or paid in the cashier and the deposit released; nights and points go onto the
 *   guest's membership card and the fapiao is issued to the invoice title;
 * - `GET/POST /card` the chain's card template and the guest's card in the bank's card pack;
 * - `POST /desk/bookings/:id/charges` the front desk posts extras (minibar) against the deposit;
 * - `POST /lily/webhook` verifies and opens the bank's signed, enveloped webhooks.
 *
 * A sample serves both worlds: the session remembers whether the guest came from the sandbox or
 * production, and every later call uses that world's credentials and inventory.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Request } from 'express';
import { LilyOpenApiError, LilyOpenClient } from '../../../open-client/index.ts';
import { HotelBank, type HoldRequest, type HoldView, type HotelCredentials, type HotelEnv } from './bank.ts';
import {
  cancellationTerms,
  checkStay,
  CITIES,
  findRoom,
  formatDay,
  HOTELS,
  hotelTime,
  hotelToday,
  memberLevel,
  nightPrice,
  RULES,
  StayError,
  type Day,
  type Hotel,
  type RatePlan,
  type RoomType,
} from './catalog.ts';
import { Inventory, SoldOutError } from './inventory.ts';
import { Membership, type CardTemplate, type Member } from './membership.ts';
import { decryptPhone, isMobileNumber, maskPhone, SM4_AVAILABLE } from './phone.ts';
import { endRoutes, exchangeLoginCode, HttpError } from '../../shared/http.ts';
import { listenOn, stopServer } from '../../shared/serve.ts';
import { webhookReceiver, type ReceivedWebhook } from '../../shared/webhooks.ts';

export type { HotelCredentials, HotelEnv } from './bank.ts';
export type { Member } from './membership.ts';
export type { ReceivedWebhook } from '../../shared/webhooks.ts';

/** Options of {@link createHotelBackend}. */
export interface HotelBackendOptions {
  /** Where the bank's Open API answers, e.g. `http://127.0.0.1:3000`. */
  lilyUrl: string;
  /** The bank's SM2 public key, to verify responses and webhooks. */
  bankPublicKey: string;
  /** Credentials per world; a world without credentials is not served. */
  credentials: Partial<Record<HotelEnv, HotelCredentials>>;
  /** The front desk's key for posting extras (default: a random one, in `state.deskKey`). */
  deskKey?: string;
  /**
   * The https origin at which guests and the bank reach this server in production (behind the
   * chain's TLS front); the card template's logo is served under it. Default: the listening
   * address with https.
   */
  publicUrl?: string;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** Logs a line (default: nothing). */
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/** A guest's session with this back end. */
export interface HotelSession {
  token: string;
  env: HotelEnv;
  openId: string;
  /** From code2Session: opens the phone payload. */
  sessionKey: string;
  /** The number the guest shared through the bank, once read. */
  phone: string | null;
  createdAt: number;
}

/** The state of a booking. */
export type BookingStatus = 'pending' | 'confirmed' | 'checked_out' | 'cancelled' | 'expired';

/** A booking, as this back end keeps it. */
export interface Booking {
  bookingId: string;
  env: HotelEnv;
  openId: string;
  hotel: Hotel;
  room: RoomType;
  checkIn: Day;
  checkOut: Day;
  nights: Day[];
  guests: number;
  guestName: string;
  phone: string;
  phoneSource: 'bank' | 'typed';
  rate: RatePlan;
  /** Price of each night under the rate, in fen. */
  nightly: number[];
  roomTotal: number;
  status: BookingStatus;
  /** The deposit: room and incidentals (pay at the hotel) or incidentals only (prepaid). */
  deposit: number;
  hold: HoldRequest;
  holdId: string | null;
  holdStatus: HoldView['status'] | 'none';
  /** The prepaid rate's order. */
  prepay: { prepayId: string; orderId: string; status: 'created' | 'paid' | 'closed'; paidAmount: number } | null;
  /** Extras the front desk posted (fen). */
  extras: { item: string; amount: number; at: number }[];
  /** A cashier payment at check-out (pay at the hotel, paid in the cashier instead of from the deposit). */
  checkout: { prepayId: string; orderId: string; amount: number; status: 'created' | 'paid' } | null;
  /** What the stay cost the guest in the end (fen), and how it was paid. */
  charged: number;
  settlement: 'deposit' | 'cashier' | 'prepaid' | null;
  /** The order of the charge taken from the deposit (a capture), if any. */
  captureOrderId: string | null;
  cancellation: { at: number; fee: number; captured: number; refunded: number; refundId: string | null; refundStatus: string | null } | null;
  invoice: { type: 'personal' | 'company'; title: string; taxNumber: string; number: string | null; amount: number | null; issuedAt: number | null } | null;
  /** What the stay added to the guest's membership. */
  earned: { nights: number; points: number } | null;
  createdAt: number;
  /** A pending booking gives its rooms back at this time. */
  expiresAt: number;
  /** True while an operation is in flight (one change at a time). */
  busy: boolean;
  /** Counter for hold state queries. */
  queries: number;
}

/** Everything the back end remembers (in memory: a sample, not a database). */
export interface HotelState {
  sessions: Map<string, HotelSession>;
  bookings: Map<string, Booking>;
  /** Members by `<env>|<openId>`. */
  members: Map<string, Member>;
  /** The card template per world, once defined. */
  cardTemplates: Map<HotelEnv, CardTemplate>;
  inventory: Inventory;
  webhooks: ReceivedWebhook[];
  /** Fapiao issued so far (numbers them). */
  invoicesIssued: number;
  /** The front desk's key. */
  deskKey: string;
}

/** A running back end. */
export interface HotelBackend {
  /** The Express app (mount it or {@link HotelBackend.listen}). */
  app: express.Express;
  state: HotelState;
  /** Listens on `host:port` (port 0: any free port); resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops listening. */
  close(): Promise<void>;
}

const LOGO = readFileSync(path.join(import.meta.dirname, '../assets/icon.png'));
const newId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
/** An instant in hotel time, `YYYY-MM-DD HH:MM`. */
const hotelClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
/** Holds only move forward, whatever order the news arrives in. */
const HOLD_RANK: Record<string, number> = { none: -1, created: 0, held: 1, captured: 2, released: 2, expired: 2 };
const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim().length > 0 && v.trim().length <= max ? v.trim() : null);

/**
 * Builds the hotel back end.
 *
 * @example
 * ```ts
 * const backend = createHotelBackend({ lilyUrl, bankPublicKey, credentials: { sandbox: { appId, serialNo, privateKey } } });
 * const url = await backend.listen(4104, '127.0.0.1');
 * ```
 */
export function createHotelBackend(options: HotelBackendOptions): HotelBackend {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const banks = new Map<HotelEnv, HotelBank>();
  for (const env of ['production', 'sandbox'] as const) {
    const c = options.credentials[env];
    if (c) banks.set(env, new HotelBank(new LilyOpenClient({ baseUrl: options.lilyUrl, appId: c.appId, serialNo: c.serialNo, privateKey: c.privateKey, bankPublicKey: options.bankPublicKey })));
  }
  let publicUrl = options.publicUrl ?? '';
  const membership = new Membership((env) => bankOf(env), () => `${publicUrl}/brand/logo.png`, log);
  const state: HotelState = {
    sessions: new Map(),
    bookings: new Map(),
    members: membership.members,
    cardTemplates: membership.templates,
    inventory: new Inventory(),
    webhooks: [],
    invoicesIssued: 0,
    deskKey: options.deskKey ?? randomBytes(16).toString('hex'),
  };

  const bankOf = (env: HotelEnv) => {
    const b = banks.get(env);
    if (!b) throw new HttpError(503, 'UNAVAILABLE', `This back end has no ${env} credentials.`);
    return b;
  };
  const session = (req: Request): HotelSession => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const s = state.sessions.get(token);
    if (!s) throw new HttpError(401, 'SESSION_INVALID', 'Log in again.');
    return s;
  };
  const bookingOf = (req: Request, s: HotelSession): Booking => {
    const b = state.bookings.get(String(req.params.id));
    if (!b || b.openId !== s.openId || b.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such booking.');
    return b;
  };
  /** One change to a booking at a time: a double tap or a racing webhook cannot act twice. */
  const exclusive = async <T>(b: Booking, fn: () => Promise<T>): Promise<T> => {
    if (b.busy) throw new HttpError(409, 'BUSY', 'This booking is being changed; try again in a moment.');
    b.busy = true;
    try {
      return await fn();
    } finally {
      b.busy = false;
    }
  };
  const moveHold = (b: Booking, status: string) => {
    if ((HOLD_RANK[status] ?? -1) > (HOLD_RANK[b.holdStatus] ?? -1)) b.holdStatus = status as HoldView['status'];
  };

  /** What the policy says about cancelling `b` now. */
  const termsOf = (b: Booking, at: number) => {
    // Prepaid: the policy's share of what was actually paid (after any bank discount) comes back.
    const base = b.rate === 'prepaid' ? (b.prepay?.paidAmount ?? 0) : b.roomTotal;
    const terms = cancellationTerms({ checkIn: b.checkIn, roomTotal: base }, at);
    const confirmed = b.status === 'confirmed';
    const fee = b.status === 'pending' ? 0 : terms.fee;
    return {
      allowed: b.status === 'pending' || (confirmed && terms.allowed),
      fee,
      refund: b.rate === 'prepaid' && confirmed ? base - fee : 0,
      freeUntil: hotelClock(terms.freeUntil),
    };
  };

  const view = (b: Booking) => {
    const at = now();
    const terms = termsOf(b, at);
    return {
      bookingId: b.bookingId,
      status: b.status,
      hotel: { id: b.hotel.id, name: b.hotel.name, address: b.hotel.address, phone: b.hotel.phone },
      room: { id: b.room.id, name: b.room.name, beds: b.room.beds },
      checkIn: formatDay(b.checkIn),
      checkOut: formatDay(b.checkOut),
      nights: b.nights.length,
      guests: b.guests,
      guestName: b.guestName,
      phone: maskPhone(b.phone),
      phoneSource: b.phoneSource,
      rate: b.rate,
      nightly: b.nights.map((d, i) => ({ date: formatDay(d), price: b.nightly[i]! })),
      roomTotal: b.roomTotal,
      deposit: b.deposit,
      holdId: b.holdId,
      holdStatus: b.holdStatus,
      prepay: b.prepay,
      extras: b.extras.map((e) => ({ item: e.item, amount: e.amount })),
      checkout: b.checkout,
      charged: b.charged,
      settlement: b.settlement,
      captureOrderId: b.captureOrderId,
      cancellation: b.cancellation,
      policy: { freeUntil: terms.freeUntil, lateFeePct: RULES.lateCancellationFeePct, canCancel: terms.allowed, feeNow: terms.fee, refundNow: terms.refund },
      canCheckOut: b.status === 'confirmed' && hotelToday(at) >= b.checkIn,
      invoice: b.invoice,
      earned: b.earned,
      expiresAt: b.expiresAt,
    };
  };

  /** Gives up a booking that will not happen: the rooms, the deposit and any payment go back. */
  const abandon = async (b: Booking) => {
    const bank = bankOf(b.env);
    if (b.holdId && (b.holdStatus === 'created' || b.holdStatus === 'held')) {
      try {
        moveHold(b, (await bank.releaseHold(b.holdId, `REL-${b.bookingId}`)).status);
      } catch (err) {
        // Already over (expired): nothing to give back.
        if (!(err instanceof LilyOpenApiError) || err.code !== 'INVALID_STATE') throw err;
      }
    }
    if (b.prepay && b.prepay.status !== 'paid') {
      try {
        await bank.closeOrder(b.prepay.orderId, `CLOSE-${b.bookingId}`);
        b.prepay.status = 'closed';
      } catch (err) {
        if (!(err instanceof LilyOpenApiError) || err.code !== 'INVALID_STATE') throw err;
        // Paid meanwhile: it is refunded in full below.
        const order = await bank.queryOrder(b.prepay.orderId);
        if (order.status === 'paid') Object.assign(b.prepay, { status: 'paid', paidAmount: order.paidAmount });
      }
    }
    if (b.prepay?.status === 'paid' && !b.cancellation?.refundId) {
      const refund = await bank.refund({ orderId: b.prepay.orderId, outRefundNo: `RF-${b.bookingId}`, amount: b.prepay.paidAmount, reason: '预订未完成，全额退款' });
      b.cancellation = { at: now(), fee: 0, captured: 0, refunded: refund.amount, refundId: refund.refundId, refundStatus: refund.status };
    }
  };

  /** Expires pending bookings past their time (their rooms go back at once, the money after). */
  const sweep = () => {
    const at = now();
    for (const b of state.bookings.values()) {
      if (b.status !== 'pending' || b.busy || at < b.expiresAt) continue;
      b.status = 'expired';
      state.inventory.release(b.env, b.hotel.id, b.room, b.nights);
      b.busy = true;
      abandon(b)
        .catch((err: unknown) => log('could not unwind an expired booking', { bookingId: b.bookingId, error: (err as Error).message }))
        .finally(() => {
          b.busy = false;
        });
    }
  };

  /** The stay is over: the booking is closed, membership and fapiao follow. */
  const finishStay = async (b: Booking, charged: number, settlement: NonNullable<Booking['settlement']>) => {
    b.status = 'checked_out';
    b.charged = charged;
    b.settlement = settlement;
    const points = Math.floor(charged / 100);
    b.earned = { nights: b.nights.length, points };
    if (b.invoice) {
      state.invoicesIssued += 1;
      b.invoice = { ...b.invoice, amount: charged, issuedAt: now(), number: `${formatDay(hotelToday(now())).replaceAll('-', '')}${String(state.invoicesIssued).padStart(6, '0')}` };
    }
    await membership.recordStay(b.env, b.openId, b.earned);
  };

  const app = express();
  app.disable('x-powered-by');
  // Webhooks are verified over the exact bytes received: read them as text, before any JSON parser.
  app.post('/lily/webhook', ...webhookReceiver({ credentials: options.credentials, bankPublicKey: options.bankPublicKey, received: state.webhooks, onEvent: (r) => onEvent(r), log }));
  app.use(express.json({ limit: '32kb' }));
  app.use((_req, _res, next) => {
    sweep();
    next();
  });

  /** Keeps the bookings in step with what the bank reports. */
  const onEvent = (record: ReceivedWebhook & { env: HotelEnv }) => {
    const { eventType, resource } = record.event!;
    log('webhook', { eventType, env: record.env });
    const bookings = [...state.bookings.values()].filter((b) => b.env === record.env);
    if (eventType.startsWith('hold.')) {
      const b = bookings.find((x) => x.holdId === resource.holdId);
      if (b && typeof resource.status === 'string') moveHold(b, resource.status);
      if (b && resource.status === 'captured' && typeof resource.orderId === 'string') b.captureOrderId = resource.orderId;
      // Authorized after the booking was given up (a slow PIN): give the deposit back.
      if (b && resource.status === 'held' && (b.status === 'expired' || b.status === 'cancelled') && !b.busy) {
        void exclusive(b, () => abandon(b)).catch((err: unknown) => log('could not release a late deposit', { error: (err as Error).message }));
      }
    } else if (eventType === 'payment.succeeded') {
      const outTradeNo = String(resource.outTradeNo ?? '');
      const paidAmount = Number(resource.paidAmount ?? 0);
      const pre = bookings.find((x) => x.prepay && `PRE-${x.bookingId}` === outTradeNo);
      if (pre?.prepay && pre.prepay.status !== 'paid') {
        Object.assign(pre.prepay, { status: 'paid', paidAmount });
        // Paid after the booking was given up: the money goes back in full.
        if ((pre.status === 'expired' || pre.status === 'cancelled') && !pre.busy) {
          void exclusive(pre, () => abandon(pre)).catch((err: unknown) => log('could not refund a late payment', { error: (err as Error).message }));
        }
      }
      const stay = bookings.find((x) => x.checkout && `STAY-${x.bookingId}` === outTradeNo);
      if (stay?.checkout && stay.status === 'confirmed' && !stay.busy) {
        // The guest paid at check-out but the mini-app did not come back: settle from here.
        void exclusive(stay, () => settleCashier(stay)).catch((err: unknown) => log('could not settle a paid stay', { error: (err as Error).message }));
      }
    } else if (eventType === 'refund.succeeded' || eventType === 'refund.failed') {
      const b = bookings.find((x) => x.cancellation?.refundId === resource.refundId);
      if (b?.cancellation) b.cancellation.refundStatus = String(resource.status ?? eventType.slice(7));
    }
  };

  /** Check-out paid in the cashier: once the bank says it is paid, the deposit is released. */
  const settleCashier = async (b: Booking) => {
    if (b.status !== 'confirmed' || !b.checkout) return;
    const bank = bankOf(b.env);
    const order = await bank.queryOrder(b.checkout.orderId);
    if (order.status !== 'paid') throw new HttpError(409, 'PAYMENT_PENDING', 'The stay is not paid yet.');
    b.checkout.status = 'paid';
    if (b.holdStatus === 'held') moveHold(b, (await bank.releaseHold(b.holdId!, `REL-${b.bookingId}`)).status);
    await finishStay(b, order.paidAmount, 'cashier');
  };

  app.get('/brand/logo.png', (_req, res) => {
    res.type('png').send(LOGO);
  });

  app.post('/session', async (req, res) => {
    const code = (req.body as { code?: unknown }).code;
    if (typeof code !== 'string' || code.length === 0) throw new HttpError(400, 'INVALID_PARAMS', 'code is required.');
    const login = await exchangeLoginCode(banks.keys(), code, (env, c) => banks.get(env)!.code2Session(c));
    const found = { env: login.env, openId: login.session.openId, sessionKey: login.session.sessionKey };
    const guest = found;
    const token = newId('hs_') + randomBytes(10).toString('hex');
    // The guest's number stays known across logins of the same session world.
    const previous = [...state.sessions.values()].find((s) => s.env === guest.env && s.openId === guest.openId && s.phone);
    state.sessions.set(token, { token, ...guest, phone: previous?.phone ?? null, createdAt: now() });
    const member = membership.memberOf(guest.env, guest.openId);
    res.json({ token, env: guest.env, guest: `…${guest.openId.slice(-4)}`, phone: previous?.phone ? maskPhone(previous.phone) : null, level: memberLevel(member.nights), nights: member.nights });
  });

  app.post('/phone', async (req, res) => {
    const s = session(req);
    const body = req.body as { phoneCode?: unknown; encryptedData?: unknown; iv?: unknown };
    if (typeof body.phoneCode !== 'string' || !/^pc_[A-Za-z0-9]{16,36}$/.test(body.phoneCode)) throw new HttpError(400, 'INVALID_PARAMS', 'phoneCode is required.');
    // The encrypted payload names the openId it was made for: it must be this guest's.
    if (typeof body.encryptedData === 'string' && typeof body.iv === 'string' && SM4_AVAILABLE) {
      const payload = decryptPhone(body.encryptedData, body.iv, s.sessionKey);
      if (!payload || payload.openId !== s.openId) throw new HttpError(400, 'PHONE_MISMATCH', 'The phone number was not shared for this session; log in again.');
    }
    const phone = await bankOf(s.env).exchangePhone(body.phoneCode);
    if (phone.countryCode !== '86' || !isMobileNumber(phone.purePhoneNumber)) {
      throw new HttpError(422, 'PHONE_UNSUPPORTED', 'Bookings need a mainland China mobile number; type one instead.');
    }
    s.phone = phone.purePhoneNumber;
    res.json({ phone: maskPhone(phone.purePhoneNumber) });
  });

  app.get('/cities', (_req, res) => {
    res.json({ cities: CITIES, rules: { maxDaysAhead: RULES.maxDaysAhead, maxNights: RULES.maxNights, maxGuests: RULES.maxGuests }, today: formatDay(hotelToday(now())) });
  });

  /** A room's offer for a stay: price and rooms left per night, under both rates. */
  const offer = (env: HotelEnv, hotel: Hotel, room: RoomType, stay: { nights: Day[]; guests: number }) => {
    const nightly = stay.nights.map((d) => ({ date: formatDay(d), price: nightPrice(room, d, 'flexible'), prepaid: nightPrice(room, d, 'prepaid'), left: state.inventory.left(env, hotel.id, room, d) }));
    const fits = stay.guests <= room.maxGuests;
    const soldOut = nightly.filter((n) => n.left <= 0).map((n) => n.date);
    const flexible = nightly.reduce((sum, n) => sum + n.price, 0);
    const prepaid = nightly.reduce((sum, n) => sum + n.prepaid, 0);
    return {
      roomId: room.id,
      name: room.name,
      beds: room.beds,
      maxGuests: room.maxGuests,
      fits,
      nightly,
      left: Math.min(...nightly.map((n) => n.left)),
      soldOutNights: soldOut,
      available: fits && soldOut.length === 0,
      total: { flexible, prepaid },
      deposit: { flexible: flexible + RULES.incidentalsDeposit, prepaid: RULES.incidentalsDeposit },
    };
  };
  const stayOf = (q: Record<string, unknown>) => {
    try {
      return checkStay({ checkIn: q.checkIn, checkOut: q.checkOut, guests: q.guests }, now());
    } catch (err) {
      if (err instanceof StayError) throw new HttpError(400, 'INVALID_STAY', err.message);
      throw err;
    }
  };

  app.get('/hotels', (req, res) => {
    const s = session(req);
    const city = CITIES.find((c) => c.id === req.query.city);
    if (!city) throw new HttpError(400, 'INVALID_PARAMS', `Pick a city: ${CITIES.map((c) => c.id).join(', ')}.`);
    const stay = stayOf(req.query);
    res.json({
      city,
      checkIn: formatDay(stay.checkIn),
      checkOut: formatDay(stay.checkOut),
      nights: stay.nights.length,
      guests: stay.guests,
      hotels: HOTELS.filter((h) => h.city === city.id).map((h) => ({ hotelId: h.id, name: h.name, address: h.address, phone: h.phone, rooms: h.rooms.map((r) => offer(s.env, h, r, stay)) })),
    });
  });

  app.get('/hotels/:hotelId/rooms/:roomId', (req, res) => {
    const s = session(req);
    const found = findRoom(req.params.hotelId, req.params.roomId);
    if (!found) throw new HttpError(404, 'NOT_FOUND', 'No such room.');
    const stay = stayOf(req.query);
    const freeUntil = hotelTime(stay.checkIn, RULES.checkInHour) - RULES.freeCancellationHours * 3_600_000;
    res.json({
      hotel: { id: found.hotel.id, name: found.hotel.name, address: found.hotel.address, phone: found.hotel.phone },
      checkIn: formatDay(stay.checkIn),
      checkOut: formatDay(stay.checkOut),
      nights: stay.nights.length,
      guests: stay.guests,
      room: offer(s.env, found.hotel, found.room, stay),
      policy: { freeUntil: hotelClock(freeUntil), freeNow: now() < freeUntil, lateFeePct: RULES.lateCancellationFeePct, incidentals: RULES.incidentalsDeposit, pendingMinutes: RULES.pendingMinutes },
    });
  });

  app.post('/bookings', async (req, res) => {
    const s = session(req);
    const body = req.body as Record<string, unknown>;
    const found = findRoom(body.hotelId, body.roomId);
    if (!found) throw new HttpError(404, 'NOT_FOUND', 'No such room.');
    const { hotel, room } = found;
    const stay = stayOf(body);
    if (stay.guests > room.maxGuests) throw new HttpError(400, 'INVALID_STAY', `The ${room.name} sleeps at most ${room.maxGuests}.`);
    const rate = body.rate;
    if (rate !== 'flexible' && rate !== 'prepaid') throw new HttpError(400, 'INVALID_PARAMS', 'rate must be flexible or prepaid.');
    const guestName = text(body.guestName, 30);
    if (!guestName) throw new HttpError(400, 'INVALID_PARAMS', 'Enter the guest’s name (up to 30 characters).');
    let phone: string;
    let phoneSource: Booking['phoneSource'];
    if (body.phone === 'bank') {
      if (!s.phone) throw new HttpError(400, 'PHONE_REQUIRED', 'Share your bank phone number first, or type a number.');
      phone = s.phone;
      phoneSource = 'bank';
    } else {
      const typed = typeof body.phone === 'string' ? body.phone.replace(/[\s-]/g, '') : '';
      if (!isMobileNumber(typed)) throw new HttpError(400, 'INVALID_PHONE', 'Enter an 11-digit mobile number, e.g. 13800138000.');
      phone = typed;
      phoneSource = 'typed';
    }
    let invoice: Booking['invoice'] = null;
    if (body.invoice !== undefined && body.invoice !== null) {
      const inv = body.invoice as Record<string, unknown>;
      const title = text(inv.title, 100);
      const taxNumber = typeof inv.taxNumber === 'string' ? inv.taxNumber.trim().toUpperCase() : '';
      if ((inv.type !== 'personal' && inv.type !== 'company') || !title) throw new HttpError(400, 'INVALID_INVOICE', 'The invoice title needs a type and a name.');
      if (inv.type === 'company' && !/^[0-9A-Z]{15,20}$/.test(taxNumber)) throw new HttpError(400, 'INVALID_INVOICE', 'A company invoice title needs its tax number.');
      invoice = { type: inv.type, title, taxNumber: inv.type === 'company' ? taxNumber : '', number: null, amount: null, issuedAt: null };
    }
    // Take the rooms now, before anything is awaited: racing requests are served one at a time.
    try {
      state.inventory.reserve(s.env, hotel.id, room, stay.nights);
    } catch (err) {
      if (err instanceof SoldOutError) throw new HttpError(409, 'SOLD_OUT', `The ${room.name} is sold out on ${err.nights.map(formatDay).join(', ')}.`);
      throw err;
    }
    const at = now();
    const bookingId = newId('bk_');
    const nightly = stay.nights.map((d) => nightPrice(room, d, rate));
    const roomTotal = nightly.reduce((a, n) => a + n, 0);
    const deposit = rate === 'flexible' ? roomTotal + RULES.incidentalsDeposit : RULES.incidentalsDeposit;
    // The deposit must outlast the stay: until two days after check-out (holds last 30 days at most).
    const holdUntil = hotelTime(stay.checkOut, RULES.checkOutHour) + 2 * 86_400_000;
    const hold: HoldRequest = {
      openId: s.openId,
      outHoldNo: `DEP-${bookingId}`,
      amount: deposit,
      description: `${hotel.name} ${formatDay(stay.checkIn)} 入住 ${stay.nights.length} 晚 押金`.slice(0, 127),
      expireSeconds: Math.min(2_592_000, Math.max(3600, Math.ceil((holdUntil - at) / 1000))),
    };
    const b: Booking = {
      bookingId, env: s.env, openId: s.openId, hotel, room, checkIn: stay.checkIn, checkOut: stay.checkOut, nights: stay.nights, guests: stay.guests,
      guestName, phone, phoneSource, rate, nightly, roomTotal, status: 'pending', deposit, hold, holdId: null, holdStatus: 'none', prepay: null,
      extras: [], checkout: null, charged: 0, settlement: null, captureOrderId: null, cancellation: null, invoice, earned: null,
      createdAt: at, expiresAt: at + RULES.pendingMinutes * 60_000, busy: true, queries: 0,
    };
    state.bookings.set(bookingId, b);
    const bank = bankOf(s.env);
    try {
      const created = await bank.createHold(hold);
      b.holdId = created.holdId;
      moveHold(b, created.status);
      if (rate === 'prepaid') {
        const pre = await bank.createPrepay({
          openId: s.openId,
          outTradeNo: `PRE-${bookingId}`,
          amount: roomTotal,
          description: `${hotel.name} ${room.name} ${formatDay(stay.checkIn)} 起 ${stay.nights.length} 晚（预付）`.slice(0, 127),
          expireSeconds: RULES.pendingMinutes * 60,
          attach: { bookingId },
        });
        b.prepay = { prepayId: pre.prepayId, orderId: pre.orderId, status: 'created', paidAmount: 0 };
      }
    } catch (err) {
      // The bank refused: nothing is booked, the rooms go back.
      state.bookings.delete(bookingId);
      state.inventory.release(s.env, hotel.id, room, stay.nights);
      if (b.holdId) await bank.releaseHold(b.holdId, `REL-${bookingId}`).catch(() => undefined);
      throw err;
    } finally {
      b.busy = false;
    }
    res.status(201).json(view(b));
  });

  app.post('/bookings/:id/confirm', async (req, res) => {
    const s = session(req);
    const b = bookingOf(req, s);
    if (b.status === 'pending') {
      await exclusive(b, async () => {
        const bank = bankOf(b.env);
        // Never trust the mini-app's word: ask the bank whether the room is paid and the deposit held.
        if (b.prepay && b.prepay.status !== 'paid') {
          const order = await bank.queryOrder(b.prepay.orderId);
          if (order.status !== 'paid') throw new HttpError(409, 'PAYMENT_PENDING', 'Pay for the room first.');
          Object.assign(b.prepay, { status: 'paid', paidAmount: order.paidAmount });
        }
        if (b.holdStatus !== 'held') {
          b.queries += 1;
          const hold = await bank.holdState(b.hold, String(b.queries));
          moveHold(b, hold.status);
          if (hold.status !== 'held') throw new HttpError(409, 'DEPOSIT_PENDING', 'Authorize the deposit first.');
        }
        b.status = 'confirmed';
      });
    }
    if (b.status === 'expired') throw new HttpError(409, 'EXPIRED', `Rooms are kept for ${RULES.pendingMinutes} minutes; the booking expired. Book again.`);
    if (b.status !== 'confirmed') throw new HttpError(409, 'INVALID_STATE', `The booking is ${b.status}.`);
    res.json(view(b));
  });

  app.get('/bookings', (req, res) => {
    const s = session(req);
    const mine = [...state.bookings.values()].filter((b) => b.openId === s.openId && b.env === s.env).sort((a, b) => b.createdAt - a.createdAt);
    res.json({ bookings: mine.slice(0, 50).map(view) });
  });

  app.get('/bookings/:id', (req, res) => {
    res.json(view(bookingOf(req, session(req))));
  });

  app.post('/bookings/:id/cancel', async (req, res) => {
    const s = session(req);
    const b = bookingOf(req, s);
    await exclusive(b, async () => {
      const terms = termsOf(b, now());
      if (!terms.allowed) {
        throw new HttpError(409, b.status === 'confirmed' ? 'TOO_LATE' : 'INVALID_STATE', b.status === 'confirmed' ? 'The check-in day is over: the stay is charged at check-out.' : `The booking is ${b.status}.`);
      }
      const bank = bankOf(b.env);
      if (b.status === 'pending') {
        b.status = 'cancelled';
        state.inventory.release(b.env, b.hotel.id, b.room, b.nights);
        await abandon(b);
        b.cancellation ??= { at: now(), fee: 0, captured: 0, refunded: 0, refundId: null, refundStatus: null };
        return;
      }
      let captured = 0;
      let refunded = 0;
      let refundId: string | null = null;
      let refundStatus: string | null = null;
      if (b.rate === 'flexible') {
        // Pay at the hotel: the fee comes out of the deposit, the rest of it goes back at once.
        if (terms.fee > 0) {
          const hold = await bank.captureHold(b.holdId!, terms.fee, `CXL-${b.bookingId}`);
          moveHold(b, hold.status);
          captured = hold.capturedAmount;
          b.captureOrderId = (await bank.findOrder(b.hold.outHoldNo))?.orderId ?? null;
        } else {
          moveHold(b, (await bank.releaseHold(b.holdId!, `REL-${b.bookingId}`)).status);
        }
      } else {
        // Prepaid: the policy's share of the payment is refunded; the incidentals deposit is released.
        if (terms.refund > 0) {
          const refund = await bank.refund({
            orderId: b.prepay!.orderId,
            outRefundNo: `RF-${b.bookingId}`,
            amount: terms.refund,
            reason: (terms.fee > 0 ? `取消预订，按政策退还 ${100 - RULES.lateCancellationFeePct}%` : '免费取消，全额退款').slice(0, 80),
          });
          refunded = refund.amount;
          refundId = refund.refundId;
          refundStatus = refund.status;
        }
        moveHold(b, (await bank.releaseHold(b.holdId!, `REL-${b.bookingId}`)).status);
      }
      b.cancellation = { at: now(), fee: terms.fee, captured, refunded, refundId, refundStatus };
      b.charged = b.rate === 'flexible' ? captured : terms.fee;
      b.status = 'cancelled';
      state.inventory.release(b.env, b.hotel.id, b.room, b.nights);
    });
    res.json(view(b));
  });

  app.post('/bookings/:id/checkout', async (req, res) => {
    const s = session(req);
    const b = bookingOf(req, s);
    const method = (req.body as { method?: unknown }).method ?? 'deposit';
    if (method !== 'deposit' && method !== 'cashier') throw new HttpError(400, 'INVALID_PARAMS', 'method must be deposit or cashier.');
    await exclusive(b, async () => {
      if (b.status !== 'confirmed') throw new HttpError(409, 'INVALID_STATE', `The booking is ${b.status}.`);
      if (hotelToday(now()) < b.checkIn) throw new HttpError(409, 'TOO_EARLY', `Check-out opens on the check-in day, ${formatDay(b.checkIn)}.`);
      const bank = bankOf(b.env);
      const extras = b.extras.reduce((a, e) => a + e.amount, 0);
      if (b.rate === 'prepaid') {
        // The room is paid: only extras come out of the deposit.
        if (extras > 0) {
          const hold = await bank.captureHold(b.holdId!, extras, `CAP-${b.bookingId}`);
          moveHold(b, hold.status);
          b.captureOrderId = (await bank.findOrder(b.hold.outHoldNo))?.orderId ?? null;
        } else {
          moveHold(b, (await bank.releaseHold(b.holdId!, `REL-${b.bookingId}`)).status);
        }
        await finishStay(b, (b.prepay?.paidAmount ?? 0) + extras, 'prepaid');
      } else if (method === 'deposit') {
        const hold = await bank.captureHold(b.holdId!, b.roomTotal + extras, `CAP-${b.bookingId}`);
        moveHold(b, hold.status);
        b.captureOrderId = (await bank.findOrder(b.hold.outHoldNo))?.orderId ?? null;
        await finishStay(b, hold.capturedAmount, 'deposit');
      } else {
        const amount = b.roomTotal + extras;
        const pre = await bank.createPrepay({
          openId: b.openId,
          outTradeNo: `STAY-${b.bookingId}`,
          amount,
          description: `${b.hotel.name} ${b.room.name} ${b.nights.length} 晚房费${extras ? '及消费' : ''}`.slice(0, 127),
          expireSeconds: 1800,
          attach: { bookingId: b.bookingId },
        });
        b.checkout = { prepayId: pre.prepayId, orderId: pre.orderId, amount, status: 'created' };
      }
    });
    res.json(view(b));
  });

  app.post('/bookings/:id/checkout/confirm', async (req, res) => {
    const s = session(req);
    const b = bookingOf(req, s);
    if (b.status === 'confirmed') {
      if (!b.checkout) throw new HttpError(409, 'INVALID_STATE', 'Choose how to pay first.');
      await exclusive(b, () => settleCashier(b));
    }
    if (b.status !== 'checked_out') throw new HttpError(409, 'INVALID_STATE', `The booking is ${b.status}.`);
    res.json(view(b));
  });

  app.post('/desk/bookings/:id/charges', (req, res) => {
    const key = Buffer.from(String(req.headers['x-desk-key'] ?? ''));
    const expected = Buffer.from(state.deskKey);
    if (key.length !== expected.length || !timingSafeEqual(key, expected)) throw new HttpError(401, 'DESK_KEY_INVALID', 'Front desk key required.');
    const b = state.bookings.get(String(req.params.id));
    if (!b) throw new HttpError(404, 'NOT_FOUND', 'No such booking.');
    if (b.status !== 'confirmed' || b.checkout || b.busy) throw new HttpError(409, 'INVALID_STATE', `The booking is ${b.status}${b.checkout ? ' and being paid' : ''}.`);
    const body = req.body as { item?: unknown; amount?: unknown };
    const item = text(body.item, 40);
    const amount = body.amount;
    if (!item || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) throw new HttpError(400, 'INVALID_PARAMS', 'An extra needs an item and a positive amount in fen.');
    const used = b.extras.reduce((a, e) => a + e.amount, 0);
    if (used + amount > RULES.incidentalsDeposit) {
      throw new HttpError(409, 'LIMIT_EXCEEDED', `Extras above the ${yuan(RULES.incidentalsDeposit)} incidentals deposit are settled at the desk.`);
    }
    b.extras.push({ item, amount, at: now() });
    res.status(201).json(view(b));
  });

  app.get('/card', async (req, res) => {
    const s = session(req);
    res.json(membership.standing(s.env, s.openId, await membership.ensureTemplate(s.env)));
  });

  app.post('/card', async (req, res) => {
    const s = session(req);
    const cardId = (req.body as { cardId?: unknown }).cardId;
    if (typeof cardId !== 'string' || !/^mc_[A-Za-z0-9]{4,40}$/.test(cardId)) throw new HttpError(400, 'INVALID_PARAMS', 'cardId is required.');
    const card = await membership.link(s.env, s.openId, cardId);
    res.json({ ...membership.standing(s.env, s.openId, membership.templates.get(s.env)!), card });
  });

  endRoutes(app, log);

  let server: Server | null = null;
  return {
    app,
    state,
    async listen(port, host) {
      const s = await listenOn(app, port, host);
      server = s;
      const { port: actual } = s.address() as AddressInfo;
      if (!publicUrl) publicUrl = `https://localhost:${actual}`;
      return `http://${host}:${actual}`;
    },
    async close() {
      const s = server;
      server = null;
      await stopServer(s);
    },
  };
}
