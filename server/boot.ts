/**
 * Wires the services from a validated config: store, keys, identity, seed, app. Used by
 * `main.ts` and by tests that want a whole server in-process.
 */
import { createServerRegistry } from '../capabilities/handlers.ts';
import { createApp, type AppDeps, type LilyApp } from './app.ts';
import { ApplicationService } from './applications/applications.ts';
import { AppService } from './apps/apps.ts';
import { MerchantService } from './merchants/merchants.ts';
import { CredentialService } from './credentials/credentials.ts';
import { createSm2Service, type Sm2Service } from './crypto/sm2-pool.ts';
import { createOpenApi } from './openapi/index.ts';
import { registerPlatformRoutes } from './openapi/platform.ts';
import { createPaymentHandlers, deliverOutbox, Payments, registerPaymentOperations } from './payments/index.ts';
import { safeWebhookFetch } from './payments/endpoint.ts';
import { installSamples, type InstalledSamples } from './demo/index.ts';
import { createMemberHandlers, Members, registerMemberOperations, seedMemberDemo } from './members/index.ts';
import { createMarketingHandlers, Marketing, registerMarketingOperations, seedMarketingDemo } from './marketing/index.ts';
import { createInspector } from './versions/inspector.ts';
import { createSmokeRunner } from './versions/smoke.ts';
import { VersionService } from './versions/versions.ts';
import { AuditLog } from './audit/audit.ts';
import { ConsentService } from './consents/consents.ts';
import { EventBus } from './events.ts';
import { GrantService } from './grants/grants.ts';
import { LaunchTokens } from './launch/tokens.ts';
import { Authorizer } from './policies/authorize.ts';
import { CircuitBreaker, RateLimiter } from './policies/flow.ts';
import type { Config } from './config.ts';
import { Identity } from './identity/identity.ts';
import { loadOrCreateBankKeys, loadOrCreateSecret, loadOrCreateSessionSecret } from './keys.ts';
import type { Logger } from './log.ts';
import { seed } from './seed.ts';
import { openStore } from './store/index.ts';

/** A booted server: its dependencies, the app, and one function to shut everything down. */
export interface Booted {
  deps: AppDeps;
  lily: LilyApp;
  /** Starts the background workers (order expiry, webhook delivery); `main.ts` does, tests may. */
  startWorkers(): void;
  /** The sample mini-apps and their merchant back ends (demo mode), or null. */
  demo: InstalledSamples | null;
  close(): Promise<void>;
}

/** How often the workers run. */
const EXPIRY_EVERY_MS = 60_000;
const DELIVERY_EVERY_MS = 5_000;

/**
 * Opens the store, loads keys, seeds (when configured) and builds the app, without listening.
 *
 * @example
 * ```ts
 * const booted = await boot(loadConfig(), createLogger('info'));
 * booted.lily.server.listen(3000);
 * ```
 */
