/**
 * The Open API (`/open/v1`): the signed HTTP interface merchants' servers call.
 *
 * Every request passes, in this order, and is refused at the first failing check, before its
 * handler runs and before anything is written (the nonce is the only record a refused request can
 * leave, and only once its signature verified):
 *
 * 1. route: a declared path (ROUTE_NOT_FOUND) and method (METHOD_NOT_ALLOWED);
 * 2. `Authorization: LILY-SM2-SM3 …` present and well formed (SIGNATURE_MISSING, SIGNATURE_INVALID);
 * 3. timestamp within ±300 s of the server clock (TIMESTAMP_OUT_OF_WINDOW);
 * 4. the key `(app_id, serial_no)` exists (SIGNATURE_INVALID) and is usable (KEY_REVOKED);
 * 5. the body fits the route's limit (PAYLOAD_TOO_LARGE) and the signature verifies over the exact
 *    bytes (SIGNATURE_INVALID);
 * 6. the app exists and is not suspended or delisted (APP_SUSPENDED, APP_NOT_LIVE), an `{appId}`
 *    in the path is the signing app (FORBIDDEN), and a capability route's capability is granted
 *    to the app in the key's environment (PERMISSION_DENIED);
 * 7. an `Idempotency-Key` on every POST (IDEMPOTENCY_KEY_REQUIRED); params and body valid
 *    (INVALID_PARAMS, INVALID_JSON, UNSUPPORTED_MEDIA_TYPE); a handler registered (UNAVAILABLE);
 * 8. the nonce not used before by the app (NONCE_REPLAYED), then spent;
 * 9. the app's rate limit for the route's tier (RATE_LIMITED, with `Retry-After`);
 * 10. the idempotency ledger: a stored answer is replayed, a different request with the same key
 *    is refused (IDEMPOTENCY_CONFLICT), a duplicate of a running request waits its turn
 *    (IDEMPOTENCY_IN_PROGRESS).
 *
 * Every response, success or problem+json, is signed by the bank (`Lily-Signature`,
 * `Lily-Timestamp`, `Lily-Nonce`, `Lily-Serial`). See `docs/open-api-signing.md`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type NextFunction } from 'express';
import { RATE_TIERS, type OpenApiRoute, type RateTier } from '../../capabilities/define.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { ERRORS, LilyError, toErrorPayload, toProblem, type ErrorPayload } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit.ts';
import { isUsable, type SigningKey } from '../credentials/credentials.ts';
import { createSm2Service, type Sm2Service } from '../crypto/sm2-pool.ts';
import type { BankKeys } from '../keys.ts';
import { lazyLog, startRequest, type TrackedRequest } from '../http/request-id.ts';
import type { Logger } from '../log.ts';
import { RateLimiter } from '../policies/flow.ts';
import type { AppStatus, Env, GrantFacts } from '../policies/gates.ts';
import type { Store } from '../store/types.ts';
import { parseJsonBody, readRawBody } from './body.ts';
import { IDEMPOTENCY_KEY, IdempotencyStore, requestFingerprint, type IdempotencyScope } from './idempotency.ts';
import { NonceStore } from './nonces.ts';
import { RouteTable, type RouteEntry } from './routes.ts';
import { canonicalRequest, parseAuthorization, signResponseWith } from './signing.ts';
import type { OpenApiContext, OpenApiHandler, PlatformRouteSpec, RouteInfo } from './types.ts';
import type { JSONSchema } from '../../capabilities/schema-types.ts';
import { pingRoutes } from './ping.ts';

/** What the Open API needs. */
export interface OpenApiDeps {
  store: Store;
  /** Key lookups (`CredentialService`). */
  credentials: { lookup(appId: string, serial: string): Promise<SigningKey | null> };
  /** App status lookups (`AppService`): throws NOT_FOUND for an unknown app. */
  apps: { get(appId: string): Promise<{ status: AppStatus }> };
  /** Grant lookups (`GrantService`): a capability route answers only apps granted its capability. */
  grants: { facts(appId: string, env: Env, capability: string): Promise<GrantFacts | null> };
  audit: Pick<AuditLog, 'append'>;
  /** Signs every response. */
  bankKeys: BankKeys;
  /** Verifies requests and signs responses (worker threads); inline with the bank key by default. */
  sm2?: Pick<Sm2Service, 'verify' | 'signBank'>;
  /** The capability routes come from `registry.routes()`. */
  registry: Pick<Registry, 'routes'>;
  log: Logger;
  /** Token buckets; pass the server's shared limiter, or one is created. */
  limiter?: RateLimiter;
  /** Milliseconds since the epoch (tests pass a movable clock). */
  now?: () => number;
}

