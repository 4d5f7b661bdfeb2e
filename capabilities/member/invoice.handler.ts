/**
 * Server handler of `member.invoice`: the one invoice title the user picked in the host's
 * picker (`ctx.host.pickedId`); consent to `scope.invoice` required; nothing without a pick.
 */
import { hostOf, requireConsent } from '../../server/members/common.ts';
import { enter, type MemberHandlerDeps } from '../../server/members/host.ts';
import { defineHandlers } from '../define.ts';
import invoice from './invoice.ts';

/** Handlers of `member.invoice`. */
export function createInvoiceHandlers(deps: MemberHandlerDeps) {
  return defineHandlers(invoice, {
    async chooseInvoiceTitle(ctx) {
      await enter(ctx);
      await requireConsent(deps.members.consents, { userId: ctx.userId, appId: ctx.appId, scope: 'scope.invoice', now: ctx.now() });
      const host = hostOf(ctx);
      const picked = await deps.members.invoiceTitles.pick(ctx.store, ctx.userId, host?.confirmed === false ? undefined : host?.pickedId);
      await ctx.audit('member.invoice_title_shared', { type: picked.type });
      return picked;
    },
  });
}
