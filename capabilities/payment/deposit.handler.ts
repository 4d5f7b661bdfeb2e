/**
 * Server handler of `payment.deposit`: the user authorizes a merchant's hold in the host's sheet
 * with the PIN; the amount moves from the wallet to the hold.
 */
import { pinCheck, requireConfirmation, type PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import deposit from './deposit.ts';

/** Handlers of `payment.deposit`. */
export function createDepositHandlers(deps: PaymentHandlerDeps) {
  return defineHandlers(deposit, {
    async authorizeHold(ctx, { holdId }) {
      const host = requireConfirmation(ctx);
      const hold = await deps.payments.authorizeHold(ctx, { holdId }, { confirm: pinCheck(deps, ctx, host) });
      await ctx.audit('hold.authorized', { holdId, amount: hold.amount });
      return hold;
    },
  });
}
