/**
 * SM2 signatures (GB/T 32918.2) computed directly on the curve sm2p256v1 with BigInt arithmetic.
 *
 * Platform-neutral (no Node built-ins). Verification, whose inputs are all public, computes
 * s·G + t·P from fixed-base window tables in affine coordinates (one for G, built once on first
 * use, one per public key) added into a single Jacobian accumulator, and checks x without an
 * inversion. Signing computes k·G from the same table of G with complete (exception-free) mixed
 * additions, one per window whatever the digits of the secret k. SM3 comes from sm-crypto-v2.
 * Signatures are the same DER as sm-crypto-v2's and sm-crypto's, and verify the same way.
 */
import { sm3 } from 'sm-crypto-v2';

/** The field prime p of sm2p256v1. */
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
/** The curve coefficient a = p − 3. */
const A = P - 3n;
/** The curve coefficient b. */
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
/** The order n of G and of the curve: valid r and s lie in [1, n−1]. */
export const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** Window width of the table of G: 23,560 points (about 2.6 MB), built once in about 60 ms. */
const G_WINDOW = 11;
/** Window width of the table of a public key: 1,360 points (about 150 KB), built in a few ms. */
const KEY_WINDOW = 6;

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
type Jacobian = [x: bigint, y: bigint, z: bigint];
/** A point in homogeneous projective coordinates (x = X/Z, y = Y/Z); (0 : 1 : 0) is infinity. */
type Projective = [x: bigint, y: bigint, z: bigint];

/** a mod m in [0, m). */
function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** 2·Q in Jacobian coordinates (a = −3). Exact for every input, the point at infinity included. */
function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const delta = (z * z) % P;
  const gamma = (y * y) % P;
  const beta = (x * gamma) % P;
  const alpha = (3n * (x - delta) * (x + delta)) % P;
  const x3 = (alpha * alpha - 8n * beta) % P;
  const y3 = (alpha * (4n * beta - x3) - 8n * gamma * gamma) % P;
  return [x3, y3, (2n * y * z) % P];
}

/**
 * Q + (x2, y2) in Jacobian coordinates, for an affine (x2, y2) on the curve. Exact for every
 * input: Q at infinity, Q = (x2, y2) (a doubling) and Q = −(x2, y2) (infinity). Coordinates may
 * be returned in (−p, p): every use multiplies or reduces them again.
 */
function addAffine(q: Jacobian, x2: bigint, y2: bigint): Jacobian {
  const [x1, y1, z1] = q;
  if (z1 === 0n) return [x2, y2, 1n];
  const z1z1 = (z1 * z1) % P;
  const h = (x2 * z1z1 - x1) % P; // U2 − X1
  const r = (y2 * z1 * z1z1 - y1) % P; // S2 − Y1
  if (h === 0n) return r === 0n ? double([x2, y2, 1n]) : [0n, 1n, 0n];
  const hh = (h * h) % P;
  const hhh = h * hh; // left unreduced: both uses reduce it
  const v = x1 * hh;
  const x3 = (r * r - hhh - 2n * v) % P;
  const y3 = (r * (v - x3) - y1 * hhh) % P;
  return [x3, y3, (z1 * h) % P];
}

/**
 * Q + (x2, y2) in projective coordinates by the complete mixed addition for a = −3 of Renes,
 * Costello and Batina (eprint 2015/1060, algorithm 5): the same operations for every input,
 * Q at infinity, Q = ±(x2, y2) included. Coordinates may be returned in (−p, p). Exported for
 * tests.
 */
export function addComplete([x1, y1, z1]: Projective, x2: bigint, y2: bigint): Projective {
  const t0 = (x1 * x2) % P;
  const t1 = (y1 * y2) % P;
  const t3 = ((x2 + y2) * (x1 + y1) - t0 - t1) % P;
  const t4 = (y2 * z1 + y1) % P;
  const u = (x2 * z1 + x1) % P;
  let x3 = u - (B * z1) % P;
  x3 = 3n * x3;
  const z3 = t1 - x3;
  x3 = t1 + x3;
  const t2 = 3n * z1;
  let y3 = (B * u - t2 - t0) % P;
  y3 = 3n * y3;
  const t0b = 3n * t0 - t2;
  return [(t3 * x3 - t4 * y3) % P, (x3 * z3 + t0b * y3) % P, (t4 * z3 + t3 * t0b) % P];
}

