import { defineCapability } from '../define.ts';
import { arr, bool, cursor, enumOf, id, int, limit, nextCursor, obj, openId, str, time } from '../schemas.ts';

const activityId = id('act', 'Lucky draw activity id.');
const prizeType = enumOf(['coupon', 'points', 'physical'] as const, 'coupon: issued from a stock; points: bank points; physical: shipped by the merchant.');
const prize = obj({ prizeId: id('prz', 'Prize id.'), title: str('Prize name.', 40), type: prizeType }, ['prizeId', 'title', 'type'], 'The prize won.');
const draw = obj(
  { drawId: id('drw', 'Draw id (auditable).'), won: bool('True when a prize was won.'), prize: { ...prize, type: ['object', 'null'], description: 'The prize, or null.' }, remainingDraws: int('Draws the user has left in this activity.', 0, 100) },
  ['drawId', 'won', 'prize', 'remainingDraws'],
);

const commitment = str('SM3 digest (hex) of the activity’s secret seed, published when the activity is created.', 64, { pattern: '^[0-9a-f]{64}$' });
const seed = { type: ['string', 'null'], maxLength: 64, pattern: '^[0-9a-f]{64}$', description: 'The seed (hex), revealed once the activity has ended; null before.' } as const;

/** `marketing.luckyDraw`: draws with exact inventory and auditable results. */
export default defineCapability({
  id: 'marketing.luckyDraw',
  title: 'Lucky draw',
  titleZh: '抽奖',
  description: 'Lucky draws run by the bank server: prizes, odds and limits set by the merchant, inventory exact under concurrency, every draw recorded for audit.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    drawPrize: {
      summary: 'Draw once in an activity.',
      params: obj({ activityId }, ['activityId']),
      result: draw,
      userGesture: true,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED'],
      examples: [
        { title: 'Win a coupon', params: { activityId: 'act_May2025Film' }, result: { drawId: 'drw_Pq9Wr2Et4Yu6', won: true, prize: { prizeId: 'prz_Popcorn01', title: '爆米花券', type: 'coupon' }, remainingDraws: 2 } },
        { title: 'No luck', params: { activityId: 'act_May2025Film' }, result: { drawId: 'drw_Zx1Cv3Bn5Mm7', won: false, prize: null, remainingDraws: 1 } },
      ],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/marketing/lucky-draws',
      operationId: 'createLuckyDraw',
      summary: 'Create a lucky draw activity (reviewed by the bank before it starts).',
      body: obj(
        {
          title: str('Activity title.', 40, { minLength: 1 }),
          startAt: time('Starts at.'),
          endAt: time('Ends at.'),
          drawsPerUser: int('Draws per user over the activity.', 1, 100),
          prizes: {
            ...arr(
              obj(
                { title: str('Prize name.', 40, { minLength: 1 }), type: prizeType, inventory: int('How many exist.', 1, 1_000_000), probabilityPpm: int('Chance per draw in parts per million.', 1, 1_000_000), couponStockId: id('cs', 'Stock to issue from (coupon prizes).'), points: int('Points to award (points prizes).', 1, 1_000_000) },
                ['title', 'type', 'inventory', 'probabilityPpm'],
                'One prize.',
              ),
              20,
              'Prizes; probabilities add up to at most 1,000,000.',
            ),
            minItems: 1,
          },
        },
        ['title', 'startAt', 'endAt', 'drawsPerUser', 'prizes'],
      ),
      result: obj({ activityId, status: enumOf(['pending_review', 'scheduled'] as const, 'Review state.'), commitment }, ['activityId', 'status', 'commitment']),
      errors: ['INVALID_PARAMS', 'NOT_FOUND'],
      idempotent: false,
    },
    {
      method: 'GET',
      path: '/open/v1/marketing/lucky-draws/{activityId}/draws',
      operationId: 'listDraws',
      summary: 'List every draw of an activity, for audit.',
      params: obj({ activityId, winnersOnly: bool('Only winning draws.'), limit, cursor }, ['activityId']),
      result: obj(
        { draws: arr(obj({ ...draw.properties, openId, at: time('When.') }, ['drawId', 'won', 'prize', 'openId', 'at'], 'A draw.'), 100, 'Oldest first.'), nextCursor, commitment, seed },
        ['draws', 'nextCursor', 'commitment', 'seed'],
      ),
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Lucky draw

The draw happens on the bank server, never in the mini-app. Each draw takes a random number from
a cryptographic source, picks a prize by the published odds, and decrements the prize inventory
in the same transaction as the draw record, so no prize is given out more often than it exists
and every result can be audited (\`listDraws\`). When a prize runs out, its chance goes to "no prize".

- Auditable: at creation the bank publishes \`commitment\` = SM3 of a secret 32-byte seed (its 64
  hex characters); each draw's number is \`n = int(first 13 hex of HMAC-SM3(key: seed hex, data: drawId)) mod 1,000,000\`
  and the prize is the first whose cumulative \`probabilityPpm\` exceeds \`n\`. \`listDraws\`
  reveals \`seed\` once the activity has ended, so anyone can check every result.
- Only on a user tap; outside the activity window \`INVALID_STATE\`; no draws left \`LIMIT_EXCEEDED\`.
- Coupon prizes are issued from the merchant's stock; points prizes from its points budget.
- Probabilities add up to at most 1,000,000 ppm (\`INVALID_PARAMS\`); prize stocks must exist
  (\`NOT_FOUND\`). Activities are reviewed by bank ops before they start.
`,
});
