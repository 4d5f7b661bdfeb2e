/**
 * Server handlers of `payment.orders`: the user's own orders in this app only.
 */
import type { PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import orders from './orders.ts';

/** Handlers of `payment.orders`. */
export function createOrdersHandlers(deps: Pick<PaymentHandlerDeps, 'payments'>) {
  return defineHandlers(orders, {
    listOrders: (ctx, params) => deps.payments.listUserOrders(ctx, params),
    getOrder: (ctx, params) => deps.payments.getUserOrder(ctx, params),
  });
}
