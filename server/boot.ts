/**
 * Wires the services from a validated config: store, keys, identity, seed, app. Used by
 * `main.ts` and by tests that want a whole server in-process.
 */
import { createApp, type AppDeps, type LilyApp } from './app.ts';
import type { Config } from './config.ts';
import { Identity } from './identity/identity.ts';
import { loadOrCreateBankKeys, loadOrCreateSessionSecret } from './keys.ts';
import type { Logger } from './log.ts';
import { seed } from './seed.ts';
import { openStore } from './store/index.ts';

/** A booted server: its dependencies, the app, and one function to shut everything down. */
export interface Booted {
  deps: AppDeps;
  lily: LilyApp;
  close(): Promise<void>;
}

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
  const store = await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, dbName: config.mongodbDb });
  try {
    const identity = new Identity({
      store,
      sessionSecret,
      sessionTtlSeconds: config.sessionTtlSeconds,
      scryptCost: config.scryptCost,
    });
    await identity.init();
    if (config.seed) await seed({ store, identity, log });
    const deps: AppDeps = { config, store, log, identity, bankKeys };
    const lily = createApp(deps);
    return {
      deps,
      lily,
      async close() {
        await lily.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
