/**
 * The membership capabilities' Open API operations as plain functions, one per `operationId`,
 * each `(ctx, input) => result` with `input` the route's path/query params and body merged.
 * Types come from the route schemas in the definitions; the Open API framework validates input,
 * signs results and turns thrown `LilyError`s into problem+json.
 */
import card from '../../capabilities/member/card.ts';
import login from '../../capabilities/member/login.ts';
import phone from '../../capabilities/member/phone.ts';
import points from '../../capabilities/member/points.ts';
import realName from '../../capabilities/member/realName.ts';
import tier from '../../capabilities/member/tier.ts';
import verify from '../../capabilities/member/verify.ts';
import type { FromSchema } from '../../capabilities/schema-types.ts';
import { merchantScope, requireConsent, type MerchantContext } from './common.ts';
import type { Members } from './members.ts';
import type { PointTxnDoc } from './points.ts';

type Route =
  | (typeof login)['openApi'][number]
  | (typeof phone)['openApi'][number]
  | (typeof realName)['openApi'][number]
  | (typeof tier)['openApi'][number]
  | (typeof points)['openApi'][number]
  | (typeof card)['openApi'][number]
  | (typeof verify)['openApi'][number];

/** The operation ids of the membership Open API. */
export type MemberOperationId = Route['operationId'];
type RouteOf<Id> = Extract<Route, { readonly operationId: Id }>;

/** An operation's input: its path/query params and its body, merged. */
export type MemberOperationInput<Id extends MemberOperationId> = (RouteOf<Id> extends { readonly params: infer P } ? FromSchema<P> : unknown) &
  (RouteOf<Id> extends { readonly body: infer B } ? FromSchema<B> : unknown);
/** An operation's result. */
export type MemberOperationResult<Id extends MemberOperationId> = FromSchema<RouteOf<Id>['result']>;
/** Every membership operation by operation id. */
export type MemberOperations = { readonly [Id in MemberOperationId]: (ctx: MerchantContext, input: MemberOperationInput<Id>) => Promise<MemberOperationResult<Id>> };

/** The ids, in catalog order. */
export const MEMBER_OPERATION_IDS = [login, phone, realName, tier, points, card, verify].flatMap((c) => c.openApi.map((r) => r.operationId)) as MemberOperationId[];

const change = (t: PointTxnDoc) => ({ transactionId: t._id, points: t.points, balance: t.balance });

/**
 * The operations, bound to one `Members`.
 *
 * @example
 * ```ts
 * const ops = createMemberOperations(members);
 * const { openId, sessionKey } = await ops.code2Session(ctx, { code });
 * ```
 */
export function createMemberOperations(members: Members): MemberOperations {
  const pointsOp = (kind: 'earn' | 'deduct') => async (ctx: MerchantContext, input: MemberOperationInput<'earnPoints'>) => {
    const scope = merchantScope(ctx);
    const userId = await members.userOf(scope, input.openId);
    const txn = await members.points.change(ctx.store, { env: ctx.env, appId: ctx.appId, userId, openId: input.openId, kind, points: input.points, reason: input.reason, outBizNo: input.outBizNo, at: ctx.now() });
    await ctx.audit(`member.points_${kind}`, { transactionId: txn._id, points: txn.points, outBizNo: input.outBizNo });
    return change(txn);
  };
  return {
    async code2Session(ctx, input) {
      const session = await members.login.code2Session(merchantScope(ctx), input);
      await ctx.audit('member.session_opened', { openId: session.openId });
      return session;
    },
    async exchangePhoneCode(ctx, input) {
      const phoneNumber = await members.login.exchangePhoneCode(merchantScope(ctx), input);
      await ctx.audit('member.phone_exchanged', {});
      return phoneNumber;
    },
    async verifyRealName(ctx, input) {
      const scope = merchantScope(ctx);
      const userId = await members.userOf(scope, input.openId);
      await requireConsent(members.consents, { userId, appId: ctx.appId, scope: 'scope.realName', now: ctx.now() });
      const match = await members.profiles.matches(ctx.store, userId, input);
      await ctx.audit('member.real_name_checked', { openId: input.openId, match });
      return { match };
    },
    async queryTier(ctx, input) {
      const userId = await members.userOf(merchantScope(ctx), input.openId);
      const t = await members.tier(ctx.store, ctx.env, userId, ctx.now());
      return { openId: input.openId, tier: t.tier, validUntil: t.validUntil, checkedAt: t.checkedAt };
    },
    earnPoints: pointsOp('earn'),
    deductPoints: pointsOp('deduct'),
    async queryPoints(ctx, input) {
      const userId = await members.userOf(merchantScope(ctx), input.openId);
      const { balance } = await members.points.view(ctx.store, ctx.env, userId, ctx.now());
      return { openId: input.openId, balance };
    },
    async createCardTemplate(ctx, input) {
      const result = await members.cards.createTemplate(merchantScope(ctx), input);
      await ctx.audit('member.card_template_created', result);
      return result;
    },
    async updateCard(ctx, input) {
      const view = await members.cards.updateCard(merchantScope(ctx), input);
      await ctx.audit('member.card_updated', { cardId: view.cardId });
      return view;
    },
    async checkVerification(ctx, input) {
      const result = await members.verifications.check(merchantScope(ctx), input);
      await ctx.audit('member.verification_checked', { valid: result.valid });
      return result;
    },
  };
}
