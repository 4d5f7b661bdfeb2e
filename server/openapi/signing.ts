/**
 * The Open API signature scheme, server side: the strict `Authorization: LILY-SM2-SM3 …` parser,
 * the canonical request bytes, and the bank's response signature.
 *
 * Request:  `METHOD\nPATH[?QUERY]\nTIMESTAMP\nNONCE\nBODY\n`, signed by the app's SM2 key.
 * Response: `TIMESTAMP\nNONCE\nBODY\n`, signed by the bank's SM2 key.
 * Both: SM2 over SM3 with Z (user id `1234567812345678`), DER, base64 on the wire. The merchant
 * client (`open-client/`) implements the same scheme independently; the tests hold them together.
 */
import { LilyError } from '../../protocol/errors.ts';
import { fromBase64, fromHex, parseDerSignature, randomBytes, sm2Sign, toBase64, toHex, utf8 } from '../../runtime/crypto/sm.ts';
import type { BankKeys } from '../keys.ts';

/** The Authorization scheme name. */
export const AUTH_SCHEME = 'LILY-SM2-SM3';

/** The order n of the SM2 curve: a valid r or s lies in [1, n-1]. */
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

/** The parameters of a parsed Authorization header. */
export interface AuthorizationFields {
  appId: string;
  /** 16 upper-case hex characters. */
  serialNo: string;
  /** Unix seconds, as sent (the canonical string uses the text exactly). */
  timestamp: string;
  nonce: string;
  /** The DER signature as base64, as sent. */
  signature: string;
  /** The DER signature as hex, ready for `sm2Verify`. */
  signatureHex: string;
}

const KEYS = { app_id: 'appId', serial_no: 'serialNo', timestamp: 'timestamp', nonce: 'nonce', signature: 'signature' } as const;
type WireKey = keyof typeof KEYS;
const PAIR = /[ \t]*([A-Za-z_]+)="([^"\\]*)"[ \t]*(,|$)/y;

function invalid(message: string): LilyError {
  return new LilyError('SIGNATURE_INVALID', message);
}

/**
 * Parses `Authorization: LILY-SM2-SM3 app_id="…",serial_no="…",timestamp="…",nonce="…",signature="…"`
 * strictly: the five parameters exactly once each, in any order, quoted, nothing else. Checks each
 * value's shape and the signature's DER encoding and r/s range.
 *
 * @throws {LilyError} SIGNATURE_MISSING without a Lily Authorization header; SIGNATURE_INVALID
 * naming the first malformation otherwise.
 * @example
 * ```ts
 * const auth = parseAuthorization(req.get('authorization'));
 * auth.appId; auth.serialNo; auth.signatureHex;
 * ```
 */
export function parseAuthorization(header: string | undefined): AuthorizationFields {
  if (header === undefined || header.trim() === '') {
    throw new LilyError('SIGNATURE_MISSING', `Sign the request: send an Authorization header of scheme ${AUTH_SCHEME}.`);
  }
  const space = header.search(/[ \t]/);
  const scheme = space < 0 ? header.trim() : header.slice(0, space);
  if (scheme.toUpperCase() !== AUTH_SCHEME) {
    throw new LilyError(
      'SIGNATURE_MISSING',
      `The Authorization header uses the scheme "${scheme.slice(0, 32)}"; Open API requests are signed with ${AUTH_SCHEME}.`,
    );
  }
  const rest = space < 0 ? '' : header.slice(space + 1).trim();
  if (rest === '') throw invalid(`The ${AUTH_SCHEME} Authorization header has no parameters.`);

  const found: Partial<Record<WireKey, string>> = {};
  PAIR.lastIndex = 0;
  let at = 0;
  while (at < rest.length) {
    PAIR.lastIndex = at;
    const m = PAIR.exec(rest);
    if (!m) {
      throw invalid(
        `The Authorization header is malformed at character ${at + 1} ("${rest.slice(at, at + 16)}…"): expected key="value" pairs separated by commas, with no quotes or backslashes inside values.`,
      );
    }
    const key = m[1]!;
    if (!(key in KEYS)) throw invalid(`The Authorization header has an unknown parameter "${key.slice(0, 32)}".`);
    if (found[key as WireKey] !== undefined) throw invalid(`The Authorization header repeats the parameter "${key}".`);
    found[key as WireKey] = m[2]!;
    at = PAIR.lastIndex;
    if (m[3] === ',' && at >= rest.length) throw invalid('The Authorization header ends with a comma.');
  }
  for (const key of Object.keys(KEYS) as WireKey[]) {
    if (found[key] === undefined) throw invalid(`The Authorization header lacks the parameter ${key}.`);
  }
  const appId = found.app_id!;
  const serial = found.serial_no!;
  const timestamp = found.timestamp!;
  const nonce = found.nonce!;
  const signature = found.signature!;

  if (!/^[A-Za-z0-9._-]{1,64}$/.test(appId)) throw invalid('app_id must be the app id: 1-64 letters, digits, dots, dashes or underscores.');
  if (!/^[0-9A-Fa-f]{16}$/.test(serial)) throw invalid('serial_no must be the 16 hex characters of the key serial.');
  if (/^\d{13,}$/.test(timestamp)) throw invalid('timestamp must be Unix time in seconds; this looks like milliseconds.');
  if (!/^(0|[1-9]\d{0,11})$/.test(timestamp)) throw invalid('timestamp must be Unix time in whole seconds (digits only).');
  if (!/^[A-Za-z0-9._~-]{16,64}$/.test(nonce)) {
    throw invalid('nonce must be 16-64 characters of letters, digits, ".", "_", "~" or "-", new for every request.');
  }
  let der: Uint8Array;
  try {
    der = fromBase64(signature);
  } catch {
    throw invalid('signature must be standard base64 (with padding) of the DER-encoded SM2 signature.');
  }
  const signatureHex = toHex(der);
  const rs = parseDerSignature(signatureHex);
  if (rs === undefined) {
    throw invalid('signature is not a DER-encoded SM2 signature (a minimal SEQUENCE of two positive INTEGERs r and s).');
  }
  if (rs.r < 1n || rs.r >= SM2_N || rs.s < 1n || rs.s >= SM2_N) {
    throw invalid('signature r or s is outside [1, n-1] of the SM2 curve.');
  }
  return { appId, serialNo: serial.toUpperCase(), timestamp, nonce, signature, signatureHex };
}