/** a⁻¹ mod m for a not divisible by the prime m (extended Euclid). */
function invert(a: bigint, m: bigint): bigint {
  let b = m;
  let x = 0n;
  let u = 1n;
  a = mod(a, m);
  if (a === 0n) throw new RangeError('no inverse of 0');
  while (a !== 0n) {
    const q = b / a;
    const r = b - q * a;
    const t = x - u * q;
    b = a;
    a = r;
    x = u;
    u = t;
  }
  return x < 0n ? x + m : x;
}

/** The inverses mod p of non-zero values, with one inversion (Montgomery's trick). */
function invertBatch(values: bigint[]): bigint[] {
  const prefix: bigint[] = new Array(values.length);
  let acc = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc;
    acc = (acc * values[i]!) % P;
  }
  let inv = invert(acc, P);
  const out: bigint[] = new Array(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]!) % P;
    inv = (inv * values[i]!) % P;
  }
  return out;
}

/**
 * Multiples of a point for fixed-base multiplication with signed digits in windows of `width`
 * bits: window j holds d·2^(width·j)·Q for d = 1 … 2^(width−1) (fewer in the top window, which
 * only receives the last bits of a 256-bit scalar and a carry).
 */
export interface FixedBaseTable {
  readonly width: number;
  /** Index of the first point of each window. */
  readonly starts: Uint32Array;
  /** x, y of every point in [0, p), flattened. */
  readonly xy: bigint[];
}

/**
 * The fixed-base table of the affine point (x, y). The window bases come from Jacobian doublings;
 * then all windows' multiples are filled in affine coordinates in rounds, each with one shared
 * inversion: round L makes d = 2^L + i as 2^L·B + i·B for i = 1 … 2^L (a doubling when i = 2^L).
 */
function buildTable(x: bigint, y: bigint, width: number): FixedBaseTable {
  const half = 2 ** (width - 1);
  const windows = Math.floor(256 / width) + 1;
  const counts: number[] = [];
  const bases: Jacobian[] = [[x, y, 1n]];
  for (let j = 0; j < windows; j++) {
    counts.push(Math.min(half, 2 ** (256 - width * j)));
    if (j > 0) {
      let q = bases[j - 1]!;
      for (let b = 0; b < width; b++) q = double(q);
      bases.push(q);
    }
  }
  const starts = new Uint32Array(windows);
  for (let j = 1; j < windows; j++) starts[j] = starts[j - 1]! + counts[j - 1]!;
  const total = starts[windows - 1]! + counts[windows - 1]!;
  const xy: bigint[] = new Array(2 * total).fill(0n);
  const zInverses = invertBatch(bases.map((q) => q[2]));
  bases.forEach(([bx, by], j) => {
    const zi = zInverses[j]!;
    const zi2 = (zi * zi) % P;
    xy[2 * starts[j]!] = mod(bx * zi2, P);
    xy[2 * starts[j]! + 1] = mod(by * zi2 * zi, P);
  });
  for (let step = 1; step < half; step *= 2) {
    const targets: number[] = [];
    const lefts: number[] = [];
    const rights: number[] = [];
    for (let j = 0; j < windows; j++) {
      const last = Math.min(2 * step, counts[j]!);
      for (let d = step + 1; d <= last; d++) {
        targets.push(starts[j]! + d - 1);
        lefts.push(starts[j]! + step - 1);
        rights.push(starts[j]! + d - step - 1);
      }
    }
    const denominators = targets.map((_, n) => {
      const a = lefts[n]!;
      const b = rights[n]!;
      return a === b ? 2n * xy[2 * a + 1]! : mod(xy[2 * b]! - xy[2 * a]!, P);
    });
    const inverses = invertBatch(denominators);
    for (let n = 0; n < targets.length; n++) {
      const a = lefts[n]!;
      const b = rights[n]!;
      const x1 = xy[2 * a]!;
      const y1 = xy[2 * a + 1]!;
      const x2 = xy[2 * b]!;
      const numerator = a === b ? 3n * x1 * x1 + A : xy[2 * b + 1]! - y1;
      const lambda = (numerator * inverses[n]!) % P;
      const x3 = mod(lambda * lambda - x1 - x2, P);
      xy[2 * targets[n]!] = x3;
      xy[2 * targets[n]! + 1] = mod(lambda * (x1 - x3) - y1, P);
    }
  }
  return { width, starts, xy };
}

let gTable: FixedBaseTable | undefined;

/** The table of G, built on first use. */
function baseTable(): FixedBaseTable {
  return (gTable ??= buildTable(GX, GY, G_WINDOW));
}

/**
 * Adds k·Q to the Jacobian accumulator `acc` from Q's table, skipping zero digits. Variable time:
 * only for public scalars.
 */
