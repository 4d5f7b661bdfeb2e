/** Server handler of `member.tier`: the tier derived from points and payments, with its benefits. */
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import tier from './tier.ts';

/** Handlers of `member.tier`. */
export function createTierHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(tier, {
    async getTier(ctx) {
      await enter(ctx);
      const { checkedAt: _checkedAt, ...view } = await deps.members.tier(ctx.store, ctx.env, ctx.userId, ctx.now());
      return view;
    },
  });
}
