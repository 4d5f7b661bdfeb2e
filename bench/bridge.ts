/**
 * Bridge benchmark: server-backed guest calls over socket.io on loopback.
 *
 * 1. Round trip: one session, sequential calls (p50, p99).
 * 2. Load: 200 concurrent mini-app sessions (one user and one socket each), an open-loop schedule
 *    at a fixed total rate (2,000 calls/s by default) for a fixed time, calls alternating between
 *    `base.storage.getStorage` and `base.log.log` so each session stays inside its rate tier.
 *    Latency is measured from the scheduled send time, so a backlog counts against the server.
 *
 * The server runs in its own process (bench/support/fixture-server.ts). Run: `npx tsx bench/bridge.ts`.
 * Results: bench/results/bridge.json and bench/results/bridge.md.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { io as connect, type Socket } from 'socket.io-client';
import type { Response } from '../protocol/errors.ts';
import { BRIDGE_NAMESPACE, type ClientToServerEvents, type ServerToClientEvents } from '../protocol/socket.ts';
import { machine, percentile, round, summarize } from './support/stats.ts';

type BridgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = path.resolve(import.meta.dirname, '..');

async function startServer(): Promise<{ port: number; tokens: string[]; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/support/fixture-server.ts'), String(SESSIONS)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture server exited with ${code}`)));
  });
  const { port, tokens } = JSON.parse(line) as { port: number; tokens: string[] };
  return { port, tokens, stop: () => child.kill('SIGTERM') };
}

async function session(port: number, token: string): Promise<{ socket: BridgeSocket; launchToken: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ appId: 'benchapp' }),
  });
  const { launchToken } = (await res.json()) as { launchToken: string };
  const socket: BridgeSocket = connect(`http://127.0.0.1:${port}${BRIDGE_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, launchToken };
}

let seq = 0;
function call(s: { socket: BridgeSocket; launchToken: string }, i: number): Promise<Response<unknown>> {
  const req =
    i % 2 === 0
      ? { capability: 'base.storage', method: 'getStorage', params: { key: 'profile' } }
      : { capability: 'base.log', method: 'log', params: { level: 'info', message: `tick ${i}` } };
  return s.socket.timeout(10_000).emitWithAck('call', { launchToken: s.launchToken, callId: String(++seq), ...req }) as Promise<Response<unknown>>;
}

/** Sequential calls, one at a time, rotating over the sessions so no session nears its rate tier. */
async function roundTrip(sessions: { socket: BridgeSocket; launchToken: string }[], n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await call(sessions[i % sessions.length]!, i);
    samples.push(performance.now() - t);
    if (res.error && res.error.code !== 'NOT_FOUND') throw new Error(`call failed: ${res.error.code}`);
  }
  return samples;
}

async function load(sessions: { socket: BridgeSocket; launchToken: string }[]): Promise<{ latencies: number[]; errors: Record<string, number>; achieved: number }> {
  const total = RATE * SECONDS;
  const interval = 1000 / RATE;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const start = performance.now() + 50;
  let sent = 0;
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Send every call whose scheduled time has come (timers are coarse; catch up in batches).
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        const s = sessions[sent % sessions.length]!;
        const i = Math.floor(sent / sessions.length);
        pending.push(
          call(s, i).then(
            (res) => {
              latencies.push(performance.now() - scheduled);
              if (res.error && res.error.code !== 'NOT_FOUND') errors[res.error.code] = (errors[res.error.code] ?? 0) + 1;
            },
            () => {
              errors.CLIENT_TIMEOUT = (errors.CLIENT_TIMEOUT ?? 0) + 1;
            },
          ),
        );
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 50);
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  return { latencies, errors, achieved: total / elapsed };
}

