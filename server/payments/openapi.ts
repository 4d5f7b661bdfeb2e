/**
 * The payment capabilities' Open API operations as plain functions, one per `operationId`, each
 * `(ctx, input) => result`: `ctx` is the merchant call's context (app, environment, store, clock,
 * audit) and `input` the route's path/query params and JSON body merged into one object. Input and
 * result types come from the route schemas in the capability definitions. The Open API framework
 * validates input against those schemas before calling, signs the result, and turns thrown
 * `LilyError`s into problem+json.
 */
import agreement from '../../capabilities/payment/agreement.ts';
import cashier from '../../capabilities/payment/cashier.ts';
import deposit from '../../capabilities/payment/deposit.ts';
import escrow from '../../capabilities/payment/escrow.ts';
import notify from '../../capabilities/payment/notify.ts';
import orders from '../../capabilities/payment/orders.ts';
import qrcode from '../../capabilities/payment/qrcode.ts';
import reconciliation from '../../capabilities/payment/reconciliation.ts';
import refund from '../../capabilities/payment/refund.ts';
import split from '../../capabilities/payment/split.ts';
import type { FromSchema } from '../../capabilities/schema-types.ts';
import type { MerchantContext } from './common.ts';
import type { Payments } from './payments.ts';

type Route =
  | (typeof cashier)['openApi'][number]
  | (typeof orders)['openApi'][number]
  | (typeof refund)['openApi'][number]
  | (typeof notify)['openApi'][number]
  | (typeof qrcode)['openApi'][number]
  | (typeof deposit)['openApi'][number]
  | (typeof split)['openApi'][number]
  | (typeof reconciliation)['openApi'][number]
  | (typeof escrow)['openApi'][number]
  | (typeof agreement)['openApi'][number];

/** The operation ids of the payment Open API. */
export type PaymentOperationId = Route['operationId'];

type RouteOf<Id> = Extract<Route, { readonly operationId: Id }>;

/** An operation's input: its path/query params and its body, merged. */
export type OperationInput<Id extends PaymentOperationId> = (RouteOf<Id> extends { readonly params: infer P } ? FromSchema<P> : unknown) &
  (RouteOf<Id> extends { readonly body: infer B } ? FromSchema<B> : unknown);

/** An operation's result (the route's 200 body). */
export type OperationResult<Id extends PaymentOperationId> = FromSchema<RouteOf<Id>['result']>;

/** One operation. */
export type PaymentOperation<Id extends PaymentOperationId> = (ctx: MerchantContext, input: OperationInput<Id>) => Promise<OperationResult<Id>>;

/** Every payment operation by operation id. */
export type PaymentOperations = { readonly [Id in PaymentOperationId]: PaymentOperation<Id> };

/** The ids, in catalog order. */
export const PAYMENT_OPERATION_IDS = [cashier, orders, refund, notify, qrcode, deposit, split, reconciliation, escrow, agreement].flatMap((c) =>
  c.openApi.map((r) => r.operationId),
) as PaymentOperationId[];

/** Runs an operation and audits it as the merchant's app. */
function audited<A, R extends object>(event: string, fn: (ctx: MerchantContext, input: A) => Promise<R>, facts: (input: A, result: R) => Record<string, unknown>) {
  return async (ctx: MerchantContext, input: A): Promise<R> => {
    const result = await fn(ctx, input);
    await ctx.audit(event, facts(input, result));
    return result;
  };
}

/**
 * The operations, bound to one `Payments`.
 *
 * @example
 * ```ts
 * const ops = createPaymentOperations(payments);
 * for (const id of PAYMENT_OPERATION_IDS) openApi.register(id, (ctx, input) => ops[id](ctx, input as never));
 * await ops.createPrepay(ctx, { openId, outTradeNo: 'RIDE-0001', amount: 1200, description: '快车' });
 * ```
 */
export function createPaymentOperations(payments: Payments): PaymentOperations {
  return {
    createPrepay: audited('payment.prepay_created', (ctx, input: OperationInput<'createPrepay'>) => payments.createPrepay(ctx, input), (i, r) => ({ orderId: r.orderId, outTradeNo: i.outTradeNo, amount: i.amount })),
    queryOrder: (ctx, input) => payments.queryOrder(ctx, input),
    closeOrder: audited('payment.order_closed', (ctx, input: OperationInput<'closeOrder'>) => payments.closeOrder(ctx, input), (i) => ({ orderId: i.orderId })),
    listMerchantOrders: (ctx, input) => payments.listMerchantOrders(ctx, input),
    createRefund: audited('payment.refunded', (ctx, input: OperationInput<'createRefund'>) => payments.createRefund(ctx, input), (i, r) => ({ refundId: r.refundId, orderId: i.orderId, amount: i.amount })),
    queryRefund: (ctx, input) => payments.queryRefund(ctx, input),
    listNotifications: (ctx, input) => payments.listNotifications(ctx, input),
    acknowledgeNotification: (ctx, input) => payments.acknowledgeNotification(ctx, input),
    createQrOrder: audited('payment.qr_created', (ctx, input: OperationInput<'createQrOrder'>) => payments.createQrOrder(ctx, input), (i, r) => ({ orderId: r.orderId, outTradeNo: i.outTradeNo, amount: i.amount })),
    createHold: audited('hold.created', (ctx, input: OperationInput<'createHold'>) => payments.createHold(ctx, input), (i, r) => ({ holdId: r.holdId, amount: i.amount })),
    captureHold: audited('hold.captured', (ctx, input: OperationInput<'captureHold'>) => payments.captureHold(ctx, input), (i) => ({ holdId: i.holdId, amount: i.amount })),
    releaseHold: audited('hold.released', (ctx, input: OperationInput<'releaseHold'>) => payments.releaseHold(ctx, input), (i) => ({ holdId: i.holdId })),
    splitOrder: audited('payment.split', (ctx, input: OperationInput<'splitOrder'>) => payments.splitOrder(ctx, input), (i, r) => ({ splitId: r.splitId, orderId: i.orderId })),
    getStatement: (ctx, input) => payments.getStatement(ctx, input),
    createEscrow: audited('escrow.created', (ctx, input: OperationInput<'createEscrow'>) => payments.createEscrow(ctx, input), (i, r) => ({ escrowId: r.escrowId, orderId: i.orderId })),
    releaseEscrowMilestone: audited('escrow.released', (ctx, input: OperationInput<'releaseEscrowMilestone'>) => payments.releaseEscrowMilestone(ctx, input), (i) => ({ escrowId: i.escrowId, milestone: i.milestone })),
    refundEscrow: audited('escrow.refunded', (ctx, input: OperationInput<'refundEscrow'>) => payments.refundEscrow(ctx, input), (i) => ({ escrowId: i.escrowId })),
    chargeAgreement: audited('agreement.charged', (ctx, input: OperationInput<'chargeAgreement'>) => payments.chargeAgreement(ctx, input), (i, r) => ({ agreementId: i.agreementId, orderId: r.orderId, amount: i.amount })),
    queryAgreement: (ctx, input) => payments.queryAgreement(ctx, input),
    terminateAgreement: audited('agreement.terminated', (ctx, input: OperationInput<'terminateAgreement'>) => payments.terminateAgreement(ctx, input), (i) => ({ agreementId: i.agreementId, reason: i.reason })),
  };
}
