/**
 * Your server's view of the money: the app's latest sandbox orders, straight from the bank over
 * the signed Open API. Run it with `npx tsx server/orders.ts`.
 */
import { openApi } from './lily.ts';

interface Order {
  orderId: string;
  outTradeNo: string;
  status: string;
  amount: number;
  paidAmount: number;
  description: string;
}

const { lily, credentials } = openApi();
const { orders } = await lily.get<{ orders: Order[] }>('/open/v1/payments/orders', { limit: 10 });
console.log(`${orders.length} latest order(s) of ${credentials.appId} in the sandbox:`);
for (const o of orders) {
  console.log(`  ${o.orderId}  ${o.outTradeNo}  ${o.status.padEnd(8)}  ${(o.amount / 100).toFixed(2)} yuan  ${o.description}`);
}
