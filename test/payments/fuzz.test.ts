/**
 * Property test: thousands of random money operations (pay, double pay, refund, hold, capture,
 * release, split, escrow, agreement charge, top-up, QR pay, close) in two apps and both
 * environments, run in concurrent batches. After every run: each journal entry sums to zero, no
 * forbidden balance is negative, replaying the journal reproduces every balance, no order was
 * paid twice, refunds never exceed what was paid, and hold and escrow accounts match their state.
 *
 * Set LILY_FUZZ_SEED to replay a run; the seed is in every failure message.
 */
import { describe, expect, it } from 'vitest';
import type { Env } from '../../server/payments/common.ts';
import { expireHolds } from '../../server/payments/holds.ts';
import { closeExpiredOrders } from '../../server/payments/orders.ts';
import { fundMarketingBudget } from '../../server/payments/wallet.ts';
import { createKit, PIN, T0, type Kit } from './helpers.ts';

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[int(0, xs.length - 1)]);
  return { next, int, pick };
}

const ENVS: Env[] = ['sandbox', 'production'];
const APPS = ['fz-a', 'fz-b'];
const USERS = ['fzuser0', 'fzuser1', 'fzuser2', 'fzuser3', 'fzuser4', 'fzuser5'];
/** Refusals a random operation may meet; anything else fails the run. */
const EXPECTED = new Set(['INVALID_STATE', 'LIMIT_EXCEEDED', 'INSUFFICIENT_FUNDS', 'DUPLICATE', 'CONFLICT']);

interface World {
  env: Env;
  appId: string;
}

