import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits, TokenBucket, utf8Length } from './limits.ts';

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toMatchObject({
      heapBytes: 32 * 1024 * 1024,
      cpuMsPerEntry: 100,
      setDataPerSecond: 20,
      setDataBytes: 256 * 1024,
      bridgePayloadBytes: 1024 * 1024,
      maxPageStack: 10,
      maxViewNodes: 10_000,
    });
  });

  it('applies overrides and refuses nonsense', () => {
    expect(resolveLimits({ heapBytes: 1024 }).heapBytes).toBe(1024);
    expect(resolveLimits({ callTimeoutMs: 0 }).callTimeoutMs).toBe(0);
    expect(() => resolveLimits({ heapBytes: -1 })).toThrow(TypeError);
    expect(() => resolveLimits({ cpuMsPerEntry: NaN })).toThrow(TypeError);
    expect(() => resolveLimits({ bogus: 1 } as never)).toThrow(/unknown sandbox limit/);
    expect(() => resolveLimits({ stackBytes: 1024 * 1024 })).toThrow(/native stack/);
  });

  it('token bucket: burst, then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(20, 40, () => now);
    for (let i = 0; i < 40; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 50;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    for (let i = 0; i < 40; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('counts UTF-8 bytes', () => {
    for (const s of ['', 'abc', 'é', '中文', '😀', '\ud800', 'a\u0080\u07ff\u0800\uffff']) {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
