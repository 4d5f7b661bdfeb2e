import { defineCapability } from '../define.ts';
import { arr, bool, enumOf, fen, fenOrZero, int, obj } from '../schemas.ts';

/** `payment.installment`: credit-card installment quotes; the plan is picked in the cashier. */
export default defineCapability({
  id: 'payment.installment',
  title: 'Installments',
  titleZh: '分期',
  description: 'Quote credit-card installment plans for an amount, so the mini-app can advertise them; the user picks a plan in the cashier.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    getInstallmentPlans: {
      summary: 'Quote the installment plans available for an amount.',
      params: obj({ amount: fen('Order amount in fen (installments start at 600 yuan).') }, ['amount']),
      result: obj(
        {
          plans: arr(
            obj(
              {
                periods: { type: 'integer', enum: [3, 6, 12, 24], description: 'Number of monthly payments.' },
                firstPeriodAmount: fen('First payment in fen (takes the rounding remainder).'),
                perPeriodAmount: fen('Each later payment in fen.'),
                feeTotalAmount: fenOrZero('Total fee in fen (0 when interest-free).'),
                feeRateBps: int('Fee per period in basis points of the amount.', 0, 1000),
                interestFree: bool('True when a campaign waives the fee.'),
                tag: enumOf(['none', 'popular', 'interestFree'] as const, 'Badge the cashier shows.'),
              },
              ['periods', 'firstPeriodAmount', 'perPeriodAmount', 'feeTotalAmount', 'feeRateBps', 'interestFree', 'tag'],
              'One plan.',
            ),
            4,
            'Plans, fewest periods first; empty below the minimum amount.',
          ),
        },
        ['plans'],
      ),
      errors: [],
      examples: [
        {
          title: 'A 2,999 yuan concert ticket',
          params: { amount: 299900 },
          result: {
            plans: [
              { periods: 3, firstPeriodAmount: 99968, perPeriodAmount: 99966, feeTotalAmount: 0, feeRateBps: 0, interestFree: true, tag: 'interestFree' },
              { periods: 6, firstPeriodAmount: 51487, perPeriodAmount: 51482, feeTotalAmount: 8997, feeRateBps: 50, interestFree: false, tag: 'popular' },
            ],
          },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Installments

A quote only: nothing is reserved. The cashier offers the same plans for credit cards and the user
chooses there; the payment result then carries \`installments\`.

- Plans start at 600 yuan (60,000 fen); below that \`plans\` is empty.
- Each payment is \`(amount + fee) / periods\` in whole fen; the first one takes the remainder,
  so the payments always add up exactly.
- The merchant is settled the full amount at once; the bank carries the credit.
`,
});
