import { defineCapability } from '../define.ts';
import { enumOf, fenOrZero, obj, str } from '../schemas.ts';
import { orderId } from '../payment/shared.ts';

/** `marketing.cashback`: bank-funded cashback after payment. */
export default defineCapability({
  id: 'marketing.cashback',
  title: 'Cashback',
  titleZh: '返现',
  description: 'Bank-funded cashback credited to the wallet after a qualifying payment; the mini-app can show it on the order.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    getCashback: {
      summary: "Get the cashback of one of this user's orders in this app.",
      params: obj({ orderId }, ['orderId']),
      result: obj(
        {
          orderId,
          status: enumOf(['none', 'pending', 'credited', 'reversed'] as const, 'none: no campaign applied; pending: credited after the refund window; reversed: the order was refunded.'),
          amount: fenOrZero('Cashback in fen (0 for none).'),
          campaignTitle: { type: ['string', 'null'], maxLength: 40, description: 'The campaign, or null.' },
          creditAt: { type: ['integer', 'null'], minimum: 0, description: 'When it was or will be credited, or null.' },
        },
        ['orderId', 'status', 'amount', 'campaignTitle', 'creditAt'],
      ),
      errors: ['NOT_FOUND'],
      examples: [
        {
          title: 'Cashback on its way',
          params: { orderId: 'ord_8Kd2LmQ4x7Tz' },
          result: { orderId: 'ord_8Kd2LmQ4x7Tz', status: 'pending', amount: 300, campaignTitle: '五一出行返现', creditAt: 1746676800000 },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Cashback

Cashback campaigns are run and funded by the bank. After a qualifying payment the cashback is
\`pending\` for the refund window (7 days), then credited to the user's wallet; a refund in the
window reverses it. Only this user's orders in this app can be read (\`NOT_FOUND\` otherwise).
`,
});
