/**
 * Crash safety: a process running a stream of payments on the embedded store is killed with
 * SIGKILL mid-stream, twice; after each kill the store reopens with the ledger and payment
 * invariants intact and every payment and refund the process acknowledged present.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../server/ledger/ledger.ts';
import { C } from '../../server/payments/common.ts';
import { checkPaymentInvariants } from '../../server/payments/invariants.ts';
import type { OrderDoc } from '../../server/payments/orders.ts';
import type { RefundDoc } from '../../server/payments/refunds.ts';
import { openStore } from '../../server/store/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const writer = path.join(here, 'crash-writer.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'lily-pay-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Acked {
  paid: Map<string, number>;
  refunds: Map<string, { orderId: string; amount: number }>;
}

/** Runs the writer until it acknowledged `payments` payments, then SIGKILLs it mid-stream. */
function runAndKill(dataDir: string, payments: number, acked: Acked): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let count = 0;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, a, b, c] = line.split(' ');
        if (kind === 'PAID') {
          acked.paid.set(a!, Number(b));
          count++;
        } else if (kind === 'REFUND') {
          acked.refunds.set(a!, { orderId: b!, amount: Number(c) });
        }
        if (!killed && count >= payments) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve();
      else reject(new Error(`writer exited early (code ${code}, signal ${signal}): ${err}`));
    });
  });
}

async function verify(dataDir: string, acked: Acked): Promise<number> {
  const store = await openStore({ dataDir, durability: 'normal' });
  try {
    const ledger = await new Ledger(store).checkInvariants();
    expect(ledger.problems).toEqual([]);
    expect((await checkPaymentInvariants(store)).problems).toEqual([]);
    const orders = store.collection<OrderDoc>(C.orders);
    for (const [orderId, amount] of acked.paid) {
      const o = await orders.findOne({ _id: orderId });
      expect(o, `acknowledged payment ${orderId} is missing`).not.toBeNull();
      expect(o!.paidAmount).toBe(amount);
      expect(['paid', 'partially_refunded', 'refunded']).toContain(o!.status);
    }
    for (const [refundId, r] of acked.refunds) {
      const doc = await store.collection<RefundDoc>(C.refunds).findOne({ _id: refundId });
      expect(doc, `acknowledged refund ${refundId} is missing`).toMatchObject({ orderId: r.orderId, amount: r.amount, status: 'succeeded' });
    }
    return orders.countDocuments({ status: { $in: ['paid', 'partially_refunded'] } });
  } finally {
    await store.close();
  }
}

describe('payments across kill -9', () => {
  it('keeps every acknowledged payment and refund, and the ledger balanced, after two kills', { timeout: 180_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    const acked: Acked = { paid: new Map(), refunds: new Map() };
    await runAndKill(dataDir, 40, acked);
    const afterFirst = await verify(dataDir, acked);
    expect(afterFirst).toBeGreaterThanOrEqual(acked.paid.size);
    await runAndKill(dataDir, 40, acked);
    await verify(dataDir, acked);
    expect(acked.paid.size).toBeGreaterThanOrEqual(80);
    expect(acked.refunds.size).toBeGreaterThanOrEqual(15);
  });
});
