/**
 * Server handler of `payment.refund`: a refund of one of the user's orders in this app.
 */
import type { PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import refund from './refund.ts';

/** Handlers of `payment.refund`. */
export function createRefundHandlers(deps: Pick<PaymentHandlerDeps, 'payments'>) {
  return defineHandlers(refund, {
    getRefund: (ctx, params) => deps.payments.getUserRefund(ctx, params),
  });
}
