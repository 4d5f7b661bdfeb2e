/**
 * The merchant back end of the movies sample ("百合影城"): what a cinema chain runs on its own
 * servers. It talks to the bank only through the public Open API client (`open-client`) and keeps
 * its own state in memory:
 *
 * - `POST /session` exchanges the mini-app's login code (code2Session) for the user's openId, and
 *   makes sure this month's coupon stocks exist (createCouponStock);
 * - `GET /films`, `GET /films/:id` the programme and the screenings still on sale;
 * - `GET /showtimes/:id` the seat map; `POST /showtimes/:id/locks` locks seats (all or none, one
 *   winner per seat however many race); `POST /locks/:id/release` gives them back;
 * - `POST /bookings` creates the prepay order for a lock (createPrepay, expiring with the lock);
 *   `POST /bookings/:id/confirm` checks the payment with the bank (queryOrder) and issues the
 *   e-ticket; `POST /bookings/:id/cancel` closes the unpaid order (closeOrder) and frees the seats;
 * - `POST /bookings/:id/refund` refunds a ticket until 30 minutes before the show (createRefund)
 *   and puts its seats back on sale;
 * - `POST /bookings/:id/reminder` schedules the showtime reminder the user subscribed to; it is
 *   sent (sendMessage) two hours before the show;
 * - `GET /bookings`, `GET /bookings/:id` the user's tickets;
 * - `POST /gate/check-in` the cinema gate scanning a ticket's QR code;
 * - `POST /lily/webhook` verifies and opens the bank's signed, enveloped webhooks.
 *
 * A timer (every `sweepMs`) expires unpaid locks (closing their orders at the bank first, so a
 * payment racing the expiry is never lost nor sold twice) and sends due reminders.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import { LilyOpenApiError, LilyOpenClient } from '../../../open-client/index.ts';
import { endRoutes, exchangeLoginCode, HttpError } from '../../shared/http.ts';
import { listenOn, stopServer } from '../../shared/serve.ts';
import { webhookReceiver, type ReceivedWebhook } from '../../shared/webhooks.ts';
import { cstLabel, filmOf, FILMS, hallOf, isSeat, schedule, seatsOf, type Showtime } from './catalog.ts';
import { REMINDER_TEMPLATE, RETURN_STOCK, stockBody, WELCOME_STOCK, type StockPlan } from './offers.ts';
import { SeatBook, SeatError, type SeatLock } from './seats.ts';
import { newTicketCode, readTicketQr, ticketQr } from './tickets.ts';

/** A world of the bank: separate credentials, funds and users. */
export type MoviesEnv = 'sandbox' | 'production';

/** One set of Open API credentials (the private key stays on this server). */
export interface MoviesCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
}

/** Options of {@link createMoviesBackend}. */
export interface MoviesBackendOptions {
  /** Where the bank's Open API answers, e.g. `http://127.0.0.1:3000`. */
  lilyUrl: string;
  /** The bank's SM2 public key, to verify responses and webhooks. */
  bankPublicKey: string;
  /** Credentials per world; a world without credentials is not served. */
  credentials: Partial<Record<MoviesEnv, MoviesCredentials>>;
  /** Logs a line (default: nothing). */
  log?: (message: string, data?: Record<string, unknown>) => void;
  /** How long seats stay locked for payment, in ms (default 10 minutes). */
  lockTtlMs?: number;
  /** Refunds close this long before the show, in ms (default 30 minutes). */
  refundCutoffMs?: number;
  /** Reminders go out this long before the show, in ms (default 2 hours). */
  reminderLeadMs?: number;
  /** How often expired locks and due reminders are looked at, in ms (default 1000). */
  sweepMs?: number;
  /** Secret of the tickets' QR codes (default: random per start). */
  ticketSecret?: Buffer;
  /** Key of the cinema's gate scanners (default: random per start; see `state.gateKey`). */
  gateKey?: string;
}

/** A user's session with this back end. */
export interface MoviesSession {
  token: string;
  env: MoviesEnv;
  openId: string;
  createdAt: number;
}

