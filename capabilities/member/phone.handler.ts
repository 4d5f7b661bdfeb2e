/**
 * Server handler of `member.phone`: the number SM4-CBC-encrypted to the current session key, plus
 * a one-time exchange code; consent to `scope.phone` required.
 */
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import phone from './phone.ts';

/** Handlers of `member.phone`. */
export function createPhoneHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(phone, {
    async getPhoneNumber(ctx) {
      const result = await deps.members.login.getPhoneNumber(await enter(ctx));
      await ctx.audit('member.phone_shared', {});
      return result;
    },
  });
}
