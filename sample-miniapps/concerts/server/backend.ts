/**
 * The merchant back end of the concerts sample ("声浪票务"): what a ticketing company runs on its
 * own servers. It talks to the bank only through the public Open API client (`open-client`) and
 * keeps its own state in memory:
 *
 * - `POST /session` exchanges the mini-app's login code (code2Session) for the fan's openId;
 * - `GET /shows`, `GET /shows/:id` the shows, their sale state and the fan's place in it;
 * - `POST /shows/:id/queue`, `GET /shows/:id/queue` the virtual queue: fans are let in by rounds
 *   once the sale opens; an admitted fan gets the lucky-draw activity, which this back end creates
 *   through the Open API with the show's exact inventory when the first fan is let in;
 * - `POST /shows/:id/draws` claims a draw: the back end asks the bank (listDraws) whether that
 *   draw won and is the fan's, and only then issues a ticket (reserved seat);
 * - `POST /tickets/:id/holder` checks the holder's name and id number with the bank (yes or no);
 *   only masked forms are kept;
 * - `POST /tickets/:id/order` creates the prepay order the fan pays in the bank's cashier (where
 *   installment plans are offered); `POST /tickets/:id/paid` checks the order with the bank and
 *   places the money in supervised escrow, released by milestone after the show;
 * - `GET /tickets`, `GET /tickets/:id` the fan's tickets;
 * - `POST /lily/webhook` verifies and opens the bank's signed, enveloped webhooks;
 * - `/admin/*` (bearer admin token): add or cancel a show (cancelling refunds the escrows), move
 *   the back end's clock ahead, and run the settlement that releases escrow milestones when due
 *   (it also runs by itself every minute).
 *
 * A sample app serves both worlds: the session remembers whether the fan came from the sandbox or
 * production, and every later call uses that world's credentials, queue and inventory.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { LilyOpenApiError, LilyOpenClient } from '../../../open-client/index.ts';
import { endRoutes, exchangeLoginCode, HttpError } from '../../shared/http.ts';
import { listenOn, stopServer } from '../../shared/serve.ts';
import { webhookReceiver, type ReceivedWebhook } from '../../shared/webhooks.ts';
import { movableClock, type ConcertsClock } from './clock.ts';
import { HolderInputError, maskIdNumber, maskName, parseHolder } from './holder.ts';
import { admission, demoShows, milestonesFor, parseShowInput, saleStatus, seatFor, ShowInputError, type ShowDefinition } from './shows.ts';

/** A world of the bank: separate credentials, funds and users. */
export type ConcertsEnv = 'sandbox' | 'production';

/** One set of Open API credentials (the private key stays on this server). */
export interface ConcertsCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
}

/** Options of {@link createConcertsBackend}. */
export interface ConcertsBackendOptions {
  /** Where the bank's Open API answers, e.g. `http://127.0.0.1:3000`. */
  lilyUrl: string;
  /** The bank's SM2 public key, to verify responses and webhooks. */
  bankPublicKey: string;
  /** Credentials per world; a world without credentials is not served. */
  credentials: Partial<Record<ConcertsEnv, ConcertsCredentials>>;
  /** Logs a line (default: nothing). */
  log?: (message: string, data?: Record<string, unknown>) => void;
  /** The back end's clock (default: the wall clock, movable ahead). */
  clock?: ConcertsClock;
  /** The shows on offer (default: {@link demoShows} from now). */
  shows?: ShowDefinition[];
  /** Bearer token of the `/admin` endpoints (default: random, see {@link ConcertsBackend.adminToken}). */
  adminToken?: string;
  /** How often the settlement runs by itself once listening, in ms (default 60 s; 0: never). */
  settleEveryMs?: number;
  /** Wrong holder details accepted per ticket before it is locked (default 5). */
  holderAttempts?: number;
}

/** A fan's session with this back end. */
export interface FanSession {
  token: string;
  env: ConcertsEnv;
  openId: string;
  createdAt: number;
}

/** A show, and whether it was cancelled. */
export interface Show extends ShowDefinition {
  cancelled: { reason: string; at: number } | null;
}

/** The sale of one show in one world: its queue, its lucky draw and the draws claimed. */
export interface Sale {
  env: ConcertsEnv;
  showId: string;
  /** The bank's activity, created when the first fan is let in. */
  activityId: string | null;
  activityStatus: 'pending_review' | 'scheduled' | null;
  /** SM3 commitment of the activity's seed, published by the bank (for audit). */
  commitment: string | null;
  /** openIds in the order they joined. */
  queue: string[];
  /** Position (1-based) by openId. */
  positions: Map<string, number>;
  /** When (real time) each fan was first handed the activity id: draws before it do not count. */
  admittedAt: Map<string, number>;
  /** Each fan's draw as claimed here. */
  results: Map<string, { drawId: string; won: boolean; ticketId: string | null }>;
  /** Winning draws the bank had recorded when last asked. */
  winners: number;
}

