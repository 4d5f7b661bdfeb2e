import { defineCapability } from '../define.ts';
import { arr, enumOf, int, noParams, obj, openId, str, time } from '../schemas.ts';

const tier = enumOf(['regular', 'silver', 'gold', 'platinum', 'diamond'] as const, 'Membership tier, lowest to highest.');
const validUntil = { type: ['integer', 'null'], minimum: 0, description: 'When the tier is reviewed, or null for regular.' } as const;

/** `member.tier`: the user's bank membership level and benefits. */
export default defineCapability({
  id: 'member.tier',
  title: 'Membership tier',
  titleZh: '会员等级',
  description: "The user's bank membership tier and its benefits, so mini-apps can offer tier perks.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    getTier: {
      summary: "Get the user's tier and the benefits it brings in this app.",
      params: noParams,
      result: obj(
        {
          tier,
          tierName: str('Tier name to show (Chinese).', 20),
          benefits: arr(
            obj({ code: str('Stable benefit code.', 40, { pattern: '^[a-z][a-z0-9_]{1,39}$' }), title: str('Benefit to show.', 40) }, ['code', 'title'], 'One benefit.'),
            20,
            'Benefits for this tier that apply in this app.',
          ),
          progress: int('Percent of the way to the next tier (100 at the top).', 0, 100),
          validUntil,
        },
        ['tier', 'tierName', 'benefits', 'progress', 'validUntil'],
      ),
      errors: [],
      examples: [
        {
          title: 'A gold member',
          params: {},
          result: { tier: 'gold', tierName: '金卡会员', benefits: [{ code: 'airport_lounge', title: '机场贵宾厅' }], progress: 40, validUntil: 1767196800000 },
        },
      ],
    },
  },
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/member/tiers/{openId}',
      operationId: 'queryTier',
      summary: "Get a user's tier.",
      params: obj({ openId }, ['openId']),
      result: obj({ openId, tier, validUntil, checkedAt: time('When the bank last reviewed the tier.') }, ['openId', 'tier', 'validUntil', 'checkedAt']),
      errors: ['NOT_FOUND'],
      idempotent: true,
    },
  ],
  docs: `# Membership tier

The bank reviews tiers monthly from the customer's relationship with the bank; mini-apps cannot
change them. Use the tier for perks the merchant agreed with the bank (a free upgrade, a lounge).
The tier is not personal data in the consent sense; the exact assets behind it are never shared.
`,
});
