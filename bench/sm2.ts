/**
 * SM2 benchmark: sign and verify operations per second, in the same run, for
 *
 * - sm-crypto (the interoperability reference, ≥ 0.5.8), and
 * - what Lily ships (`runtime/crypto/sm.ts` on `runtime/crypto/sm2-fast.ts`: fixed-base tables of
 *   G and of each public key, cached, as the Open API verifies requests and signs answers),
 * - plus, for context, sm-crypto-v2 as Lily used it before: signing, and verifying with the
 *   public key's precomputed point cached.
 *
 * Every library gets the same messages (Open API canonical request strings) and the same options
 * (DER, SM3 with Z, user id 1234567812345678). Interoperability is checked both ways before
 * timing. The cases run interleaved in several rounds so that a noisy machine affects all alike;
 * the result is the median per case with its spread, and the ratio of medians.
 *
 * Run: `npx tsx bench/sm2.ts` (BENCH_ROUNDS, BENCH_SECONDS to change the defaults).
 * Results: bench/results/sm2.json and bench/results/sm2.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sm2 as smV2 } from 'sm-crypto-v2';
import { generateSm2KeyPair, SM2_USER_ID, sm2Sign, sm2Verify } from '../runtime/crypto/sm.ts';
import { machine, round, summarize } from './support/stats.ts';

/** The part of sm-crypto used here (it ships no type declarations). */
interface SmCrypto {
  sm2: {
    doSignature(msg: string, privateKey: string, options: { der: boolean; hash: boolean; userId: string; publicKey: string }): string;
    doVerifySignature(msg: string, signatureHex: string, publicKey: string, options: { der: boolean; hash: boolean; userId: string }): boolean;
  };
}

const require = createRequire(import.meta.url);
const smCrypto = require('sm-crypto') as SmCrypto;
const smCryptoVersion = (JSON.parse(readFileSync(require.resolve('sm-crypto/package.json'), 'utf8')) as { version: string }).version;
const smV2Version = (JSON.parse(readFileSync(require.resolve('sm-crypto-v2/package.json'), 'utf8')) as { version: string }).version;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const OPTIONS = { der: true, hash: true, userId: SM2_USER_ID } as const;
const root = path.resolve(import.meta.dirname, '..');

const key = generateSm2KeyPair();
const messages = Array.from({ length: 16 }, (_, i) => {
  const body = JSON.stringify({ openId: `o_bench${String(i).padStart(8, '0')}`, outTradeNo: `BENCH${i}`, amount: 100 + i, description: '基准 benchmark' });
  return `POST\n/open/v1/payments/prepay\n${1777600000 + i}\nnonce${String(i).padStart(27, '0')}\n${body}\n`;
});
const signatures = messages.map((m) => sm2Sign(m, key.privateKey, key.publicKey));

/** Runs `op` for about `seconds` and answers operations per second. */
function opsPerSecond(seconds: number, op: (i: number) => void): number {
  const budget = seconds * 1000;
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    op(n);
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < budget);
  return (n * 1000) / elapsed;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`interoperability check failed: ${what}`);
}

// Interoperability, both directions, before any timing.
for (let i = 0; i < messages.length; i++) {
  const m = messages[i]!;
  check(smCrypto.sm2.doVerifySignature(m, signatures[i]!, key.publicKey, OPTIONS), 'sm-crypto verifies Lily signatures');
  const theirs = smCrypto.sm2.doSignature(m, key.privateKey, { ...OPTIONS, publicKey: key.publicKey });
  check(sm2Verify(m, theirs, key.publicKey), 'Lily verifies sm-crypto signatures');
  check(!sm2Verify(`${m}x`, theirs, key.publicKey), 'Lily refuses an altered message');
}

type CaseName = 'smCryptoSign' | 'smCryptoVerify' | 'lilySign' | 'lilyVerify' | 'v2Sign' | 'v2VerifyPrecomputed';
const v2Point = smV2.precomputePublicKey(key.publicKey);
const cases: Record<CaseName, { seconds: number; op: (i: number) => void }> = {
  smCryptoSign: {
    seconds: SECONDS * 1.5,
    op: (i) => {
      smCrypto.sm2.doSignature(messages[i % 16]!, key.privateKey, { ...OPTIONS, publicKey: key.publicKey });
    },
  },
  smCryptoVerify: {
    seconds: SECONDS * 1.5,
    op: (i) => {
      if (!smCrypto.sm2.doVerifySignature(messages[i % 16]!, signatures[i % 16]!, key.publicKey, OPTIONS)) throw new Error('verify failed');
    },
  },
  lilySign: {
    seconds: SECONDS,
    op: (i) => {
      sm2Sign(messages[i % 16]!, key.privateKey, key.publicKey);
    },
  },
  lilyVerify: {
    seconds: SECONDS,
    op: (i) => {
      if (!sm2Verify(messages[i % 16]!, signatures[i % 16]!, key.publicKey)) throw new Error('verify failed');
    },
  },
  v2Sign: {
    seconds: SECONDS,
    op: (i) => {
      smV2.doSignature(new TextEncoder().encode(messages[i % 16]!), key.privateKey, { ...OPTIONS, publicKey: key.publicKey });
    },
  },
  v2VerifyPrecomputed: {
    seconds: SECONDS,
    op: (i) => {
      const msg = new TextEncoder().encode(messages[i % 16]!);
      if (!smV2.doVerifySignature(msg, signatures[i % 16]!, v2Point, OPTIONS)) throw new Error('verify failed');
    },
  },
};
const names = Object.keys(cases) as CaseName[];

