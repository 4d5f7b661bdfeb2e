import { defineCapability } from '../define.ts';
import { attach, fen, httpsUrl, int, obj, openId, outTradeNo, str, time } from '../schemas.ts';
import { cashierErrors, orderId, orderView, paidResult, prepayId } from './shared.ts';

/** `payment.cashier`: the merchant creates a prepay order; the user pays in the host cashier. */
export default defineCapability({
  id: 'payment.cashier',
  title: 'Cashier',
  titleZh: '收银台',
  description: "Take payment for an order: the merchant's server creates a prepay order, the mini-app opens the host cashier, the user confirms with a PIN.",
  side: 'server',
  rateTier: 'payment',
  confirm: { kind: 'cashier', shows: ['order.amount', 'order.description', 'merchant.name', 'coupons', 'campaigns', 'installmentPlans', 'paymentMethod'] },
  methods: {
    requestPayment: {
      summary: 'Open the host cashier for a prepay order and resolve when it is paid.',
      params: obj({ prepayId }, ['prepayId']),
      result: paidResult,
      userGesture: true,
      errors: [...cashierErrors, 'TIMEOUT'],
      examples: [
        {
          title: 'Pay for a ride with a coupon',
          params: { prepayId: 'pp_7Hq2mZ9xKc4T' },
          result: { orderId: 'ord_8Kd2LmQ4x7Tz', status: 'paid', paidAmount: 8150, discountAmount: 500, payMethod: 'balance', installments: null, paidAt: 1746072031000 },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/payments/prepay',
      operationId: 'createPrepay',
      summary: 'Create a prepay order for a user; hand the prepayId to the mini-app.',
      body: obj(
        {
          openId,
          outTradeNo,
          amount: fen('Amount to charge, in fen.'),
          description: str('What is bought, shown in the cashier (up to 127 characters).', 127, { minLength: 1 }),
          expireSeconds: int('Seconds until an unpaid order closes (default 1800).', 60, 7200),
          notifyUrl: httpsUrl('Where payment webhooks go (default: the app’s webhook URL).'),
          attach,
        },
        ['openId', 'outTradeNo', 'amount', 'description'],
      ),
      result: obj({ prepayId, orderId, expiresAt: time('When the prepay expires.') }, ['prepayId', 'orderId', 'expiresAt']),
      errors: ['NOT_FOUND', 'DUPLICATE', 'LIMIT_EXCEEDED'],
      idempotent: true,
    },
    {
      method: 'GET',
      path: '/open/v1/payments/orders/{orderId}',
      operationId: 'queryOrder',
      summary: 'Get one order of this app.',
      params: obj({ orderId }, ['orderId']),
      result: orderView,
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/payments/orders/{orderId}/close',
      operationId: 'closeOrder',
      summary: 'Close an unpaid order so it can no longer be paid.',
      params: obj({ orderId }, ['orderId']),
      result: obj({ orderId, status: { const: 'closed', description: 'The order is closed.' } }, ['orderId', 'status']),
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: true,
    },
  ],
  docs: `# Cashier

The only way a mini-app takes money. Amounts and the merchant are shown by the host cashier
sheet from the server's order, never by the mini-app, and the user confirms with the payment PIN.

1. The merchant's server calls \`createPrepay\` with the user's openId, its own \`outTradeNo\`
   and the amount in fen, and passes the returned \`prepayId\` to the mini-app.
2. On a user tap the mini-app calls \`requestPayment({prepayId})\`. The cashier applies the best
   coupon and bank campaign, offers installment plans for credit cards, and asks for the PIN.
3. The order is paid in one ledger transaction. The promise resolves with the amount paid, and a
   signed \`payment.succeeded\` webhook goes to the merchant (see \`payment.notify\`). Trust the
   webhook or \`queryOrder\`, not the mini-app, before you ship anything.

Rules: a prepay is paid at most once whatever the retries (\`INVALID_STATE\` afterwards);
\`outTradeNo\` is unique per app (the same body returns the same prepay, another body answers
\`DUPLICATE\`); unpaid orders close after \`expireSeconds\`; \`closeOrder\` on a paid order answers
\`INVALID_STATE\` (refund it instead). The user may cancel (\`USER_CANCELLED\`); wrong PINs answer
\`PIN_INCORRECT\` and lock payments for a while (\`PIN_LOCKED\`).

\`\`\`js
const { prepayId } = await lily.base.request.request({ url: 'https://api.ride.example/pay', method: 'POST', data: { rideId } }).then((r) => r.data);
const paid = await lily.payment.cashier.requestPayment({ prepayId });
\`\`\`
`,
});

