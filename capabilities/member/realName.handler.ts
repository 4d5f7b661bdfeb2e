/**
 * Server handler of `member.realName`: verification status, masked name and the per-app identity
 * token; consent to `scope.realName` required. Never an id number.
 */
import { requireConsent } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import realName from './realName.ts';

/** Handlers of `member.realName`. */
export function createRealNameHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(realName, {
    async getRealNameStatus(ctx) {
      const scope = await enter(ctx);
      await requireConsent(deps.members.consents, { userId: ctx.userId, appId: ctx.appId, scope: 'scope.realName', now: ctx.now() });
      const status = await deps.members.profiles.realNameStatus(scope.store, ctx.userId, ctx.appId);
      await ctx.audit('member.real_name_shared', { verified: status.verified });
      return status;
    },
  });
}
