/**
 * Server handler of `member.userInfo`: nickname, avatar and region, after consent to
 * `scope.userInfo` (checked again here, whatever the gate decided).
 */
import { requireConsent } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import userInfo from './userInfo.ts';

/** Handlers of `member.userInfo`. */
export function createUserInfoHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(userInfo, {
    async getUserInfo(ctx) {
      const scope = await enter(ctx);
      await requireConsent(deps.members.consents, { userId: ctx.userId, appId: ctx.appId, scope: 'scope.userInfo', now: ctx.now() });
      const info = await deps.members.profiles.userInfo(scope.store, ctx.userId);
      await ctx.audit('member.user_info_shared', {});
      return info;
    },
  });
}
