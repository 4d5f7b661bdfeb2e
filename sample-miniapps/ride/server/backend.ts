/**
 * The merchant back end of the ride-hailing sample ("快行出行"): what a ride company runs on its
 * own servers. It talks to the bank only through the public Open API client (`open-client`) and
 * keeps its own state in memory:
 *
 * - `POST /session` exchanges the mini-app's login code (code2Session) for the rider's openId;
 * - `POST /quotes` prices a trip from the pick-up point to a destination;
 * - `POST /rides` creates the deposit hold the rider authorizes in the bank's sheet;
 * - `POST /rides/:id/agreement` records the password-free agreement after checking it with the bank;
 * - `POST /rides/:id/start`, `/finish`, `/cancel` run the trip: at the end the fare is charged
 *   under the agreement and the hold released (or, without an agreement, the fare is captured
 *   from the hold; a cancellation captures a fee), and points are awarded;
 * - `GET /rides/:id` the ride as the receipt page shows it;
 * - `POST /lily/webhook` verifies and opens the bank's signed, enveloped webhooks.
 *
 * A sample app serves both worlds: the session remembers whether the rider came from the
 * sandbox or production, and every later call uses that world's credentials.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import { LilyOpenApiError, LilyOpenClient } from '../../../open-client/index.ts';
import { endRoutes, exchangeLoginCode, HttpError } from '../../shared/http.ts';
import { listenOn, stopServer } from '../../shared/serve.ts';
import { webhookReceiver, type ReceivedWebhook } from '../../shared/webhooks.ts';
import { DEPOSIT, estimate, PLACES, type FareEstimate } from './fares.ts';

/** A world of the bank: separate credentials, funds and users. */
export type RideEnv = 'sandbox' | 'production';

/** One set of Open API credentials (the private key stays on this server). */
export interface RideCredentials {
  appId: string;
  serialNo: string;
  privateKey: string;
}