export async function boot(config: Config, log: Logger): Promise<Booted> {
  const bankKeys = loadOrCreateBankKeys(config);
  const sessionSecret = loadOrCreateSessionSecret(config);
  const store = await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, dbName: config.mongodbDb, durability: config.storeDurability });
  let sm2: Sm2Service | undefined;
  try {
    const identity = new Identity({
      store,
      sessionSecret,
      sessionTtlSeconds: config.sessionTtlSeconds,
      scryptCost: config.scryptCost,
      pinPepper: loadOrCreateSecret(config, 'pin.pepper'),
      pinCost: config.pinScryptCost,
    });
    const audit = new AuditLog(store);
    const bus = new EventBus();
    const apps = new AppService(store, audit, bus, bankKeys);
    const grants = new GrantService(store, audit, bus);
    const consents = new ConsentService(store, audit, bus);
    const merchants = new MerchantService(store, audit);
    const applications = new ApplicationService(store, audit, grants);
    const verifyPin = (userId: string, pin: string) => identity.verifyPin(userId, pin);
    const members = new Members({ secret: loadOrCreateSecret(config, 'members.secret'), consents, verifyPin, grants });
    const marketing = new Marketing({ members, bus });
    await members.init(store);
    await marketing.init(store);
    // Coupons and bank campaigns are applied by the cashier through the discount hook.
    const payments = new Payments({ discount: marketing.discountHook() });
    await payments.init(store);
    const registry = createServerRegistry([
      ...createPaymentHandlers({ payments, verifyPin }),
      ...createMemberHandlers({ members }),
      ...createMarketingHandlers({ marketing }),
    ]);
    const inspector = createInspector({ registry, smoke: createSmokeRunner() });
    const versions = new VersionService({ store, apps, grants, audit, inspector });
    for (const service of [identity, audit, apps, grants, consents, merchants, applications, versions]) await service.init();
    const limiter = new RateLimiter();
    const breaker = new CircuitBreaker();
    const authorizer = new Authorizer({ apps, grants, consents, audit, limiter, breaker, log });
    const credentials = new CredentialService(store, audit, { apps });
    await credentials.init();
    const perMinute = config.openApiPerMinute;
    sm2 = createSm2Service(bankKeys, {
      threads: config.cryptoThreads,
      onWorkerLost: (err) => log.error({ err }, 'an SM2 worker thread stopped; its work was done inline and it was restarted'),
    });
    const openApi = createOpenApi(
      { store, credentials, apps, grants, audit, bankKeys, registry, log, limiter, sm2 },
      perMinute ? { rateLimitPerMinute: { light: perMinute, standard: perMinute, sensitive: perMinute, payment: perMinute } } : {},
    );
    await openApi.init();
    registerPlatformRoutes(openApi, { versions, apps });
    registerPaymentOperations(openApi, payments);
    registerMemberOperations(openApi, members);
    registerMarketingOperations(openApi, marketing);
    const tokens = new LaunchTokens(loadOrCreateSecret(config, 'launch.secret'));
    if (config.seed) {
      await seed({ store, identity, log });
      const ids: Record<string, string> = {};
      for (const username of ['alice', 'bob']) {
        const account = await identity.findAccount('user', username);
        if (account) ids[username] = account._id;
      }
      await seedMemberDemo(store, members, ids);
      await seedMarketingDemo(store, marketing, { appIds: (await apps.all()).map((a) => a._id) });
    }
    const deps: AppDeps = {
      config,
      store,
      log,
      identity,
      bankKeys,
      audit,
      bus,
      apps,
      grants,
      consents,
      merchants,
      applications,
      versions,
      credentials,
      openApi,
      payments,
      members,
      marketing,
      registry,
      limiter,
      breaker,
      authorizer,
      tokens,
    };
    const lily = createApp(deps);
    // The local demo: sample mini-apps released and their merchant back ends running in-process.
    const demo = config.demo ? await installSamples(deps, { dataDir: config.dataDir, host: '127.0.0.1', basePort: config.demoBasePort, lilyUrl: config.publicUrl }) : null;
    const timers: NodeJS.Timeout[] = [];
    let delivering = false;
    return {
      deps,
      lily,
      demo,
      startWorkers() {
        if (timers.length > 0) return;
        const expire = () =>
          payments.expireDue(store, Date.now()).catch((err: unknown) => log.error({ err }, 'order expiry failed'));
        const deliver = async () => {
          if (delivering) return;
          delivering = true;
          try {
            await deliverOutbox({
              store,
              bank: bankKeys,
              fetch: safeWebhookFetch({ allowPrivateNetwork: config.allowPrivateNetwork }),
              endpoint: async (appId, env) => {
                const active = (await credentials.list(appId, env)).find((c) => c.status === 'active');
                return active ? { url: (await apps.get(appId).catch(() => null))?.webhookUrl ?? null, publicKey: active.publicKey } : null;
              },
            });
          } catch (err) {
            log.error({ err }, 'webhook delivery failed');
          } finally {
            delivering = false;
          }
        };
        const sweep = () => marketing.sweep(store, Date.now()).catch((err: unknown) => log.error({ err }, 'marketing sweep failed'));
        timers.push(setInterval(expire, EXPIRY_EVERY_MS), setInterval(() => void deliver(), DELIVERY_EVERY_MS), setInterval(sweep, EXPIRY_EVERY_MS));
        for (const t of timers) t.unref();
      },
      async close() {
        await demo?.close();
        for (const t of timers) clearInterval(t);
        await marketing.close();
        await lily.close();
        await sm2?.close();
        await store.close();
      },
    };
  } catch (err) {
    await sm2?.close();
    await store.close();
    throw err;
  }
}
