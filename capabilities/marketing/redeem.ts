import { defineCapability } from '../define.ts';
import { arr, cursor, enumOf, fen, id, limit, nextCursor, obj, openId, time } from '../schemas.ts';
import { orderId } from '../payment/shared.ts';

const redemption = obj(
  {
    couponId: id('cp', 'Coupon id.'),
    stockId: id('cs', 'Coupon stock id.'),
    openId,
    orderId,
    discountAmount: fen('Discount applied, in fen.'),
    status: enumOf(['redeemed', 'released'] as const, 'released: the order was refunded and the coupon returned or voided.'),
    redeemedAt: time('When the order was paid with it.'),
    releasedAt: { type: ['integer', 'null'], minimum: 0, description: 'When it was released, or null.' },
  },
  ['couponId', 'stockId', 'openId', 'orderId', 'discountAmount', 'status', 'redeemedAt', 'releasedAt'],
  'One coupon redemption.',
);

/** `marketing.redeem`: coupon redemptions at checkout and their release on refund. */
export default defineCapability({
  id: 'marketing.redeem',
  title: 'Coupon redemptions',
  titleZh: '优惠核销',
  description: 'Coupons applied in the cashier and released on refund; the merchant queries redemptions for its books.',
  side: 'server',
  rateTier: 'standard',
  methods: {},
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/marketing/redemptions',
      operationId: 'listRedemptions',
      summary: "List the app's coupon redemptions, newest first.",
      params: obj({ stockId: id('cs', 'Only this stock.'), from: time('Redeemed at or after.'), to: time('Redeemed before.'), status: redemption.properties.status, limit, cursor }, []),
      result: obj({ redemptions: arr(redemption, 100, 'Newest first.'), nextCursor }, ['redemptions', 'nextCursor']),
      errors: [],
      idempotent: true,
    },
  ],
  docs: `# Coupon redemptions

There is nothing to call in a mini-app: the cashier applies coupons. This capability holds the
rules and the merchant's view.

- A coupon is redeemed when the order it was locked to is paid, in the same ledger transaction.
- On a **full** refund the coupon is released: returned to the user if still valid, else voided.
  On a **partial** refund it stays redeemed unless what remains paid falls below the threshold.
- The merchant's settlement is reduced by its coupons' discounts; each redemption appears on
  the reconciliation statement.
`,
});
