/**
 * The QR encoder, checked by decoding: an independent reader finds the format, unmasks, reads the
 * zig-zag, de-interleaves the blocks, checks every Reed–Solomon syndrome is zero and parses the
 * byte-mode text back. Capacities are checked against the standard's published byte-mode table.
 */
import { describe, expect, it } from 'vitest';
import { encodeQr, qrBlocks, qrByteCapacity, qrPath, type QrCode, type QrLevel } from './qr.ts';

const EXP: number[] = [];
const LOG: number[] = new Array(256).fill(0);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[(LOG[a]! + LOG[b]!) % 255]!);

const LEVELS: Record<number, QrLevel> = { 1: 'L', 0: 'M', 3: 'Q', 2: 'H' };

function formatBits(level: number, mask: number): number {
  const data = (level << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/** Decodes a code made by the encoder (no error correction needed: it must be clean). */
function decode(qr: QrCode): { text: string; level: QrLevel; mask: number } {
  const { size, modules } = qr;
  const version = (size - 17) / 4;
  const at = (x: number, y: number) => modules[y]![x]!;
  // Format information, first copy (around the top-left finder).
  let read = 0;
  const coords: [number, number][] = [];
  for (let i = 0; i <= 5; i++) coords.push([8, i]);
  coords.push([8, 7], [8, 8], [7, 8]);
  for (let i = 9; i < 15; i++) coords.push([14 - i, 8]);
  coords.forEach(([x, y], i) => (read |= (at(x, y) ? 1 : 0) << i));
  let level = -1;
  let mask = -1;
  for (let l = 0; l < 4; l++) for (let m = 0; m < 8; m++) if (formatBits(l, m) === read) [level, mask] = [l, m];
  if (level < 0) throw new Error('format information unreadable');

  // Function modules, found independently of the encoder.
  const fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const mark = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < size && y < size) fn[y]![x] = true;
  };
  for (const [cx, cy] of [
    [0, 0],
    [size - 8, 0],
    [0, size - 8],
  ] as const)
    for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) mark(cx + dx, cy + dy);
  for (let i = 0; i < size; i++) {
    mark(6, i);
    mark(i, 6);
  }
  for (let i = 0; i < 9; i++) {
    mark(8, i);
    mark(i, 8);
  }
  for (let i = 0; i < 8; i++) {
    mark(size - 1 - i, 8);
    mark(8, size - 1 - i);
  }
  if (version >= 2) {
    const n = Math.floor(version / 7) + 2;
    const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (n * 2 - 2)) * 2;
    const pos = [6];
    for (let p = version * 4 + 10; pos.length < n; p -= step) pos.splice(1, 0, p);
    const last = pos.length - 1;
    pos.forEach((ax, i) =>
      pos.forEach((ay, j) => {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return; // the finders' corners
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) mark(ax + dx, ay + dy);
      }),
    );
  }
  if (version >= 7)
    for (let i = 0; i < 18; i++) {
      mark(size - 11 + (i % 3), Math.floor(i / 3));
      mark(Math.floor(i / 3), size - 11 + (i % 3));
    }

  const masks = [
    (x: number, y: number) => (x + y) % 2 === 0,
    (_x: number, y: number) => y % 2 === 0,
    (x: number) => x % 3 === 0,
    (x: number, y: number) => (x + y) % 3 === 0,
    (x: number, y: number) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x: number, y: number) => ((x * y) % 2) + ((x * y) % 3) === 0,
    (x: number, y: number) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
    (x: number, y: number) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
  ];
  const bits: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < size; v++) {
      const y = upward ? size - 1 - v : v;
      for (const x of [right, right - 1]) if (!fn[y]![x]) bits.push((at(x, y) !== masks[mask]!(x, y)) ? 1 : 0);
    }
  }
  const lvl = LEVELS[level]!;
  const { numBlocks, eccPerBlock, rawCodewords } = qrBlocks(version, lvl);
  const codewords: number[] = [];
  for (let i = 0; i + 8 <= bits.length && codewords.length < rawCodewords; i += 8) codewords.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  // De-interleave: short blocks first, long blocks have one more data codeword.
  const numShort = numBlocks - (rawCodewords % numBlocks);
  const shortData = Math.floor(rawCodewords / numBlocks) - eccPerBlock;
  const blocks: number[][] = Array.from({ length: numBlocks }, () => []);
  let k = 0;
  for (let i = 0; i < shortData + 1; i++)
    for (let b = 0; b < numBlocks; b++) {
      if (i === shortData && b < numShort) continue;
      blocks[b]!.push(codewords[k++]!);
    }
  for (let i = 0; i < eccPerBlock; i++) for (let b = 0; b < numBlocks; b++) blocks[b]!.push(codewords[k++]!);
  const data: number[] = [];
  for (const [b, block] of blocks.entries()) {
    for (let s = 0; s < eccPerBlock; s++) {
      let syndrome = 0;
      for (const c of block) syndrome = mul(syndrome, EXP[s]!) ^ c;
      if (syndrome !== 0) throw new Error(`block ${b}: syndrome ${s} is not zero (version ${version}-${lvl})`);
    }
    data.push(...block.slice(0, block.length - eccPerBlock));
  }
  const stream = data.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >>> (7 - i)) & 1));
  let p = 0;
  const take = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | stream[p++]!;
    return v;
  };
  if (take(4) !== 0b0100) throw new Error('not byte mode');
  const count = take(version < 10 ? 8 : 16);
  const bytes = Array.from({ length: count }, () => take(8));
  return { text: new TextDecoder().decode(new Uint8Array(bytes)), level: lvl, mask };
}