/** Options of {@link createRideBackend}. */
export interface RideBackendOptions {
  /** Where the bank's Open API answers, e.g. `http://127.0.0.1:3000`. */
  lilyUrl: string;
  /** The bank's SM2 public key, to verify responses and webhooks. */
  bankPublicKey: string;
  /** Credentials per world; a world without credentials is not served. */
  credentials: Partial<Record<RideEnv, RideCredentials>>;
  /** Points awarded per yuan of fare (default 1). */
  pointsPerYuan?: number;
  /** Cancellation fee captured from the hold, in fen (default 500). */
  cancellationFee?: number;
  /** Logs a line (default: nothing). */
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/** A rider's session with this back end. */
export interface RideSession {
  token: string;
  env: RideEnv;
  openId: string;
  createdAt: number;
}

/** A quote the rider may book. */
export interface RideQuote extends FareEstimate {
  quoteId: string;
  openId: string;
  env: RideEnv;
  from: { latitude: number; longitude: number };
  to: { id: string; name: string };
  deposit: number;
  createdAt: number;
}

/** The state of a ride. */
export type RideStatus = 'booked' | 'on_trip' | 'finished' | 'cancelled';

/** A ride, as this back end keeps it. */
export interface Ride {
  rideId: string;
  env: RideEnv;
  openId: string;
  quote: RideQuote;
  status: RideStatus;
  holdId: string;
  outHoldNo: string;
  holdStatus: string;
  agreementId: string | null;
  /** The fare charged, in fen (0 until the end). */
  charged: number;
  /** How the fare was collected. */
  payment: 'agreement' | 'hold' | null;
  orderId: string | null;
  /** Amount captured from the hold, in fen. */
  captured: number;
  points: number;
  startedAt: number | null;
  endedAt: number | null;
}

export type { ReceivedWebhook } from '../../shared/webhooks.ts';

/** Everything the back end remembers (in memory: a sample, not a database). */
export interface RideState {
  sessions: Map<string, RideSession>;
  quotes: Map<string, RideQuote>;
  rides: Map<string, Ride>;
  /** Active agreements by `<env>|<openId>`. */
  agreements: Map<string, string>;
  webhooks: ReceivedWebhook[];
}

/** A running back end. */
export interface RideBackend {
  /** The Express app (mount it or {@link RideBackend.listen}). */
  app: express.Express;
  state: RideState;
  /** Listens on `host:port` (port 0: any free port); resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops listening. */
  close(): Promise<void>;
}

const newId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

/**
 * Builds the ride back end.
 *
 * @example
 * ```ts
 * const backend = createRideBackend({ lilyUrl, bankPublicKey, credentials: { production: { appId, serialNo, privateKey } } });
 * const url = await backend.listen(4101, '127.0.0.1');
 * ```
 */
export function createRideBackend(options: RideBackendOptions): RideBackend {
  const log = options.log ?? (() => undefined);
  const pointsPerYuan = options.pointsPerYuan ?? 1;
  const cancellationFee = options.cancellationFee ?? 500;
  const clients = new Map<RideEnv, LilyOpenClient>();
  for (const env of ['production', 'sandbox'] as const) {
    const c = options.credentials[env];
    if (c) clients.set(env, new LilyOpenClient({ baseUrl: options.lilyUrl, appId: c.appId, serialNo: c.serialNo, privateKey: c.privateKey, bankPublicKey: options.bankPublicKey }));
  }
  const state: RideState = { sessions: new Map(), quotes: new Map(), rides: new Map(), agreements: new Map(), webhooks: [] };
  const client = (env: RideEnv) => {
    const c = clients.get(env);
    if (!c) throw new HttpError(503, 'UNAVAILABLE', `This back end has no ${env} credentials.`);
    return c;
  };

  const session = (req: Request): RideSession => {
    const body = (req.body ?? {}) as { token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof req.query.token === 'string' ? req.query.token : '';
    const s = state.sessions.get(token);
    if (!s) throw new HttpError(401, 'SESSION_INVALID', 'Log in again.');
    return s;
  };
  const rideOf = (req: Request, s: RideSession): Ride => {
    const ride = state.rides.get(String(req.params.id));
    if (!ride || ride.openId !== s.openId || ride.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such ride.');
    return ride;
  };
  const view = (ride: Ride) => ({
    rideId: ride.rideId,
    status: ride.status,
    from: ride.quote.from,
    to: ride.quote.to,
    distanceKm: ride.quote.distanceKm,
    minutes: ride.quote.minutes,
    estimate: ride.quote.fare,
    deposit: ride.quote.deposit,
    holdId: ride.holdId,
    holdStatus: ride.holdStatus,
    agreement: ride.agreementId !== null,
    charged: ride.charged,
    payment: ride.payment,
    orderId: ride.orderId,
    captured: ride.captured,
    points: ride.points,
  });
  const awardPoints = async (ride: Ride) => {
    const points = Math.floor(ride.charged / 100) * pointsPerYuan;
    if (points <= 0) return;
    await client(ride.env).post('/open/v1/member/points/earn', { openId: ride.openId, points, outBizNo: `PTS-${ride.rideId}`, reason: `快行出行 ${ride.quote.to.name}`.slice(0, 60) }, { idempotencyKey: `PTS-${ride.rideId}` });
    ride.points = points;
  };

  const app = express();
  app.disable('x-powered-by');
  // Webhooks are verified over the exact bytes received: mounted before any JSON parser.
  app.post('/lily/webhook', ...webhookReceiver({ credentials: options.credentials, bankPublicKey: options.bankPublicKey, received: state.webhooks, onEvent: (r) => onEvent(r), log }));
  app.use(express.json({ limit: '32kb' }));

  /** Keeps the rides in step with what the bank reports. */
  const onEvent = (record: ReceivedWebhook) => {
    const { eventType, resource } = record.event!;
    log('webhook', { eventType, env: record.env });
    if (eventType.startsWith('hold.')) {
      const ride = [...state.rides.values()].find((r) => r.holdId === resource.holdId);
      // Webhooks may arrive late or out of order: a hold only ever moves forward.
      const rank = (status: string) => ({ created: 0, held: 1, captured: 2, released: 2, expired: 2 })[status] ?? -1;
      if (ride && typeof resource.status === 'string' && rank(resource.status) > rank(ride.holdStatus)) ride.holdStatus = resource.status;
    }
  };

  app.get('/places', (_req, res) => {
    res.json({ places: PLACES.map((p) => ({ id: p.id, name: p.name })) });
  });

  app.post('/session', async (req, res) => {
    const code = (req.body as { code?: unknown }).code;
    if (typeof code !== 'string') throw new HttpError(400, 'INVALID_PARAMS', 'code is required.');
    const login = await exchangeLoginCode(clients.keys(), code, (env, c) => clients.get(env)!.post<{ openId: string }>('/open/v1/auth/code2session', { code: c }));
    const found = { env: login.env, openId: login.session.openId };
    const token = newId('rs_') + randomBytes(10).toString('hex');
    state.sessions.set(token, { token, env: found.env, openId: found.openId, createdAt: Date.now() });
    res.json({ token, env: found.env, rider: `…${found.openId.slice(-4)}`, agreement: state.agreements.has(`${found.env}|${found.openId}`) });
  });

  app.post('/quotes', (req, res) => {
    const s = session(req);
    const { from, to } = req.body as { from?: { latitude?: unknown; longitude?: unknown }; to?: unknown };
    const place = PLACES.find((p) => p.id === to);
    const lat = Number(from?.latitude);
    const lng = Number(from?.longitude);
    if (!place || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      throw new HttpError(400, 'INVALID_PARAMS', 'Give a pick-up point and a known destination.');
    }
    const quote: RideQuote = {
      quoteId: newId('q_'),
      openId: s.openId,
      env: s.env,
      from: { latitude: lat, longitude: lng },
      to: { id: place.id, name: place.name },
      deposit: DEPOSIT,
      createdAt: Date.now(),
      ...estimate({ latitude: lat, longitude: lng }, place),
    };
    state.quotes.set(quote.quoteId, quote);
    res.json({ quoteId: quote.quoteId, to: quote.to, distanceKm: quote.distanceKm, minutes: quote.minutes, fare: quote.fare, deposit: quote.deposit });
  });

  app.post('/rides', async (req, res) => {
    const s = session(req);
    const quote = state.quotes.get(String((req.body as { quoteId?: unknown }).quoteId));
    if (!quote || quote.openId !== s.openId || quote.env !== s.env) throw new HttpError(404, 'NOT_FOUND', 'No such quote.');
    const rideId = newId('ride_');
    const outHoldNo = `HOLD-${rideId}`;
    const hold = await client(s.env).post<{ holdId: string; status: string }>(
      '/open/v1/holds',
      { openId: s.openId, outHoldNo, amount: quote.deposit, description: `快行出行 押金 → ${quote.to.name}`.slice(0, 127), expireSeconds: 86_400 },
      { idempotencyKey: outHoldNo },
    );
    const agreementId = state.agreements.get(`${s.env}|${s.openId}`) ?? null;
    const ride: Ride = {
      rideId, env: s.env, openId: s.openId, quote, status: 'booked', holdId: hold.holdId, outHoldNo, holdStatus: hold.status,
      agreementId, charged: 0, payment: null, orderId: null, captured: 0, points: 0, startedAt: null, endedAt: null,
    };
    state.rides.set(rideId, ride);
    state.quotes.delete(quote.quoteId);
    res.status(201).json(view(ride));
  });

  app.post('/rides/:id/agreement', async (req, res) => {
    const s = session(req);
    const ride = rideOf(req, s);
    const agreementId = String((req.body as { agreementId?: unknown }).agreementId ?? '');
    // Never trust the mini-app's word: ask the bank whether the agreement is real, ours and active.
    const agreement = await client(s.env).get<{ agreementId: string; status: string; scene: string; perChargeLimit: number }>(
      `/open/v1/agreements/${encodeURIComponent(agreementId)}`,
    );
    if (agreement.status !== 'active' || agreement.scene !== 'ride') throw new HttpError(409, 'INVALID_STATE', 'The agreement is not active.');
    state.agreements.set(`${s.env}|${s.openId}`, agreement.agreementId);
    ride.agreementId = agreement.agreementId;
    res.json(view(ride));
  });

  app.post('/rides/:id/start', (req, res) => {
    const s = session(req);
    const ride = rideOf(req, s);
    if (ride.status !== 'booked') throw new HttpError(409, 'INVALID_STATE', `The ride is ${ride.status}.`);
    const held = (req.body as { holdStatus?: unknown }).holdStatus;
    if (held === 'held') ride.holdStatus = 'held';
    if (ride.holdStatus !== 'held') throw new HttpError(409, 'INVALID_STATE', 'Authorize the deposit first.');
    ride.status = 'on_trip';
    ride.startedAt = Date.now();
    res.json(view(ride));
  });

  app.post('/rides/:id/finish', async (req, res) => {
    const s = session(req);
    const ride = rideOf(req, s);
    if (ride.status === 'finished') {
      res.json(view(ride));
      return;
    }
    if (ride.status !== 'on_trip') throw new HttpError(409, 'INVALID_STATE', `The ride is ${ride.status}.`);
    const fare = ride.quote.fare;
    const lily = client(ride.env);
    const agreementId = ride.agreementId ?? state.agreements.get(`${ride.env}|${ride.openId}`) ?? null;
    let charged = false;
    if (agreementId) {
      try {
        const charge = await lily.post<{ orderId: string; amount: number }>(
          `/open/v1/agreements/${encodeURIComponent(agreementId)}/charges`,
          { outTradeNo: `FARE-${ride.rideId}`, amount: fare, description: `快行出行 ${ride.quote.distanceKm} km → ${ride.quote.to.name}`.slice(0, 127) },
          { idempotencyKey: `FARE-${ride.rideId}` },
        );
        ride.orderId = charge.orderId;
        ride.charged = charge.amount;
        ride.payment = 'agreement';
        charged = true;
        const released = await lily.post<{ status: string }>(`/open/v1/holds/${ride.holdId}/release`, {}, { idempotencyKey: `REL-${ride.rideId}` });
        ride.holdStatus = released.status;
      } catch (err) {
        // The agreement was terminated or a limit was hit: fall back to the deposit.
        if (charged || !(err instanceof LilyOpenApiError)) throw err;
        log('agreement charge refused, capturing the hold', { code: err.code });
        state.agreements.delete(`${ride.env}|${ride.openId}`);
      }
    }
    if (!charged) {
      const amount = Math.min(fare, ride.quote.deposit);
      const captured = await lily.post<{ status: string; capturedAmount: number; orderId?: string }>(
        `/open/v1/holds/${ride.holdId}/capture`,
        { amount },
        { idempotencyKey: `CAP-${ride.rideId}` },
      );
      ride.holdStatus = captured.status;
      ride.captured = captured.capturedAmount;
      ride.charged = captured.capturedAmount;
      ride.payment = 'hold';
      ride.orderId = captured.orderId ?? null;
    }
    ride.status = 'finished';
    ride.endedAt = Date.now();
    await awardPoints(ride);
    res.json(view(ride));
  });

  app.post('/rides/:id/cancel', async (req, res) => {
    const s = session(req);
    const ride = rideOf(req, s);
    if (ride.status === 'finished' || ride.status === 'cancelled') throw new HttpError(409, 'INVALID_STATE', `The ride is ${ride.status}.`);
    const lily = client(ride.env);
    if (ride.status === 'on_trip') {
      // The driver is on the way: a cancellation fee comes out of the deposit, the rest goes back.
      const captured = await lily.post<{ status: string; capturedAmount: number }>(`/open/v1/holds/${ride.holdId}/capture`, { amount: cancellationFee }, { idempotencyKey: `CAP-${ride.rideId}` });
      ride.holdStatus = captured.status;
      ride.captured = captured.capturedAmount;
      ride.charged = captured.capturedAmount;
      ride.payment = 'hold';
    } else if (ride.holdStatus === 'held') {
      ride.holdStatus = (await lily.post<{ status: string }>(`/open/v1/holds/${ride.holdId}/release`, {}, { idempotencyKey: `REL-${ride.rideId}` })).status;
    }
    ride.status = 'cancelled';
    ride.endedAt = Date.now();
    res.json(view(ride));
  });

  app.get('/rides/:id', (req, res) => {
    res.json(view(rideOf(req, session(req))));
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
      return `http://${host}:${actual}`;
    },
    async close() {
      const s = server;
      server = null;
      await stopServer(s);
    },
  };
}
