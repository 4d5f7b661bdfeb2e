import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 0, é: 2 } })).toBe('{"A":{"z":0,"é":2},"a":[true,null,"x"],"b":1}');
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 by code units.
    expect(canonicalJson({ '\ufb33': 2, '\ud83d\ude00': 1 })).toBe('{"\ud83d\ude00":1,"\ufb33":2}');
  });

  it('writes numbers and strings as JSON.stringify does', () => {
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 'a"b\\\n\u2028'])).toBe('[1e+21,0.1,0,1.5e-7,"a\\"b\\\\\\n\u2028"]');
  });

  it('leaves out undefined members and refuses non-JSON values', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(new Date())).toThrow(TypeError);
    expect(() => canonicalJson([1n])).toThrow(TypeError);
  });
});
