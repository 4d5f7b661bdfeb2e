import { createRequire } from 'node:module';
import { weierstrassN, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass';
import { sm2, sm3 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { parseDerSignature, SM2_USER_ID, sm2Sign, sm2Verify, utf8 } from './sm.ts';
import {
  addComplete,
  encodeDerSignature,
  linearCombination,
  multiplyBase,
  SM2_N as N,
  sm2SignFast,
  sm2SigningKey,
  sm2VerifyFast,
  sm2VerifyHash,
  sm2VerifyingKey,
  type Sm2VerifyingKey,
} from './sm2-fast.ts';

/** sm-crypto (the interoperability reference); it ships no type declarations. */
const smCrypto = createRequire(import.meta.url)('sm-crypto') as {
  sm2: {
    doSignature(msg: string, privateKey: string, options: object): string;
    doVerifySignature(msg: string, signatureHex: string, publicKey: string, options: object): boolean;
  };
};

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const OPTIONS = { der: true, hash: true, userId: SM2_USER_ID } as const;

/** The reference curve: @noble/curves with the SM2 parameters. */
const Point = weierstrassN<bigint>({
  p: P,
  n: N,
  h: 1n,
  a: P - 3n,
  b: B,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});
type RefPoint = WeierstrassPoint<bigint>;

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

/** A reproducible stream of 256-bit values (SM3 in counter mode). */
function stream(seed: string): () => bigint {
  let counter = 0;
  return () => BigInt('0x' + sm3(`${seed}:${counter++}`));
}

const random = stream('sm2-fast');
const scalar = (): bigint => (random() % (N - 1n)) + 1n;
const randomBytes = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 32) {
    const hex = random().toString(16).padStart(64, '0');
    for (let j = 0; j < 32 && i + j < length; j++) out[i + j] = parseInt(hex.slice(2 * j, 2 * j + 2), 16);
  }
  return out;
};

const hex64 = (v: bigint): string => v.toString(16).padStart(64, '0');
const publicHex = (p: RefPoint): string => {
  const { x, y } = p.toAffine();
  return '04' + hex64(x) + hex64(y);
};

/** A test key: private scalar, public point, and both libraries' prepared forms. */
interface Key {
  d: bigint;
  privateKey: string;
  publicKey: string;
  point: RefPoint;
  fast: Sm2VerifyingKey;
  v2: ReturnType<typeof sm2.precomputePublicKey>;
}

function makeKey(d: bigint): Key {
  const point = Point.BASE.multiply(d);
  const publicKey = publicHex(point);
  return {
    d,
    privateKey: hex64(d),
    publicKey,
    point,
    fast: sm2VerifyingKey(publicKey, SM2_USER_ID),
    v2: sm2.precomputePublicKey(publicKey),
  };
}

/** The affine form of a Jacobian result, or undefined at infinity. */
function fromJacobian([x, y, z]: readonly [bigint, bigint, bigint]): { x: bigint; y: bigint } | undefined {
  if (mod(z, P) === 0n) return undefined;
  const zi = Point.Fp.inv(mod(z, P));
  const zi2 = mod(zi * zi, P);
  return { x: mod(x * zi2, P), y: mod(y * zi2 * zi, P) };
}

/** The affine form of a reference point, or undefined at infinity. */
function affine(p: RefPoint): { x: bigint; y: bigint } | undefined {
  return p.is0() ? undefined : p.toAffine();
}

/** u·G + v·Q by the reference, for u, v in [0, n). */
function reference(u: bigint, v: bigint, q: RefPoint): { x: bigint; y: bigint } | undefined {
  return affine(Point.BASE.multiplyUnsafe(u).add(q.multiplyUnsafe(v)));
}

const keys = Array.from({ length: 12 }, () => makeKey(scalar()));
const keyG = makeKey(1n);