/**
 * The canonical request bytes: `METHOD\nPATH[?QUERY]\nTIMESTAMP\nNONCE\n` + the exact body bytes
 * + `\n`. The body is not decoded and re-encoded, so what is verified is what was sent.
 *
 * @example
 * ```ts
 * canonicalRequest('GET', '/open/v1/ping', '1700000000', 'n0nce-n0nce-n0nce', new Uint8Array());
 * // bytes of "GET\n/open/v1/ping\n1700000000\nn0nce-n0nce-n0nce\n\n"
 * ```
 */
export function canonicalRequest(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: Uint8Array): Uint8Array {
  const head = utf8(`${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n`);
  const out = new Uint8Array(head.length + body.length + 1);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 1] = 0x0a;
  return out;
}

/** The headers that carry the bank's response signature. */
export interface ResponseSignature {
  'Lily-Signature': string;
  'Lily-Timestamp': string;
  'Lily-Nonce': string;
  'Lily-Serial': string;
}

/** What the bank signs for a response: `TIMESTAMP\nNONCE\nBODY\n` with a fresh nonce. */
function responseMessage(body: string, nowMs: number): { timestamp: string; nonce: string; message: string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = toHex(randomBytes(16));
  return { timestamp, nonce, message: `${timestamp}\n${nonce}\n${body}\n` };
}

function signatureHeaders(serial: string, timestamp: string, nonce: string, signatureHex: string): ResponseSignature {
  return {
    'Lily-Signature': toBase64(fromHex(signatureHex)),
    'Lily-Timestamp': timestamp,
    'Lily-Nonce': nonce,
    'Lily-Serial': serial,
  };
}

/**
 * Signs a response body with the bank key over `TIMESTAMP\nNONCE\nBODY\n` and returns the
 * headers to send.
 *
 * @example
 * ```ts
 * const headers = signResponse(bankKeys, JSON.stringify(result), Date.now());
 * res.set(headers).end(body);
 * ```
 */
export function signResponse(bank: BankKeys, body: string, nowMs: number): ResponseSignature {
  const { timestamp, nonce, message } = responseMessage(body, nowMs);
  return signatureHeaders(bank.serial, timestamp, nonce, sm2Sign(message, bank.privateKey, bank.publicKey));
}

/**
 * {@link signResponse} with the signing done by `sign` (the bank key's SM2 service, which may
 * run it on another thread).
 *
 * @example
 * ```ts
 * const headers = await signResponseWith((m) => sm2.signBank(m), bankKeys.serial, body, Date.now());
 * ```
 */
export async function signResponseWith(sign: (message: string) => Promise<string>, serial: string, body: string, nowMs: number): Promise<ResponseSignature> {
  const { timestamp, nonce, message } = responseMessage(body, nowMs);
  return signatureHeaders(serial, timestamp, nonce, await sign(message));
}