/** Tunables, each with a default. */
export interface OpenApiOptions {
  /** Accepted distance between the request timestamp and the server clock (default 300 s). */
  timestampWindowSeconds?: number;
  /** How long idempotency answers are kept (default 24 h). */
  idempotencyTtlSeconds?: number;
  /** After this long a running reservation is presumed dead and may be taken over (default 60 s). */
  idempotencyLeaseSeconds?: number;
  /** Per-tier overrides of `RATE_TIERS[tier].openApiPerMinute` (per app and environment). */
  rateLimitPerMinute?: Partial<Record<RateTier, number>>;
}

/** The Open API: its router, and the registration of handlers and platform routes. */
export interface OpenApi {
  /**
   * The Express router. Mount it at `/open/v1` BEFORE any global body parser: it reads and
   * verifies the raw body itself, with per-route size limits.
   */
  readonly router: Router;
  /**
   * Answers a request on Node's own request and response, without Express in front (the server
   * sends every `/open/v1` request here first). Gives the request its id and logger when nothing
   * did before. Resolves once the answer is sent.
   */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Creates the store indexes (nonces, idempotency). Call once at start-up. */
  init(): Promise<void>;
  /**
   * Registers the handler of a capability route, by the route object (types inferred from its
   * schemas) or by operationId.
   */
  handle<R extends OpenApiRoute>(route: R, handler: OpenApiHandler<R>): OpenApi;
  handle(operationId: string, handler: OpenApiHandler): OpenApi;
  /**
   * Adds a platform route (not declared by a capability) with its handler; the handler's types
   * are inferred from the route's schemas.
   */
  route<
    const P extends JSONSchema | undefined = undefined,
    const B extends JSONSchema | undefined = undefined,
    const S extends JSONSchema | undefined = undefined,
  >(route: PlatformRouteSpec<P, B, S>): OpenApi;
  /** Every route, with whether it has a handler. */
  routes(): RouteInfo[];
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** A request being answered: Node's own, with its id and logger (and Express's fields if it came through Express). */
type OpenRequest = TrackedRequest & { originalUrl?: string; rawBody?: Uint8Array };

/** The URL as the client sent it (Express strips a mount path from `req.url`, not from `originalUrl`). */
function fullUrl(req: IncomingMessage & { originalUrl?: string }): string {
  return req.originalUrl ?? req.url ?? '/';
}

/** A request header as one string (the first, should a client repeat it). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True for the paths the Open API answers: `/open/v1` and below. */
export function isOpenApiPath(url: string): boolean {
  if (!url.startsWith('/open/v1')) return false;
  const c = url.charCodeAt(8);
  return Number.isNaN(c) || c === 47 /* / */ || c === 63 /* ? */;
}

/**
 * Builds the Open API.
 *
 * @example
 * ```ts
 * const openApi = createOpenApi({ store, credentials, apps, audit, bankKeys, registry, log, limiter });
 * await openApi.init();
 * openApi.handle('queryOrder', async (ctx, { params }) => orders.get(ctx.env, ctx.appId, params.orderId));
 * openApi.route({ method: 'POST', path: '/open/v1/apps/{appId}/versions', operationId: 'uploadVersion',
 *   params, body, bodyLimit: 12 * 1024 * 1024, handler: async (ctx, { body }) => versions.upload(ctx, body) });
 * app.use('/open/v1', openApi.router); // before express.json()
 * ```
 */
