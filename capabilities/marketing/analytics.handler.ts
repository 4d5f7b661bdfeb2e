/** Server handler of `marketing.analytics`: one custom event, batched and rate-limited per user. */
import { enter } from '../../server/members/host.ts';
import type { MarketingHandlerDeps } from '../../server/marketing/host.ts';
import { defineHandlers } from '../define.ts';
import analytics from './analytics.ts';

/** Handlers of `marketing.analytics`. */
export function createAnalyticsHandlers(deps: MarketingHandlerDeps) {
  return defineHandlers(analytics, {
    async reportEvent(ctx, params) {
      await deps.marketing.analytics.report(await enter(ctx), params);
      return { ok: true as const };
    },
  });
}
