/**
 * National-standard cryptography for Lily: SM2 signatures and encryption, SM3 digests, SM4.
 *
 * Platform-neutral (no Node built-ins): used by the server, the runtime's package verifier, the
 * CLI and the merchant Open API client. SM2 signing and verification run on `sm2-fast.ts` (curve
 * arithmetic of its own over BigInt, with per-key tables, and SM3 from sm-crypto-v2); everything
 * else is built on sm-crypto-v2. Interoperable with sm-crypto (≥ 0.5.8): signatures are
 * DER-encoded, computed over SM3 with Z (user id `1234567812345678`), and SM2 ciphertexts are
 * C1C3C2. Every option is passed explicitly because the two libraries' defaults differ.
 */
import { sm2, sm3 as sm3v2, sm4 } from 'sm-crypto-v2';
import {
  SM2_N,
  sm2SignFast,
  sm2SigningKey,
  sm2VerifyFast,
  sm2VerifyingKey,
  type Sm2SigningKey,
  type Sm2VerifyingKey,
} from './sm2-fast.ts';

/** The default SM2 user id of GB/T 35276, used for every Lily signature. */
export const SM2_USER_ID = '1234567812345678';

/** An SM2 key pair as hex: private key 32 bytes, public key uncompressed (`04` + x + y). */
export interface Sm2KeyPair {
  privateKey: string;
  publicKey: string;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Decodes UTF-8 bytes. */
export function fromUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Value of a hex digit by character code, -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b]!;
  return out;
}

/** Bytes of a hex string; throws on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = hex.charCodeAt(2 * i);
    const c2 = hex.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? HEX_VALUE[c1]! : -1;
    const lo = c2 < 128 ? HEX_VALUE[c2]! : -1;
    if (hi < 0 || lo < 0) throw new TypeError('invalid hex string');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += B64[b0 >> 2]!;
    out += B64[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]!;
    out += b1 === undefined ? '=' : B64[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]!;
    out += b2 === undefined ? '=' : B64[b2 & 63]!;
  }
  return out;
}

/** Bytes of standard base64; throws on malformed input. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TypeError('invalid base64 string');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (B64_INDEX.get(text[i]!)! << 18) |
      (B64_INDEX.get(text[i + 1]!)! << 12) |
      ((B64_INDEX.get(text[i + 2]!) ?? 0) << 6) |
      (B64_INDEX.get(text[i + 3]!) ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** SM3 digest as lower-case hex. */
export function sm3(data: string | Uint8Array): string {
  return sm3v2(typeof data === 'string' ? utf8(data) : data);
}

/** HMAC-SM3 as lower-case hex. */
export function hmacSm3(key: string | Uint8Array, data: string | Uint8Array): string {
  return sm3v2(typeof data === 'string' ? utf8(data) : data, {
    key: typeof key === 'string' ? utf8(key) : key,
    mode: 'hmac',
  });
}

/** Random bytes from the platform's CSPRNG (Web Crypto, present in Node 20 and browsers). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/** A fresh SM2 key pair. */
export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey, publicKey };
}

/** The uncompressed public key of a private key. */
export function publicKeyOf(privateKey: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKey);
}

/** True when `publicKey` is a valid uncompressed point on the SM2 curve. */
export function isValidPublicKey(publicKey: string): boolean {
  if (!/^04[0-9a-fA-F]{128}$/.test(publicKey)) return false;
  try {
    return sm2.verifyPublicKey(publicKey);
  } catch {
    return false;
  }
}

/** Prepared signing keys (d, (1 + d)⁻¹ and Z), by private key and the public key given for Z. */
const signingKeys = new Map<string, Sm2SigningKey>();
const SIGNING_KEYS_MAX = 256;

