/**
 * Random ids for records handlers create (`log_…`, `tk_…`), in the `<prefix>_<base62>` shape
 * the schemas accept. Uses Web Crypto, so it runs in Node and browsers alike.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A random id with `length` base62 characters (about 5.95 bits each).
 *
 * @example
 * ```ts
 * randomId('tk'); // 'tk_Q3w8Zr51Lp0a9XcV'
 * ```
 */
export function randomId(prefix: string, length = 16): string {
  const bytes = new Uint8Array(length * 2);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  // Rejection sampling keeps the characters uniform (248 = 4 × 62).
  for (const b of bytes) {
    if (b < 248) out += ALPHABET[b % 62];
    if (out.length === length) break;
  }
  return out.length === length ? `${prefix}_${out}` : randomId(prefix, length);
}