export function createOpenApi(deps: OpenApiDeps, options: OpenApiOptions = {}): OpenApi {
  const now = deps.now ?? Date.now;
  const windowSeconds = options.timestampWindowSeconds ?? 300;
  const limiter = deps.limiter ?? new RateLimiter(now);
  const table = new RouteTable(deps.registry.routes());
  const nonces = new NonceStore(deps.store, windowSeconds, now);
  const idempotency = new IdempotencyStore(
    deps.store,
    { ttlSeconds: options.idempotencyTtlSeconds ?? 24 * 60 * 60, leaseSeconds: options.idempotencyLeaseSeconds ?? 60 },
    now,
  );
  const perMinute = (tier: RateTier): number => options.rateLimitPerMinute?.[tier] ?? RATE_TIERS[tier].openApiPerMinute;
  const sm2 = deps.sm2 ?? createSm2Service(deps.bankKeys, { threads: 0 });
  const signBank = (message: string) => sm2.signBank(message);

  /** Sends a body signed by the bank. */
  const send = async (res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): Promise<void> => {
    const signature = await signResponseWith(signBank, deps.bankKeys.serial, body, now());
    res.statusCode = status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    for (const [k, v] of Object.entries(signature)) res.setHeader(k, v);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', String(Buffer.byteLength(body)));
    res.end(body);
  };

  const problemBody = (req: OpenRequest, payload: ErrorPayload): string => JSON.stringify(toProblem(payload, req.id, fullUrl(req)));

  const sendError = async (req: OpenRequest, res: ServerResponse, err: unknown, headers: Record<string, string> = {}): Promise<void> => {
    const payload = toErrorPayload(err);
    if (!(err instanceof LilyError) || ERRORS[err.code].fault === 'server') req.log.error({ err }, 'open api request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    const extra = { ...headers };
    if (err instanceof LilyError) {
      if (err.code === 'METHOD_NOT_ALLOWED' && Array.isArray(err.details?.allow)) extra.Allow = (err.details.allow as string[]).join(', ');
      if (err.code === 'IDEMPOTENCY_IN_PROGRESS') extra['Retry-After'] = '1';
    }
    await send(res, ERRORS[payload.code].status, PROBLEM_TYPE, problemBody(req, payload), extra);
  };

  /** Takes a token for the app; returns the RateLimit-* headers, or throws RATE_LIMITED with them. */
  const rateLimit = (appId: string, env: string, tier: RateTier): Record<string, string> => {
    const limit = perMinute(tier);
    const take = limiter.take(`open|${appId}|${env}|${tier}`, { perMinute: limit, burst: limit });
    const policy = `${limit};w=60`;
    if (!take.ok) {
      const retryAfter = String(Math.max(1, Math.ceil(take.retryAfterMs / 1000)));
      const headers = {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': retryAfter,
        'RateLimit-Policy': policy,
        'Retry-After': retryAfter,
      };
      throw Object.assign(
        new LilyError('RATE_LIMITED', `More than ${limit} requests a minute for this app; retry in ${retryAfter} s.`, {
          retryAfterSeconds: Number(retryAfter),
        }),
        { headers },
      );
    }
    const reset = limit > 0 ? Math.ceil(((limit - take.remaining) * 60) / limit) : 60;
    return {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(take.remaining),
      'RateLimit-Reset': String(Math.max(0, reset)),
      'RateLimit-Policy': policy,
    };
  };

  /** Answers a request under `/open/v1`. */
  const dispatch = async (incoming: IncomingMessage, res: ServerResponse): Promise<void> => {
    const req: OpenRequest = (incoming as Partial<TrackedRequest>).id ? (incoming as OpenRequest) : startRequest(deps.log, incoming, res);
    const url = fullUrl(req);
    const method = req.method ?? 'GET';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    let rateHeaders: Record<string, string> = {};
    try {
      // 1. route
      const match = table.match(method, rawPath);
      if (match.kind === 'none') throw new LilyError('ROUTE_NOT_FOUND', `No Open API endpoint ${method} ${rawPath}.`);
      if (match.kind === 'wrong-method') {
        throw new LilyError('METHOD_NOT_ALLOWED', `${rawPath} does not accept ${method}; it accepts ${match.allow.join(', ')}.`, {
          allow: match.allow,
        });
      }
      const route = match.route;

      // 2-4. signature header, clock, key
      const auth = parseAuthorization(header(req, 'authorization'));
      const nowMs = now();
      const skew = Math.floor(nowMs / 1000) - Number(auth.timestamp);
      if (Math.abs(skew) > windowSeconds) {
        throw new LilyError(
          'TIMESTAMP_OUT_OF_WINDOW',
          `The request timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the server clock; the window is ±${windowSeconds} s.`,
          { serverTime: Math.floor(nowMs / 1000) },
        );
      }
      const key = await deps.credentials.lookup(auth.appId, auth.serialNo);
      if (!key) throw new LilyError('SIGNATURE_INVALID', `App ${auth.appId} has no key with serial_no ${auth.serialNo}.`);
      if (!isUsable(key, nowMs)) {
        throw new LilyError(
          'KEY_REVOKED',
          key.status === 'revoked'
            ? `The key ${key.serial} has been revoked; sign with an active key.`
            : `The key ${key.serial} was rotated out and its overlap has ended; sign with the new key.`,
        );
      }

      // 5. exact body bytes and the signature over them
      const raw = await readRawBody(req, route.bodyLimit);
      if (!(await sm2.verify(canonicalRequest(method, url, auth.timestamp, auth.nonce, raw), auth.signatureHex, key.publicKey))) {
        throw new LilyError(
          'SIGNATURE_INVALID',
          'The signature does not verify: sign METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n exactly as sent, with the key of this serial_no.',
        );
      }
      const appId = key.appId;
      const env = key.env;
      lazyLog(req, deps.log, { requestId: req.id, appId, env, operationId: route.operationId });

      // 6. the app, and the app named in the path
      let status: AppStatus;
      try {
        status = (await deps.apps.get(appId)).status;
      } catch (err) {
        if (err instanceof LilyError && err.code === 'NOT_FOUND') status = 'delisted';
        else throw err;
      }
      if (status === 'suspended') throw new LilyError('APP_SUSPENDED', `App ${appId} is suspended.`);
      if (status === 'delisted') throw new LilyError('APP_NOT_LIVE', `App ${appId} is delisted.`);
      if ('appId' in match.pathParams && match.pathParams.appId !== appId) {
        throw new LilyError('FORBIDDEN', `This request is signed by app ${appId}; it cannot act on app ${match.pathParams.appId}.`);
      }
      if (route.capability !== null) {
        const grant = await deps.grants.facts(appId, env, route.capability);
        if (grant?.status !== 'granted') {
          throw new LilyError(
            'PERMISSION_DENIED',
            `${route.operationId} belongs to ${route.capability}, which ${grant ? 'was revoked for' : 'is not granted to'} app ${appId} in ${env}; apply for it in the merchant portal.`,
            { capability: route.capability },
          );
        }
      }

      // 7. idempotency key, input, handler
      const idempotencyKey = method === 'GET' ? null : (header(req, 'idempotency-key') ?? null);
      if (method === 'POST' && idempotencyKey === null) {
        throw new LilyError('IDEMPOTENCY_KEY_REQUIRED', 'POST requests need an Idempotency-Key header (1-128 visible ASCII characters).');
      }
      if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new LilyError('IDEMPOTENCY_KEY_REQUIRED', 'The Idempotency-Key must be 1-128 visible ASCII characters.');
      }
      const params = table.parseParams(route, match.pathParams, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
      const takesBody = method === 'POST' || method === 'PUT';
      if (!takesBody && raw.length > 0) throw new LilyError('INVALID_PARAMS', `${method} requests take no body.`);
      const body = takesBody ? table.parseBody(route, parseJsonBody(raw, header(req, 'content-type'))) : undefined;
      const handler = route.handler;
      if (!handler) throw new LilyError('UNAVAILABLE', `${route.operationId} is not available yet.`);

      // 8. the nonce: from here on the request counts
      if (!(await nonces.spend(appId, auth.nonce, Number(auth.timestamp)))) {
        throw new LilyError('NONCE_REPLAYED', 'This nonce was already used by this app; sign every request with a new nonce.');
      }

      // 9. flow control
      rateHeaders = rateLimit(appId, env, route.tier);

      // 10. idempotency, then the handler
      const scope: IdempotencyScope | null = idempotencyKey === null ? null : { appId, env, key: idempotencyKey };
      let reservationId: string | null = null;
      if (scope) {
        const reservation = await idempotency.begin(scope, requestFingerprint(method, url, raw), req.id);
        if (reservation.kind === 'replay') {
          await send(res, reservation.status, reservation.contentType, reservation.body, { ...rateHeaders, 'Idempotency-Replayed': 'true' });
          return;
        }
        reservationId = reservation.id;
      }
      await run(req, res, { route, handler, params, body, appId, env, serial: key.serial, idempotencyKey, reservationId, rateHeaders });
    } catch (err) {
      const headers = { ...rateHeaders, ...((err as { headers?: Record<string, string> }).headers ?? {}) };
      await sendError(req, res, err, headers).catch((failure: unknown) => {
        req.log.error({ err: failure }, 'open api answer could not be sent');
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      });
    }
  };

  /** Runs a handler, stores its answer under the idempotency key when there is one, and sends it. */
  const run = async (
    req: OpenRequest,
    res: ServerResponse,
    call: {
      route: RouteEntry;
      handler: OpenApiHandler<unknown>;
      params: Record<string, unknown>;
      body: unknown;
      appId: string;
      env: SigningKey['env'];
      serial: string;
      idempotencyKey: string | null;
      /** The idempotency reservation the answer is stored under, if the request has a key. */
      reservationId: string | null;
      rateHeaders: Record<string, string>;
    },
  ): Promise<void> => {
    const { route, appId, env, reservationId, rateHeaders } = call;
    const ctx: OpenApiContext = {
      appId,
      env,
      serial: call.serial,
      operationId: route.operationId,
      store: deps.store,
      requestId: req.id,
      idempotencyKey: call.idempotencyKey,
      now,
      get log() {
        return req.log;
      },
      async audit(entry, tx) {
        await deps.audit.append({ ...entry, actor: { kind: 'app', id: appId }, data: { ...entry.data, env, requestId: req.id } }, tx);
      },
    };
    let status = 200;
    let contentType = JSON_TYPE;
    let body: string;
    try {
      const result = await call.handler(ctx, { params: call.params, body: call.body });
      const problems = table.checkResult(route, result);
      if (problems) {
        // The handler's effects happened: answer INTERNAL, but keep the answer for retries so
        // that nothing runs twice.
        req.log.error({ problems }, `handler of ${route.operationId} answered outside its result schema`);
        status = 500;
        contentType = PROBLEM_TYPE;
        body = problemBody(req, toErrorPayload(new LilyError('INTERNAL')));
      } else {
        body = JSON.stringify(result ?? null);
      }
    } catch (err) {
      const payload = toErrorPayload(err);
      if (!(err instanceof LilyError) || ERRORS[err.code].fault === 'server') {
        // Server faults are not remembered: the request may be retried with the same key.
        if (reservationId !== null) await idempotency.abandon(reservationId);
        throw err;
      }
      status = ERRORS[payload.code].status;
      contentType = PROBLEM_TYPE;
      body = problemBody(req, payload);
    }
    if (reservationId !== null) await idempotency.complete(reservationId, status, contentType, body);
    await send(res, status, contentType, body, rateHeaders);
  };

  const router = Router();
  router.use((req, res, next: NextFunction) => {
    if (!isOpenApiPath(fullUrl(req))) {
      next();
      return;
    }
    void dispatch(req, res);
  });

  const api: OpenApi = {
    router,
    serve: dispatch,
    async init() {
      await nonces.init();
      await idempotency.init();
    },
    handle(routeOrId: OpenApiRoute | string, handler: OpenApiHandler<never>): OpenApi {
      const operationId = typeof routeOrId === 'string' ? routeOrId : routeOrId.operationId;
      table.setHandler(operationId, handler as unknown as OpenApiHandler<unknown>);
      return api;
    },
    route(spec: PlatformRouteSpec): OpenApi {
      const { handler, ...route } = spec;
      table.addPlatformRoute(route, handler as unknown as OpenApiHandler<unknown>);
      return api;
    },
    routes: () => table.list(),
  } as OpenApi;

  const [getPing, postPing] = pingRoutes();
  api.route(getPing).route(postPing);
  return api;
}
