/**
 * Open API benchmark: throughput and latency with 50 keep-alive connections for
 *   1. a signed GET (`GET /open/v1/payments/orders/{orderId}`, query an order), and
 *   2. a signed create-prepay POST (`POST /open/v1/payments/prepay`, one store transaction with
 *      fsync per request: the embedded store's default durability).
 * Each is measured twice:
 *   - capacity: closed loop, every connection sends its next request as soon as the answer
 *     arrives (wrk when installed); gives the most requests a second the server completes;
 *   - latency at the target rate: open loop, requests sent on a fixed schedule of TARGET_RPS
 *     over the same 50 connections, each latency counted from its scheduled send time (so a
 *     stalled server cannot hide its queue). A closed loop cannot show this: with 50 requests
 *     always in flight, mean latency is 50 / throughput (Little's law), 100 ms at 500/s.
 * Each request carries a fresh nonce and its own signature; requests are signed before the timed
 * part so the load generator's own SM2 work does not compete with the server during it. Every
 * response is checked (status 200); the response signature is verified on a sample.
 *
 * The server runs in its own process (bench/support/openapi-server.ts). Run: `npx tsx bench/open-api.ts`.
 * Results: bench/results/open-api.json and bench/results/open-api.md.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { signRequest, verifyBankSignature } from '../open-client/index.ts';
import { machine, percentile, round, summarize } from './support/stats.ts';
import { pacedRun, serialize } from './support/paced.ts';
import { haveWrk, runWrk } from './support/wrk.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Requests signed ahead per capacity round; more than the server can answer in SECONDS. */
const PRESIGN = Number(process.env.BENCH_PRESIGN ?? 30_000);
/** The offered rate of the latency scenario (the issue's throughput target). */
const TARGET_RPS = Number(process.env.BENCH_TARGET_RPS ?? 500);
const root = path.resolve(import.meta.dirname, '..');
/** Node flags of the server process (BENCH_NODE_FLAGS; none by default, as `npm start`). */
const SERVER_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

interface Fixture {
  port: number;
  logLevel: string;
  cryptoThreads: number;
  appId: string;
  serialNo: string;
  privateKey: string;
  openId: string;
}

interface Prepared {
  method: 'GET' | 'POST';
  path: string;
  body: string;
  headers: Record<string, string>;
}

async function startServer(): Promise<{ fx: Fixture; stop(): void }> {
  const child = spawn(process.execPath, [...SERVER_FLAGS, ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/lily-prof'] : []), '--import', 'tsx', path.join(root, 'bench/support/openapi-server.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture server exited with ${code}`)));
  });
  return { fx: JSON.parse(line) as Fixture, stop: () => child.kill('SIGTERM') };
}

// A fresh pool per scenario: idle keep-alive sockets are closed by the server while the next
// batch is being signed.
let agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function send(port: number, p: Prepared): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: p.method, path: p.path, headers: p.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (p.body) req.end(p.body);
    else req.end();
  });
}

function prepare(fx: Fixture, method: 'GET' | 'POST', pathFor: (i: number) => string, bodyFor: (i: number) => string, n: number): Prepared[] {
  const out: Prepared[] = [];
  for (let i = 0; i < n; i++) {
    const p = pathFor(i);
    const body = bodyFor(i);
    const signed = signRequest({ method, pathWithQuery: p, body, appId: fx.appId, serialNo: fx.serialNo, privateKey: fx.privateKey });
    const headers: Record<string, string> = { authorization: signed.authorization };
    if (method === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'idempotency-key': signed.nonce });
    out.push({ method, path: p, body, headers });
  }
  return out;
}

/** Uses wrk when installed (a C load generator leaves the CPU to the server), else Node. */
const WRK = haveWrk() && process.env.BENCH_NODE_CLIENT !== '1';

async function measure(fx: Fixture, requests: Prepared[], bankKey: string | null): Promise<{ p50: number; p99: number; rps: number; errors: Record<string, number> }> {
  if (WRK) {
    const r = runWrk(`http://127.0.0.1:${fx.port}`, requests, CONNECTIONS, SECONDS);
    const errors: Record<string, number> = {};
    if (r.non2xx) errors.NON_2XX = r.non2xx;
    if (r.errors) errors.TIMEOUTS = r.errors;
    if (r.requests >= requests.length) errors.PRESIGNED_EXHAUSTED = 1;
    return { p50: r.p50Ms, p99: r.p99Ms, rps: r.requestsPerSecond, errors };
  }
  const l = await closedLoop(fx, requests, bankKey);
  const sorted = l.latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: l.rps, errors: l.errors };
}

