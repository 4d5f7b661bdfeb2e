import { defineCapability } from '../define.ts';
import { id, int, noParams, obj, openId, str, time } from '../schemas.ts';

const points = (description: string) => int(description, 1, 10_000_000);
const balance = { type: 'integer', minimum: 0, maximum: 1_000_000_000, description: 'Points balance after the change.' } as const;
const outBizNo = str("The merchant's own number for this change, unique per app.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' });
const change = obj({ transactionId: id('pt', 'Points transaction id.'), points: points('Points moved.'), balance }, ['transactionId', 'points', 'balance']);
const changeBody = obj({ openId, points: points('Points to move.'), outBizNo, reason: str('Shown in the user’s points history.', 60, { minLength: 1 }) }, ['openId', 'points', 'outBizNo', 'reason']);

/** `member.points`: the bank's points, earned and spent in mini-apps. */
export default defineCapability({
  id: 'member.points',
  title: 'Points',
  titleZh: '积分',
  description: "The user's bank points: read the balance, redeem points for something in the mini-app, and let the merchant server award or deduct points.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    getPoints: {
      summary: "Get the user's points balance and what expires soon.",
      params: noParams,
      result: obj(
        { balance: { ...balance, description: 'Points balance.' }, expiringPoints: int('Points that expire at expiringAt.', 0, 1_000_000_000), expiringAt: { type: ['integer', 'null'], minimum: 0, description: 'Next expiry, or null.' } },
        ['balance', 'expiringPoints', 'expiringAt'],
      ),
      errors: [],
      examples: [{ title: 'Balance', params: {}, result: { balance: 12800, expiringPoints: 800, expiringAt: 1767196800000 } }],
    },
    redeemPoints: {
      summary: 'Spend points for something in the mini-app, after the user confirms in a host sheet.',
      params: obj({ points: points('Points to spend.'), outBizNo, description: str('What the points buy, shown in the sheet.', 60, { minLength: 1 }) }, ['points', 'outBizNo', 'description']),
      result: { ...change, properties: { ...change.properties, redeemedAt: time('When.') }, required: [...change.required, 'redeemedAt'] },
      confirm: { kind: 'points', shows: ['points', 'description', 'merchant.name'] },
      userGesture: true,
      errors: ['USER_CANCELLED', 'INSUFFICIENT_FUNDS', 'DUPLICATE'],
      examples: [
        {
          title: 'A popcorn voucher for 500 points',
          params: { points: 500, outBizNo: 'POP-20250501-77', description: '爆米花兑换券' },
          result: { transactionId: 'pt_Wq3Er5Ty7Ui9', points: 500, balance: 12300, redeemedAt: 1746072000000 },
        },
      ],
    },
  },
  openApi: [
    { method: 'POST', path: '/open/v1/member/points/earn', operationId: 'earnPoints', summary: 'Award points to a user.', body: changeBody, result: change, errors: ['NOT_FOUND', 'DUPLICATE', 'QUOTA_EXCEEDED'], idempotent: true },
    { method: 'POST', path: '/open/v1/member/points/deduct', operationId: 'deductPoints', summary: 'Take back points (e.g. after a refund).', body: changeBody, result: change, errors: ['NOT_FOUND', 'DUPLICATE', 'INSUFFICIENT_FUNDS'], idempotent: true },
    {
      method: 'GET',
      path: '/open/v1/member/points/{openId}',
      operationId: 'queryPoints',
      summary: "Get a user's points balance.",
      params: obj({ openId }, ['openId']),
      result: obj({ openId, balance: { ...balance, description: 'Points balance.' } }, ['openId', 'balance']),
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Points

Points are integers kept on the bank ledger like money (no balance goes negative, every change is
one journal entry).

- \`redeemPoints\` shows a host sheet with the points and what they buy; spending more than the
  balance answers \`INSUFFICIENT_FUNDS\`.
- \`earnPoints\` is limited by the points budget the merchant bought from the bank
  (\`QUOTA_EXCEEDED\` when spent); \`deductPoints\` cannot take more than the user has.
- \`outBizNo\` makes every change idempotent; reusing it with another body answers \`DUPLICATE\`.
`,
});