describe('u·G + v·P (variable-time accumulation)', () => {
  const key = keys[0]!;
  const check = (u: bigint, v: bigint, k: Key = key) =>
    expect(fromJacobian(linearCombination(u, v, k.fast)), `u=${u} v=${v}`).toEqual(reference(u, v, k.point));

  it('agrees with @noble/curves on random scalars', () => {
    for (let i = 0; i < 150; i++) check(scalar(), scalar(), keys[i % keys.length]!);
  });

  it('handles zero, one and n − 1', () => {
    for (const [u, v] of [
      [0n, 0n],
      [0n, 1n],
      [1n, 0n],
      [1n, 1n],
      [N - 1n, 0n],
      [0n, N - 1n],
      [N - 1n, N - 1n],
      [1n, N - 1n],
      [N - 1n, 1n],
      [scalar(), 0n],
      [0n, scalar()],
    ] as const) {
      check(u, v);
    }
  });

  it('doubles when u·G equals v·P and cancels when it is −v·P', () => {
    // With a single-digit v the accumulator meets one table point of P, equal or opposite.
    const singles = [1n, 2n, 31n, 32n, 33n, 64n, 5n << 30n, 3n << 252n, N - 1n, (N - 1n) / 2n];
    for (const v of [...singles, scalar(), scalar()]) {
      const u = mod(v * key.d, N);
      check(u, v);
      check(mod(-u, N), v);
      expect(fromJacobian(linearCombination(mod(-u, N), v, key.fast))).toBeUndefined();
    }
  });

  it('goes on after the accumulator reaches infinity', () => {
    // −P from G's table, then +P (infinity), then 2^30·P and more.
    for (const v of [1n + (1n << 30n), 1n + (7n << 60n) + (3n << 200n), 1n + (1n << 250n)]) {
      check(mod(-key.d, N), v);
    }
  });

  it('works with P = G, where both tables hold the same points', () => {
    for (const [u, v] of [
      [1n, 1n],
      [N - 1n, 1n],
      [2n, N - 2n],
      [1n << 11n, 1n << 11n],
      [scalar(), 1n],
    ] as const) {
      check(u, v, keyG);
    }
    for (let i = 0; i < 20; i++) {
      const u = scalar();
      check(u, u, keyG);
      check(u, N - u, keyG);
    }
  });
});

describe('k·G (constant-work)', () => {
  it('agrees with @noble/curves', () => {
    const edges = [1n, 2n, 3n, 1023n, 1024n, 1025n, 2047n, 2048n, 2049n, 1n << 11n, 1n << 253n, 1n << 255n, (N - 1n) / 2n, N - 2n, N - 1n];
    for (const k of [...edges, ...Array.from({ length: 60 }, scalar)]) {
      const [x, y] = multiplyBase(k);
      expect({ x, y }, `k=${k}`).toEqual(Point.BASE.multiply(k).toAffine());
    }
  });

  it('adds completely: infinity, equal and opposite points', () => {
    const project = (p: RefPoint, z: bigint): [bigint, bigint, bigint] => {
      const { x, y } = p.toAffine();
      return [mod(x * z, P), mod(y * z, P), z];
    };
    const fromProjective = ([x, y, z]: [bigint, bigint, bigint]) => {
      if (mod(z, P) === 0n) return undefined;
      const zi = Point.Fp.inv(mod(z, P));
      return { x: mod(x * zi, P), y: mod(y * zi, P) };
    };
    for (let i = 0; i < 20; i++) {
      const t = Point.BASE.multiply(scalar());
      const { x, y } = t.toAffine();
      const z = (random() % (P - 1n)) + 1n;
      const other = Point.BASE.multiply(scalar());
      expect(fromProjective(addComplete([0n, 1n, 0n], x, y))).toEqual(affine(t));
      expect(fromProjective(addComplete([0n, z, 0n], x, y))).toEqual(affine(t));
      expect(fromProjective(addComplete(project(t, z), x, y))).toEqual(affine(t.double()));
      expect(fromProjective(addComplete(project(t.negate(), z), x, y))).toBeUndefined();
      expect(fromProjective(addComplete(project(other, z), x, y))).toEqual(affine(other.add(t)));
    }
  });
});

