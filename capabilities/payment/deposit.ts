import { defineCapability } from '../define.ts';
import { enumOf, fen, fenOrZero, httpsUrl, id, int, obj, openId, str, time } from '../schemas.ts';

const holdId = id('hd', 'Hold id.');
const holdView = obj(
  {
    holdId,
    outHoldNo: str("The merchant's own hold number, unique per app.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' }),
    description: str('What the deposit is for.', 127),
    amount: fen('Amount held, in fen.'),
    capturedAmount: fenOrZero('Amount taken, in fen.'),
    status: enumOf(['created', 'held', 'captured', 'released', 'expired'] as const, 'created → held → captured or released; held → expired.'),
    expiresAt: time('When an uncaptured hold is released by itself.'),
    createdAt: time('When it was created.'),
  },
  ['holdId', 'outHoldNo', 'description', 'amount', 'capturedAmount', 'status', 'expiresAt', 'createdAt'],
  'A pre-authorization hold.',
);
const EXAMPLE = { holdId: 'hd_T6y3Pq8Rn2Vb', outHoldNo: 'HOTEL-88121', description: '上海静安店 押金', amount: 50000, capturedAmount: 0, status: 'held', expiresAt: 1746676800000, createdAt: 1746072000000 } as const;

/** `payment.deposit`: pre-authorization holds (ride deposits, hotel deposits). */
export default defineCapability({
  id: 'payment.deposit',
  title: 'Deposits (pre-authorization)',
  titleZh: '押金（预授权）',
  description: "Hold an amount on the user's account, then capture part or all of it, or release it.",
  side: 'server',
  rateTier: 'payment',
  confirm: { kind: 'hold', shows: ['hold.amount', 'hold.description', 'hold.expiresAt', 'merchant.name'] },
  methods: {
    authorizeHold: {
      summary: 'Ask the user to authorize a hold the merchant created.',
      params: obj({ holdId }, ['holdId']),
      result: holdView,
      userGesture: true,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'USER_CANCELLED', 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_NOT_SET', 'INSUFFICIENT_FUNDS'],
      examples: [{ title: 'Hotel deposit', params: { holdId: 'hd_T6y3Pq8Rn2Vb' }, result: EXAMPLE }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/holds',
      operationId: 'createHold',
      summary: 'Create a hold for a user to authorize.',
      body: obj(
        {
          openId,
          outHoldNo: holdView.properties.outHoldNo,
          amount: fen('Amount to hold, in fen.'),
          description: str('What the deposit is for, shown to the user.', 127, { minLength: 1 }),
          expireSeconds: int('Seconds the hold may last once authorized (max 30 days, default 7 days).', 3600, 2592000),
          notifyUrl: httpsUrl('Where hold webhooks go.'),
        },
        ['openId', 'outHoldNo', 'amount', 'description'],
      ),
      result: holdView,
      errors: ['NOT_FOUND', 'DUPLICATE', 'LIMIT_EXCEEDED'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/holds/{holdId}/capture',
      operationId: 'captureHold',
      summary: 'Take part or all of a held amount; the rest is released.',
      params: obj({ holdId }, ['holdId']),
      body: obj({ amount: fen('Amount to take, in fen; at most the held amount.') }, ['amount']),
      result: holdView,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/holds/{holdId}/release',
      operationId: 'releaseHold',
      summary: 'Release a hold without taking anything.',
      params: obj({ holdId }, ['holdId']),
      result: holdView,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
      idempotent: true,
    },
  ],
  docs: `# Deposits (pre-authorization)

For services where the final price comes later: a hotel stay, a rental car, a power bank.

1. The merchant's server calls \`createHold\`; the mini-app calls \`authorizeHold({holdId})\`; the
   host shows amount, purpose, expiry and merchant, and the user confirms with the PIN. The money
   stays in the user's account but cannot be spent (\`held\`).
2. At the end the merchant calls \`captureHold\` with the final amount (at most the held amount;
   the rest is released at once) or \`releaseHold\`. A hold is captured at most once.
3. Holds not captured by \`expiresAt\` are released automatically (\`expired\`).

Each step sends a webhook (\`hold.authorized\`, \`hold.captured\`, \`hold.released\`).
`,
});
