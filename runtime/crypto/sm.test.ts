import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64, toHex } from './sm.ts';

describe('encodings', () => {
  it('round-trips every byte through hex, reading either case', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = toHex(all);
    expect(hex).toMatch(/^[0-9a-f]{512}$/);
    expect(hex.slice(0, 8)).toBe('00010203');
    expect(fromHex(hex)).toEqual(all);
    expect(fromHex(hex.toUpperCase())).toEqual(all);
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('refuses odd lengths and anything but hex digits', () => {
    for (const bad of ['0', 'abc', '0g', 'g0', '0x', ' 0', '０１', 'é1', '1\u0100']) expect(() => fromHex(bad), bad).toThrow(/invalid hex/);
  });

  it('round-trips base64', () => {
    for (const n of [0, 1, 2, 3, 4, 31, 72]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
  });
});