describe('verification', () => {
  const v2Verify = (message: Uint8Array, signature: string, key: Key) => sm2.doVerifySignature(message, signature, key.v2, OPTIONS);
  const fastVerify = (message: Uint8Array, signature: string, key: Key) => {
    const rs = parseDerSignature(signature)!;
    return sm2VerifyFast(message, rs.r, rs.s, key.fast);
  };

  it('agrees with sm-crypto-v2 on valid and invalid signatures', () => {
    const cases = 3_000;
    const seen = new Map<string, number>();
    for (let i = 0; i < cases; i++) {
      const key = keys[i % keys.length]!;
      const message = randomBytes(Number(random() % 300n));
      // Half the signatures come from sm-crypto-v2, half from the new signer.
      const signature =
        i % 2 === 0
          ? sm2.doSignature(message, key.privateKey, { ...OPTIONS, publicKey: key.publicKey })
          : sm2SignFast(message, sm2SigningKey(key.privateKey, SM2_USER_ID, key.publicKey));
      expect(v2Verify(message, signature, key)).toBe(true);
      expect(fastVerify(message, signature, key)).toBe(true);

      const { r, s } = parseDerSignature(signature)!;
      const other = keys[(i + 1) % keys.length]!;
      const variants: [string, Uint8Array, string, Key][] = [
        ['message', Uint8Array.from([...message, 0x20]), signature, key],
        ['r + 1', message, encodeDerSignature(r === N - 1n ? 1n : r + 1n, s), key],
        ['s + 1', message, encodeDerSignature(r, s === N - 1n ? 1n : s + 1n), key],
        ['swapped', message, encodeDerSignature(s, r), key],
        ['s = n − 1', message, encodeDerSignature(r, N - 1n), key],
        ['r + s = n', message, encodeDerSignature(r, N - r), key],
        ['other key', message, signature, other],
      ];
      if (message.length > 0) {
        const flipped = message.slice();
        flipped[Number(random() % BigInt(message.length))]! ^= 1;
        variants.push(['flipped bit', flipped, signature, key]);
      }
      const [name, m, sig, k] = variants[i % variants.length]!;
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const expected = v2Verify(m, sig, k);
      expect(fastVerify(m, sig, k), name).toBe(expected);
      expect(expected, name).toBe(false);
    }
    expect(seen.size).toBe(8);
  });

  it('agrees with sm-crypto-v2 for the key −P', () => {
    for (const key of keys.slice(0, 6)) {
      const negated = makeKey(N - key.d);
      for (let i = 0; i < 10; i++) {
        const message = randomBytes(40);
        const signature = sm2SignFast(message, sm2SigningKey(key.privateKey, SM2_USER_ID, key.publicKey));
        expect(fastVerify(message, signature, negated)).toBe(v2Verify(message, signature, negated));
        expect(fastVerify(message, signature, negated)).toBe(false);
      }
    }
  });

  it('agrees with sm-crypto-v2 for the key G (d = 1)', () => {
    const signing = sm2SigningKey(keyG.privateKey, SM2_USER_ID);
    expect(signing.publicKey).toBe(keyG.publicKey);
    for (let i = 0; i < 40; i++) {
      const message = randomBytes(50);
      const signature = i % 2 ? sm2SignFast(message, signing) : sm2.doSignature(message, keyG.privateKey, { ...OPTIONS, publicKey: keyG.publicKey });
      expect(fastVerify(message, signature, keyG)).toBe(true);
      expect(v2Verify(message, signature, keyG)).toBe(true);
      const { r, s } = parseDerSignature(signature)!;
      for (const bad of [encodeDerSignature(r, N - r), encodeDerSignature(s, r), encodeDerSignature(r, N - 1n)]) {
        expect(fastVerify(message, bad, keyG)).toBe(v2Verify(message, bad, keyG));
      }
    }
  });

  it('accepts x(s·G + t·P) ≥ n, which is reduced modulo n', () => {
    // A point whose x lies in [n, p), and a key P that makes s·G + t·P land on it.
    const { a, b } = Point.CURVE();
    let x = N + 12345n;
    let y: bigint | undefined;
    while (y === undefined) {
      try {
        y = Point.Fp.sqrt(mod(x * x * x + a * x + b, P));
      } catch {
        x++; // x³ + ax + b is not a square
      }
    }
    const target = Point.fromAffine({ x, y });
    expect(x >= N && x < P).toBe(true);
    for (let i = 0; i < 5; i++) {
      const s = scalar();
      const t = scalar();
      const q = target.subtract(Point.BASE.multiply(s)).multiply(Point.Fn.inv(t));
      const key = sm2VerifyingKey(publicHex(q), SM2_USER_ID);
      const r = mod(t - s, N);
      const e = mod(r - x, N);
      expect(sm2VerifyHash(e, r, s, key)).toBe(true);
      expect(sm2VerifyHash(e + 1n, r, s, key)).toBe(false);
      expect(sm2VerifyHash(mod(e + P - N, N), r, s, key)).toBe(false);
    }
  });

  it('refuses r or s out of range and r + s = n', () => {
    const key = keys[0]!;
    for (const [r, s] of [
      [0n, 1n],
      [1n, 0n],
      [N, 1n],
      [1n, N],
      [5n, N - 5n],
    ] as const) {
      expect(sm2VerifyHash(123n, r, s, key.fast)).toBe(false);
    }
  });

  it('refuses public keys off the curve', () => {
    const key = keys[0]!;
    const bad = key.publicKey.slice(0, -1) + (key.publicKey.endsWith('0') ? '1' : '0');
    expect(() => sm2VerifyingKey(bad, SM2_USER_ID)).toThrow();
    expect(() => sm2VerifyingKey('04' + 'f'.repeat(128), SM2_USER_ID)).toThrow();
    expect(() => sm2VerifyingKey(key.publicKey.slice(2), SM2_USER_ID)).toThrow();
  });
});

