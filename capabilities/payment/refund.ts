import { defineCapability } from '../define.ts';
import { fen, obj, str } from '../schemas.ts';
import { orderId, refundId, refundView } from './shared.ts';

const EXAMPLE_REFUND = {
  refundId: 'rf_3Nq8Vw2Lk5Zp',
  orderId: 'ord_8Kd2LmQ4x7Tz',
  outRefundNo: 'RIDE20250501-0042-R1',
  amount: 1500,
  reason: '行程费用调整',
  status: 'succeeded',
  createdAt: 1746075600000,
  succeededAt: 1746075600420,
} as const;

/** `payment.refund`: full and partial refunds, never above what was paid. */
export default defineCapability({
  id: 'payment.refund',
  title: 'Refunds',
  titleZh: '退款',
  description: 'Refund a paid order in full or in part; the user can follow the refund in the mini-app.',
  side: 'server',
  rateTier: 'payment',
  methods: {
    getRefund: {
      summary: "Get a refund of one of this user's orders in this app.",
      params: obj({ refundId }, ['refundId']),
      result: refundView,
      errors: ['NOT_FOUND'],
      examples: [{ title: 'A partial refund that went through', params: { refundId: 'rf_3Nq8Vw2Lk5Zp' }, result: EXAMPLE_REFUND }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/refunds',
      operationId: 'createRefund',
      summary: 'Refund a paid order, in full or in part.',
      body: obj(
        {
          orderId,
          outRefundNo: refundView.properties.outRefundNo,
          amount: fen('Amount to refund, in fen; at most what was paid minus earlier refunds.'),
          reason: str('Why, shown to the user.', 80),
        },
        ['orderId', 'outRefundNo', 'amount'],
      ),
      result: refundView,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED', 'DUPLICATE'],
      idempotent: true,
    },
    {
      method: 'GET',
      path: '/open/v1/refunds/{refundId}',
      operationId: 'queryRefund',
      summary: 'Get one refund.',
      params: obj({ refundId }, ['refundId']),
      result: refundView,
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Refunds

- Only a paid (or partially refunded) order can be refunded (\`INVALID_STATE\` otherwise).
- The total refunded never exceeds what the user paid (\`paidAmount\`): a refund above what is
  left answers \`LIMIT_EXCEEDED\` and moves nothing, however many refunds race.
- \`outRefundNo\` makes it idempotent: the same number with the same body returns the same refund;
  the same number with another body answers \`DUPLICATE\`.
- The money goes back the way it came: wallet balance at once, cards within a few days
  (\`processing\` until then). Coupons used on the order are released by the refund rules of
  \`marketing.redeem\`.
- A \`refund.succeeded\` or \`refund.failed\` webhook follows (see \`payment.notify\`); the order
  moves to \`partially_refunded\` or \`refunded\`.

\`\`\`js
const refund = await lily.payment.refund.getRefund({ refundId });
\`\`\`
`,
});
