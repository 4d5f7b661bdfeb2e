import { defineCapability } from '../define.ts';
import { arr, cursor, limit, nextCursor, obj, openId, orderStatus, outTradeNo, time } from '../schemas.ts';
import { EXAMPLE_ORDER, orderId, orderView } from './shared.ts';

/** `payment.orders`: a user's orders in one app, and the merchant's view of all of them. */
export default defineCapability({
  id: 'payment.orders',
  title: 'Orders',
  titleZh: '订单查询',
  description: "List and read orders: a mini-app sees only this user's orders in this app; the merchant's server sees all of the app's orders.",
  side: 'server',
  rateTier: 'standard',
  methods: {
    listOrders: {
      summary: "List this user's orders in this app, newest first.",
      params: obj({ status: orderStatus, limit, cursor }, []),
      result: obj({ orders: arr(orderView, 100, 'Orders, newest first.'), nextCursor }, ['orders', 'nextCursor']),
      errors: [],
      examples: [{ title: 'Recent orders', params: { limit: 1 }, result: { orders: [EXAMPLE_ORDER], nextCursor: 'eyJjIjoxNzQ2MDcyMDAwMDAwfQ' } }],
    },
    getOrder: {
      summary: "Get one of this user's orders in this app.",
      params: obj({ orderId }, ['orderId']),
      result: orderView,
      errors: ['NOT_FOUND'],
      examples: [{ title: 'Order detail', params: { orderId: 'ord_8Kd2LmQ4x7Tz' }, result: EXAMPLE_ORDER }],
    },
  },
  openApi: [
    {
      method: 'GET',
      path: '/open/v1/payments/orders',
      operationId: 'listMerchantOrders',
      summary: "List the app's orders, newest first, with filters.",
      params: obj(
        {
          status: orderStatus,
          outTradeNo,
          openId,
          from: time('Created at or after (ms since epoch).'),
          to: time('Created before (ms since epoch).'),
          limit,
          cursor,
        },
        [],
      ),
      result: obj({ orders: arr(orderView, 100, 'Orders, newest first.'), nextCursor }, ['orders', 'nextCursor']),
      errors: [],
      idempotent: true,
    },
  ],
  docs: `# Orders

Read-only views of orders created through the cashier, QR codes and agreements.

- In a mini-app, \`listOrders\` and \`getOrder\` return only the current user's orders **in this
  app**; another user's or another app's order id answers \`NOT_FOUND\`, never \`FORBIDDEN\`, so ids
  cannot be probed.
- \`listMerchantOrders\` (Open API) lists every order of the app, filtered by state, merchant order
  number, openId or creation time.
- Lists are paged with an opaque \`cursor\`; a page holds at most 100 orders.
- Amounts are integer fen. \`paidAmount\` is what the user paid after \`discountAmount\` (coupons,
  bank campaigns). Bank campaigns are bank-funded; the merchant's own coupons reduce its settlement.

\`\`\`js
const { orders } = await lily.payment.orders.listOrders({ status: 'paid', limit: 10 });
\`\`\`
`,
});