describe('interoperability with sm-crypto', () => {
  const messages = ['', 'hello', '基准 benchmark ✓', `POST\n/open/v1/payments/prepay\n1777600000\nnonce\n{"amount":100}\n`];

  it('verifies sm-crypto signatures, and sm-crypto verifies ours', () => {
    for (let i = 0; i < 24; i++) {
      const key = keys[i % keys.length]!;
      const message = messages[i % messages.length]! + String(i);
      const theirs = smCrypto.sm2.doSignature(message, key.privateKey, { ...OPTIONS, publicKey: key.publicKey });
      expect(sm2Verify(message, theirs, key.publicKey)).toBe(true);
      expect(sm2Verify(message + ' ', theirs, key.publicKey)).toBe(false);
      const ours = sm2Sign(message, key.privateKey, key.publicKey);
      expect(smCrypto.sm2.doVerifySignature(message, ours, key.publicKey, OPTIONS)).toBe(true);
      expect(sm2.doVerifySignature(message, ours, key.publicKey, OPTIONS)).toBe(true);
    }
  });
});

describe('signing', () => {
  it('derives the public key when it is not given', () => {
    for (const key of keys.slice(0, 4)) {
      expect(sm2SigningKey(key.privateKey, SM2_USER_ID).publicKey).toBe(key.publicKey);
      const signature = sm2Sign('m', key.privateKey);
      expect(sm2.doVerifySignature('m', signature, key.publicKey, OPTIONS)).toBe(true);
    }
  });

  it('refuses invalid private keys', () => {
    for (const bad of ['', '00'.repeat(32), hex64(N - 1n), hex64(N), 'f'.repeat(64), '1'.repeat(63), 'x'.repeat(64)]) {
      expect(() => sm2SigningKey(bad, SM2_USER_ID), bad).toThrow();
    }
    expect(sm2SigningKey(hex64(N - 2n), SM2_USER_ID).publicKey).toBe(publicHex(Point.BASE.multiply(N - 2n)));
  });

  it('encodes minimal DER INTEGERs, as parseDerSignature requires', () => {
    for (const [r, s, hex] of [
      [1n, 0x7fn, '300602010102017f'],
      [0x80n, 0xffn, '3008020200800202' + '00ff'],
      [0x0100n, N - 1n, '302702020100022100' + hex64(N - 1n)],
    ] as const) {
      const der = encodeDerSignature(r, s);
      expect(der).toBe(hex);
      expect(parseDerSignature(der)).toEqual({ r, s });
    }
    for (let i = 0; i < 200; i++) {
      const r = random() >> BigInt(Number(random() % 256n));
      const s = scalar();
      if (r === 0n) continue;
      expect(parseDerSignature(encodeDerSignature(r, s))).toEqual({ r, s });
    }
  });

  it('signs the same message differently each time, and every signature verifies', () => {
    const key = keys[1]!;
    const signing = sm2SigningKey(key.privateKey, SM2_USER_ID, key.publicKey);
    const message = utf8('same message');
    const signatures = new Set(Array.from({ length: 20 }, () => sm2SignFast(message, signing)));
    expect(signatures.size).toBe(20);
    for (const signature of signatures) expect(sm2.doVerifySignature(message, signature, key.v2, OPTIONS)).toBe(true);
  });
});
