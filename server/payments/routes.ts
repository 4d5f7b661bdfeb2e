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
 * Registers domain operations, one handler per `operationId`: each receives the merchant context
 * of the verified request and its path/query params and body merged into one input. Payments,
 * membership and marketing all register through this.
 */
export function registerOperations(
  openApi: Pick<OpenApi, 'handle'>,
  ids: readonly string[],
  operations: object,
): void {
  const ops = operations as Record<string, (ctx: MerchantContext, input: unknown) => Promise<unknown>>;
  for (const id of ids) {
    const op = ops[id];
    if (!op) throw new Error(`No operation ${id}`);
    openApi.handle(id, (ctx, input) => op(merchantContext(ctx), { ...(input.params ?? {}), ...((input.body as Record<string, unknown> | undefined) ?? {}) }));
  }
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
  registerOperations(openApi, PAYMENT_OPERATION_IDS, createPaymentOperations(payments));
}
