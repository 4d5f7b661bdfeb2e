/**
 * Payment through the bridge: `payment.cashier.requestPayment` with the host's confirmation and
 * PIN, over socket.io on loopback, at production settings (scrypt PIN check at the default cost,
 * one ledger transaction with fsync per payment). 100 users, 5 payments each, arriving on an
 * open-loop schedule at a fixed rate (default 20 payments/s, a busy hour on one server for a
 * ride app); latency per payment from its scheduled time to the answer, so queueing counts. A
 * second pass measures saturation: as many payments at once as there are users (closed loop).
 *
 * Run: `npx tsx bench/payment-bridge.ts`. Results: bench/results/payment-bridge.{json,md}.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { io as connect, type Socket } from 'socket.io-client';
import type { Response } from '../protocol/errors.ts';
import { BRIDGE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../protocol/socket.ts';
import { machine, percentile, round } from './support/stats.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100);
const PER_USER = Number(process.env.BENCH_PER_USER ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const root = path.resolve(import.meta.dirname, '..');

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/support/payment-server.ts'), String(USERS), String(PER_USER)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`fixture server exited with ${code}`)));
});
const fx = JSON.parse(line) as { port: number; users: { token: string; prepays: string[] }[]; scryptCost: number };
try {
  const base = `http://127.0.0.1:${fx.port}`;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  // Connect every user first (a launch and a socket each); payments then arrive on schedule.
  const sessions = await Promise.all(
    fx.users.map(async (u) => {
      const launch = (await (
        await fetch(`${base}/api/launch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` }, body: JSON.stringify({ appId: 'benchpay' }) })
      ).json()) as { launchToken: string };
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(`${base}${BRIDGE_NAMESPACE}`, { auth: { token: u.token }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return { socket, launchToken: launch.launchToken, prepays: [...u.prepays] };
    }),
  );
  const pay = async (s: (typeof sessions)[number], prepayId: string, scheduled: number, into: number[] = latencies) => {
    const res = (await s.socket.timeout(30_000).emitWithAck('call', {
      launchToken: s.launchToken,
      capability: 'payment.cashier',
      method: 'requestPayment',
      params: { prepayId },
      callId: prepayId,
      userGesture: true,
      host: { confirmed: true, pin: '246810' },
    })) as Response<{ status: string }>;
    into.push(performance.now() - scheduled);
    if (res.error) errors[res.error.code] = (errors[res.error.code] ?? 0) + 1;
    else if (res.result.status !== 'paid') errors.NOT_PAID = (errors.NOT_PAID ?? 0) + 1;
  };
  // Open loop: payment i is due at start + i / RATE, users in turn.
  const schedule: { s: (typeof sessions)[number]; prepayId: string }[] = [];
  for (let k = 0; k < PER_USER; k++) for (const s of sessions) schedule.push({ s, prepayId: s.prepays[k]! });
  const openLoop = schedule.slice(0, Math.floor(schedule.length * 0.8));
  const saturation = schedule.slice(openLoop.length);
  const started = performance.now() + 20;
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      while (i < openLoop.length && started + (i * 1000) / RATE <= performance.now()) {
        pending.push(pay(openLoop[i]!.s, openLoop[i]!.prepayId, started + (i * 1000) / RATE));
        i++;
      }
      if (i < openLoop.length) setTimeout(tick, 2);
      else resolve();
    };
    setTimeout(tick, 20);
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const s = [...latencies].sort((a, b) => a - b);
  // Saturation: the remaining payments all at once.
  const satLatencies: number[] = [];
  const satStart = performance.now();
  await Promise.all(saturation.map(({ s: sess, prepayId }) => pay(sess, prepayId, performance.now(), satLatencies)));
  const satSeconds = (performance.now() - satStart) / 1000;
  for (const sess of sessions) sess.socket.disconnect();
  const sat = satLatencies.sort((a, b) => a - b);
  const result = {
    benchmark: 'payment-bridge',
    machine: machine(),
    settings: { users: USERS, paymentsPerUser: PER_USER, rate: RATE, pinScryptCost: fx.scryptCost, storeDurability: 'full (fsync per commit)' },
    payments: s.length,
    paymentsPerSecond: round(s.length / elapsed, 1),
    saturation: { payments: sat.length, perSecond: round(sat.length / satSeconds, 1), p50Ms: round(percentile(sat, 50), 1), p99Ms: round(percentile(sat, 99), 1) },
    latencyMs: { p50: round(percentile(s, 50), 2), p90: round(percentile(s, 90), 2), p99: round(percentile(s, 99), 2), max: round(s[s.length - 1] ?? NaN, 2) },
    errors,
    target: { p99Ms: 50, met: percentile(s, 99) < 50, ratio: round(percentile(s, 99) / 50, 2) },
  };
  writeFileSync(path.join(root, 'bench/results/payment-bridge.json'), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.machine;
  writeFileSync(
    path.join(root, 'bench/results/payment-bridge.md'),
    `# Payment through the bridge

\`payment.cashier.requestPayment\` with the host's confirmation and PIN over socket.io on loopback; the
server in its own process at production settings: PIN peppered and checked with scrypt (N=${fx.scryptCost}, r=8),
one ledger transaction per payment with fsync. ${s.length} payments arriving at ${RATE}/s (open loop, latency from
the scheduled time), then ${sat.length} payments all at once (saturation).

- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}
- Date: ${m.date}

| load | payments | per second | p50 | p90 | p99 | max |
|---|---|---|---|---|---|---|
| ${RATE}/s open loop | ${result.payments} | ${result.paymentsPerSecond} | ${result.latencyMs.p50} ms | ${result.latencyMs.p90} ms | ${result.latencyMs.p99} ms | ${result.latencyMs.max} ms |
| all at once | ${result.saturation.payments} | ${result.saturation.perSecond} | ${result.saturation.p50Ms} ms | | ${result.saturation.p99Ms} ms | |

Target: p99 < 50 ms at ${RATE} payments/s — **${result.target.met ? 'met' : 'not met'}** (p99 is ${result.target.ratio}× the target).
Errors: ${JSON.stringify(errors)}.

The PIN check dominates a payment's cost: scrypt is slow on purpose. Saturation shows what one
2-core server does when every payment arrives at once: they queue behind each other in libuv's
thread pool.
`,
  );
  console.log(JSON.stringify(result, null, 2));
} finally {
  child.kill('SIGTERM');
}
