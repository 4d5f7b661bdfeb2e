import { defineCapability } from '../define.ts';
import { arr, enumOf, fen, fenOrZero, id, obj, str } from '../schemas.ts';
import { orderId } from './shared.ts';

const subMerchantId = str('A sub-merchant registered under this merchant (e.g. a driver or a hotel).', 64, { pattern: '^sm_[A-Za-z0-9]{6,40}$' });
const splitView = obj(
  {
    splitId: id('sp', 'Split id.'),
    orderId,
    outSplitNo: str("The merchant's own split number, unique per app.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' }),
    status: enumOf(['processing', 'succeeded', 'failed'] as const, 'Split state.'),
    receivers: arr(
      obj({ subMerchantId, amount: fen('Amount to this receiver, in fen.'), description: str('Shown on the receiver’s statement.', 80) }, ['subMerchantId', 'amount', 'description'], 'One receiver.'),
      20,
      'Who gets what.',
    ),
    remainingAmount: fenOrZero('What is left of the order to split, in fen.'),
  },
  ['splitId', 'orderId', 'outSplitNo', 'status', 'receivers', 'remainingAmount'],
);

/** `payment.split`: split settlement of a paid order to sub-merchants. */
export default defineCapability({
  id: 'payment.split',
  title: 'Split settlement',
  titleZh: '分账',
  description: 'Split the settlement of a paid order between the merchant and its sub-merchants (drivers, hotels, venues).',
  side: 'server',
  rateTier: 'payment',
  methods: {},
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/payments/orders/{orderId}/splits',
      operationId: 'splitOrder',
      summary: 'Split part of a paid order to up to 20 sub-merchants.',
      params: obj({ orderId }, ['orderId']),
      body: obj(
        {
          outSplitNo: splitView.properties.outSplitNo,
          receivers: { ...splitView.properties.receivers, minItems: 1 },
          finish: { type: 'boolean', description: 'True to settle the rest to the merchant and allow no more splits.' },
        },
        ['outSplitNo', 'receivers'],
      ),
      result: splitView,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED', 'DUPLICATE'],
      idempotent: true,
    },
  ],
  docs: `# Split settlement

A ride-hailing platform keeps its commission and pays the driver; a travel platform pays the
hotel. Splits move settlement funds between merchant accounts on the ledger; the user sees nothing.

- Only a paid order can be split, and only what is left after refunds and earlier splits
  (\`LIMIT_EXCEEDED\` otherwise). Sub-merchants must be registered under the merchant.
- \`outSplitNo\` makes each split idempotent. Several splits per order are allowed until one has
  \`finish: true\`, which settles the rest to the merchant (\`INVALID_STATE\` afterwards).
- A refund after a split is taken from the merchant's own share first.
`,
});
