/** Server handler of `marketing.campaigns`: bank campaigns that apply in this app now. */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import campaigns from './campaigns.ts';

/** Handlers of `marketing.campaigns`. */
export function createCampaignsHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(campaigns, {
    async listCampaigns(ctx, params) {
      return { campaigns: await deps.marketing.campaigns.listDiscounts(await enter(ctx), params) };
    },
  });
}
