import { defineCapability } from '../define.ts';
import { arr, cursor, enumOf, fen, fenOrZero, id, int, limit, nextCursor, obj, openId, str, time } from '../schemas.ts';

const stockId = id('cs', 'Coupon stock id.');
const couponId = id('cp', 'Coupon id.');
const outNo = (what: string) => str(`The merchant's own ${what} number, unique per app.`, 64, { pattern: '^[A-Za-z0-9_-]{6,64}$' });
const rule = {
  title: str('Coupon title, e.g. 满50减10.', 30, { minLength: 1 }),
  discountAmount: fen('Discount in fen.'),
  thresholdAmount: fenOrZero('Minimum order amount in fen (0 = no threshold).'),
  validFrom: time('Usable from.'),
  validUntil: time('Usable until.'),
} as const;
const stock = obj({ stockId, ...rule, remaining: int('Coupons left to claim.', 0, 10_000_000), perUserLimit: int('Most coupons one user may hold from this stock.', 1, 100), claimed: int('How many this user already claimed.', 0, 100) },
  ['stockId', 'title', 'discountAmount', 'thresholdAmount', 'validFrom', 'validUntil', 'remaining', 'perUserLimit', 'claimed'], 'A coupon stock open for claiming.');
const coupon = obj({ couponId, stockId, ...rule, status: enumOf(['available', 'locked', 'used', 'expired'] as const, 'locked: held by an unpaid order.') },
  ['couponId', 'stockId', 'title', 'discountAmount', 'thresholdAmount', 'validFrom', 'validUntil', 'status'], "A coupon in the user's wallet.");
const RULE = { title: '满50减10', discountAmount: 1000, thresholdAmount: 5000, validFrom: 1746028800000, validUntil: 1748707199000 } as const;

/** `marketing.coupons`: merchant coupons with budget, inventory and per-user limits. */
export default defineCapability({
  id: 'marketing.coupons',
  title: 'Coupons',
  titleZh: '优惠券',
  description: 'Merchant-funded coupons: the merchant creates a stock with a budget and limits; users claim them in the mini-app or receive them; the cashier applies them.',
  side: 'server',
  rateTier: 'standard',
  methods: {
    listAvailableCoupons: {
      summary: 'List coupon stocks of this app the user can still claim.',
      params: obj({ limit, cursor }, []),
      result: obj({ stocks: arr(stock, 100, 'Claimable stocks.'), nextCursor }, ['stocks', 'nextCursor']),
      errors: [],
      examples: [{ title: 'One stock', params: {}, result: { stocks: [{ stockId: 'cs_Sp2025Ride', ...RULE, remaining: 4810, perUserLimit: 1, claimed: 0 }], nextCursor: null } }],
    },
    claimCoupon: {
      summary: 'Claim one coupon from a stock.',
      params: obj({ stockId }, ['stockId']),
      result: coupon,
      userGesture: true,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED'],
      examples: [{ title: 'Claim', params: { stockId: 'cs_Sp2025Ride' }, result: { couponId: 'cp_Hn4Jm6Kl8Zx2', stockId: 'cs_Sp2025Ride', ...RULE, status: 'available' } }],
    },
    listMyCoupons: {
      summary: "List the user's coupons from this app.",
      params: obj({ status: coupon.properties.status, limit, cursor }, []),
      result: obj({ coupons: arr(coupon, 100, 'Coupons, soonest to expire first.'), nextCursor }, ['coupons', 'nextCursor']),
      errors: [],
      examples: [{ title: 'Available coupons', params: { status: 'available' }, result: { coupons: [{ couponId: 'cp_Hn4Jm6Kl8Zx2', stockId: 'cs_Sp2025Ride', ...RULE, status: 'available' }], nextCursor: null } }],
    },
  },
  openApi: [
    {
      method: 'POST',
      path: '/open/v1/marketing/coupon-stocks',
      operationId: 'createCouponStock',
      summary: 'Create a coupon stock with a budget, an inventory and a per-user limit.',
      body: obj({ outStockNo: outNo('stock'), ...rule, inventory: int('Coupons in the stock.', 1, 10_000_000), budgetAmount: fen('Most the stock may cost, in fen (≥ inventory × discount).'), perUserLimit: stock.properties.perUserLimit },
        ['outStockNo', 'title', 'discountAmount', 'thresholdAmount', 'validFrom', 'validUntil', 'inventory', 'budgetAmount', 'perUserLimit']),
      result: obj({ stockId, status: enumOf(['active', 'pending_funding'] as const, 'active once the budget is reserved from the merchant account.') }, ['stockId', 'status']),
      errors: ['INVALID_PARAMS', 'INSUFFICIENT_FUNDS', 'DUPLICATE'],
      idempotent: true,
    },
    {
      method: 'POST',
      path: '/open/v1/marketing/coupon-stocks/{stockId}/issue',
      operationId: 'issueCoupon',
      summary: 'Issue one coupon from a stock to a user.',
      params: obj({ stockId }, ['stockId']),
      body: obj({ openId, outRequestNo: outNo('request') }, ['openId', 'outRequestNo']),
      result: coupon,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'LIMIT_EXCEEDED', 'DUPLICATE'],
      idempotent: true,
    },
  ],
  docs: `# Coupons

- A stock reserves its budget from the merchant's account at creation; it can never issue more
  than its inventory or its budget, or more than \`perUserLimit\` to one user, however many
  claims race (inventory and per-user counts change in one transaction).
- An empty or ended stock answers \`INVALID_STATE\`; a user at the limit \`LIMIT_EXCEEDED\`.
- The cashier picks the best usable coupon (threshold met, valid, this app) and locks it while the
  order is unpaid; it is used at payment and released by \`marketing.redeem\` rules on refund.
- \`outStockNo\` and \`outRequestNo\` make creation and issuing idempotent.
`,
});