function addMultiple(acc: Jacobian, k: bigint, table: FixedBaseTable): Jacobian {
  const { width, starts, xy } = table;
  const half = 2 ** (width - 1);
  const full = 2 ** width;
  const mask = BigInt(full - 1);
  const shift = BigInt(width);
  for (let j = 0; k !== 0n; j++) {
    let d = Number(k & mask);
    k >>= shift;
    if (d > half) {
      d -= full;
      k += 1n;
    }
    if (d === 0) continue;
    const i = 2 * (starts[j]! + Math.abs(d) - 1);
    const y2 = xy[i + 1]!;
    acc = addAffine(acc, xy[i]!, d < 0 ? P - y2 : y2);
  }
  return acc;
}

/** Keeps the result of the dummy additions of `multiplyBase` observable. */
let dummySink = 0n;

/**
 * k·G in affine coordinates for a secret k in [1, n−1]: one complete addition per window,
 * a dummy one on a zero digit, and a blinded inversion. Exported for tests.
 */
export function multiplyBase(k: bigint): [x: bigint, y: bigint] {
  const { width, starts, xy } = baseTable();
  const half = 2 ** (width - 1);
  const full = 2 ** width;
  const mask = BigInt(full - 1);
  const shift = BigInt(width);
  let acc: Projective = [0n, 1n, 0n];
  let dummy: Projective = [GX, GY, 1n];
  for (let j = 0; j < starts.length; j++) {
    let d = Number(k & mask);
    k >>= shift;
    if (d > half) {
      d -= full;
      k += 1n;
    }
    const zero = d === 0;
    const i = 2 * (starts[j]! + (zero ? 0 : Math.abs(d) - 1));
    const x2 = xy[i]!;
    const y2 = xy[i + 1]!;
    const negated = P - y2;
    if (zero) dummy = addComplete(dummy, x2, j % 2 === 1 ? negated : y2);
    else acc = addComplete(acc, x2, d < 0 ? negated : y2);
  }
  dummySink = dummy[2];
  const blind = randomBelow(P);
  const zi = (invert(mod(acc[2] * blind, P), P) * blind) % P;
  return [mod(acc[0] * zi, P), mod(acc[1] * zi, P)];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b]!;
  return out;
}

/** Bytes of an even-length hex string of trusted origin. */
function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A field element or scalar as 64 hex digits. */
function hex64(v: bigint): string {
  return v.toString(16).padStart(64, '0');
}

/** A uniformly random integer in [1, m−1], by rejection sampling. */
function randomBelow(m: bigint): bigint {
  const bytes = new Uint8Array(32);
  for (;;) {
    globalThis.crypto.getRandomValues(bytes);
    const v = BigInt('0x' + hexOf(bytes));
    if (v !== 0n && v < m) return v;
  }
}

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), the user hash of GB/T 32918.2. */
function userHash(x: bigint, y: bigint, userId: string): Uint8Array {
  const id = hexOf(new TextEncoder().encode(userId));
  const entl = ((id.length / 2) * 8).toString(16).padStart(4, '0');
  return bytesOf(sm3(bytesOf(entl + id + hex64(A) + hex64(B) + hex64(GX) + hex64(GY) + hex64(x) + hex64(y))));
}

/** e = SM3(Z ‖ M) as an integer. */
function messageHash(z: Uint8Array, message: Uint8Array): bigint {
  const data = new Uint8Array(z.length + message.length);
  data.set(z);
  data.set(message, z.length);
  return BigInt('0x' + sm3(data));
}

/** True when (x, y) satisfies y² = x³ + ax + b with both coordinates in [0, p). */
function isOnCurve(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return mod(y * y - ((x * x + A) * x + B), P) === 0n;
}

/** A public key ready for verification: its Z and the table of its multiples. */
export interface Sm2VerifyingKey {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: Uint8Array;
  readonly table: FixedBaseTable;
}

/**
 * Prepares an uncompressed public key (`04` + x + y, hex) for verification under `userId`;
 * throws when it is not a point of the curve. Takes a few milliseconds: cache the result.
 */
export function sm2VerifyingKey(publicKey: string, userId: string): Sm2VerifyingKey {
  if (!/^04[0-9a-fA-F]{128}$/.test(publicKey)) throw new TypeError('invalid SM2 public key');
  const x = BigInt('0x' + publicKey.slice(2, 66));
  const y = BigInt('0x' + publicKey.slice(66));
  if (!isOnCurve(x, y)) throw new TypeError('invalid SM2 public key');
  return { x, y, z: userHash(x, y, userId), table: buildTable(x, y, KEY_WINDOW) };
}