/** The state of a booking. */
export type BookingStatus = 'pending' | 'paid' | 'refunded' | 'closed';

/** A booking: locked seats, their order at the bank, then the ticket. */
export interface Booking {
  bookingId: string;
  env: MoviesEnv;
  openId: string;
  showtimeId: string;
  lockId: string;
  seats: string[];
  /** Price of one seat and the order amount, in fen. */
  price: number;
  amount: number;
  status: BookingStatus;
  outTradeNo: string;
  orderId: string;
  prepayId: string;
  /** When the unpaid order (and the lock) expire. */
  expiresAt: number;
  /** What the user paid after the coupon or bank discount, in fen. */
  paidAmount: number;
  discountAmount: number;
  paidAt: number | null;
  ticketCode: string | null;
  refund: { refundId: string; amount: number; status: string; at: number } | null;
  reminder: { templateId: string; status: 'scheduled' | 'sending' | 'sent' | 'failed' | 'cancelled'; messageId: string | null; error: string | null } | null;
  /** The "see another film" coupon issued after payment, if any. */
  returnCouponId: string | null;
  checkedInAt: number | null;
  createdAt: number;
}

export type { ReceivedWebhook } from '../../shared/webhooks.ts';

/** Everything the back end remembers (in memory: a sample, not a database). */
export interface MoviesState {
  sessions: Map<string, MoviesSession>;
  /** Screenings by id (a test may move one's `startsAt` to play the clock forward). */
  showtimes: Map<string, Showtime>;
  seats: SeatBook;
  bookings: Map<string, Booking>;
  /** Coupon stock ids by `<env>|<outStockNo>`. */
  stocks: Map<string, string>;
  webhooks: ReceivedWebhook[];
  /** What the cinema's gate scanners send in `X-Gate-Key`. */
  gateKey: string;
}

/** A running back end. */
export interface MoviesBackend {
  /** The Express app (mount it or {@link MoviesBackend.listen}). */
  app: express.Express;
  state: MoviesState;
  /** Expires unpaid locks and sends due reminders now (the timer does it every `sweepMs`). */
  sweep(): Promise<void>;
  /** Listens on `host:port` (port 0: any free port); resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops listening and the timer. */
  close(): Promise<void>;
}

/** The order as the Open API shows it. */
interface OrderView {
  orderId: string;
  outTradeNo: string;
  status: string;
  amount: number;
  paidAmount: number;
  discountAmount: number;
  paidAt: number | null;
}

const newId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;
const PAID_STATES = new Set(['paid', 'partially_refunded', 'refunded']);
const SHOWTIME_ID = /^st-[a-z0-9-]{1,64}$/;

/**
 * Builds the movies back end.
 *
 * @example
 * ```ts
 * const backend = createMoviesBackend({ lilyUrl, bankPublicKey, credentials: { sandbox: { appId, serialNo, privateKey } } });
 * const url = await backend.listen(4102, '127.0.0.1');
 * ```
 */
