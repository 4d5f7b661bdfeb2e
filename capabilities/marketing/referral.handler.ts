/** Server handler of `marketing.referral`: the user's referral code and counts in this app. */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import referral from './referral.ts';

/** Handlers of `marketing.referral`. */
export function createReferralHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(referral, {
    async getReferralInfo(ctx) {
      return deps.marketing.referrals.referralInfo(await enter(ctx));
    },
  });
}
