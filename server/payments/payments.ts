/**
 * `Payments`: one object holding the bank's payment settings, through which handlers and Open API
 * operations reach the payment services. It holds no store: every call names its scope (store,
 * environment, app, clock, and for user calls the user), so the same instance serves the bridge,
 * the Open API, tests and both environments.
 */
import type { Store } from '../store/types.ts';
import * as agreements from './agreements.ts';
import * as cards from './cards.ts';
import { ensurePaymentIndexes, type Scope, type UserScope } from './common.ts';
import * as escrow from './escrow.ts';
import * as holds from './holds.ts';
import { quoteInstallments } from './installments.ts';
import * as orders from './orders.ts';
import * as outbox from './outbox.ts';
import * as refunds from './refunds.ts';
import { DEFAULT_SETTINGS, type PaymentSettings } from './settings.ts';
import * as splits from './splits.ts';
import * as statements from './statements.ts';
import * as wallet from './wallet.ts';

/**
 * The payment services.
 *
 * @example
 * ```ts
 * const payments = new Payments({ feeRateBps: 60 });
 * await payments.init(store);
 * const { prepayId } = await payments.createPrepay({ store, env: 'sandbox', appId, now: Date.now }, { openId, outTradeNo, amount: 1200, description: '停车费' });
 * await payments.pay(userScope, { prepayId }, {}, { capability: 'payment.cashier', confirm: () => identity.verifyPin(userId, pin) });
 * ```
 */
export class Payments {
  readonly settings: PaymentSettings;