async function closedLoop(fx: Fixture, requests: Prepared[], bankKey: string | null): Promise<{ latencies: number[]; rps: number; errors: Record<string, number> }> {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let verified = 0;
  const worker = async () => {
    while (performance.now() < deadline && next < requests.length) {
      const p = requests[next++]!;
      const t = performance.now();
      try {
        const res = await send(fx.port, p);
        latencies.push(performance.now() - t);
        if (res.status !== 200) {
          const code = (JSON.parse(res.body) as { code?: string }).code ?? String(res.status);
          errors[code] = (errors[code] ?? 0) + 1;
        } else if (bankKey && verified < 20) {
          // Spot-check that answers are really signed by the bank.
          verified++;
          const ok = verifyBankSignature(bankKey, String(res.headers['lily-signature']), String(res.headers['lily-timestamp']), String(res.headers['lily-nonce']), res.body);
          if (!ok) errors.BAD_RESPONSE_SIGNATURE = (errors.BAD_RESPONSE_SIGNATURE ?? 0) + 1;
        }
      } catch {
        errors.NETWORK = (errors.NETWORK ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (performance.now() - started) / 1000;
  if (next >= requests.length) errors.PRESIGNED_EXHAUSTED = 1;
  return { latencies, rps: latencies.length / elapsed, errors };
}

/**
 * Open loop (bench/support/paced.ts): request i is due at start + i / rate and written then (or as
 * soon as one of the connections is free); its latency runs from when it was due to when its
 * answer arrived. Answers are checked for status 200 and, on a sample, for the bank's signature.
 */
async function paced(fx: Fixture, requests: Prepared[], rate: number, bankKey: string): Promise<{ p50: number; p99: number; rps: number; errors: Record<string, number> }> {
  const count = Math.min(requests.length, Math.floor(rate * SECONDS));
  const host = `127.0.0.1:${fx.port}`;
  const bytes = requests.slice(0, count).map((p) => serialize(host, p));
  const run = await pacedRun(fx.port, bytes, { rate, connections: CONNECTIONS, sample: 20, keepHeaders: ['lily-signature', 'lily-timestamp', 'lily-nonce'] });
  const errors = { ...run.errors };
  for (const a of run.sampled) {
    if (!verifyBankSignature(bankKey, a.headers['lily-signature'] ?? '', a.headers['lily-timestamp'] ?? '', a.headers['lily-nonce'] ?? '', a.body)) {
      errors.BAD_RESPONSE_SIGNATURE = (errors.BAD_RESPONSE_SIGNATURE ?? 0) + 1;
    }
  }
  if (run.sampled.length === 0) errors.NO_ANSWER_SAMPLED = 1;
  const sorted = run.latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: run.rps, errors };
}

const { fx, stop } = await startServer();
try {
  const bank = (await (await fetch(`http://127.0.0.1:${fx.port}/api/bank/public-key`)).json()) as { publicKey: string };
  // One order to query in the GET scenario.
  const seedReq = prepare(fx, 'POST', () => '/open/v1/payments/prepay', () => JSON.stringify({ openId: fx.openId, outTradeNo: 'bench-seed', amount: 100, description: 'bench' }), 1)[0]!;
  const seeded = await send(fx.port, seedReq);
  const { orderId } = JSON.parse(seeded.body) as { orderId: string };
  if (!orderId) throw new Error(`could not create the seed order: ${seeded.body}`);

  const series = () => ({ p50: [] as number[], p99: [] as number[], rps: [] as number[], errors: [] as Record<string, number>[] });
  const scenarios = { get: series(), prepay: series(), getPaced: series(), prepayPaced: series() };
  const record = (into: ReturnType<typeof series>, m: { p50: number; p99: number; rps: number; errors: Record<string, number> }) => {
    into.p50.push(m.p50);
    into.p99.push(m.p99);
    into.rps.push(m.rps);
    into.errors.push(m.errors);
  };
  for (let r = 0; r < ROUNDS; r++) {
    const gets = prepare(fx, 'GET', () => `/open/v1/payments/orders/${orderId}`, () => '', PRESIGN);
    const g = await measure(fx, gets, bank.publicKey);
    record(scenarios.get, g);

    const posts = prepare(
      fx,
      'POST',
      () => '/open/v1/payments/prepay',
      (i) => JSON.stringify({ openId: fx.openId, outTradeNo: `bench-${r}-${i}`, amount: 1000 + (i % 500), description: '快车 行程' }),
      PRESIGN,
    );
    const p = await measure(fx, posts, bank.publicKey);
    record(scenarios.prepay, p);

    const gp = await paced(fx, prepare(fx, 'GET', () => `/open/v1/payments/orders/${orderId}`, () => '', TARGET_RPS * SECONDS), TARGET_RPS, bank.publicKey);
    record(scenarios.getPaced, gp);
    const pp = await paced(
      fx,
      prepare(
        fx,
        'POST',
        () => '/open/v1/payments/prepay',
        (i) => JSON.stringify({ openId: fx.openId, outTradeNo: `paced-${r}-${i}`, amount: 1000 + (i % 500), description: '快车 行程' }),
        TARGET_RPS * SECONDS,
      ),
      TARGET_RPS,
      bank.publicKey,
    );
    record(scenarios.prepayPaced, pp);
    const line = (name: string, m: { p50: number; p99: number; rps: number; errors: Record<string, number> }) =>
      `${name} ${m.rps.toFixed(0)}/s p50 ${m.p50.toFixed(1)} p99 ${m.p99.toFixed(1)} ms ${JSON.stringify(m.errors)}`;
    console.log(`round ${r + 1}: ${[line('GET', g), line('prepay', p), line(`GET@${TARGET_RPS}`, gp), line(`prepay@${TARGET_RPS}`, pp)].join('; ')}`);
  }

  const view = (s: { p50: number[]; p99: number[]; rps: number[]; errors: Record<string, number>[] }) => {
    const rps = summarize(s.rps);
    const p50 = summarize(s.p50);
    const p99 = summarize(s.p99);
    return {
      requestsPerSecond: { median: round(rps.median, 0), spread: [round(rps.min, 0), round(rps.max, 0)] },
      p50Ms: { median: round(p50.median, 2), spread: [round(p50.min, 2), round(p50.max, 2)] },
      p99Ms: { median: round(p99.median, 2), spread: [round(p99.min, 2), round(p99.max, 2)] },
      errors: s.errors,
    };
  };
  const get = view(scenarios.get);
  const prepay = view(scenarios.prepay);
  const getPaced = view(scenarios.getPaced);
  const prepayPaced = view(scenarios.prepayPaced);
  const met = prepay.requestsPerSecond.median >= 500 && prepayPaced.p99Ms.median < 50 && TARGET_RPS >= 500;
  const result = {
    benchmark: 'open-api',
    machine: machine(),
    settings: {
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      loadGenerator: { capacity: WRK ? 'wrk (C), 1 thread, closed loop' : 'Node http client, closed loop', latency: `raw-socket Node client (bench/support/paced.ts), open loop at ${TARGET_RPS}/s` },
      storeDurability: 'full (every acknowledged write fsynced; writes of one event-loop turn share a COMMIT, commits share flushes)',
      cryptoThreads: fx.cryptoThreads,
      logLevel: fx.logLevel,
      serverNodeFlags: SERVER_FLAGS.join(' '),
    },
    capacity: { signedGet: get, createPrepay: prepay },
    atTargetRate: { requestsPerSecondOffered: TARGET_RPS, signedGet: getPaced, createPrepay: prepayPaced },
    target: {
      createPrepayRps: 500,
      createPrepayP99Ms: 50,
      met,
      ratioRps: round(prepay.requestsPerSecond.median / 500, 2),
      ratioP99: round(prepayPaced.p99Ms.median / 50, 2),
    },
  };
  writeFileSync(path.join(root, 'bench/results/open-api.json'), `${JSON.stringify(result, null, 2)}\n`);
  const m = result.machine;
  writeFileSync(
    path.join(root, 'bench/results/open-api.md'),
    `# Open API benchmark

The server in its own process (\`${['node', ...SERVER_FLAGS].join(' ')}\`) with the embedded store at full durability (every acknowledged
write fsynced before its answer; the writes of one turn of the event loop share a COMMIT and concurrent commits share a flush), ${fx.cryptoThreads} SM2 worker thread(s), and logs at level
${fx.logLevel} (one access line per request, as in production, written to /dev/null). Every request is
SM2-signed with a fresh nonce (signed before the timed part); every answer is SM2-signed by the
bank (spot-checked). ${ROUNDS} rounds of ${SECONDS} s per scenario; median of the rounds, with the range.

- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}
- Date: ${m.date}

**Capacity**: ${CONNECTIONS} keep-alive connections, closed loop (each sends again as soon as it is
answered), load from ${WRK ? 'wrk (one thread)' : 'a Node HTTP client'}. Latency here is queueing: with ${CONNECTIONS} requests always in
flight, mean latency = ${CONNECTIONS} / throughput.

| scenario | req/s | p50 | p99 |
|---|---|---|---|
| signed GET (query order) | ${get.requestsPerSecond.median} (${get.requestsPerSecond.spread.join('–')}) | ${get.p50Ms.median} ms (${get.p50Ms.spread.join('–')}) | ${get.p99Ms.median} ms (${get.p99Ms.spread.join('–')}) |
| signed create-prepay POST | ${prepay.requestsPerSecond.median} (${prepay.requestsPerSecond.spread.join('–')}) | ${prepay.p50Ms.median} ms (${prepay.p50Ms.spread.join('–')}) | ${prepay.p99Ms.median} ms (${prepay.p99Ms.spread.join('–')}) |

**Latency at ${TARGET_RPS} req/s**: open loop, requests written on a fixed schedule over ${CONNECTIONS} keep-alive
connections by a raw-socket Node client (bench/support/paced.ts, requests serialized beforehand), each
latency counted from its scheduled time.

| scenario | req/s done | p50 | p99 |
|---|---|---|---|
| signed GET (query order) | ${getPaced.requestsPerSecond.median} (${getPaced.requestsPerSecond.spread.join('–')}) | ${getPaced.p50Ms.median} ms (${getPaced.p50Ms.spread.join('–')}) | ${getPaced.p99Ms.median} ms (${getPaced.p99Ms.spread.join('–')}) |
| signed create-prepay POST | ${prepayPaced.requestsPerSecond.median} (${prepayPaced.requestsPerSecond.spread.join('–')}) | ${prepayPaced.p50Ms.median} ms (${prepayPaced.p50Ms.spread.join('–')}) | ${prepayPaced.p99Ms.median} ms (${prepayPaced.p99Ms.spread.join('–')}) |

Target: create-prepay ≥ 500 req/s (capacity) with p99 < 50 ms (at 500 req/s) — **${met ? 'met' : 'not met'}**
(ratio to target: throughput ${result.target.ratioRps}×, p99 ${result.target.ratioP99}× of the limit).
Errors per round: GET ${get.errors.map((e) => JSON.stringify(e)).join(', ')}; prepay ${prepay.errors.map((e) => JSON.stringify(e)).join(', ')};
paced GET ${getPaced.errors.map((e) => JSON.stringify(e)).join(', ')}; paced prepay ${prepayPaced.errors.map((e) => JSON.stringify(e)).join(', ')}.
`,
  );
  console.log(JSON.stringify(result, null, 2));
} finally {
  agent.destroy();
  stop();
}
