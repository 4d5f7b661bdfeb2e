/**
 * Server handler of `marketing.luckyDraw`: one draw on the bank server, with exact prize
 * inventory and a record auditable against the activity's committed seed.
 */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import luckyDraw from './luckyDraw.ts';

/** Handlers of `marketing.luckyDraw`. */
export function createLuckyDrawHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(luckyDraw, {
    async drawPrize(ctx, params) {
      const result = await deps.marketing.draws.draw(await enter(ctx), params);
      await ctx.audit('marketing.draw', { activityId: params.activityId, drawId: result.drawId, won: result.won });
      return result;
    },
  });
}
