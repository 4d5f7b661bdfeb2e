/**
 * Server-side wiring: attaches the handlers of the server-backed base capabilities to the
 * definitions. Server code imports this module; browser code imports `capabilities/index.ts` only,
 * which stays free of Node built-ins.
 *
 * Payment, membership and marketing handlers arrive with their domain services; until then the
 * registry answers their methods with `UNAVAILABLE`.
 */
import { logHandlers } from './base/log.handler.ts';
import { createRequestHandlers } from './base/request.handler.ts';
import { storageHandlers } from './base/storage.handler.ts';
import { createSupportHandlers } from './base/support.handler.ts';
import type { CapabilityHandlers } from './define.ts';
import { capabilities } from './index.ts';
import { createRegistry, type AnyCapability, type Registry } from './registry.ts';

/**
 * Fresh handler sets for the server-backed capabilities. Call once per server: the request proxy
 * keeps per-instance concurrency counters in the returned set.
 */
export function createServerHandlers(defs: readonly AnyCapability[] = capabilities): CapabilityHandlers[] {
  return [storageHandlers, logHandlers, createSupportHandlers(defs), createRequestHandlers()];
}

/**
 * The registry the server uses: every definition, with the server handlers attached.
 *
 * @example
 * ```ts
 * const registry = createServerRegistry();
 * const result = await registry.invoke(ctx, 'base.storage', 'getStorageInfo', {});
 * ```
 */
export function createServerRegistry(extra: readonly CapabilityHandlers[] = []): Registry {
  return createRegistry(capabilities, { handlers: [...createServerHandlers(capabilities), ...extra] });
}
