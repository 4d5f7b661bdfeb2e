/**
 * Server handler of `member.address`: the one address the user picked in the host's picker
 * (`ctx.host.pickedId`); consent to `scope.address` required; nothing without a pick.
 */
import { hostOf, requireConsent } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import address from './address.ts';

/** Handlers of `member.address`. */
export function createAddressHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(address, {
    async chooseAddress(ctx) {
      await enter(ctx);
      await requireConsent(deps.members.consents, { userId: ctx.userId, appId: ctx.appId, scope: 'scope.address', now: ctx.now() });
      const host = hostOf(ctx);
      const picked = await deps.members.addresses.pick(ctx.store, ctx.userId, host?.confirmed === false ? undefined : host?.pickedId);
      await ctx.audit('member.address_shared', {});
      return picked;
    },
  });
}
