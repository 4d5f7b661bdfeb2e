/**
 * Child process for the payment crash test: opens the embedded store in `argv[2]` and runs a
 * stream of payments (and, every few, a refund) through the payment services until it is killed.
 * Each line is printed only after the transaction that booked it has committed:
 * `PAID <orderId> <amount>` and `REFUND <refundId> <orderId> <amount>`.
 *
 * Usage: node --import tsx test/payments/crash-writer.ts <dataDir>
 */
import { Payments } from '../../server/payments/payments.ts';
import { seedWallets } from '../../server/payments/wallet.ts';
import { openStore } from '../../server/store/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-writer.ts <dataDir>');

const store = await openStore({ dataDir, durability: 'normal' });
const payments = new Payments();
await payments.init(store);
const users = ['crash-u1', 'crash-u2', 'crash-u3'];
await seedWallets(store, users, 'sandbox', { amount: 100_000_000 });
const merchant = { store, env: 'sandbox' as const, appId: 'crash-app', now: Date.now };
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const userId = users[i % users.length]!;
  const amount = 100 + (i % 37);
  const { prepayId, orderId } = await payments.createPrepay(merchant, { openId: `o_crash_${userId}`, outTradeNo: `C${run}-${i}`, amount, description: 'crash test' });
  await payments.pay({ ...merchant, userId, openId: `o_crash_${userId}` }, { prepayId }, {}, { capability: 'payment.cashier' });
  process.stdout.write(`PAID ${orderId} ${amount}\n`);
  if (i % 4 === 3) {
    const refund = await payments.createRefund(merchant, { orderId, outRefundNo: `R${run}-${i}`, amount: 50 });
    process.stdout.write(`REFUND ${refund.refundId} ${orderId} 50\n`);
  }
}