/** Where a ticket is: won → verified (holder) → issued (paid, money in escrow) → completed, or refunded / cancelled. */
export type TicketStatus = 'won' | 'verified' | 'issued' | 'completed' | 'refunded' | 'cancelled';

/** A milestone of a ticket's escrow as this back end tracks it. */
export interface TicketMilestone {
  name: string;
  amount: number;
  dueAt: number;
  status: 'pending' | 'released' | 'refunded';
  releasedAt: number | null;
}

/** A ticket, as this back end keeps it. */
export interface Ticket {
  ticketId: string;
  env: ConcertsEnv;
  openId: string;
  showId: string;
  drawId: string;
  seat: string;
  price: number;
  status: TicketStatus;
  /** Masked name and id number of the verified holder; never the id number itself. */
  holder: { maskedName: string; maskedIdNumber: string; verifiedAt: number } | null;
  /** Mismatched holder details so far. */
  holderMismatches: number;
  /** Every order created for this ticket (a new one when the previous expired unpaid). */
  orderIds: string[];
  orderId: string | null;
  prepayId: string | null;
  orderExpiresAt: number | null;
  paidAmount: number;
  paidAt: number | null;
  escrowId: string | null;
  milestones: TicketMilestone[];
  refundedAmount: number;
  createdAt: number;
}

export type { ReceivedWebhook } from '../../shared/webhooks.ts';

/** One escrow milestone released to the merchant. */
export interface Settlement {
  ticketId: string;
  escrowId: string;
  milestone: number;
  amount: number;
  at: number;
}

/** Everything the back end remembers (in memory: a sample, not a database). */
export interface ConcertsState {
  shows: Map<string, Show>;
  /** By `<env>|<showId>`. */
  sales: Map<string, Sale>;
  sessions: Map<string, FanSession>;
  tickets: Map<string, Ticket>;
  webhooks: ReceivedWebhook[];
  settlements: Settlement[];
}

/** What one settlement run did. */
export interface SettleReport {
  at: number;
  released: Settlement[];
  failed: { ticketId: string; code: string }[];
}

/** A running back end. */
export interface ConcertsBackend {
  /** The Express app (mount it or {@link ConcertsBackend.listen}). */
  app: express.Express;
  state: ConcertsState;
  /** The back end's clock; tests and `/admin/clock` move it ahead. */
  clock: ConcertsClock;
  /** Bearer token of the `/admin` endpoints. */
  adminToken: string;
  /** Releases every escrow milestone that is due at the clock's time. */
  settle(): Promise<SettleReport>;
  /** Listens on `host:port` (port 0: any free port); resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops listening and the settlement timer. */
  close(): Promise<void>;
}

interface EscrowView {
  escrowId: string;
  status: 'supervised' | 'completed' | 'refunded';
  refundedAmount: number;
  milestones: { name: string; amount: number; status: 'pending' | 'released' | 'refunded'; releasedAt: number | null }[];
}

interface DrawRecord {
  drawId: string;
  won: boolean;
  openId: string;
  at: number;
}

const newId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;
const saleKey = (env: ConcertsEnv, showId: string) => `${env}|${showId}`;
const DRAW_ID = /^drw_[A-Za-z0-9]{6,40}$/;
const ORDER_WINDOW_SECONDS = 1800;

/** `1 min 05 s` from seconds. */
function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

/**
 * Builds the concerts back end.
 *
 * @example
 * ```ts
 * const backend = createConcertsBackend({ lilyUrl, bankPublicKey, credentials: { sandbox: { appId, serialNo, privateKey } } });
 * const url = await backend.listen(4103, '127.0.0.1');
 * backend.clock.advance(86_400_000); // the day after
 * await backend.settle();
 * ```
 */
