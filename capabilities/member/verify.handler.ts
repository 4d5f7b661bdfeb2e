/**
 * Server handler of `member.verify`: checks the PIN (or the one-time code) the host's
 * verification sheet collected and issues a single-use token for the merchant's server.
 */
import { hostOf } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import verify from './verify.ts';

/** Handlers of `member.verify`. */
export function createVerifyHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(verify, {
    async requestVerification(ctx, params) {
      const result = await deps.members.verifications.request(await enter(ctx), { reason: params.reason }, hostOf(ctx));
      await ctx.audit('member.verified', { method: result.method, reason: params.reason });
      return result;
    },
  });
}