/**
 * u·G + v·P in Jacobian coordinates, for public u, v in [0, 2^256). Exported for tests.
 */
export function linearCombination(u: bigint, v: bigint, key: Sm2VerifyingKey): Jacobian {
  return addMultiple(addMultiple([0n, 1n, 0n], u, baseTable()), v, key.table);
}

/**
 * Verifies the SM2 signature (r, s) of `message`: e = SM3(Z ‖ M), then `sm2VerifyHash`.
 */
export function sm2VerifyFast(message: Uint8Array, r: bigint, s: bigint, key: Sm2VerifyingKey): boolean {
  return sm2VerifyHash(messageHash(key.z, message), r, s, key);
}

/**
 * Verifies the SM2 signature (r, s) of the message hash e: t = (r + s) mod n, and
 * (e + x(s·G + t·P)) mod n must equal r. The sum at infinity, which has no x, is refused.
 */
export function sm2VerifyHash(e: bigint, r: bigint, s: bigint, key: Sm2VerifyingKey): boolean {
  if (r < 1n || r >= SM2_N || s < 1n || s >= SM2_N) return false;
  const t = (r + s) % SM2_N;
  if (t === 0n) return false;
  const [x, , z] = linearCombination(s, t, key);
  if (z === 0n) return false;
  // x = X/Z² lies in [0, p) and p < 2n, so x ≡ r − e (mod n) means x = c or x = c + n.
  const zz = (z * z) % P;
  const c = mod(r - e, SM2_N);
  if ((c * zz - x) % P === 0n) return true;
  return c + SM2_N < P && ((c + SM2_N) * zz - x) % P === 0n;
}

/** A private key ready for signing: d, (1 + d)⁻¹ mod n and the Z of its public key. */
export interface Sm2SigningKey {
  readonly d: bigint;
  readonly inverse: bigint;
  readonly z: Uint8Array;
  /** The uncompressed public key as hex. */
  readonly publicKey: string;
}

/**
 * Prepares a private key (64 hex digits) for signing under `userId`. Z is computed from
 * `publicKey` when given (as sm-crypto does), else from the key's own public key. Throws when
 * d is not in [1, n−2].
 */
export function sm2SigningKey(privateKey: string, userId: string, publicKey?: string): Sm2SigningKey {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKey)) throw new TypeError('invalid SM2 private key');
  const d = BigInt('0x' + privateKey);
  if (d < 1n || d > SM2_N - 2n) throw new TypeError('invalid SM2 private key');
  let pub = publicKey;
  if (pub === undefined) {
    const [x, y] = multiplyBase(d);
    pub = '04' + hex64(x) + hex64(y);
  } else if (!/^04[0-9a-fA-F]{128}$/.test(pub) || !isOnCurve(BigInt('0x' + pub.slice(2, 66)), BigInt('0x' + pub.slice(66)))) {
    throw new TypeError('invalid SM2 public key');
  }
  const z = userHash(BigInt('0x' + pub.slice(2, 66)), BigInt('0x' + pub.slice(66)), userId);
  return { d, inverse: invert(d + 1n, SM2_N), z, publicKey: pub.toLowerCase() };
}

/** A DER INTEGER of a positive integer, minimal, as hex. */
function derInteger(v: bigint): string {
  let h = v.toString(16);
  if (h.length % 2 === 1) h = '0' + h;
  else if (h.charCodeAt(0) >= 0x38) h = '00' + h; // leading bit set: keep it positive
  return '02' + (h.length / 2).toString(16).padStart(2, '0') + h;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` as hex. */
export function encodeDerSignature(r: bigint, s: bigint): string {
  const body = derInteger(r) + derInteger(s);
  return '30' + (body.length / 2).toString(16).padStart(2, '0') + body;
}

/**
 * Signs `message` with SM2: e = SM3(Z ‖ M), random k, (x1, y1) = k·G, r = (e + x1) mod n,
 * s = (1 + d)⁻¹·(k − r·d) mod n. Returns the DER signature as hex.
 */
export function sm2SignFast(message: Uint8Array, key: Sm2SigningKey): string {
  const e = messageHash(key.z, message);
  for (;;) {
    const k = randomBelow(SM2_N);
    const [x1] = multiplyBase(k);
    const r = (e + x1) % SM2_N;
    if (r === 0n || r + k === SM2_N) continue;
    const s = mod(key.inverse * (k - r * key.d), SM2_N);
    if (s === 0n) continue;
    return encodeDerSignature(r, s);
  }
}
