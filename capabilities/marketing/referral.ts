import { defineCapability } from '../define.ts';
import { arr, cursor, enumOf, id, int, limit, nextCursor, noParams, obj, openId, str, time } from '../schemas.ts';

const referralId = id('ref', 'Referral id.');
const status = enumOf(['pending', 'qualified', 'rewarded'] as const, 'pending: invited user joined; qualified: met the merchant’s rule (e.g. first ride); rewarded.');

/** `marketing.referral`: invite friends, qualify, reward. */
export default defineCapability({
  id: 'marketing.referral',
  title: 'Referrals',
  titleZh: '邀请有礼',
  description: 'Track users invited through share links, and let the merchant settle rewards for qualified referrals.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    getReferralInfo: {
      summary: "Get the user's referral code and how many invitations turned into referrals.",
      params: noParams,
      result: obj(
        {
          referralCode: str('The user’s own referral code in this app.', 16, { pattern: '^[A-Z0-9]{6,16}$' }),
          invited: int('Users who joined through this user’s links.', 0, 1_000_000),
          qualified: int('Of those, how many qualified.', 0, 1_000_000),
          rewarded: int('Of those, how many were rewarded.', 0, 1_000_000),
        },
        ['referralCode', 'invited', 'qualified', 'rewarded'],
      ),
      errors: [],
      examples: [{ title: 'Three friends invited', params: {}, result: { referralCode: 'R8K2Q7', invited: 3, qualified: 2, rewarded: 1 } }],
    },
  },
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/marketing/referrals',
      operationId: 'listReferrals',
      summary: "List the app's referrals.",
      params: obj({ referrerOpenId: openId, status, limit, cursor }, []),
      result: obj(
        { referrals: arr(obj({ referralId, referrerOpenId: openId, inviteeOpenId: openId, status, createdAt: time('When the invitee joined.') }, ['referralId', 'referrerOpenId', 'inviteeOpenId', 'status', 'createdAt'], 'A referral.'), 100, 'Newest first.'), nextCursor },
        ['referrals', 'nextCursor'],
      ),
      errors: [],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/marketing/referrals/settle',
      operationId: 'settleReferralRewards',
      summary: 'Mark referrals qualified and reward the referrers with points or a coupon.',
      body: obj(
        {
          outSettleNo: str("The merchant's own settlement number.", 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' }),
          referralIds: { ...arr(referralId, 100, 'Referrals to reward, 1 to 100.'), minItems: 1, uniqueItems: true },
          reward: {
            oneOf: [
              obj({ points: int('Points per referral.', 1, 100_000) }, ['points'], 'Bank points from the merchant’s points budget.'),
              obj({ couponStockId: id('cs', 'Coupon stock to issue from.') }, ['couponStockId'], 'One coupon from a stock.'),
            ],
            description: 'The reward per referral: points or a coupon.',
          },
        },
        ['outSettleNo', 'referralIds', 'reward'],
      ),
      result: obj({ rewarded: int('Referrals rewarded now.', 0, 100), skipped: int('Already rewarded or unknown.', 0, 100) }, ['rewarded', 'skipped']),
      errors: ['INVALID_PARAMS', 'QUOTA_EXCEEDED', 'DUPLICATE'],
      idempotent: true,
    },
  ],
  docs: `# Referrals

A referral is recorded when a user opens a share link (\`marketing.share\`) and starts using the
app for the first time; self-referrals and users already known to the app are not counted.
The merchant decides when a referral qualifies and rewards it with \`settleReferralRewards\`
(bank points from its points budget, or a coupon from its stock). Each referral is rewarded at
most once, however often settlement is retried.
`,
});
