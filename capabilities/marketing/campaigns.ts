import { defineCapability } from '../define.ts';
import { arr, enumOf, fen, fenOrZero, id, int, obj, str, time } from '../schemas.ts';

const campaign = obj(
  {
    campaignId: id('cmp', 'Campaign id.'),
    title: str('What the user sees, e.g. 百合卡支付立减5元.', 40),
    type: enumOf(['instant', 'threshold', 'random'] as const, 'instant: fixed discount; threshold: discount above an amount; random: a random discount up to a cap.'),
    discountAmount: fen('Discount in fen (the cap for random).'),
    thresholdAmount: fenOrZero('Minimum order amount in fen (0 = none).'),
    payMethods: arr(enumOf(['balance', 'debit', 'credit'] as const, 'A payment method.'), 3, 'Methods the discount applies to.'),
    perUserDaily: int('Times one user may benefit per day.', 1, 10),
    validUntil: time('Ends at.'),
  },
  ['campaignId', 'title', 'type', 'discountAmount', 'thresholdAmount', 'payMethods', 'perUserDaily', 'validUntil'],
  'A bank campaign.',
);

/** `marketing.campaigns`: bank-funded instant discounts applied at checkout. */
export default defineCapability({
  id: 'marketing.campaigns',
  title: 'Bank campaigns',
  titleZh: '银行立减活动',
  description: 'Bank-funded instant discounts (e.g. 5 yuan off with the bank card) that the cashier applies by rule; the mini-app can advertise them.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    listCampaigns: {
      summary: 'List bank campaigns that apply in this app now, optionally for an amount.',
      params: obj({ amount: fen('Order amount in fen; only campaigns it qualifies for.') }, []),
      result: obj({ campaigns: arr(campaign, 20, 'Campaigns, largest discount first.') }, ['campaigns']),
      errors: [],
      examples: [
        {
          title: 'Campaigns for a 86.50 yuan ride',
          params: { amount: 8650 },
          result: {
            campaigns: [
              { campaignId: 'cmp_MayRide2025', title: '百合卡支付满30减5', type: 'threshold', discountAmount: 500, thresholdAmount: 3000, payMethods: ['debit', 'credit'], perUserDaily: 1, validUntil: 1748707199000 },
            ],
          },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Bank campaigns

Campaigns are set up by the bank, not the merchant, and funded by the bank: the merchant is
settled the full order amount. The cashier applies the best one the order qualifies for (after
merchant coupons), within the campaign's daily budget and per-user limits.

\`listCampaigns\` is for advertising only; the discount is decided at payment time and shown by
the cashier, and the payment result carries it in \`discountAmount\`.
`,
});