async function fuzzRun(seed: number, batches: number, batchSize: number): Promise<{ ops: number; ok: number; codes: Record<string, number> }> {
  const r = prng(seed);
  const kit: Kit = await createKit({
    feeRateBps: r.pick([0, 60])!,
    discount: async (_tx, input) => (input.couponId === 'camp' && input.amount > 100 ? { amount: Math.floor(input.amount / 20), fundedBy: 'bank', ref: 'camp' } : null),
  });
  const prepays: (World & { userId: string; prepayId: string; orderId: string })[] = [];
  const paid: (World & { orderId: string; amount: number })[] = [];
  const holds: (World & { holdId: string; amount: number })[] = [];
  const agreements: (World & { agreementId: string })[] = [];
  const escrows: (World & { escrowId: string; milestones: number })[] = [];
  const payCount = new Map<string, number>();
  const codes: Record<string, number> = {};
  let ops = 0;
  let ok = 0;
  let seq = 0;
  const no = (p: string) => `${p}${seed.toString(36)}-${++seq}`;
  const world = (): World => ({ env: r.pick(ENVS)!, appId: r.pick(APPS)! });
  const host = () => ({ confirmed: true, pin: PIN, ...(r.next() < 0.15 ? { couponId: 'camp' } : {}) });

  try {
    for (const env of ENVS) {
      await kit.seed(USERS, env, 60_000);
      await fundMarketingBudget(kit.store, env, 10_000_000, `fuzz-${seed}`, T0);
    }
    const operations: Record<string, { weight: number; run: () => Promise<unknown> }> = {
      prepay: {
        weight: 6,
        run: async () => {
          const w = world();
          const userId = r.pick(USERS)!;
          const res = await kit.op('createPrepay', kit.merchant(w.appId, w.env), { openId: kit.openId(userId, w.appId), outTradeNo: no('P'), amount: r.int(1, 30_000), description: 'fuzz' });
          prepays.push({ ...w, userId, ...res });
        },
      },
      pay: {
        weight: 10,
        run: async () => {
          // Recent prepays, so the same one is often paid by several operations of a batch.
          const p = r.pick(prepays.slice(-8));
          if (!p) return;
          const res = await kit.call(kit.user(p.userId, { appId: p.appId, env: p.env, host: host() }), 'payment.cashier', 'requestPayment', { prepayId: p.prepayId });
          payCount.set(p.orderId, (payCount.get(p.orderId) ?? 0) + 1);
          paid.push({ ...p, amount: res.paidAmount });
        },
      },
      qr: {
        weight: 2,
        run: async () => {
          const w = world();
          const qr = await kit.op('createQrOrder', kit.merchant(w.appId, w.env), { outTradeNo: no('Q'), amount: r.int(1, 5_000), description: 'qr' });
          const payers = r.int(1, 2);
          await Promise.allSettled(
            Array.from({ length: payers }, async () => {
              const res = await kit.call(kit.user(r.pick(USERS)!, { ...w, host: host() }), 'payment.qrcode', 'scanToPay', { code: qr.code });
              payCount.set(qr.orderId, (payCount.get(qr.orderId) ?? 0) + 1);
              paid.push({ ...w, orderId: qr.orderId, amount: res.paidAmount });
            }),
          );
        },
      },
      refund: {
        weight: 6,
        run: async () => {
          const o = r.pick(paid);
          if (!o) return;
          await kit.op('createRefund', kit.merchant(o.appId, o.env), { orderId: o.orderId, outRefundNo: no('R'), amount: r.int(1, Math.max(1, Math.ceil(o.amount * 0.7))) });
        },
      },
      hold: {
        weight: 3,
        run: async () => {
          const w = world();
          const userId = r.pick(USERS)!;
          const h = await kit.op('createHold', kit.merchant(w.appId, w.env), {
            openId: kit.openId(userId, w.appId),
            outHoldNo: no('H'),
            amount: r.int(1, 40_000),
            description: 'deposit',
            ...(r.next() < 0.3 ? { expireSeconds: 3600 } : {}),
          });
          holds.push({ ...w, holdId: h.holdId, amount: h.amount });
          await kit.call(kit.user(userId, { ...w, host: host() }), 'payment.deposit', 'authorizeHold', { holdId: h.holdId });
        },
      },
      capture: {
        weight: 3,
        run: async () => {
          const h = r.pick(holds);
          if (!h) return;
          const res = await kit.op('captureHold', kit.merchant(h.appId, h.env), { holdId: h.holdId, amount: r.int(1, Math.ceil(h.amount * 1.1)) });
          const order = await kit.store.collection('payment_orders').findOne({ holdId: h.holdId });
          if (order && !paid.some((p) => p.orderId === order._id)) paid.push({ ...h, orderId: order._id, amount: res.capturedAmount });
        },
      },
      release: {
        weight: 2,
        run: async () => {
          const h = r.pick(holds);
          if (h) await kit.op('releaseHold', kit.merchant(h.appId, h.env), { holdId: h.holdId });
        },
      },
      split: {
        weight: 3,
        run: async () => {
          const o = r.pick(paid);
          if (!o) return;
          const receivers = Array.from({ length: r.int(1, 3) }, (_, i) => ({ subMerchantId: `sm_fuzz0${i}${r.int(0, 3)}`, amount: r.int(1, Math.max(1, Math.floor(o.amount / 3))), description: 'split' }));
          await kit.op('splitOrder', kit.merchant(o.appId, o.env), { orderId: o.orderId, outSplitNo: no('S'), receivers, finish: r.next() < 0.2 });
        },
      },
      escrow: {
        weight: 2,
        run: async () => {
          const o = r.pick(paid);
          if (!o) return;
          const m = kit.merchant(o.appId, o.env);
          const order = await kit.op('queryOrder', m, { orderId: o.orderId });
          if (order.status !== 'paid' || order.paidAmount < 2) return;
          const first = r.int(1, order.paidAmount - 1);
          const e = await kit.op('createEscrow', m, { orderId: o.orderId, milestones: [{ name: 'a', amount: first }, { name: 'b', amount: order.paidAmount - first }] });
          escrows.push({ ...o, escrowId: e.escrowId, milestones: 2 });
        },
      },
      escrowMove: {
        weight: 3,
        run: async () => {
          const e = r.pick(escrows);
          if (!e) return;
          const m = kit.merchant(e.appId, e.env);
          if (r.next() < 0.7) await kit.op('releaseEscrowMilestone', m, { escrowId: e.escrowId, milestone: r.int(0, e.milestones - 1) });
          else await kit.op('refundEscrow', m, { escrowId: e.escrowId, reason: 'fuzz' });
        },
      },
      sign: {
        weight: 1,
        run: async () => {
          const w = world();
          const a = await kit.call(kit.user(r.pick(USERS)!, { ...w, host: host() }), 'payment.agreement', 'signAgreement', {
            scene: r.pick(['ride', 'parking', 'charging', 'rental', 'transit'] as const)!,
            perChargeLimit: 5_000,
            dailyLimit: 20_000,
          });
          agreements.push({ ...w, agreementId: a.agreementId });
        },
      },
      charge: {
        weight: 5,
        run: async () => {
          const a = r.pick(agreements);
          if (!a) return;
          const res = await kit.op('chargeAgreement', kit.merchant(a.appId, a.env), { agreementId: a.agreementId, outTradeNo: no('A'), amount: r.int(1, 6_000), description: 'ride' });
          payCount.set(res.orderId, (payCount.get(res.orderId) ?? 0) + 1);
          paid.push({ ...a, orderId: res.orderId, amount: res.amount });
        },
      },
      terminate: {
        weight: 1,
        run: async () => {
          const a = r.pick(agreements);
          if (a && r.next() < 0.3) await kit.op('terminateAgreement', kit.merchant(a.appId, a.env), { agreementId: a.agreementId, reason: 'fuzz' });
        },
      },
      topUp: {
        weight: 2,
        run: async () => {
          const w = world();
          await kit.call(kit.user(r.pick(USERS)!, { ...w, host: { confirmed: true, pin: PIN, amount: r.int(1, 50_000) } }), 'payment.wallet', 'openTopUp', {});
        },
      },
      close: {
        weight: 1,
        run: async () => {
          const p = r.pick(prepays.slice(-8));
          if (p) await kit.op('closeOrder', kit.merchant(p.appId, p.env), { orderId: p.orderId });
        },
      },
    };
    const table = Object.entries(operations).flatMap(([name, o]) => Array.from({ length: o.weight }, () => name));

    for (let b = 0; b < batches; b++) {
      kit.clock.now = T0 + b * 1000;
      const batch = Array.from({ length: batchSize }, () => r.pick(table)!);
      const results = await Promise.allSettled(batch.map((name) => operations[name]!.run()));
      results.forEach((res, i) => {
        ops++;
        if (res.status === 'fulfilled') {
          ok++;
          return;
        }
        const code = (res.reason as { code?: string }).code ?? String(res.reason);
        codes[code] = (codes[code] ?? 0) + 1;
        if (!EXPECTED.has(code)) throw new Error(`seed ${seed}: ${batch[i]} failed unexpectedly: ${(res.reason as Error).stack ?? String(res.reason)}`);
      });
      // Now and then the sweeper closes prepays and expires short holds created a few seconds ago.
      if (b % 10 === 9) {
        await closeExpiredOrders(kit.store, kit.clock.now + 1_795_000);
        await expireHolds(kit.store, kit.clock.now + 3_595_000);
      }
    }

    for (const [orderId, n] of payCount) expect(n, `seed ${seed}: order ${orderId} paid ${n} times`).toBe(1);
    const ledger = await kit.ledger.checkInvariants();
    expect(ledger.problems, `seed ${seed}`).toEqual([]);
    expect(ledger.entries).toBeGreaterThan(batches);
    const replay = await kit.ledger.replay();
    expect(replay.mismatches, `seed ${seed}`).toEqual([]);
    await kit.expectInvariants();
    return { ops, ok, codes };
  } finally {
    await kit.dispose();
  }
}

describe('random concurrent money operations', () => {
  const base = process.env.LILY_FUZZ_SEED ? Number(process.env.LILY_FUZZ_SEED) : (Date.now() % 1_000_000) * 7 + 1;
  for (let run = 0; run < 3; run++) {
    it(`run ${run + 1}: 40 batches of 25 concurrent operations keep every invariant`, { timeout: 240_000 }, async () => {
      const seed = base + run;
      const { ops, ok, codes } = await fuzzRun(seed, 40, 25);
      if (process.env.LILY_FUZZ_VERBOSE) console.info(`seed ${seed}: ${ok}/${ops} succeeded; refusals ${JSON.stringify(codes)}`);
      expect(ops).toBe(1000);
      // Most operations must actually do something, or the run proves little.
      expect(ok, `seed ${seed}: ${JSON.stringify(codes)}`).toBeGreaterThan(400);
    });
  }
});
