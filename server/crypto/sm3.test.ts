import { describe, expect, it } from 'vitest';
import { sm3 as portableSm3 } from '../../runtime/crypto/sm.ts';
import { sm3 } from './sm3.ts';

describe('server SM3', () => {
  it('gives the standard digests and the same as the portable implementation', () => {
    // GB/T 32905 example 1.
    expect(sm3('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    for (const input of ['', '快车 行程', 'x'.repeat(1000), new Uint8Array([0, 255, 1, 2])]) expect(sm3(input)).toBe(portableSm3(input));
  });
});
