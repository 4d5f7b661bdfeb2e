/**
 * Registers the membership operations on the Open API framework, adapting its context and
 * `{params, body}` input to the operations' `(MerchantContext, params ∪ body)`.
 */
import type { OpenApi } from '../openapi/index.ts';
import { merchantContext } from '../payments/routes.ts';
import type { MerchantContext } from './common.ts';
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
  const ops = createMemberOperations(members) as unknown as Record<string, (ctx: MerchantContext, input: unknown) => Promise<unknown>>;
  for (const id of MEMBER_OPERATION_IDS) {
    const op = ops[id]!;
    openApi.handle(id, (ctx, input) => op(merchantContext(ctx), { ...(input.params ?? {}), ...((input.body as Record<string, unknown> | undefined) ?? {}) }));
  }
}