export function createMoviesBackend(options: MoviesBackendOptions): MoviesBackend {
  const log = options.log ?? (() => undefined);
  const lockTtlMs = options.lockTtlMs ?? 10 * 60_000;
  const refundCutoffMs = options.refundCutoffMs ?? 30 * 60_000;
  const reminderLeadMs = options.reminderLeadMs ?? 2 * 3600_000;
  const sweepMs = options.sweepMs ?? 1000;
  const ticketSecret = options.ticketSecret ?? randomBytes(32);
  const clients = new Map<MoviesEnv, LilyOpenClient>();
  for (const env of ['production', 'sandbox'] as const) {
    const c = options.credentials[env];
    if (c) clients.set(env, new LilyOpenClient({ baseUrl: options.lilyUrl, appId: c.appId, serialNo: c.serialNo, privateKey: c.privateKey, bankPublicKey: options.bankPublicKey }));
  }
  const state: MoviesState = {
    sessions: new Map(),
    showtimes: new Map(),
    seats: new SeatBook(),
    bookings: new Map(),
    stocks: new Map(),
    webhooks: [],
    gateKey: options.gateKey ?? randomBytes(16).toString('hex'),
  };
  const client = (env: MoviesEnv) => {
    const c = clients.get(env);
    if (!c) throw new HttpError(503, 'UNAVAILABLE', `This back end has no ${env} credentials.`);
    return c;
  };

  // ---- the programme ------------------------------------------------------------------------
  let scheduledUntil = 0;
  const programme = (): Map<string, Showtime> => {
    const now = Date.now();
    // New days join the schedule as time passes; screenings already known keep their state.
    if (now > scheduledUntil) {
      for (const s of schedule(now)) if (!state.showtimes.has(s.showtimeId)) state.showtimes.set(s.showtimeId, s);
      scheduledUntil = now + 3600_000;
    }
    return state.showtimes;
  };
  const showtimeOf = (id: string): Showtime => {
    const s = SHOWTIME_ID.test(id) ? programme().get(id) : undefined;
    if (!s) throw new HttpError(404, 'NOT_FOUND', 'No such screening.');
    return s;
  };
  const showtimeView = (s: Showtime, env: MoviesEnv | null) => {
    const hall = hallOf(s.hallId)!;
    return {
      showtimeId: s.showtimeId,
      filmId: s.filmId,
      startsAt: s.startsAt,
      label: cstLabel(s.startsAt).slice(5),
      hall: hall.name,
      price: s.price,
      seatsLeft: seatsOf(hall).length - (env ? state.seats.takenCount(env, s.showtimeId) : 0),
    };
  };

  // ---- sessions -----------------------------------------------------------------------------
  const session = (req: Request): MoviesSession => {
    const body = (req.body ?? {}) as { token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof req.query.token === 'string' ? req.query.token : '';
    const s = state.sessions.get(token);
    if (!s) throw new HttpError(401, 'SESSION_INVALID', 'Log in again.');
    return s;
  };
  const optionalSession = (req: Request): MoviesSession | null => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    return state.sessions.get(token) ?? null;
  };

  // ---- coupon stocks ------------------------------------------------------------------------
  const stockPromises = new Map<string, Promise<string>>();
  const ensureStock = (env: MoviesEnv, plan: StockPlan): Promise<string> => {
    const body = stockBody(plan, Date.now());
    const key = `${env}|${body.outStockNo}`;
    let p = stockPromises.get(key);
    if (!p) {
      p = client(env)
        .post<{ stockId: string }>('/open/v1/marketing/coupon-stocks', body, { idempotencyKey: body.outStockNo })
        .then((r) => {
          state.stocks.set(key, r.stockId);
          return r.stockId;
        });
      // A failure is not remembered: the next login tries again.
      p.catch((err: unknown) => {
        stockPromises.delete(key);
        log('coupon stock not created', { env, outStockNo: body.outStockNo, error: (err as Error).message });
      });
      stockPromises.set(key, p);
    }
    return p;
  };

  // ---- bookings -----------------------------------------------------------------------------
  const bookingOf = (req: Request, s: MoviesSession): Booking => {
    const b = state.bookings.get(String(req.params.id));
    if (!b || b.openId !== s.openId || b.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such booking.');
    return b;
  };
  const bookingByLock = (lockId: string) => [...state.bookings.values()].find((b) => b.lockId === lockId);
  const refundDeadline = (b: Booking) => state.showtimes.get(b.showtimeId)!.startsAt - refundCutoffMs;
  const view = (b: Booking) => {
    const s = state.showtimes.get(b.showtimeId)!;
    const film = filmOf(s.filmId)!;
    const now = Date.now();
    return {
      bookingId: b.bookingId,
      status: b.status,
      film: { id: film.id, title: film.title },
      showtime: showtimeView(s, b.env),
      seats: b.seats,
      price: b.price,
      amount: b.amount,
      prepayId: b.status === 'pending' ? b.prepayId : null,
      expiresAt: b.expiresAt,
      orderId: b.orderId,
      paidAmount: b.paidAmount,
      discountAmount: b.discountAmount,
      ticket: b.status === 'paid' && b.ticketCode ? { code: b.ticketCode, qr: ticketQr(ticketSecret, { code: b.ticketCode, showtimeId: b.showtimeId, seats: b.seats }), checkedIn: b.checkedInAt !== null } : null,
      refundable: b.status === 'paid' && b.checkedInAt === null && now < refundDeadline(b),
      refundDeadline: cstLabel(refundDeadline(b)).slice(5),
      refund: b.refund,
      reminder: b.reminder ? { status: b.reminder.status } : null,
      reminderTemplateId: REMINDER_TEMPLATE.templateId,
      returnCouponId: b.returnCouponId,
    };
  };

  /** Brings a booking in step with its order at the bank (from queryOrder or a webhook). */
  const applyOrder = (b: Booking, order: Pick<OrderView, 'status' | 'paidAmount' | 'discountAmount' | 'paidAt'>) => {
    if (b.status === 'pending' && PAID_STATES.has(order.status)) {
      b.status = 'paid';
      b.paidAmount = order.paidAmount;
      b.discountAmount = order.discountAmount;
      b.paidAt = order.paidAt ?? Date.now();
      b.ticketCode = newTicketCode();
      state.seats.sell(b.lockId);
      log('booking paid', { bookingId: b.bookingId, paidAmount: b.paidAmount });
      void issueReturnCoupon(b);
    } else if (b.status === 'pending' && order.status === 'closed') {
      b.status = 'closed';
      state.seats.release(b.lockId, 'expired');
    }
  };
  const confirm = async (b: Booking) => {
    if (b.status !== 'pending') return;
    applyOrder(b, await client(b.env).get<OrderView>(`/open/v1/payments/orders/${encodeURIComponent(b.orderId)}`));
  };
  const issueReturnCoupon = async (b: Booking) => {
    try {
      const stockId = await ensureStock(b.env, RETURN_STOCK);
      const outRequestNo = `RET-${b.bookingId}`;
      const coupon = await client(b.env).post<{ couponId: string }>(`/open/v1/marketing/coupon-stocks/${stockId}/issue`, { openId: b.openId, outRequestNo }, { idempotencyKey: outRequestNo });
      b.returnCouponId = coupon.couponId;
    } catch (err) {
      // One per user: a user who already holds one simply gets none this time.
      if (!(err instanceof LilyOpenApiError && err.code === 'LIMIT_EXCEEDED')) log('return coupon not issued', { bookingId: b.bookingId, error: (err as Error).message });
    }
  };
  /** Closes an unpaid booking's order at the bank, then frees its seats. */
  const closeBooking = async (b: Booking, why: 'released' | 'expired') => {
    try {
      await client(b.env).post(`/open/v1/payments/orders/${encodeURIComponent(b.orderId)}/close`, {}, { idempotencyKey: `CLOSE-${b.bookingId}` });
    } catch (err) {
      // Paid meanwhile: the payment wins and the seats are sold.
      if (err instanceof LilyOpenApiError && err.code === 'INVALID_STATE') return confirm(b);
      throw err;
    }
    b.status = 'closed';
    state.seats.release(b.lockId, why);
  };
  const sendReminder = async (b: Booking) => {
    const r = b.reminder!;
    const s = state.showtimes.get(b.showtimeId)!;
    r.status = 'sending';
    try {
      const sent = await client(b.env).post<{ messageId: string }>(
        '/open/v1/marketing/messages',
        {
          openId: b.openId,
          templateId: r.templateId,
          data: { film: filmOf(s.filmId)!.title, time: cstLabel(s.startsAt).slice(5), hall: hallOf(s.hallId)!.name, seats: b.seats.join(' ') },
          page: `pages/ticket/ticket?bookingId=${b.bookingId}`,
        },
        { idempotencyKey: `RMD-${b.bookingId}` },
      );
      r.status = 'sent';
      r.messageId = sent.messageId;
    } catch (err) {
      r.status = 'failed';
      r.error = err instanceof LilyOpenApiError ? err.code : 'INTERNAL';
      log('reminder not sent', { bookingId: b.bookingId, error: (err as Error).message });
    }
  };
  const reminderDue = (b: Booking, now: number) => {
    const s = state.showtimes.get(b.showtimeId)!;
    return b.status === 'paid' && b.reminder?.status === 'scheduled' && now >= s.startsAt - reminderLeadMs && now < s.startsAt;
  };

  // ---- the sweep ----------------------------------------------------------------------------
  const closing = new Set<string>();
  let sweeping: Promise<void> | null = null;
  const sweepOnce = async () => {
    const now = Date.now();
    for (const lock of state.seats.due(now)) {
      const b = bookingByLock(lock.lockId);
      if (!b || b.status !== 'pending') {
        state.seats.release(lock.lockId, 'expired');
        continue;
      }
      if (closing.has(b.bookingId)) continue;
      closing.add(b.bookingId);
      try {
        await closeBooking(b, 'expired');
      } catch (err) {
        log('could not close an expired order; will retry', { bookingId: b.bookingId, error: (err as Error).message });
      } finally {
        closing.delete(b.bookingId);
      }
    }
    for (const b of state.bookings.values()) if (reminderDue(b, now)) await sendReminder(b);
  };
  const sweep = async () => {
    while (sweeping) await sweeping;
    sweeping = sweepOnce().finally(() => {
      sweeping = null;
    });
    return sweeping;
  };

  // ---- HTTP ---------------------------------------------------------------------------------
  const app = express();
  app.disable('x-powered-by');
  // Webhooks are verified over the exact bytes received: mounted before any JSON parser.
  app.post('/lily/webhook', ...webhookReceiver({ credentials: options.credentials, bankPublicKey: options.bankPublicKey, received: state.webhooks, onEvent: (r) => onEvent(r), log }));
  app.use(express.json({ limit: '32kb' }));

  /** Keeps the bookings in step with what the bank reports. */
  const onEvent = (record: ReceivedWebhook) => {
    const { eventType, resource } = record.event!;
    log('webhook', { eventType, env: record.env });
    const orderId = typeof resource.orderId === 'string' ? resource.orderId : null;
    const b = [...state.bookings.values()].find((x) => x.orderId === orderId && x.env === record.env);
    if (!b) return;
    if (eventType === 'payment.succeeded') {
      applyOrder(b, resource as unknown as OrderView);
    } else if (eventType === 'refund.succeeded' && b.status === 'paid') {
      // Refunded from elsewhere (the merchant portal, say): the ticket is void and its seats free.
      b.status = 'refunded';
      b.refund = { refundId: String(resource.refundId), amount: Number(resource.amount), status: String(resource.status), at: Date.now() };
      state.seats.unsell(b.lockId);
    }
  };

  app.post('/session', async (req, res) => {
    const code = (req.body as { code?: unknown }).code;
    if (typeof code !== 'string') throw new HttpError(400, 'INVALID_PARAMS', 'code is required.');
    const login = await exchangeLoginCode(clients.keys(), code, (env, c) => clients.get(env)!.post<{ openId: string }>('/open/v1/auth/code2session', { code: c }));
    const found = { env: login.env, openId: login.session.openId };
    // The welcome coupon must be claimable before the user reaches the checkout.
    await ensureStock(found.env, WELCOME_STOCK).catch(() => undefined);
    const token = newId('ms_') + randomBytes(10).toString('hex');
    state.sessions.set(token, { token, env: found.env, openId: found.openId, createdAt: Date.now() });
    res.json({ token, env: found.env, member: `…${found.openId.slice(-4)}` });
  });

  app.get('/films', (req, res) => {
    const env = optionalSession(req)?.env ?? null;
    const now = Date.now();
    const shows = [...programme().values()].filter((s) => s.startsAt > now);
    res.json({
      films: FILMS.map((f) => {
        const mine = shows.filter((s) => s.filmId === f.id).sort((a, b) => a.startsAt - b.startsAt);
        return {
          id: f.id, title: f.title, titleEn: f.titleEn, genre: f.genre, minutes: f.minutes, score: f.score,
          fromPrice: Math.min(...mine.map((s) => s.price)),
          next: mine[0] ? showtimeView(mine[0], env) : null,
        };
      }).filter((f) => f.next !== null),
    });
  });

  app.get('/films/:id', (req, res) => {
    const film = filmOf(String(req.params.id));
    if (!film) throw new HttpError(404, 'NOT_FOUND', 'No such film.');
    const env = optionalSession(req)?.env ?? null;
    const now = Date.now();
    const showtimes = [...programme().values()].filter((s) => s.filmId === film.id && s.startsAt > now).sort((a, b) => a.startsAt - b.startsAt);
    res.json({ film, showtimes: showtimes.map((s) => showtimeView(s, env)) });
  });

  app.get('/showtimes/:id', (req, res) => {
    const s = session(req);
    const show = showtimeOf(String(req.params.id));
    const hall = hallOf(show.hallId)!;
    const rows = hall.rows.map((row) => ({
      row,
      seats: Array.from({ length: hall.seatsPerRow }, (_, i) => `${row}${i + 1}`).map((seat) => ({
        seat,
        status: hall.missing.includes(seat) ? ('none' as const) : state.seats.statusOf(s.env, show.showtimeId, seat, s.openId),
      })),
    }));
    const lock = state.seats.activeLockOf(s.env, show.showtimeId, s.openId);
    res.json({ showtime: showtimeView(show, s.env), film: { id: show.filmId, title: filmOf(show.filmId)!.title }, rows, lock: lock ? lockView(lock) : null });
  });
  const lockView = (l: SeatLock) => ({ lockId: l.lockId, showtimeId: l.showtimeId, seats: l.seats, expiresAt: l.expiresAt, status: l.status });

  app.post('/showtimes/:id/locks', async (req, res) => {
    const s = session(req);
    const show = showtimeOf(String(req.params.id));
    const seats = (req.body as { seats?: unknown }).seats;
    if (!Array.isArray(seats) || !seats.every((x) => typeof x === 'string')) throw new HttpError(400, 'INVALID_PARAMS', 'seats must be a list of seat names such as ["C5", "C6"].');
    if (Date.now() >= show.startsAt) throw new HttpError(409, 'SHOW_STARTED', 'This screening has started; pick a later one.');
    const hall = hallOf(show.hallId)!;
    // A new choice replaces the user's earlier lock on this screening, unless it is being paid for.
    const earlier = state.seats.activeLockOf(s.env, show.showtimeId, s.openId);
    if (earlier) {
      const b = bookingByLock(earlier.lockId);
      if (b?.status === 'pending') await closeBooking(b, 'released');
      else state.seats.release(earlier.lockId);
    }
    // From here to the answer there is no await: the check and the take are one step.
    const lock = state.seats.lock({ env: s.env, showtimeId: show.showtimeId, owner: s.openId, seats: seats as string[], now: Date.now(), ttlMs: lockTtlMs, exists: (seat) => isSeat(hall, seat) });
    res.status(201).json(lockView(lock));
  });

  app.post('/locks/:id/release', async (req, res) => {
    const s = session(req);
    const lock = state.seats.locks.get(String(req.params.id));
    if (!lock || lock.owner !== s.openId || lock.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such seat lock.');
    const b = bookingByLock(lock.lockId);
    if (b?.status === 'paid') throw new HttpError(409, 'INVALID_STATE', 'These seats are paid for; refund the ticket instead.');
    if (b?.status === 'pending') await closeBooking(b, 'released');
    else state.seats.release(lock.lockId);
    res.json(lockView(lock));
  });

  /** Bookings being created, by lock: a second tap waits for the first instead of ordering twice. */
  const creating = new Map<string, Promise<Booking>>();
  const createBooking = async (s: MoviesSession, lock: SeatLock): Promise<Booking> => {
    const seconds = Math.floor((lock.expiresAt - Date.now()) / 1000);
    if (lock.status !== 'active' || seconds < 60) throw new HttpError(409, 'LOCK_EXPIRED', 'Your seats are about to be released; pick them again.');
    const show = state.showtimes.get(lock.showtimeId)!;
    const film = filmOf(show.filmId)!;
    const bookingId = `bk_${lock.lockId.slice(3)}`;
    const outTradeNo = `MOVIE-${bookingId}`;
    const amount = show.price * lock.seats.length;
    const prepay = await client(s.env).post<{ prepayId: string; orderId: string; expiresAt: number }>(
      '/open/v1/payments/prepay',
      {
        openId: s.openId,
        outTradeNo,
        amount,
        description: `百合影城《${film.title}》${cstLabel(show.startsAt).slice(5)} ${hallOf(show.hallId)!.name} ${lock.seats.join(',')}`.slice(0, 127),
        // The order may be paid only while the seats are held.
        expireSeconds: Math.min(7200, seconds),
        attach: { bookingId, showtimeId: show.showtimeId },
      },
      { idempotencyKey: outTradeNo },
    );
    const b: Booking = {
      bookingId, env: s.env, openId: s.openId, showtimeId: show.showtimeId, lockId: lock.lockId, seats: lock.seats, price: show.price, amount,
      status: 'pending', outTradeNo, orderId: prepay.orderId, prepayId: prepay.prepayId, expiresAt: Math.min(lock.expiresAt, prepay.expiresAt),
      paidAmount: 0, discountAmount: 0, paidAt: null, ticketCode: null, refund: null, reminder: null, returnCouponId: null, checkedInAt: null, createdAt: Date.now(),
    };
    state.bookings.set(bookingId, b);
    return b;
  };

  app.post('/bookings', async (req, res) => {
    const s = session(req);
    const lockId = String((req.body as { lockId?: unknown }).lockId ?? '');
    const lock = state.seats.locks.get(lockId);
    if (!lock || lock.owner !== s.openId || lock.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such seat lock.');
    const existing = bookingByLock(lockId);
    if (existing) {
      res.json(view(existing));
      return;
    }
    let pending = creating.get(lockId);
    if (!pending) {
      pending = createBooking(s, lock).finally(() => creating.delete(lockId));
      creating.set(lockId, pending);
    }
    res.status(201).json(view(await pending));
  });

  app.get('/bookings', (req, res) => {
    const s = session(req);
    const mine = [...state.bookings.values()].filter((b) => b.openId === s.openId && b.env === s.env && b.status !== 'closed');
    res.json({ bookings: mine.sort((a, b) => b.createdAt - a.createdAt).map(view) });
  });

  app.get('/bookings/:id', (req, res) => {
    res.json(view(bookingOf(req, session(req))));
  });

  app.post('/bookings/:id/confirm', async (req, res) => {
    const b = bookingOf(req, session(req));
    await confirm(b);
    if (b.status === 'pending') throw new HttpError(409, 'NOT_PAID', 'The bank has not received the payment yet.');
    res.json(view(b));
  });

  app.post('/bookings/:id/cancel', async (req, res) => {
    const b = bookingOf(req, session(req));
    if (b.status === 'pending') await closeBooking(b, 'released');
    if (b.status === 'paid') throw new HttpError(409, 'INVALID_STATE', 'This booking is paid; refund the ticket instead.');
    res.json(view(b));
  });

  const refunding = new Set<string>();
  app.post('/bookings/:id/refund', async (req, res) => {
    const b = bookingOf(req, session(req));
    if (b.status === 'refunded') throw new HttpError(409, 'ALREADY_REFUNDED', 'This ticket was already refunded.');
    if (b.status !== 'paid') throw new HttpError(409, 'INVALID_STATE', 'Only a paid ticket can be refunded.');
    if (b.checkedInAt !== null) throw new HttpError(409, 'TICKET_USED', 'This ticket was used at the gate.');
    const now = Date.now();
    if (now >= state.showtimes.get(b.showtimeId)!.startsAt) throw new HttpError(409, 'SHOW_STARTED', 'The show has started; the ticket can no longer be refunded.');
    if (now >= refundDeadline(b)) throw new HttpError(409, 'REFUND_CLOSED', `Refunds close ${Math.round(refundCutoffMs / 60_000)} minutes before the show.`);
    // Two taps at once: one refund.
    if (refunding.has(b.bookingId)) throw new HttpError(409, 'IN_PROGRESS', 'The refund is on its way.');
    refunding.add(b.bookingId);
    try {
      const outRefundNo = `RF-${b.bookingId}`;
      const refund = await client(b.env).post<{ refundId: string; amount: number; status: string }>(
        '/open/v1/refunds',
        { orderId: b.orderId, outRefundNo, amount: b.paidAmount, reason: '开场前退票' },
        { idempotencyKey: outRefundNo },
      );
      if (b.status === 'paid') {
        b.status = 'refunded';
        state.seats.unsell(b.lockId);
      }
      b.refund = { refundId: refund.refundId, amount: refund.amount, status: refund.status, at: Date.now() };
      if (b.reminder && b.reminder.status === 'scheduled') b.reminder.status = 'cancelled';
    } finally {
      refunding.delete(b.bookingId);
    }
    res.json(view(b));
  });

  app.post('/bookings/:id/reminder', async (req, res) => {
    const b = bookingOf(req, session(req));
    if (b.status !== 'paid') throw new HttpError(409, 'INVALID_STATE', 'Reminders are for paid tickets.');
    if (Date.now() >= state.showtimes.get(b.showtimeId)!.startsAt) throw new HttpError(409, 'SHOW_STARTED', 'The show has started.');
    if (!b.reminder || b.reminder.status === 'failed' || b.reminder.status === 'cancelled') {
      b.reminder = { templateId: REMINDER_TEMPLATE.templateId, status: 'scheduled', messageId: null, error: null };
    }
    // Within the lead time already: remind at once.
    if (reminderDue(b, Date.now())) await sendReminder(b);
    res.json(view(b));
  });

  app.post('/gate/check-in', (req, res) => {
    if (req.get('x-gate-key') !== state.gateKey) throw new HttpError(403, 'FORBIDDEN', 'Unknown gate.');
    const qr = (req.body as { qr?: unknown }).qr;
    const ticket = typeof qr === 'string' ? readTicketQr(ticketSecret, qr) : null;
    if (!ticket) throw new HttpError(400, 'TICKET_INVALID', 'Not a ticket of this cinema.');
    const b = [...state.bookings.values()].find((x) => x.ticketCode === ticket.code && x.showtimeId === ticket.showtimeId);
    if (!b || b.status !== 'paid') throw new HttpError(409, 'TICKET_VOID', 'This ticket was refunded or never paid.');
    if (b.checkedInAt !== null) throw new HttpError(409, 'TICKET_USED', 'This ticket was already used.');
    b.checkedInAt = Date.now();
    const show = state.showtimes.get(b.showtimeId)!;
    res.json({ film: filmOf(show.filmId)!.title, hall: hallOf(show.hallId)!.name, seats: b.seats, startsAt: show.startsAt });
  });

  // Seat refusals carry the seats concerned.
  endRoutes(app, log, (err) => (err instanceof SeatError ? new HttpError(err.code === 'SEAT_TAKEN' ? 409 : 400, err.code, err.message, { seats: err.seats }) : err));

  let server: Server | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    app,
    state,
    sweep,
    async listen(port, host) {
      const s = await listenOn(app, port, host);
      server = s;
      timer = setInterval(() => void sweep().catch((err: unknown) => log('sweep failed', { error: (err as Error).message })), sweepMs);
      timer.unref();
      const { port: actual } = s.address() as AddressInfo;
      return `http://${host}:${actual}`;
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await sweeping?.catch(() => undefined);
      const s = server;
      server = null;
      await stopServer(s);
    },
  };
}