const server = await startServer();
try {
  const sessions = await Promise.all(server.tokens.map((t) => session(server.port, t)));
  await roundTrip(sessions, 300); // warm-up
  const rtRounds: { p50: number; p99: number }[] = [];
  const loadRounds: { p50: number; p99: number; achieved: number; errors: Record<string, number> }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rt = (await roundTrip(sessions, 1000)).sort((a, b) => a - b);
    rtRounds.push({ p50: percentile(rt, 50), p99: percentile(rt, 99) });
    // Let the per-minute buckets refill a little between load rounds.
    await new Promise((res) => setTimeout(res, 2000));
    const l = await load(sessions);
    const sorted = l.latencies.sort((a, b) => a - b);
    loadRounds.push({ p50: percentile(sorted, 50), p99: percentile(sorted, 99), achieved: l.achieved, errors: l.errors });
    console.log(`round ${r + 1}: rtt p50 ${rt.length && percentile(rt, 50).toFixed(2)} ms; load p50 ${percentile(sorted, 50).toFixed(2)} ms p99 ${percentile(sorted, 99).toFixed(2)} ms at ${l.achieved.toFixed(0)}/s errors ${JSON.stringify(l.errors)}`);
  }
  for (const s of sessions) s.socket.disconnect();

  const rtP50 = summarize(rtRounds.map((r) => r.p50));
  const rtP99 = summarize(rtRounds.map((r) => r.p99));
  const lP50 = summarize(loadRounds.map((r) => r.p50));
  const lP99 = summarize(loadRounds.map((r) => r.p99));
  const result = {
    benchmark: 'bridge',
    machine: machine(),
    settings: { sessions: SESSIONS, rate: RATE, seconds: SECONDS, rounds: ROUNDS },
    roundTripMs: { p50: { median: round(rtP50.median), spread: [round(rtP50.min), round(rtP50.max)] }, p99: { median: round(rtP99.median), spread: [round(rtP99.min), round(rtP99.max)] } },
    loadMs: { p50: { median: round(lP50.median), spread: [round(lP50.min), round(lP50.max)] }, p99: { median: round(lP99.median), spread: [round(lP99.min), round(lP99.max)] } },
    achievedCallsPerSecond: loadRounds.map((r) => round(r.achieved, 0)),
    errors: loadRounds.map((r) => r.errors),
    target: { p99Ms: 10, rate: 2000, met: lP99.median < 10 && loadRounds.every((r) => r.achieved >= RATE * 0.95) },
  };
  writeFileSync(path.join(root, 'bench/results/bridge.json'), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.machine;
  writeFileSync(
    path.join(root, 'bench/results/bridge.md'),
    `# Bridge benchmark

Server-backed guest calls (\`base.storage.getStorage\` and \`base.log.log\`, alternating) over socket.io
on loopback; the server in its own process. ${ROUNDS} rounds; median of the rounds with the range.

- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}
- Date: ${m.date}

| measure | median | range |
|---|---|---|
| round trip p50, sequential (one call at a time) | ${result.roundTripMs.p50.median} ms | ${result.roundTripMs.p50.spread.join('–')} ms |
| round trip p99, sequential (one call at a time) | ${result.roundTripMs.p99.median} ms | ${result.roundTripMs.p99.spread.join('–')} ms |
| p50 at ${RATE} calls/s, ${SESSIONS} sessions (open loop, ${SECONDS} s) | ${result.loadMs.p50.median} ms | ${result.loadMs.p50.spread.join('–')} ms |
| p99 at ${RATE} calls/s, ${SESSIONS} sessions | ${result.loadMs.p99.median} ms | ${result.loadMs.p99.spread.join('–')} ms |
| achieved calls/s per round | ${result.achievedCallsPerSecond.join(', ')} | |

Target: p99 under 10 ms at 2,000 calls/s — **${result.target.met ? 'met' : 'not met'}** (ratio to target p99: ${round(lP99.median / 10, 2)}).
Errors per round: ${result.errors.map((e) => JSON.stringify(e)).join(', ')}.
`,
  );
  console.log(JSON.stringify(result, null, 2));
} finally {
  server.stop();
}
