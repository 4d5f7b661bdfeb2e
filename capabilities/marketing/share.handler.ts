/**
 * Server handlers of `marketing.share`: a share link with its own code, made when the user
 * confirms the host's share sheet, and who shared a link.
 */
import { hostOf } from '../../server/members/common.ts';
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import share from './share.ts';

/** Handlers of `marketing.share`. */
export function createShareHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(share, {
    async share(ctx, params) {
      const result = await deps.marketing.referrals.share(await enter(ctx), params, hostOf(ctx));
      await ctx.audit('marketing.shared', { shareCode: result.shareCode, channel: result.channel });
      return result;
    },
    async getShareInfo(ctx, params) {
      return deps.marketing.referrals.shareInfo(await enter(ctx), params);
    },
  });
}
