/**
 * Server handler of `member.login`: a one-time code (5 minutes, single use, this app only) that
 * the merchant's server exchanges with `code2Session`.
 */
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import login from './login.ts';

/** Handlers of `member.login`. */
export function createLoginHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(login, {
    async login(ctx) {
      const result = await deps.members.login.issueLoginCode(await enter(ctx));
      await ctx.audit('member.login_code', { expiresAt: result.expiresAt });
      return result;
    },
  });
}
