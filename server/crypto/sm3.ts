/**
 * SM3 on the server: OpenSSL's when this Node has it (several times faster than the portable
 * implementation on the short inputs hashed per request), the portable one otherwise. The
 * digests are the same.
 */
import { createHash, getHashes } from 'node:crypto';
import { sm3 as portableSm3 } from '../../runtime/crypto/sm.ts';

const NATIVE = getHashes().includes('sm3');

/**
 * SM3 digest of a string (UTF-8) or bytes, as lower-case hex.
 *
 * @example
 * ```ts
 * sm3('abc'); // '66c7f0f4…'
 * ```
 */
export function sm3(data: string | Uint8Array): string {
  return NATIVE ? createHash('sm3').update(data).digest('hex') : portableSm3(data);
}
