/**
 * Server handler of `payment.installment`: installment quotes (a quote only; nothing is reserved).
 */
import type { PaymentHandlerDeps } from '../../server/payments/host.ts';
import { defineHandlers } from '../define.ts';
import installment from './installment.ts';

/** Handlers of `payment.installment`. */
export function createInstallmentHandlers(deps: Pick<PaymentHandlerDeps, 'payments'>) {
  return defineHandlers(installment, {
    getInstallmentPlans: async (_ctx, { amount }) => ({ plans: deps.payments.installmentPlans(amount) }),
  });
}
