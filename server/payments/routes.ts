/**
 * Registers the payment operations on the Open API framework: one handler per payment
 * `operationId`, adapting the framework's context (`OpenApiContext`) and input
 * (`{params, body}`) to the operations' `(MerchantContext, params ∪ body)`.
 */
import type { OpenApi } from '../openapi/index.ts';
import type { OpenApiContext } from '../openapi/types.ts';
import type { MerchantContext } from './common.ts';
import { createPaymentOperations, PAYMENT_OPERATION_IDS } from './openapi.ts';
import type { Payments } from './payments.ts';

/** The merchant context of a verified Open API request. */
export function merchantContext(ctx: OpenApiContext): MerchantContext {
  return {
    store: ctx.store,
    env: ctx.env,
    appId: ctx.appId,
    now: () => ctx.now(),
    audit: (event, data) => ctx.audit({ action: event, data }),
  };
}

/**
 * Registers a handler for every payment route.
 *
 * @example
 * ```ts
 * const openApi = createOpenApi({ store, credentials, apps, audit, bankKeys, registry, log });
 * registerPaymentOperations(openApi, payments);
 * app.use('/open/v1', openApi.router);
 * ```
 */
export function registerPaymentOperations(openApi: Pick<OpenApi, 'handle'>, payments: Payments): void {
  const ops = createPaymentOperations(payments) as unknown as Record<string, (ctx: MerchantContext, input: unknown) => Promise<unknown>>;
  for (const id of PAYMENT_OPERATION_IDS) {
    const op = ops[id]!;
    openApi.handle(id, (ctx, input) => {
      const merged = { ...(input.params ?? {}), ...((input.body as Record<string, unknown> | undefined) ?? {}) };
      return op(merchantContext(ctx), merged);
    });
  }
}
