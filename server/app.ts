/**
 * Builds the Lily HTTP app and socket.io server from its dependencies. Never listens: `main.ts`
 * does, and tests build the app in-process on an ephemeral port.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import express, { type Express, type Request } from 'express';
import { Server as SocketServer } from 'socket.io';
import { LilyError } from '../protocol/errors.ts';
import type { Config } from './config.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { requestContext } from './http/request-id.ts';
import { isOpenApiPath } from './openapi/openapi.ts';
import type { Identity } from './identity/identity.ts';
import { authenticate } from './identity/middleware.ts';
import { identityRoutes } from './identity/routes.ts';
import type { BankKeys } from './keys.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/types.ts';
import type { Registry } from '../capabilities/registry.ts';
import type { AppService } from './apps/apps.ts';
import type { AuditLog } from './audit/audit.ts';
import { BridgeDispatcher } from './bridge/dispatch.ts';
import { attachBridge } from './bridge/gateway.ts';
import { catalogRoutes } from './catalog/routes.ts';
import type { ConsentService } from './consents/consents.ts';
import { consentRoutes } from './consents/routes.ts';
import type { EventBus } from './events.ts';
import type { GrantService } from './grants/grants.ts';
import type { ApplicationService } from './applications/applications.ts';
import { auditRoutes } from './audit/routes.ts';
import { marketplaceRoutes } from './marketplace/routes.ts';
import type { MerchantService } from './merchants/merchants.ts';
import { merchantRoutes } from './merchants/routes.ts';
import { ownedApp } from './merchants/owned-app.ts';
import { grantRoutes } from './grants/routes.ts';
import { launchRoutes } from './launch/routes.ts';
import type { CredentialService } from './credentials/credentials.ts';
import { credentialRoutes } from './credentials/routes.ts';
import type { OpenApi } from './openapi/index.ts';
import type { Payments } from './payments/index.ts';
import { rememberOpenId, type Members } from './members/index.ts';
import type { Marketing } from './marketing/index.ts';
import { attachOps } from './ops/gateway.ts';
import { supportRoutes } from './support/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import path from 'node:path';
import { hostApiRoutes } from './host-api/routes.ts';
import { meRoutes } from './host-api/me.ts';
import { CallStats } from './stats/calls.ts';
import { statsRoutes } from './stats/routes.ts';
import { attachDashboard } from './ops/dashboard.ts';
import { staticRoutes } from './static.ts';
import { marketingOpsRoutes } from './marketing/ops-routes.ts';
import { UPLOAD_PATH, versionRoutes } from './versions/routes.ts';
import type { VersionService } from './versions/versions.ts';
import type { LaunchTokens } from './launch/tokens.ts';
import type { Authorizer } from './policies/authorize.ts';
import type { CircuitBreaker, RateLimiter } from './policies/flow.ts';

/** Everything the app needs, built by `main.ts` or a test. */
export interface AppDeps {
  config: Config;
  store: Store;
  log: Logger;
  identity: Identity;
  bankKeys: BankKeys;
  audit: AuditLog;
  bus: EventBus;
  apps: AppService;
  grants: GrantService;
  consents: ConsentService;
  merchants: MerchantService;
  applications: ApplicationService;
  versions: VersionService;
  credentials: CredentialService;
  openApi: OpenApi;
  payments: Payments;
  members: Members;
  marketing: Marketing;
  registry: Registry;
  limiter: RateLimiter;
  breaker: CircuitBreaker;
  authorizer: Authorizer;
  tokens: LaunchTokens;
}

/** The built app. */
export interface LilyApp {
  app: Express;
  server: HttpServer;
  io: SocketServer;
  /** Stops socket.io and the HTTP server (the store is closed by its owner). */
  close(): Promise<void>;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The exact request body bytes (needed to verify Open API signatures). */
    rawBody?: Buffer;
  }
}

const READY_TIMEOUT_MS = 2_000;

/**
 * Builds the app.
 *
 * @example
 * ```ts
 * const { server } = createApp(deps);
 * server.listen(0);
 * ```
 */
