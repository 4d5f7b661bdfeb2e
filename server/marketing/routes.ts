/**
 * Registers the marketing operations on the Open API framework, adapting its context and
 * `{params, body}` input to the operations' `(MerchantContext, params ∪ body)`.
 */
import type { OpenApi } from '../openapi/index.ts';
import { merchantContext } from '../payments/routes.ts';
import type { MerchantContext } from './common.ts';
import type { Marketing } from './marketing.ts';
import { createMarketingOperations, MARKETING_OPERATION_IDS } from './openapi.ts';

/**
 * Registers a handler for every marketing route.
 *
 * @example
 * ```ts
 * registerMarketingOperations(openApi, marketing);
 * ```
 */
export function registerMarketingOperations(openApi: Pick<OpenApi, 'handle'>, marketing: Marketing): void {
  const ops = createMarketingOperations(marketing) as unknown as Record<string, (ctx: MerchantContext, input: unknown) => Promise<unknown>>;
  for (const id of MARKETING_OPERATION_IDS) {
    const op = ops[id]!;
    openApi.handle(id, (ctx, input) => op(merchantContext(ctx), { ...(input.params ?? {}), ...((input.body as Record<string, unknown> | undefined) ?? {}) }));
  }
}