// Warm-up (JIT, the tables).
for (const name of names) opsPerSecond(0.2, cases[name].op);

const samples: Record<CaseName, number[]> = { smCryptoSign: [], smCryptoVerify: [], lilySign: [], lilyVerify: [], v2Sign: [], v2VerifyPrecomputed: [] };
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round, so no case always runs first or last.
  const order = names.map((_, k) => names[(k + r) % names.length]!);
  for (const name of order) samples[name].push(opsPerSecond(cases[name].seconds, cases[name].op));
  process.stderr.write(`round ${r + 1}/${ROUNDS}: ${order.map((n) => `${n} ${Math.round(samples[n].at(-1)!)}`).join(', ')}\n`);
}

const stats = Object.fromEntries(
  names.map((n) => {
    const s = summarize(samples[n]);
    return [n, { median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1), iqr: round(s.iqr, 1), samples: samples[n].map((x) => round(x, 1)) }];
  }),
) as Record<CaseName, { median: number; min: number; max: number; iqr: number; samples: number[] }>;
const verifyRatio = round(stats.lilyVerify.median / stats.smCryptoVerify.median, 1);
const signRatio = round(stats.lilySign.median / stats.smCryptoSign.median, 1);
const TARGET = 20;

const result = {
  benchmark: 'sm2',
  machine: machine(),
  config: { rounds: ROUNDS, secondsPerCase: { lily: SECONDS, smCrypto: SECONDS * 1.5 }, messages: messages.length, messageBytes: new TextEncoder().encode(messages[0]!).length, options: OPTIONS },
  libraries: { smCrypto: smCryptoVersion, smCryptoV2: smV2Version },
  opsPerSecond: {
    smCrypto: { sign: stats.smCryptoSign, verify: stats.smCryptoVerify },
    lily: { sign: stats.lilySign, verify: stats.lilyVerify },
    smCryptoV2WithPrecomputedPoint: { sign: stats.v2Sign, verify: stats.v2VerifyPrecomputed },
  },
  ratio: { sign: signRatio, verify: verifyRatio },
  ratioToSmCryptoV2: { sign: round(stats.lilySign.median / stats.v2Sign.median, 1), verify: round(stats.lilyVerify.median / stats.v2VerifyPrecomputed.median, 1) },
  target: { verifyRatio: TARGET, met: verifyRatio >= TARGET },
  interoperability: 'checked both ways before timing (sm-crypto verifies Lily signatures; Lily verifies sm-crypto signatures)',
};

const fmt = (s: { median: number; min: number; max: number; iqr: number }): string =>
  `${s.median.toLocaleString('en-US')} | ${s.min.toLocaleString('en-US')}–${s.max.toLocaleString('en-US')} | ${s.iqr.toLocaleString('en-US')}`;
const m = result.machine;
const md = `# SM2 sign and verify (\`bench/sm2.ts\`)

Generated by \`npx tsx bench/sm2.ts\`; do not edit by hand.

- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}
- Node ${m.node}, ${m.date}
- sm-crypto ${smCryptoVersion} (reference); Lily = \`runtime/crypto/sm.ts\` on \`runtime/crypto/sm2-fast.ts\` (fixed-base tables of G and of each public key); sm-crypto-v2 ${smV2Version} with the public key's precomputed point, as Lily used it before, for context
- ${ROUNDS} rounds, cases interleaved (order rotated each round), ${SECONDS} s per Lily case and ${SECONDS * 1.5} s per sm-crypto case per round; single thread
- Messages: ${messages.length} Open API canonical request strings of ~${result.config.messageBytes} bytes; DER, SM3 with Z, user id ${SM2_USER_ID}

| operation | library | ops/s (median) | min–max | IQR |
|---|---|---|---|---|
| sign | sm-crypto ${smCryptoVersion} | ${fmt(stats.smCryptoSign)} |
| sign | Lily | ${fmt(stats.lilySign)} |
| verify | sm-crypto ${smCryptoVersion} | ${fmt(stats.smCryptoVerify)} |
| verify | Lily (cached key table) | ${fmt(stats.lilyVerify)} |
| sign | sm-crypto-v2 ${smV2Version} (context) | ${fmt(stats.v2Sign)} |
| verify | sm-crypto-v2 ${smV2Version}, precomputed point (context) | ${fmt(stats.v2VerifyPrecomputed)} |

**Ratio (Lily / sm-crypto, medians): sign ${signRatio}×, verify ${verifyRatio}×** — target ≥ ${TARGET}× on verify: ${result.target.met ? 'met' : 'NOT met'}.
Against sm-crypto-v2 as Lily used it before: sign ${result.ratioToSmCryptoV2.sign}×, verify ${result.ratioToSmCryptoV2.verify}×.

Interoperability was checked both ways before timing: sm-crypto verifies Lily's signatures and Lily verifies sm-crypto's.
`;

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/sm2.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(path.join(root, 'bench/results/sm2.md'), md);
process.stdout.write(md);
if (!result.target.met) process.exitCode = 1;
