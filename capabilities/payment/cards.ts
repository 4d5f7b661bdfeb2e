import { defineCapability } from '../define.ts';
import { arr, enumOf, obj, str, time } from '../schemas.ts';

const cardType = enumOf(['debit', 'credit'] as const, 'Card kind.');

/** `payment.cards`: let the user pick a linked card; the mini-app gets a token, never a number. */
export default defineCapability({
  id: 'payment.cards',
  title: 'Bank cards',
  titleZh: '银行卡',
  description: 'Let the user pick one of their linked bank cards in a host sheet; the mini-app receives a masked view and a token.',
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    chooseCard: {
      summary: 'Open the host card picker and return a token for the chosen card.',
      params: obj({ cardTypes: { ...arr(cardType, 2, 'Kinds to offer (default both).'), minItems: 1, uniqueItems: true }, purpose: str('Why, shown in the picker.', 40) }, []),
      result: obj(
        {
          cardToken: str('Token for this card, valid for this app only; use it in Open API calls that accept a card.', 48, { pattern: '^ctk_[A-Za-z0-9]{16,40}$' }),
          bankName: str('Issuing bank.', 40),
          cardType,
          last4: str('Last four digits.', 4, { pattern: '^[0-9]{4}$' }),
          maskedNumber: str('Masked number for display.', 32, { pattern: '^[0-9]{4}( \\*{4}){2,3} [0-9]{4}$' }),
          tokenExpiresAt: time('When the token stops working.'),
        },
        ['cardToken', 'bankName', 'cardType', 'last4', 'maskedNumber', 'tokenExpiresAt'],
      ),
      userGesture: true,
      errors: ['USER_CANCELLED', 'NOT_FOUND'],
      examples: [
        {
          title: 'Pick a credit card for a rental',
          params: { cardTypes: ['credit'], purpose: '租车押金' },
          result: { cardToken: 'ctk_Yh5Lq2Wm8Nc4Tv7B', bankName: '百合银行', cardType: 'credit', last4: '1234', maskedNumber: '6222 **** **** 1234', tokenExpiresAt: 1777608000000 },
        },
      ],
    },
  },
  openApi: [],
  docs: `# Bank cards

Card numbers never reach a mini-app or a merchant. The host shows the user's linked cards
(masked), the user picks one, and the mini-app receives a token bound to this app and user plus
a masked view for display.

- The user may have no card of the requested kind (\`NOT_FOUND\`: suggest linking one in the host)
  or close the picker (\`USER_CANCELLED\`).
- The token is useless to other apps; it expires after a year or when the user unlinks the card.
`,
});
