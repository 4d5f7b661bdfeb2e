/**
 * Server handler of `marketing.subscribe`: records the user's answers from the host's
 * subscription sheet (`ctx.host.confirmed`, `ctx.host.pickedIds`); each accept allows one message.
 */
import { hostOf } from '../../server/members/common.ts';
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import subscribe from './subscribe.ts';

/** Handlers of `marketing.subscribe`. */
export function createSubscribeHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(subscribe, {
    async requestSubscribe(ctx, params) {
      const result = await deps.marketing.messages.requestSubscribe(await enter(ctx), params, hostOf(ctx));
      await ctx.audit('marketing.subscribed', { accepted: result.results.filter((r) => r.status === 'accept').map((r) => r.templateId) });
      return result;
    },
  });
}
