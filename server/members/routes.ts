/**
 * Registers the membership operations on the Open API framework, adapting its context and
 * `{params, body}` input to the operations' `(MerchantContext, params ∪ body)`.
 */
import type { OpenApi } from '../openapi/index.ts';
import { registerOperations } from '../payments/routes.ts';
import type { Members } from './members.ts';
import { createMemberOperations, MEMBER_OPERATION_IDS } from './openapi.ts';

/**
 * Registers a handler for every membership route.
 *
 * @example
 * ```ts
 * registerMemberOperations(openApi, members);
 * ```
 */
export function registerMemberOperations(openApi: Pick<OpenApi, 'handle'>, members: Members): void {
  registerOperations(openApi, MEMBER_OPERATION_IDS, createMemberOperations(members));
}