  constructor(settings: Partial<PaymentSettings> = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  /** Creates the ledger's and the payment services' indexes (also done lazily on first use). */
  init(store: Store): Promise<void> {
    return ensurePaymentIndexes(store);
  }

  // --- orders and the cashier ------------------------------------------------------------------

  /** See {@link orders.createPrepay}. */
  createPrepay(scope: Scope, input: orders.CreatePrepayInput) {
    return orders.createPrepay(this.settings, scope, input);
  }
  /** See {@link orders.createQrOrder}. */
  createQrOrder(scope: Scope, input: orders.CreateQrOrderInput) {
    return orders.createQrOrder(this.settings, scope, input);
  }
  /** See {@link orders.queryOrder}. */
  queryOrder(scope: Scope, input: { orderId: string }) {
    return orders.queryOrder(scope, input);
  }
  /** See {@link orders.closeOrder}. */
  closeOrder(scope: Scope, input: { orderId: string }) {
    return orders.closeOrder(scope, input);
  }
  /** See {@link orders.listMerchantOrders}. */
  listMerchantOrders(scope: Scope, input: orders.ListMerchantOrdersInput) {
    return orders.listMerchantOrders(scope, input);
  }
  /** See {@link orders.listUserOrders}. */
  listUserOrders(scope: UserScope, input: Parameters<typeof orders.listUserOrders>[1]) {
    return orders.listUserOrders(scope, input);
  }
  /** See {@link orders.getUserOrder}. */
  getUserOrder(scope: UserScope, input: { orderId: string }) {
    return orders.getUserOrder(scope, input);
  }
  /** What the host cashier sheet shows before the user confirms; see {@link orders.cashierSummary}. */
  cashierSummary(scope: UserScope, target: orders.PayTarget) {
    return orders.cashierSummary(scope, target);
  }
  /** Pays an order; see {@link orders.payOrder}. */
  pay(scope: UserScope, target: orders.PayTarget, choice: orders.PayChoice, options: Parameters<typeof orders.payOrder>[4]) {
    return orders.payOrder(this.settings, scope, target, choice, options);
  }

  // --- refunds -----------------------------------------------------------------------------------

  /** See {@link refunds.createRefund}. */
  createRefund(scope: Scope, input: refunds.CreateRefundInput) {
    return refunds.createRefund(scope, input);
  }
  /** See {@link refunds.queryRefund}. */
  queryRefund(scope: Scope, input: { refundId: string }) {
    return refunds.queryRefund(scope, input);
  }
  /** See {@link refunds.getUserRefund}. */
  getUserRefund(scope: UserScope, input: { refundId: string }) {
    return refunds.getUserRefund(scope, input);
  }

  // --- notifications ---------------------------------------------------------------------------

  /** See {@link outbox.listNotifications}. */
  listNotifications(scope: Scope, input: Parameters<typeof outbox.listNotifications>[1]) {
    return outbox.listNotifications(scope, input);
  }
  /** See {@link outbox.acknowledgeNotification}. */
  acknowledgeNotification(scope: Scope, input: { notificationId: string }) {
    return outbox.acknowledgeNotification(scope, input);
  }

  // --- wallet and cards --------------------------------------------------------------------------

  /** See {@link wallet.getBalance}. */
  getBalance(scope: Pick<UserScope, 'store' | 'env' | 'userId'>) {
    return wallet.getBalance(scope);
  }
  /** See {@link wallet.topUp}. */
  topUp(scope: UserScope, input: { amount: number; cardId?: string | null }, options?: Parameters<typeof wallet.topUp>[3]) {
    return wallet.topUp(this.settings, scope, input, options);
  }
  /** See {@link cards.chooseCard}. */
  chooseCard(scope: UserScope, input: Parameters<typeof cards.chooseCard>[1], options?: Parameters<typeof cards.chooseCard>[2]) {
    return cards.chooseCard(scope, input, options);
  }
  /** The user's linked cards, masked, for the host's own pickers. */
  async listCards(store: Store, userId: string) {
    return (await cards.listUserCards(store, userId)).map(cards.cardView);
  }
  /** See {@link quoteInstallments}. */
  installmentPlans(amount: number) {
    return quoteInstallments(amount);
  }

  // --- holds -------------------------------------------------------------------------------------

  /** See {@link holds.createHold}. */
  createHold(scope: Scope, input: holds.CreateHoldInput) {
    return holds.createHold(this.settings, scope, input);
  }
  /** See {@link holds.authorizeHold}. */
  authorizeHold(scope: UserScope, input: { holdId: string }, options?: { confirm?: () => Promise<void> }) {
    return holds.authorizeHold(scope, input, options);
  }
  /** See {@link holds.captureHold}. */
  captureHold(scope: Scope, input: { holdId: string; amount: number }) {
    return holds.captureHold(this.settings, scope, input);
  }
  /** See {@link holds.releaseHold}. */
  releaseHold(scope: Scope, input: { holdId: string }) {
    return holds.releaseHold(scope, input);
  }

  // --- splits, escrow, statements ----------------------------------------------------------------

  /** See {@link splits.splitOrder}. */
  splitOrder(scope: Scope, input: splits.SplitOrderInput) {
    return splits.splitOrder(scope, input);
  }
  /** See {@link escrow.createEscrow}. */
  createEscrow(scope: Scope, input: Parameters<typeof escrow.createEscrow>[1]) {
    return escrow.createEscrow(scope, input);
  }
  /** See {@link escrow.releaseEscrowMilestone}. */
  releaseEscrowMilestone(scope: Scope, input: { escrowId: string; milestone: number }) {
    return escrow.releaseEscrowMilestone(scope, input);
  }
  /** See {@link escrow.refundEscrow}. */
  refundEscrow(scope: Scope, input: { escrowId: string; reason: string }) {
    return escrow.refundEscrow(scope, input);
  }
  /** See {@link escrow.viewEscrow}. */
  viewEscrow(scope: UserScope, input: { escrowId: string }) {
    return escrow.viewEscrow(scope, input);
  }
  /** See {@link statements.getStatement}. */
  getStatement(scope: Scope, input: statements.GetStatementInput) {
    return statements.getStatement(scope, input);
  }

  // --- agreements --------------------------------------------------------------------------------

  /** See {@link agreements.signAgreement}. */
  signAgreement(scope: UserScope, input: Parameters<typeof agreements.signAgreement>[1], options?: { confirm?: () => Promise<void> }) {
    return agreements.signAgreement(scope, input, options);
  }
  /** See {@link agreements.chargeAgreement}. */
  chargeAgreement(scope: Scope, input: agreements.ChargeAgreementInput) {
    return agreements.chargeAgreement(this.settings, scope, input);
  }
  /** See {@link agreements.queryAgreement}. */
  queryAgreement(scope: Scope, input: { agreementId: string }) {
    return agreements.queryAgreement(scope, input);
  }
  /** See {@link agreements.terminateAgreement}. */
  terminateAgreement(scope: Scope, input: { agreementId: string; reason: string }, by?: 'user' | 'merchant' | 'bank') {
    return agreements.terminateAgreement(scope, input, by);
  }

  // --- housekeeping ------------------------------------------------------------------------------

  /**
   * Closes unpaid orders and expires holds past their expiry (held money back to the wallets).
   * Meant for a periodic timer; safe to run from several processes at once.
   */
  async expireDue(store: Store, now: number): Promise<{ orders: number; holds: number }> {
    return { orders: await orders.closeExpiredOrders(store, now), holds: await holds.expireHolds(store, now) };
  }
}
