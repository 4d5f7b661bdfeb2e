/**
 * Classifies IP addresses for `base.request`: only globally routable unicast addresses are
 * public. Everything else (loopback, private, carrier-grade NAT, link-local, documentation,
 * benchmarking, multicast, reserved, unspecified, and IPv6 forms that embed such an IPv4
 * address) is refused unless the deployment allows private networks.
 */

/** Parses dotted IPv4 into 4 bytes, or null. */
export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : null;
}

/** Parses IPv6 (with `::`, an embedded IPv4 tail, or a zone id) into 16 bytes, or null. */
export function parseIPv6(text: string): number[] | null {
  let s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  let tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = parseIPv4(v4[2]!);
    if (!b) return null;
    tail = b;
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const want = 8 - tail.length / 2;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out = h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
    return out.some((n) => Number.isNaN(n)) ? null : out;
  };
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return null;
  let all: number[];
  if (halves.length === 2) {
    // "::" stands for at least one zero group.
    if (head.length + rest.length > want - 1) return null;
    all = [...head, ...new Array<number>(want - head.length - rest.length).fill(0), ...rest];
  } else {
    if (head.length !== want) return null;
    all = head;
  }
  return [...all.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

function inV4(b: readonly number[], net: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((b[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

const V4_NON_PUBLIC: readonly [number[], number][] = [
  [[0, 0, 0, 0], 8], // "this" network
  [[10, 0, 0, 0], 8], // private
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local (cloud metadata lives here)
  [[172, 16, 0, 0], 12], // private
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay anycast
  [[192, 168, 0, 0], 16], // private
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved and broadcast
];

function isPublicV4(b: readonly number[]): boolean {
  return !V4_NON_PUBLIC.some(([net, prefix]) => inV4(b, net, prefix));
}

function isPublicV6(b: readonly number[]): boolean {
  const zeroes = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeroes(0, 16)) return false; // ::
  if (zeroes(0, 15) && b[15] === 1) return false; // ::1
  if (zeroes(0, 10) && b[10] === 0xff && b[11] === 0xff) return isPublicV4(b.slice(12)); // ::ffff:a.b.c.d
  if (zeroes(0, 12)) return false; // deprecated IPv4-compatible
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return isPublicV4(b.slice(12)); // NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return isPublicV4(b.slice(2, 6)); // 6to4
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return false; // documentation
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00) return false; // Teredo
  if (b[0] === 0x01 && b[1] === 0x00 && zeroes(2, 8)) return false; // discard-only
  if ((b[0]! & 0xfe) === 0xfc) return false; // unique local fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return false; // link-local fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return false; // site-local (deprecated)
  if (b[0] === 0xff) return false; // multicast
  return (b[0]! & 0xe0) === 0x20; // global unicast is 2000::/3
}

/**
 * True when `address` (IPv4 or IPv6 text) is a public unicast address. Unparseable input is not
 * public.
 *
 * @example
 * ```ts
 * isPublicAddress('8.8.8.8'); // true
 * isPublicAddress('169.254.169.254'); // false
 * isPublicAddress('::ffff:127.0.0.1'); // false
 * ```
 */
export function isPublicAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return isPublicV4(v4);
  const v6 = parseIPv6(address);
  return v6 ? isPublicV6(v6) : false;
}
