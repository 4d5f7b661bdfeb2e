/**
 * Server handler of `payment.escrow`: the user's view of an escrow over one of their own orders.
 */
import type { PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import escrow from './escrow.ts';

/** Handlers of `payment.escrow`. */
export function createEscrowHandlers(deps: Pick<PaymentHandlerDeps, 'payments'>) {
  return defineHandlers(escrow, {
    viewEscrow: (ctx, params) => deps.payments.viewEscrow(ctx, params),
  });
}
