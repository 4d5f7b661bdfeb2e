import { defineCapability } from '../define.ts';
import { fen, httpsUrl, id, int, obj, outTradeNo, str, time } from '../schemas.ts';
import { cashierErrors, orderId, paidResult } from './shared.ts';

const code = str('The payment code text, as scanned (LILYPAY:…).', 128, { pattern: '^LILYPAY:[A-Za-z0-9_-]{8,100}$' });

/** `payment.qrcode`: merchant QR codes the user scans in the host, then pays in the cashier. */
export default defineCapability({
  id: 'payment.qrcode',
  title: 'QR code payment',
  titleZh: '扫码支付',
  description: 'The merchant shows a payment QR code (a kiosk, a counter, a car); the user scans it in the host and pays in the cashier.',
  side: 'server',
  rateTier: 'payment',
  confirm: { kind: 'cashier', shows: ['order.amount', 'order.description', 'merchant.name', 'coupons', 'campaigns', 'paymentMethod'] },
  methods: {
    scanToPay: {
      summary: 'Pay a merchant QR code: scans it (or takes the scanned text), then opens the cashier.',
      params: obj({ code }, []),
      result: paidResult,
      userGesture: true,
      errors: [...cashierErrors],
      examples: [
        {
          title: 'Pay at a parking exit',
          params: { code: 'LILYPAY:qr_M4n7Bc2Xv9Lw' },
          result: { orderId: 'ord_Zp4Wq1Ty6Ue8', status: 'paid', paidAmount: 1200, discountAmount: 0, payMethod: 'balance', installments: null, paidAt: 1746090000000 },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/payments/qrcode',
      operationId: 'createQrOrder',
      summary: 'Create an order and the QR code that pays it.',
      body: obj(
        {
          outTradeNo,
          amount: fen('Amount to charge, in fen.'),
          description: str('What is bought, shown in the cashier.', 127, { minLength: 1 }),
          expireSeconds: int('Seconds until the code stops working (default 300).', 60, 7200),
          notifyUrl: httpsUrl('Where payment webhooks go (default: the app’s webhook URL).'),
        },
        ['outTradeNo', 'amount', 'description'],
      ),
      result: obj(
        {
          qrOrderId: id('qr', 'QR order id.'),
          orderId,
          code,
          expiresAt: time('When the code stops working.'),
        },
        ['qrOrderId', 'orderId', 'code', 'expiresAt'],
      ),
      errors: ['DUPLICATE', 'LIMIT_EXCEEDED'],
      idempotent: true,
    },
  ],
  docs: `# QR code payment

For payments that start outside the mini-app: a parking exit, a charging pile, a shop counter.

1. The merchant's server calls \`createQrOrder\` and renders \`code\` as a QR code.
2. The user scans it with the host scanner (in a mini-app, \`scanToPay()\` opens it; with a code
   already scanned, \`scanToPay({code})\`). Codes that are not \`LILYPAY:\` codes of a live order
   answer \`NOT_FOUND\`.
3. The host cashier shows amount and merchant from the server and asks for the PIN, exactly as
   \`payment.cashier\`; a paid or expired code answers \`INVALID_STATE\`.

The order belongs to whoever pays it first; the payment webhook carries that user's openId.
`,
});
