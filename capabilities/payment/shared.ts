/**
 * Schemas shared by several payment capabilities: the order, refund and payment-result views.
 */
import { attach, enumOf, fen, fenOrZero, id, obj, orderStatus, outTradeNo, str, time } from '../schemas.ts';

export const prepayId = id('pp', 'Prepay id from createPrepay; valid until the order expires.');
export const orderId = id('ord', 'Order id.');
export const refundId = id('rf', 'Refund id.');

/** An order as its merchant and its user see it. */
export const orderView = obj(
  {
    orderId,
    outTradeNo,
    description: str('What was bought, as the merchant described it.', 127),
    amount: fen('Order amount in fen.'),
    paidAmount: fenOrZero('What the user paid after discounts, in fen (0 until paid).'),
    discountAmount: fenOrZero('Coupons and campaigns applied at checkout, in fen.'),
    refundedAmount: fenOrZero('Refunded so far, in fen.'),
    status: orderStatus,
    createdAt: time('When the order was created (ms since epoch).'),
    paidAt: { type: ['integer', 'null'], minimum: 0, description: 'When it was paid, or null.' },
    expiresAt: time('When an unpaid order closes by itself.'),
    attach,
  },
  ['orderId', 'outTradeNo', 'description', 'amount', 'paidAmount', 'discountAmount', 'refundedAmount', 'status', 'createdAt', 'paidAt', 'expiresAt'],
  'An order.',
);

/** What the cashier answers once the user has paid. */
export const paidResult = obj(
  {
    orderId,
    status: { const: 'paid', description: 'Always paid; any other outcome rejects.' },
    paidAmount: fen('What the user paid, in fen.'),
    discountAmount: fenOrZero('Coupons and campaigns applied, in fen.'),
    payMethod: enumOf(['balance', 'card'] as const, 'What the user paid with.'),
    installments: { type: ['integer', 'null'], minimum: 3, maximum: 24, description: 'Installment periods if the user chose a plan, else null.' },
    paidAt: time('When it was paid.'),
  },
  ['orderId', 'status', 'paidAmount', 'discountAmount', 'payMethod', 'installments', 'paidAt'],
);

/** The errors the cashier sheet can end with. */
export const cashierErrors = [
  'NOT_FOUND',
  'INVALID_STATE',
  'USER_CANCELLED',
  'PIN_INCORRECT',
  'PIN_LOCKED',
  'PIN_NOT_SET',
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED',
] as const;

/** A refund. */
export const refundView = obj(
  {
    refundId,
    orderId,
    outRefundNo: str("The merchant's own refund number, unique per app.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' }),
    amount: fen('Refund amount in fen.'),
    reason: str('Why, shown to the user.', 80),
    status: enumOf(['processing', 'succeeded', 'failed'] as const, 'Refund state.'),
    createdAt: time('When it was requested.'),
    succeededAt: { type: ['integer', 'null'], minimum: 0, description: 'When the money was returned, or null.' },
  },
  ['refundId', 'orderId', 'outRefundNo', 'amount', 'reason', 'status', 'createdAt', 'succeededAt'],
  'A refund.',
);

/** A paid order, for examples. */
export const EXAMPLE_ORDER = {
  orderId: 'ord_8Kd2LmQ4x7Tz',
  outTradeNo: 'RIDE20250501-0042',
  description: '快车 人民广场→虹桥机场',
  amount: 8650,
  paidAmount: 8150,
  discountAmount: 500,
  refundedAmount: 0,
  status: 'paid',
  createdAt: 1746072000000,
  paidAt: 1746072031000,
  expiresAt: 1746073800000,
} as const;
