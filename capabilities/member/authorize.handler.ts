/**
 * Server handlers of `member.authorize`: ask for a scope ahead of use (the host's consent sheet
 * answers in `ctx.host.confirmed`), and read this app's consents with purpose and expiry.
 */
import { hostOf } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import authorize from './authorize.ts';

/** Handlers of `member.authorize`. */
export function createAuthorizeHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(authorize, {
    async authorize(ctx, params) {
      const result = await deps.members.consentSettings.authorize(await enter(ctx), params, hostOf(ctx));
      await ctx.audit('member.authorize', { scope: params.scope, status: result.status });
      return result;
    },
    async getSetting(ctx) {
      return deps.members.consentSettings.settings(await enter(ctx));
    },
    async openSetting(ctx) {
      // The host showed its settings page; the changes went through the consent API.
      return deps.members.consentSettings.settings(await enter(ctx));
    },
  });
}