export function createApp(deps: AppDeps): LilyApp {
  const { config, store, log, identity, bankKeys, apps, grants, consents, registry, tokens } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use(requestContext(log));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  app.get('/readyz', async (req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('store ping timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      res.json({ status: 'ready', store: store.kind });
    } catch (err) {
      req.log.warn({ err }, 'not ready');
      throw new LilyError('UNAVAILABLE', 'The store is not reachable.');
    } finally {
      clearTimeout(timer);
    }
  });

  // The Open API verifies signatures over the exact body bytes and parses its own bodies. The
  // server hands it its requests before Express (below); mounted here as well for callers of `app`.
  app.use('/open/v1', deps.openApi.router);

  const json = express.json({
    limit: '1mb',
    strict: true,
    type: ['application/json', 'application/*+json'],
    verify: (req, _res, buf) => {
      (req as unknown as Request).rawBody = buf;
    },
  });
  // Package uploads carry up to 12 MiB and are parsed by their own route.
  app.use((req, res, next) => (req.method === 'POST' && UPLOAD_PATH.test(req.path) ? next() : json(req, res, next)));

  // Daily call counts per app for the merchant portal's stats.
  const calls = new CallStats(store);
  const stopCounting = calls.attach(deps.bus);

  const api = express.Router();
  api.use(authenticate(identity));
  api.get('/bank/public-key', (_req, res) => {
    res.json({ algorithm: 'SM2', userId: '1234567812345678', serial: bankKeys.serial, publicKey: bankKeys.publicKey });
  });
  api.use(identityRoutes(identity, { secureCookies: config.publicUrl.startsWith('https:') }));
  api.use(catalogRoutes({ registry }));
  api.use(
    launchRoutes({
      apps,
      grants,
      consents,
      tokens,
      bankKeys,
      onLaunch: async ({ appId, version, userId }) => {
        await deps.versions.report(appId, version, 'launch');
        // Merchants address users by open id (coupons, points, messages): remember the mapping.
        await rememberOpenId(store, { appId, openId: tokens.openId(userId, appId), userId, at: Date.now() });
      },
    }),
  );
  api.use(webhookRoutes({ store, apps, merchants: deps.merchants }));
  api.use(marketingOpsRoutes({ store, marketing: deps.marketing, members: deps.members, audit: deps.audit }));
  api.use(versionRoutes({ versions: deps.versions, apps, merchants: deps.merchants, identity, tokens }));
  api.use(consentRoutes({ consents, apps, registry }));
  api.use(grantRoutes({ grants, apps, registry }));
  api.use(
    merchantRoutes({
      merchants: deps.merchants,
      apps,
      applications: deps.applications,
      registry,
      // Every new app gets sandbox credentials at once; the private key is shown this once.
      onAppCreated: async (appId, merchantId) => {
        const { credential, privateKey } = await deps.credentials.generate(appId, 'sandbox', { kind: 'merchant', id: merchantId });
        return {
          sandboxCredentials: {
            appId,
            env: 'sandbox',
            serialNo: credential.serial,
            publicKey: credential.publicKey,
            privateKey,
            bank: { publicKey: bankKeys.publicKey, serial: bankKeys.serial },
          },
        };
      },
    }),
  );
  api.use(
    credentialRoutes({
      credentials: deps.credentials,
      bankKeys,
      // The owner of the app manages its keys; production keys exist only after the first
      // approved production release.
      authorize: async (req, appId, env) => {
        const principal = req.principal;
        if (!principal) throw new LilyError('UNAUTHENTICATED');
        if (principal.kind !== 'merchant') throw new LilyError('FORBIDDEN', 'Credentials are managed by the app owner.');
        const { merchant, app } = await ownedApp({ merchants: deps.merchants, apps }, principal.id, appId);
        if (env === 'production' && !app.releases.production) {
          throw new LilyError('INVALID_STATE', 'Production credentials are issued after the first approved production release.');
        }
        return { kind: 'merchant', id: merchant._id };
      },
    }),
  );
  api.use(marketplaceRoutes({ apps }));
  api.use(hostApiRoutes({ store, payments: deps.payments, tokens, apps, merchants: deps.merchants, marketing: deps.marketing }));
  api.use(meRoutes({ store, members: deps.members, marketing: deps.marketing, apps }));
  api.use(statsRoutes({ store, apps, merchants: deps.merchants, marketing: deps.marketing, calls }));
  api.use(auditRoutes({ audit: deps.audit }));
  api.use(supportRoutes({ store, audit: deps.audit, pushToUser: (userId, event, payload) => push(userId, event, payload) }));
  app.use('/api', api);

  // The host app: bank-app shell, merchant portal, ops console, developer center (built by
  // `npm run build:host`; `npm start` builds it when its sources changed).
  app.use(staticRoutes(path.resolve(import.meta.dirname, '../dist/host-app')));

  app.use(notFound());
  app.use(errorHandler());

  // Merchant servers' calls skip Express's middleware chain, which they do not use: the Open API
  // gives them their request id, logger and common headers itself.
  const server = createServer((req, res) => {
    if (isOpenApiPath(req.url ?? '/')) void deps.openApi.serve(req, res);
    else app(req, res);
  });
  const io = new SocketServer(server, { serveClient: false, maxHttpBufferSize: 2 * 1024 * 1024 });

  // The dispatcher pushes through the gateway and the gateway dispatches: bind late.
  let push: (userId: string, event: string, payload: Record<string, unknown>) => void = () => undefined;
  const dispatcher = new BridgeDispatcher({
    store,
    registry,
    tokens,
    authorizer: deps.authorizer,
    breaker: deps.breaker,
    audit: deps.audit,
    bus: deps.bus,
    log,
    config,
    pushToUser: (userId, event, payload) => push(userId, event, payload),
  });
  const bridge = attachBridge(io, { identity, tokens, dispatcher, bus: deps.bus, log });
  push = (userId, event, payload) => bridge.pushToUser(userId, event as never, payload);
  const ops = attachOps(io, { identity, bus: deps.bus });
  const dashboard = attachDashboard(ops.nsp, deps.bus, { openSessions: () => bridge.nsp.sockets.size });

  return {
    app,
    server,
    io,
    async close() {
      stopCounting();
      await calls.flush().catch((err: unknown) => log.warn({ err }, 'call counts not written'));
      dashboard.dispose();
      bridge.dispose();
      ops.dispose();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      if (server.listening) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
