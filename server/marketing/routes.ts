/**
 * Registers the marketing operations on the Open API framework, adapting its context and
 * `{params, body}` input to the operations' `(MerchantContext, params ∪ body)`.
 */
import type { OpenApi } from '../openapi/index.ts';
import { registerOperations } from '../payments/routes.ts';
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
  registerOperations(openApi, MARKETING_OPERATION_IDS, createMarketingOperations(marketing));
}
