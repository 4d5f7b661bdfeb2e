/**
 * Child process for the kill -9 test: opens the embedded store in `argv[2]` and commits transfer
 * transactions until it is killed. Each transaction moves an amount between accounts `a` and `b`
 * and appends a journal entry; its sequence number is printed only after the commit returns.
 *
 * Usage: node --import tsx test/store/kill9-writer.ts <dataDir>
 */
import { openStore } from '../../server/store/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: kill9-writer.ts <dataDir>');

function transferFor(seq: number): { from: string; to: string; amount: number } {
  return seq % 3 === 0 ? { from: 'b', to: 'a', amount: (seq % 11) + 1 } : { from: 'a', to: 'b', amount: (seq % 7) + 1 };
}

const store = await openStore({ dataDir });
let seq = await store.collection('journal').countDocuments();
process.stdout.write('ready\n');
for (;;) {
  seq += 1;
  const { from, to, amount } = transferFor(seq);
  await store.transaction(async (tx) => {
    const accounts = tx.collection<{ _id: string; balance: number }>('accounts');
    await accounts.updateOne({ _id: from }, { $inc: { balance: -amount } });
    await accounts.updateOne({ _id: to }, { $inc: { balance: amount } });
    await tx.collection('journal').insertOne({ _id: `j${seq}`, seq, from, to, amount, at: new Date() });
  });
  process.stdout.write(`${seq}\n`);
}