export function createConcertsBackend(options: ConcertsBackendOptions): ConcertsBackend {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? movableClock();
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const maxMismatches = options.holderAttempts ?? 5;
  // Distinguishes this run's lucky-draw activities from a previous run's (idempotency keys).
  const runId = randomBytes(4).toString('hex');
  const codeKey = randomBytes(32);
  const clients = new Map<ConcertsEnv, LilyOpenClient>();
  for (const env of ['production', 'sandbox'] as const) {
    const c = options.credentials[env];
    if (c) clients.set(env, new LilyOpenClient({ baseUrl: options.lilyUrl, appId: c.appId, serialNo: c.serialNo, privateKey: c.privateKey, bankPublicKey: options.bankPublicKey }));
  }
  const state: ConcertsState = { shows: new Map(), sales: new Map(), sessions: new Map(), tickets: new Map(), webhooks: [], settlements: [] };
  for (const s of options.shows ?? demoShows(clock.now())) state.shows.set(s.showId, { ...s, cancelled: null });

  const client = (env: ConcertsEnv) => {
    const c = clients.get(env);
    if (!c) throw new HttpError(503, 'UNAVAILABLE', `This back end has no ${env} credentials.`);
    return c;
  };

  /** Runs `fn` after every earlier call with the same key has settled (one ticket, one fan's draw). */
  const locks = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (locks.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return run;
  };

  const session = (req: Request): FanSession => {
    const body = (req.body ?? {}) as { token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof req.query.token === 'string' ? req.query.token : '';
    const s = state.sessions.get(token);
    if (!s) throw new HttpError(401, 'SESSION_INVALID', 'Log in again.');
    return s;
  };
  const showOf = (req: Request): Show => {
    const show = state.shows.get(String(req.params.id));
    if (!show) throw new HttpError(404, 'NOT_FOUND', 'No such show.');
    return show;
  };
  const saleOf = (env: ConcertsEnv, showId: string): Sale => {
    const key = saleKey(env, showId);
    let sale = state.sales.get(key);
    if (!sale) {
      sale = { env, showId, activityId: null, activityStatus: null, commitment: null, queue: [], positions: new Map(), admittedAt: new Map(), results: new Map(), winners: 0 };
      state.sales.set(key, sale);
    }
    return sale;
  };
  const ticketOf = (req: Request, s: FanSession): Ticket => {
    const t = state.tickets.get(String(req.params.id));
    if (!t || t.openId !== s.openId || t.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such ticket.');
    return t;
  };
  const statusOf = (show: Show, sale: Sale | undefined) =>
    saleStatus(show, clock.now(), { cancelled: show.cancelled !== null, soldOut: sale !== undefined && sale.winners >= show.inventory });

  const showView = (show: Show, s: FanSession | null) => {
    const now = clock.now();
    const sale = s ? state.sales.get(saleKey(s.env, show.showId)) : undefined;
    return {
      showId: show.showId,
      title: show.title,
      artist: show.artist,
      venue: show.venue,
      city: show.city,
      price: show.price,
      inventory: show.inventory,
      remaining: Math.max(0, show.inventory - (sale?.winners ?? 0)),
      oddsPpm: show.oddsPpm,
      onSaleAt: show.onSaleAt,
      startsAt: show.startsAt,
      endsAt: show.endsAt,
      secondsToSale: Math.max(0, Math.ceil((show.onSaleAt - now) / 1000)),
      status: statusOf(show, sale),
      cancelledReason: show.cancelled?.reason ?? null,
    };
  };
  const queueView = (show: Show, sale: Sale, openId: string) => {
    const position = sale.positions.get(openId);
    if (position === undefined) return null;
    const a = admission(show, position, clock.now());
    // Handing out the activity id starts the fan's turn: a draw made earlier was a queue jump.
    if (a.admitted && sale.activityId && !sale.admittedAt.has(openId)) sale.admittedAt.set(openId, Date.now());
    return {
      position,
      ahead: Math.max(0, position - 1 - a.admittedUpTo),
      queued: sale.queue.length,
      admitted: a.admitted,
      etaSeconds: a.etaSeconds,
      activityId: a.admitted ? sale.activityId : null,
      drawStatus: a.admitted ? sale.activityStatus : null,
    };
  };
  const ticketCode = (t: Ticket) => `LILYCONCERT:${t.ticketId}:${createHmac('sha256', codeKey).update(`${t.ticketId}|${t.seat}|${t.holder?.maskedIdNumber ?? ''}`).digest('hex').slice(0, 16)}`;
  const ticketView = (t: Ticket) => {
    const show = state.shows.get(t.showId)!;
    return {
      ticketId: t.ticketId,
      showId: t.showId,
      title: show.title,
      venue: show.venue,
      startsAt: show.startsAt,
      seat: t.seat,
      price: t.price,
      status: t.status,
      holder: t.holder ? { maskedName: t.holder.maskedName, maskedIdNumber: t.holder.maskedIdNumber } : null,
      attemptsLeft: Math.max(0, maxMismatches - t.holderMismatches),
      orderId: t.orderId,
      paidAmount: t.paidAmount,
      escrowId: t.escrowId,
      milestones: t.milestones.map((m) => ({ name: m.name, amount: m.amount, dueAt: m.dueAt, status: m.status })),
      refundedAmount: t.refundedAmount,
      code: t.status === 'issued' || t.status === 'completed' ? ticketCode(t) : null,
    };
  };

  // --- the bank -------------------------------------------------------------------------------

  /** Creates the sale's lucky draw once (concurrent callers share the one creation). */
  const creating = new Map<string, Promise<void>>();
  const ensureActivity = async (show: Show, sale: Sale): Promise<void> => {
    if (sale.activityId) return;
    const key = saleKey(sale.env, sale.showId);
    let pending = creating.get(key);
    if (!pending) {
      // The bank's own clock decides whether the draw is open: give it real times.
      const real = Date.now();
      pending = client(sale.env)
        .post<{ activityId: string; status: 'pending_review' | 'scheduled'; commitment: string }>(
          '/open/v1/marketing/lucky-draws',
          {
            title: `抽签 ${show.title}`.slice(0, 40),
            startAt: real - 60_000,
            endAt: real + Math.max(show.startsAt - clock.now(), 60_000),
            drawsPerUser: 1,
            prizes: [{ title: `${show.title} 门票`.slice(0, 40), type: 'physical', inventory: show.inventory, probabilityPpm: show.oddsPpm }],
          },
          { idempotencyKey: `DRAW-${runId}-${sale.env}-${show.showId}` },
        )
        .then((a) => {
          sale.activityId = a.activityId;
          sale.activityStatus = a.status;
          sale.commitment = a.commitment;
          log('lucky draw created', { env: sale.env, showId: show.showId, activityId: a.activityId, status: a.status });
        })
        .finally(() => creating.delete(key));
      creating.set(key, pending);
    }
    await pending;
  };

  /** Pages through the activity's winning draws: the one with `drawId`, and how many there are. */
  const findWinningDraw = async (env: ConcertsEnv, activityId: string, drawId: string) => {
    let cursor: string | null = null;
    let winners = 0;
    let found: DrawRecord | undefined;
    do {
      const page: { draws: DrawRecord[]; nextCursor: string | null } = await client(env).get(`/open/v1/marketing/lucky-draws/${encodeURIComponent(activityId)}/draws`, {
        winnersOnly: true,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      winners += page.draws.length;
      found ??= page.draws.find((d) => d.drawId === drawId);
      cursor = page.nextCursor;
    } while (cursor);
    return { draw: found, winners };
  };

  const applyEscrow = (t: Ticket, view: EscrowView) => {
    view.milestones.forEach((m, i) => {
      const mine = t.milestones[i];
      if (mine) Object.assign(mine, { status: m.status, releasedAt: m.releasedAt });
    });
    t.refundedAmount = Math.max(t.refundedAmount, view.refundedAmount);
    if (view.status === 'completed') t.status = 'completed';
    if (view.status === 'refunded') t.status = 'refunded';
  };

  /** Checks the order with the bank and puts the paid money under escrow (unlocked: call inside `serial`). */
  const issue = async (t: Ticket, orderId: string): Promise<void> => {
    if (t.status !== 'won' && t.status !== 'verified') return;
    const lily = client(t.env);
    const order = await lily.get<{ orderId: string; status: string; paidAmount: number; paidAt: number | null }>(`/open/v1/payments/orders/${encodeURIComponent(orderId)}`);
    if (order.status !== 'paid') throw new HttpError(409, 'NOT_PAID', 'The bank has not confirmed this payment.');
    const show = state.shows.get(t.showId)!;
    const plan = milestonesFor(order.paidAmount, show);
    const escrow = await lily.post<EscrowView>(
      '/open/v1/escrows',
      { orderId, milestones: plan.map(({ name, amount }) => ({ name, amount })) },
      { idempotencyKey: `ESC-${t.ticketId}` },
    );
    Object.assign(t, { orderId, paidAmount: order.paidAmount, paidAt: order.paidAt, escrowId: escrow.escrowId, status: 'issued' as const });
    t.milestones = plan.map((m) => ({ ...m, status: 'pending' as const, releasedAt: null }));
    applyEscrow(t, escrow);
    log('ticket issued', { ticketId: t.ticketId, escrowId: escrow.escrowId, amount: order.paidAmount });
  };
  const confirmPaid = (t: Ticket, orderId: string) => serial(`ticket|${t.ticketId}`, () => issue(t, orderId));

  const settleTicket = async (t: Ticket, now: number, report: SettleReport) => {
    if (t.status !== 'issued' || !t.escrowId) return;
    for (const [i, m] of t.milestones.entries()) {
      if (m.status !== 'pending' || now < m.dueAt) continue;
      const view = await client(t.env).post<EscrowView>(`/open/v1/escrows/${encodeURIComponent(t.escrowId)}/release`, { milestone: i }, { idempotencyKey: `REL-${t.ticketId}-${i}` });
      applyEscrow(t, view);
      const done: Settlement = { ticketId: t.ticketId, escrowId: t.escrowId, milestone: i, amount: m.amount, at: now };
      state.settlements.push(done);
      report.released.push(done);
    }
  };
  let settling: Promise<SettleReport> = Promise.resolve({ at: 0, released: [], failed: [] });
  const settle = (): Promise<SettleReport> => {
    const run = settling.catch(() => undefined).then(async () => {
      const report: SettleReport = { at: clock.now(), released: [], failed: [] };
      for (const t of [...state.tickets.values()]) {
        if (t.status !== 'issued') continue;
        try {
          await serial(`ticket|${t.ticketId}`, () => settleTicket(t, report.at, report));
        } catch (err) {
          const code = err instanceof LilyOpenApiError ? err.code : 'INTERNAL';
          report.failed.push({ ticketId: t.ticketId, code });
          log('escrow release failed', { ticketId: t.ticketId, code });
        }
      }
      if (report.released.length > 0) log('settled', { released: report.released.length });
      return report;
    });
    settling = run;
    return run;
  };

  /** Cancels a show: escrowed money goes back to the fans, unpaid orders are closed. */
  const cancelShow = async (show: Show, reason: string) => {
    show.cancelled ??= { reason, at: clock.now() };
    const outcome = { refunded: 0, closed: 0, cancelled: 0 };
    for (const t of [...state.tickets.values()].filter((x) => x.showId === show.showId)) {
      await serial(`ticket|${t.ticketId}`, async () => {
        const lily = client(t.env);
        if ((t.status === 'won' || t.status === 'verified') && t.orderId) {
          try {
            await lily.post(`/open/v1/payments/orders/${encodeURIComponent(t.orderId)}/close`, {}, { idempotencyKey: `CLOSE-${t.orderId}` });
            outcome.closed++;
          } catch (err) {
            // Paid meanwhile: issue it so that the refund below returns the money.
            if (!(err instanceof LilyOpenApiError) || err.code !== 'INVALID_STATE') throw err;
            await issue(t, t.orderId);
          }
        }
        if (t.status === 'issued' && t.escrowId) {
          const view = await lily.post<EscrowView>(`/open/v1/escrows/${encodeURIComponent(t.escrowId)}/refund`, { reason: `演出取消 ${reason}`.slice(0, 80) }, { idempotencyKey: `REFUND-${t.ticketId}` });
          applyEscrow(t, view);
          outcome.refunded++;
        } else if (t.status === 'won' || t.status === 'verified') {
          t.status = 'cancelled';
          outcome.cancelled++;
        }
      });
    }
    log('show cancelled', { showId: show.showId, ...outcome });
    return outcome;
  };

  // --- HTTP -----------------------------------------------------------------------------------

  const app = express();
  app.disable('x-powered-by');
  // Webhooks are verified over the exact bytes received: mounted before any JSON parser.
  app.post('/lily/webhook', ...webhookReceiver({ credentials: options.credentials, bankPublicKey: options.bankPublicKey, received: state.webhooks, onEvent: (r) => onEvent(r), log }));
  app.use(express.json({ limit: '32kb' }));

  /** Keeps the tickets in step with what the bank reports. */
  const onEvent = (record: ReceivedWebhook) => {
    const { eventType, resource } = record.event!;
    log('webhook', { eventType, env: record.env });
    const byOrder = (orderId: unknown) => [...state.tickets.values()].find((t) => t.env === record.env && typeof orderId === 'string' && t.orderIds.includes(orderId));
    if (eventType === 'payment.succeeded') {
      const t = byOrder(resource.orderId);
      // The fan may have closed the mini-app before telling us: the webhook issues the ticket too.
      if (t) confirmPaid(t, String(resource.orderId)).catch((err: unknown) => log('issue from webhook failed', { ticketId: t.ticketId, error: (err as Error).message }));
    } else if (eventType === 'escrow.released') {
      const t = [...state.tickets.values()].find((x) => x.escrowId === resource.escrowId);
      if (t && Array.isArray(resource.milestones)) applyEscrow(t, resource as unknown as EscrowView);
    } else if (eventType === 'refund.succeeded') {
      const t = byOrder(resource.orderId);
      if (t && typeof resource.amount === 'number' && t.refundedAmount < t.paidAmount) t.refundedAmount = Math.max(t.refundedAmount, Math.min(t.paidAmount, resource.amount));
    }
  };

  app.post('/session', async (req, res) => {
    const code = (req.body as { code?: unknown }).code;
    if (typeof code !== 'string' || code.length === 0) throw new HttpError(400, 'INVALID_PARAMS', 'code is required.', { field: 'code' });
    const login = await exchangeLoginCode(clients.keys(), code, (env, c) => clients.get(env)!.post<{ openId: string }>('/open/v1/auth/code2session', { code: c }));
    const found = { env: login.env, openId: login.session.openId };
    const token = newId('cs_') + randomBytes(10).toString('hex');
    state.sessions.set(token, { token, env: found.env, openId: found.openId, createdAt: clock.now() });
    res.json({ token, env: found.env, fan: `…${found.openId.slice(-4)}` });
  });

  app.get('/shows', (req, res) => {
    const s = session(req);
    const shows = [...state.shows.values()].sort((a, b) => a.startsAt - b.startsAt).map((show) => showView(show, s));
    res.json({ serverNow: clock.now(), shows });
  });

  app.get('/shows/:id', async (req, res) => {
    const s = session(req);
    const show = showOf(req);
    const sale = saleOf(s.env, show.showId);
    let queue = queueView(show, sale, s.openId);
    if (queue?.admitted && statusOf(show, sale) === 'on_sale') {
      await ensureActivity(show, sale);
      queue = queueView(show, sale, s.openId);
    }
    const result = sale.results.get(s.openId) ?? null;
    res.json({ ...showView(show, s), serverNow: clock.now(), queue, result });
  });

  const joinOrView = (join: boolean) => async (req: Request, res: Response) => {
    const s = session(req);
    const show = showOf(req);
    const sale = saleOf(s.env, show.showId);
    const status = statusOf(show, sale);
    const inQueue = sale.positions.has(s.openId);
    if (status === 'cancelled') throw new HttpError(409, 'SHOW_CANCELLED', `The show was cancelled: ${show.cancelled!.reason}`);
    if (status === 'upcoming') throw new HttpError(409, 'NOT_ON_SALE', `Sales open in ${duration(Math.ceil((show.onSaleAt - clock.now()) / 1000))}.`);
    if (status === 'closed') throw new HttpError(409, 'SALE_CLOSED', 'Sales have closed: the show has started.');
    if (status === 'sold_out' && !inQueue) throw new HttpError(409, 'SOLD_OUT', `All ${show.inventory} tickets have been drawn.`);
    if (!inQueue) {
      if (!join) throw new HttpError(404, 'NOT_IN_QUEUE', 'Join the queue first.');
      sale.queue.push(s.openId);
      sale.positions.set(s.openId, sale.queue.length);
    }
    if (queueView(show, sale, s.openId)!.admitted) await ensureActivity(show, sale);
    res.json(queueView(show, sale, s.openId));
  };
  app.post('/shows/:id/queue', joinOrView(true));
  app.get('/shows/:id/queue', joinOrView(false));

  app.post('/shows/:id/draws', async (req, res) => {
    const s = session(req);
    const show = showOf(req);
    const sale = saleOf(s.env, show.showId);
    const drawId = (req.body as { drawId?: unknown }).drawId;
    if (typeof drawId !== 'string' || !DRAW_ID.test(drawId)) throw new HttpError(400, 'INVALID_PARAMS', 'drawId is the id the bank gave the draw (drw_…).', { field: 'drawId' });
    const answer = await serial(`draw|${sale.env}|${show.showId}|${s.openId}`, async () => {
      const position = sale.positions.get(s.openId);
      if (position === undefined || !admission(show, position, clock.now()).admitted) throw new HttpError(409, 'NOT_ADMITTED', 'Wait for your turn in the queue before drawing.');
      const previous = sale.results.get(s.openId);
      if (previous?.won) {
        if (previous.drawId !== drawId) throw new HttpError(409, 'ALREADY_WON', 'You already won a ticket for this show.');
        return { won: true, ticket: ticketView(state.tickets.get(previous.ticketId!)!) };
      }
      if (!sale.activityId) throw new HttpError(409, 'INVALID_STATE', 'The draw has not started.');
      // Never take the mini-app's word for a win: the bank's record of the activity decides.
      const { draw, winners } = await findWinningDraw(sale.env, sale.activityId, drawId);
      sale.winners = Math.max(sale.winners, winners);
      if (!draw) {
        sale.results.set(s.openId, { drawId, won: false, ticketId: null });
        return { won: false, ticket: null };
      }
      if (draw.openId !== s.openId) throw new HttpError(403, 'NOT_YOURS', 'That draw belongs to someone else.');
      const turn = sale.admittedAt.get(s.openId) ?? Date.now();
      sale.admittedAt.set(s.openId, turn);
      // A second of slack for the bank's clock; anything earlier was drawn before the fan's turn.
      if (draw.at < turn - 1000) {
        sale.results.set(s.openId, { drawId, won: false, ticketId: null });
        throw new HttpError(409, 'DRAW_BEFORE_TURN', 'This draw was made before your turn in the queue and does not count.');
      }
      const issued = [...state.tickets.values()].filter((t) => t.env === sale.env && t.showId === show.showId).length;
      const ticket: Ticket = {
        ticketId: newId('tk_'),
        env: sale.env,
        openId: s.openId,
        showId: show.showId,
        drawId,
        seat: seatFor(issued),
        price: show.price,
        status: 'won',
        holder: null,
        holderMismatches: 0,
        orderIds: [],
        orderId: null,
        prepayId: null,
        orderExpiresAt: null,
        paidAmount: 0,
        paidAt: null,
        escrowId: null,
        milestones: [],
        refundedAmount: 0,
        createdAt: clock.now(),
      };
      state.tickets.set(ticket.ticketId, ticket);
      sale.results.set(s.openId, { drawId, won: true, ticketId: ticket.ticketId });
      log('ticket won', { env: sale.env, showId: show.showId, ticketId: ticket.ticketId });
      return { won: true, ticket: ticketView(ticket) };
    });
    res.json(answer);
  });

  app.get('/tickets', (req, res) => {
    const s = session(req);
    const mine = [...state.tickets.values()].filter((t) => t.env === s.env && t.openId === s.openId).sort((a, b) => b.createdAt - a.createdAt);
    res.json({ tickets: mine.map(ticketView) });
  });

  app.get('/tickets/:id', (req, res) => {
    res.json(ticketView(ticketOf(req, session(req))));
  });

  app.post('/tickets/:id/holder', async (req, res) => {
    const s = session(req);
    const t = ticketOf(req, s);
    const view = await serial(`ticket|${t.ticketId}`, async () => {
      if (t.status !== 'won' && t.status !== 'verified') throw new HttpError(409, 'INVALID_STATE', `The ticket is ${t.status}: its holder can no longer change.`);
      if (t.holderMismatches >= maxMismatches) throw new HttpError(429, 'TOO_MANY_ATTEMPTS', 'Too many mismatched attempts for this ticket: contact customer service.');
      let holder;
      try {
        holder = parseHolder(req.body as { name?: unknown; idNumber?: unknown });
      } catch (err) {
        if (err instanceof HolderInputError) throw new HttpError(400, 'INVALID_PARAMS', err.message, err.field ? { field: err.field } : {});
        throw err;
      }
      let match: boolean;
      try {
        // The bank answers yes or no; the id number is not kept here, only its masked form.
        match = (await client(t.env).post<{ match: boolean }>('/open/v1/member/realname/verify', { openId: t.openId, name: holder.name, idNumber: holder.idNumber })).match;
      } catch (err) {
        if (err instanceof LilyOpenApiError && err.code === 'CONSENT_REQUIRED') throw new HttpError(403, 'CONSENT_REQUIRED', 'Allow the real-name check (实名认证) for this mini-app first.');
        if (err instanceof LilyOpenApiError && err.code === 'INVALID_STATE') throw new HttpError(409, 'REALNAME_UNVERIFIED', 'Your bank has not verified your real name yet: complete real-name verification in the bank app first.');
        throw err;
      }
      if (!match) {
        t.holderMismatches++;
        const left = maxMismatches - t.holderMismatches;
        throw new HttpError(422, 'REALNAME_MISMATCH', `The name and ID number do not match the identity your bank verified: tickets are in the buyer’s own name. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`);
      }
      t.holder = { maskedName: maskName(holder.name), maskedIdNumber: maskIdNumber(holder.idNumber), verifiedAt: clock.now() };
      t.status = 'verified';
      return ticketView(t);
    });
    res.json(view);
  });

  app.post('/tickets/:id/order', async (req, res) => {
    const s = session(req);
    const t = ticketOf(req, s);
    const show = state.shows.get(t.showId)!;
    const answer = await serial(`ticket|${t.ticketId}`, async () => {
      if (t.status === 'won') throw new HttpError(409, 'HOLDER_REQUIRED', 'Verify the ticket holder’s real name first.');
      if (t.status !== 'verified') throw new HttpError(409, 'INVALID_STATE', `The ticket is ${t.status}.`);
      if (show.cancelled) throw new HttpError(409, 'SHOW_CANCELLED', `The show was cancelled: ${show.cancelled.reason}`);
      // An unpaid order is reused while it has a minute left; then a new one replaces it.
      if (t.prepayId && t.orderExpiresAt !== null && Date.now() < t.orderExpiresAt - 60_000) {
        return { prepayId: t.prepayId, orderId: t.orderId, amount: t.price, expiresAt: t.orderExpiresAt };
      }
      const outTradeNo = `TKT-${t.ticketId}-${t.orderIds.length + 1}`;
      const prepay = await client(t.env).post<{ prepayId: string; orderId: string; expiresAt: number }>(
        '/open/v1/payments/prepay',
        {
          openId: t.openId,
          outTradeNo,
          amount: t.price,
          description: `${show.title} ${t.seat}`.slice(0, 127),
          expireSeconds: ORDER_WINDOW_SECONDS,
          attach: { ticketId: t.ticketId, showId: t.showId },
        },
        { idempotencyKey: outTradeNo },
      );
      Object.assign(t, { prepayId: prepay.prepayId, orderId: prepay.orderId, orderExpiresAt: prepay.expiresAt });
      t.orderIds.push(prepay.orderId);
      return { prepayId: prepay.prepayId, orderId: prepay.orderId, amount: t.price, expiresAt: prepay.expiresAt };
    });
    res.json(answer);
  });

  app.post('/tickets/:id/paid', async (req, res) => {
    const s = session(req);
    const t = ticketOf(req, s);
    if (!t.orderId) throw new HttpError(409, 'NOT_PAID', 'There is no order for this ticket yet.');
    await confirmPaid(t, t.orderId);
    res.json(ticketView(t));
  });

  // --- admin ----------------------------------------------------------------------------------

  const expected = Buffer.from(`Bearer ${adminToken}`);
  const admin = express.Router();
  admin.use((req, _res, next) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new HttpError(401, 'ADMIN_ONLY', 'This needs the back end’s admin token.');
    next();
  });
  admin.post('/shows', (req, res) => {
    let show: ShowDefinition;
    try {
      show = parseShowInput(req.body, clock.now(), newId('show-'));
    } catch (err) {
      if (err instanceof ShowInputError) throw new HttpError(400, 'INVALID_PARAMS', err.message, err.field ? { field: err.field } : {});
      throw err;
    }
    if (state.shows.has(show.showId)) throw new HttpError(409, 'DUPLICATE', `A show ${show.showId} exists.`);
    const added: Show = { ...show, cancelled: null };
    state.shows.set(show.showId, added);
    res.status(201).json(showView(added, null));
  });
  admin.post('/shows/:id/cancel', async (req, res) => {
    const show = showOf(req);
    const reason = (req.body as { reason?: unknown }).reason;
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 60) throw new HttpError(400, 'INVALID_PARAMS', 'Give a reason of 1 to 60 characters; fans see it.', { field: 'reason' });
    res.json(await cancelShow(show, reason.trim()));
  });
  admin.post('/clock', (req, res) => {
    const seconds = (req.body as { advanceSeconds?: unknown }).advanceSeconds;
    if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > 400 * 86_400) {
      throw new HttpError(400, 'INVALID_PARAMS', 'advanceSeconds is a whole number of seconds from 1 to 400 days.', { field: 'advanceSeconds' });
    }
    res.json({ now: clock.advance(seconds * 1000), offsetSeconds: Math.round(clock.offset() / 1000) });
  });
  admin.post('/settle', async (_req, res) => {
    res.json(await settle());
  });
  app.use('/admin', admin);

  endRoutes(app, log);

  let server: Server | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    app,
    state,
    clock,
    adminToken,
    settle,
    async listen(port, host) {
      const s = await listenOn(app, port, host);
      server = s;
      const every = options.settleEveryMs ?? 60_000;
      if (every > 0) {
        timer = setInterval(() => void settle().catch(() => undefined), every);
        timer.unref();
      }
      const { port: actual } = s.address() as AddressInfo;
      return `http://${host}:${actual}`;
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      const s = server;
      server = null;
      await stopServer(s);
    },
  };
}
