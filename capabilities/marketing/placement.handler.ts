/** Server handler of `marketing.placement`: this app's placements and how they perform. */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import placement from './placement.ts';

/** Handlers of `marketing.placement`. */
export function createPlacementHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(placement, {
    async getPlacements(ctx, params) {
      return deps.marketing.placements.list(await enter(ctx), params);
    },
  });
}
