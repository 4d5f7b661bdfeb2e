/** Server handler of `marketing.cashback`: the cashback of one of the user's orders in this app. */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import cashback from './cashback.ts';

/** Handlers of `marketing.cashback`. */
export function createCashbackHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(cashback, {
    async getCashback(ctx, params) {
      return deps.marketing.cashback.forUser(await enter(ctx), params.orderId);
    },
  });
}