/** The cached signing key of a private key; throws when the key is not a valid SM2 private key. */
function signingKeyFor(privateKey: string, publicKey: string | undefined): Sm2SigningKey {
  const id = publicKey === undefined ? privateKey : `${privateKey}:${publicKey.toLowerCase()}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = sm2SigningKey(privateKey, SM2_USER_ID, publicKey);
    if (signingKeys.size >= SIGNING_KEYS_MAX) {
      const oldest = signingKeys.keys().next().value;
      if (oldest !== undefined) signingKeys.delete(oldest);
    }
    signingKeys.set(id, key);
  }
  return key;
}

/**
 * Signs `message` with SM2 (SM3 with Z, user id 1234567812345678) and returns a DER signature
 * as hex. `privateKey` is 64 hex digits; Z is computed from `publicKey` when given (uncompressed),
 * else from the private key's own public key.
 */
export function sm2Sign(message: string | Uint8Array, privateKey: string, publicKey?: string): string {
  return sm2SignFast(typeof message === 'string' ? utf8(message) : message, signingKeyFor(privateKey, publicKey));
}

/**
 * Reads a strict DER `SEQUENCE { INTEGER r, INTEGER s }` and returns r and s, or undefined when
 * the encoding is not minimal DER. Refusing non-canonical encodings stops signature malleability.
 */
export function parseDerSignature(hex: string): { r: bigint; s: bigint } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(hex);
  } catch {
    return undefined;
  }
  if (bytes.length < 8 || bytes.length > 72 || bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) return undefined;
  let at = 2;
  const readInt = (): bigint | undefined => {
    if (bytes[at] !== 0x02) return undefined;
    const len = bytes[at + 1];
    if (len === undefined || len === 0 || len > 33 || at + 2 + len > bytes.length) return undefined;
    const body = bytes.subarray(at + 2, at + 2 + len);
    if (body[0]! & 0x80) return undefined; // negative
    if (len > 1 && body[0] === 0 && !(body[1]! & 0x80)) return undefined; // non-minimal
    at += 2 + len;
    return BigInt('0x' + toHex(body));
  };
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || at !== bytes.length) return undefined;
  return { r, s };
}

/**
 * A cache of prepared public keys (Z and a table of multiples, about 150 KB each): preparing one
 * costs about as much as 50 verifications with it.
 */
const precomputed = new Map<string, Sm2VerifyingKey>();
const PRECOMPUTED_MAX = 2_000;

/** The cached prepared public key, or undefined when the key is not a valid point. */
function verifyingKeyFor(publicKey: string): Sm2VerifyingKey | undefined {
  const key = publicKey.toLowerCase();
  let prepared = precomputed.get(key);
  if (prepared === undefined) {
    if (!isValidPublicKey(key)) return undefined;
    prepared = sm2VerifyingKey(key, SM2_USER_ID);
    if (precomputed.size >= PRECOMPUTED_MAX) {
      const oldest = precomputed.keys().next().value;
      if (oldest !== undefined) precomputed.delete(oldest);
    }
    precomputed.set(key, prepared);
  }
  return prepared;
}

/**
 * Verifies a DER SM2 signature over `message`. Returns false (never throws) for malformed
 * signatures, out-of-range r or s, or invalid public keys.
 */
export function sm2Verify(message: string | Uint8Array, signatureHex: string, publicKey: string): boolean {
  const rs = parseDerSignature(signatureHex);
  if (rs === undefined) return false;
  if (rs.r < 1n || rs.r >= SM2_N || rs.s < 1n || rs.s >= SM2_N) return false;
  try {
    const key = verifyingKeyFor(publicKey);
    if (key === undefined) return false;
    return sm2VerifyFast(typeof message === 'string' ? utf8(message) : message, rs.r, rs.s, key);
  } catch {
    return false;
  }
}

/** SM2 public-key encryption (C1C3C2), hex ciphertext without the `04` prefix, as sm-crypto writes it. */
export function sm2Encrypt(plain: Uint8Array, publicKey: string): string {
  return sm2.doEncrypt(plain, publicKey, 1);
}

/** Decrypts an SM2 C1C3C2 ciphertext; throws on failure. */
export function sm2Decrypt(cipherHex: string, privateKey: string): Uint8Array {
  const out = sm2.doDecrypt(cipherHex, privateKey, 1, { output: 'array' });
  if (!(out instanceof Uint8Array) || out.length === 0) throw new Error('SM2 decryption failed');
  return out;
}

/** SM4-GCM encryption with a 16-byte key and 12-byte IV; returns ciphertext and 16-byte tag. */
export function sm4GcmEncrypt(
  plain: Uint8Array,
  key: Uint8Array,
  iv: Uint8Array,
  aad?: Uint8Array,
): { ciphertext: Uint8Array; tag: Uint8Array } {
  const out = sm4.encrypt(plain, key, {
    mode: 'gcm',
    iv,
    output: 'array',
    outputTag: true,
    ...(aad ? { associatedData: aad } : {}),
  });
  if (out.tag === undefined) throw new Error('SM4-GCM produced no tag');
  return { ciphertext: out.output, tag: out.tag };
}

/** SM4-GCM decryption; throws when the tag does not verify. */
export function sm4GcmDecrypt(
  ciphertext: Uint8Array,
  key: Uint8Array,
  iv: Uint8Array,
  tag: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  const out = sm4.decrypt(ciphertext, key, {
    mode: 'gcm',
    iv,
    tag,
    output: 'array',
    ...(aad ? { associatedData: aad } : {}),
  }) as unknown;
  if (out instanceof Uint8Array) return out;
  if (out && typeof out === 'object' && 'output' in out && (out as { output: unknown }).output instanceof Uint8Array) {
    return (out as { output: Uint8Array }).output;
  }
  throw new Error('SM4-GCM authentication failed');
}

/** SM4-CBC with PKCS#7 padding (the WeChat-style encryption of data to a session key). */
export function sm4CbcEncrypt(plain: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  return sm4.encrypt(plain, key, { mode: 'cbc', iv, padding: 'pkcs#7', output: 'array' });
}

/** Decrypts SM4-CBC with PKCS#7 padding; throws on bad padding. */
export function sm4CbcDecrypt(cipher: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  return sm4.decrypt(cipher, key, { mode: 'cbc', iv, padding: 'pkcs#7', output: 'array' });
}