describe('QR encoder', () => {
  it('encodes text that decodes back, at every level, across versions', () => {
    const samples = ['LILYPAY:qr_7Hq2mZ9xKc4T', 'https://lily.example/apps/com.lily.hello?from=share&code=8Kd2', '百合银行·扫码付款', 'x'.repeat(300), 'y'.repeat(1200)];
    for (const text of samples) {
      for (const level of ['L', 'M', 'Q', 'H'] as const) {
        const qr = encodeQr(text, level);
        expect(qr.size).toBe(qr.version * 4 + 17);
        const out = decode(qr);
        expect(out).toMatchObject({ text, level });
      }
    }
  });

  it('matches the standard’s byte-mode capacities and picks the smallest version', () => {
    const published: [number, QrLevel, number][] = [
      [1, 'L', 17],
      [1, 'M', 14],
      [1, 'Q', 11],
      [1, 'H', 7],
      [2, 'L', 32],
      [2, 'H', 14],
      [5, 'M', 84],
      [10, 'L', 271],
      [10, 'H', 119],
      [40, 'L', 2953],
      [40, 'M', 2331],
      [40, 'Q', 1663],
      [40, 'H', 1273],
    ];
    for (const [version, level, bytes] of published) expect(qrByteCapacity(version, level), `v${version}-${level}`).toBe(bytes);
    expect(encodeQr('a'.repeat(17), 'L').version).toBe(1);
    expect(encodeQr('a'.repeat(18), 'L').version).toBe(2);
    expect(() => encodeQr('a'.repeat(2954), 'L')).toThrow(RangeError);
  });

  it('draws the finder patterns and a path with a quiet zone', () => {
    const qr = encodeQr('hello', 'M');
    for (const [x, y] of [
      [0, 0],
      [qr.size - 7, 0],
      [0, qr.size - 7],
    ] as const) {
      expect(qr.modules[y]![x]).toBe(true);
      expect(qr.modules[y + 1]![x + 1]).toBe(false);
      expect(qr.modules[y + 3]![x + 3]).toBe(true);
    }
    expect(qrPath(qr)).toMatch(/^M4 4h1v1h-1z/);
  });
});
