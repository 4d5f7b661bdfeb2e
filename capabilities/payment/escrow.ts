import { defineCapability } from '../define.ts';
import { arr, enumOf, fen, fenOrZero, id, int, obj, str, time } from '../schemas.ts';
import { orderId } from './shared.ts';

const escrowId = id('esc', 'Escrow id.');
const milestone = obj(
  {
    name: str('What must be delivered, shown to the user.', 60, { minLength: 1 }),
    amount: fen('Amount released for it, in fen.'),
    status: enumOf(['pending', 'released', 'refunded'] as const, 'Milestone state.'),
    releasedAt: { type: ['integer', 'null'], minimum: 0, description: 'When it was released, or null.' },
  },
  ['name', 'amount', 'status', 'releasedAt'],
  'One milestone.',
);
const escrowView = obj(
  {
    escrowId,
    orderId,
    totalAmount: fen('Amount under supervision, in fen (the paid order amount).'),
    releasedAmount: fenOrZero('Released to the merchant, in fen.'),
    refundedAmount: fenOrZero('Returned to the user, in fen.'),
    status: enumOf(['supervised', 'completed', 'refunded'] as const, 'supervised until every milestone is released or refunded.'),
    milestones: arr(milestone, 12, 'Milestones in delivery order.'),
    createdAt: time('When supervision started.'),
  },
  ['escrowId', 'orderId', 'totalAmount', 'releasedAmount', 'refundedAmount', 'status', 'milestones', 'createdAt'],
);
const EXAMPLE = {
  escrowId: 'esc_H2k9Lp4Qw7Xz',
  orderId: 'ord_Q1w2E3r4T5y6',
  totalAmount: 600000,
  releasedAmount: 200000,
  refundedAmount: 0,
  status: 'supervised',
  milestones: [
    { name: '出发前 机票酒店确认', amount: 200000, status: 'released', releasedAt: 1746500000000 },
    { name: '行程结束', amount: 400000, status: 'pending', releasedAt: null },
  ],
  createdAt: 1746072000000,
} as const;

/** `payment.escrow`: funds supervision for prepaid services, released by milestone. */
export default defineCapability({
  id: 'payment.escrow',
  title: 'Escrow (funds supervision)',
  titleZh: '资金监管',
  description: "Keep a paid order's funds under bank supervision and release them to the merchant milestone by milestone, or refund them.",
  side: 'server',
  rateTier: 'payment',
  methods: {
    viewEscrow: {
      summary: 'Show the user how much of an order is supervised, released and refunded.',
      params: obj({ escrowId }, ['escrowId']),
      result: escrowView,
      errors: ['NOT_FOUND'],
      examples: [{ title: 'A tour paid in advance', params: { escrowId: 'esc_H2k9Lp4Qw7Xz' }, result: EXAMPLE }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/escrows',
      operationId: 'createEscrow',
      summary: 'Place a paid order under supervision with milestones that add up to its amount.',
      body: obj(
        {
          orderId,
          milestones: { ...arr(obj({ name: milestone.properties.name, amount: milestone.properties.amount }, ['name', 'amount'], 'A milestone.'), 12, 'Milestones; amounts must add up to the order amount.'), minItems: 1 },
        },
        ['orderId', 'milestones'],
      ),
      result: escrowView,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'INVALID_PARAMS', 'DUPLICATE'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/escrows/{escrowId}/release',
      operationId: 'releaseEscrowMilestone',
      summary: 'Release the funds of one delivered milestone to the merchant.',
      params: obj({ escrowId }, ['escrowId']),
      body: obj({ milestone: int('Index of the milestone (0-based).', 0, 11) }, ['milestone']),
      result: escrowView,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/escrows/{escrowId}/refund',
      operationId: 'refundEscrow',
      summary: 'Refund every pending milestone to the user (the service will not be delivered).',
      params: obj({ escrowId }, ['escrowId']),
      body: obj({ reason: str('Why, shown to the user.', 80, { minLength: 1 }) }, ['reason']),
      result: escrowView,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: true,
    },
  ],
  docs: `# Escrow (funds supervision)

For prepaid services (tours, courses, memberships) the bank keeps the money until the merchant
delivers. The order is paid as usual; \`createEscrow\` then moves its amount to a supervised
ledger account, split into milestones that must add up to the order amount (\`INVALID_PARAMS\`).
One escrow per order (\`DUPLICATE\`).

- \`releaseEscrowMilestone\` pays one milestone to the merchant; releasing it again changes nothing.
- \`refundEscrow\` returns every pending milestone to the user; released ones stay released.
- The user sees the state in the mini-app with \`viewEscrow\` (their own orders only) and in the
  host's order detail.
`,
});
