/**
 * Server handlers of `member.points`: the balance, and a redemption the user confirmed in the
 * host's points sheet (`ctx.host.confirmed`); never below zero, idempotent by `outBizNo`.
 */
import { requireConfirmed } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import points from './points.ts';

/** Handlers of `member.points`. */
export function createPointsHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(points, {
    async getPoints(ctx) {
      await enter(ctx);
      return deps.members.points.view(ctx.store, ctx.env, ctx.userId, ctx.now());
    },
    async redeemPoints(ctx, params) {
      requireConfirmed(ctx);
      await enter(ctx);
      const txn = await deps.members.points.change(ctx.store, {
        env: ctx.env,
        appId: ctx.appId,
        userId: ctx.userId,
        openId: ctx.openId,
        kind: 'redeem',
        points: params.points,
        reason: params.description,
        outBizNo: params.outBizNo,
        at: ctx.now(),
      });
      await ctx.audit('member.points_redeemed', { transactionId: txn._id, points: txn.points, outBizNo: params.outBizNo });
      return { transactionId: txn._id, points: txn.points, balance: txn.balance, redeemedAt: txn.at };
    },
  });
}
