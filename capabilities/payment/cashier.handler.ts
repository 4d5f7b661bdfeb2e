/**
 * Server handler of `payment.cashier`: pays a prepay order after the user confirmed the host's
 * cashier sheet with the PIN. The sheet's choices (card, installments, coupon) come from
 * `ctx.host`, never from the mini-app's params.
 */
import { pinCheck, requireConfirmation, type PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import cashier from './cashier.ts';

/** Handlers of `payment.cashier`. */
export function createCashierHandlers(deps: PaymentHandlerDeps) {
  return defineHandlers(cashier, {
    async requestPayment(ctx, { prepayId }) {
      const host = requireConfirmation(ctx);
      const paid = await deps.payments.pay(
        ctx,
        { prepayId },
        { cardId: host.cardId ?? null, installments: host.installmentTerm ?? null, couponId: host.couponId ?? null },
        { capability: cashier.id, confirm: pinCheck(deps, ctx, host) },
      );
      await ctx.audit('payment.paid', { orderId: paid.orderId, amount: paid.paidAmount, payMethod: paid.payMethod });
      return paid;
    },
  });
}
