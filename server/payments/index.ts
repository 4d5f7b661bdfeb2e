/**
 * The payment services, as the server wires them: the `Payments` facade, the guest handlers of
 * the 13 payment capabilities, the merchant Open API operations, demo seeding, webhook delivery
 * and the invariant checks.
 *
 * @example
 * ```ts
 * const payments = new Payments();
 * await payments.init(store);
 * const registry = createServerRegistry(createPaymentHandlers({ payments, verifyPin: (u, p) => identity.verifyPin(u, p) }));
 * registerPaymentOperations(openApi, payments); // every payment operationId on the Open API router
 * await seedWallets(store, demoUserIds, 'sandbox');
 * ```
 */
export { Payments } from './payments.ts';
export { createPaymentHandlers } from './handlers.ts';
export { merchantContext, registerPaymentOperations } from './routes.ts';
export { createPaymentOperations, PAYMENT_OPERATION_IDS, type OperationInput, type OperationResult, type PaymentOperation, type PaymentOperationId, type PaymentOperations } from './openapi.ts';
export { parseHostConfirmation, pinCheck, requireConfirmation, type PaymentHandlerDeps, type VerifyPin } from './host.ts';
export { DEFAULT_SETTINGS, feeOn, type Discount, type DiscountHook, type PaymentSettings } from './settings.ts';
export { DEMO_WALLET_AMOUNT, fundMarketingBudget, getBalance, seedWallets } from './wallet.ts';
export { ensureDemoCards, listUserCards, cardView } from './cards.ts';
export { terminateAgreementByUser } from './agreements.ts';
export { ensurePaymentIndexes, type MerchantContext, type Scope, type UserScope } from './common.ts';
export { enqueue, type DeliveryAttempt, type NotificationEventType, type NotificationStatus, type OutboxDoc, type OutboxEvent } from './outbox.ts';
export {
  deliverOutbox,
  openEnvelope,
  resendNotification,
  retryDelay,
  RETRY_DELAYS_MS,
  RETRY_WINDOW_MS,
  sealEnvelope,
  signWebhook,
  verifyWebhook,
  type DeliveryDeps,
  type DeliveryReport,
  type WebhookBody,
  type WebhookEndpoint,
} from './webhooks.ts';
export { checkPaymentInvariants, type PaymentInvariantReport } from './invariants.ts';
export { TRANSITIONS, assertTransition, canTransition } from './state.ts';
