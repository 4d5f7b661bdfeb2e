import { defineCapability } from '../define.ts';
import { bool, constant, fen, fenOrZero, noParams, obj, time } from '../schemas.ts';

const balance = fenOrZero('Available balance in fen.');

/** `payment.wallet`: the user's payment account balance and top-up, with consent. */
export default defineCapability({
  id: 'payment.wallet',
  title: 'Wallet',
  titleZh: '钱包',
  description: "Read the user's wallet balance and open the host top-up sheet; needs the user's consent to share the balance.",
  scope: { id: 'scope.wallet', purpose: { zh: '下单前告诉您余额是否足够支付。', en: 'Show whether your balance covers the fare before you book.' } },
  side: 'server',
  rateTier: 'sensitive',
  methods: {
    getBalance: {
      summary: "Get the user's available wallet balance.",
      params: noParams,
      result: obj({ balance, currency: constant('CNY', 'Always CNY.'), updatedAt: time('When the balance last changed.') }, ['balance', 'currency', 'updatedAt']),
      errors: ['CONSENT_REQUIRED'],
      examples: [{ title: 'Balance', params: {}, result: { balance: 125000, currency: 'CNY', updatedAt: 1746072031000 } }],
    },
    openTopUp: {
      summary: 'Open the host top-up sheet, optionally suggesting an amount.',
      params: obj({ amount: fen('Suggested amount in fen; the user may change it.') }, []),
      result: obj({ toppedUp: bool('True when the user topped up.'), amount: fenOrZero('Amount added, in fen (0 if none).'), balance }, ['toppedUp', 'amount', 'balance']),
      confirm: { kind: 'topUp', shows: ['amount', 'sourceCard.masked'] },
      userGesture: true,
      errors: ['CONSENT_REQUIRED', 'USER_CANCELLED', 'PIN_INCORRECT', 'PIN_LOCKED', 'LIMIT_EXCEEDED'],
      examples: [{ title: 'Top up 100 yuan', params: { amount: 10000 }, result: { toppedUp: true, amount: 10000, balance: 135000 } }],
    },
  },
  openApi: [],
  docs: `# Wallet

The balance of the user's payment account is personal data: both methods need consent to
\`scope.wallet\`, asked once in a host sheet and revocable in settings.

- \`getBalance\` is a hint for the UI ("balance is enough"); the cashier decides at payment time.
- \`openTopUp\` opens the host's own top-up sheet: the user picks a linked card and confirms
  with the PIN. The mini-app only suggests an amount; it never sees card data.
- Top-ups are capped per day by the bank (\`LIMIT_EXCEEDED\`).

\`\`\`js
const { balance } = await lily.payment.wallet.getBalance();
if (balance < fare) await lily.payment.wallet.openTopUp({ amount: fare - balance });
\`\`\`
`,
});
