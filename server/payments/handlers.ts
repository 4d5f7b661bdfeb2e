/**
 * The server handlers of the payment capabilities' guest methods, as one list for
 * `capabilities/handlers.ts`. `payment.notify`, `payment.split` and `payment.reconciliation` have
 * no guest methods (merchant servers reach them through the Open API operations).
 */
import { createAgreementHandlers } from '../../capabilities/payment/agreement.handler.ts';
import { createCardsHandlers } from '../../capabilities/payment/cards.handler.ts';
import { createCashierHandlers } from '../../capabilities/payment/cashier.handler.ts';
import { createDepositHandlers } from '../../capabilities/payment/deposit.handler.ts';
import { createEscrowHandlers } from '../../capabilities/payment/escrow.handler.ts';
import { createInstallmentHandlers } from '../../capabilities/payment/installment.handler.ts';
import { createOrdersHandlers } from '../../capabilities/payment/orders.handler.ts';
import { createQrcodeHandlers } from '../../capabilities/payment/qrcode.handler.ts';
import { createRefundHandlers } from '../../capabilities/payment/refund.handler.ts';
import { createWalletHandlers } from '../../capabilities/payment/wallet.handler.ts';
import type { CapabilityHandlers } from '../../capabilities/define.ts';
import type { PaymentHandlerDeps } from './host.ts';

/**
 * Every payment guest handler, wired to one `Payments` and one PIN check.
 *
 * @example
 * ```ts
 * const payments = new Payments();
 * const registry = createServerRegistry(createPaymentHandlers({ payments, verifyPin: (u, p) => identity.verifyPin(u, p) }));
 * ```
 */
export function createPaymentHandlers(deps: PaymentHandlerDeps): CapabilityHandlers[] {
  return [
    createCashierHandlers(deps),
    createOrdersHandlers(deps),
    createRefundHandlers(deps),
    createQrcodeHandlers(deps),
    createWalletHandlers(deps),
    createDepositHandlers(deps),
    createCardsHandlers(deps),
    createInstallmentHandlers(deps),
    createEscrowHandlers(deps),
    createAgreementHandlers(deps),
  ];
}
