/**
 * Flow control on the Open API: per app (and environment) and per tier, with the IETF RateLimit
 * headers and 429 + Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LilyOpenApiError } from '../../open-client/index.ts';
import { expectProblem, prepayBody, registerTestHandlers, sendSigned, snapshot, type Probe } from './fixtures.ts';
import { startHarness, type AppKey, type Harness } from './harness.ts';

let h: Harness;
let probe: Probe;
let A: AppKey;
let B: AppKey;

beforeAll(async () => {
  h = await startHarness({ rateLimitPerMinute: { light: 3, payment: 2 } });
  probe = registerTestHandlers(h);
  A = await h.appWithKey('alpha.app');
  B = await h.appWithKey('beta.app');
});

afterAll(async () => {
  await h?.close();
});

describe('rate limits', () => {
  it('counts down in RateLimit-* headers, then answers 429 with Retry-After', async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await sendSigned(h, A, 'GET', '/open/v1/ping');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('ratelimit-policy')).toBe('3;w=60');
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await sendSigned(h, A, 'GET', '/open/v1/ping');
    expectProblem(h, limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.json.details).toEqual({ retryAfterSeconds: retryAfter });
  });

  it('the client surfaces it as RATE_LIMITED with retryAfterSeconds', async () => {
    const err = (await A.client.get('/open/v1/ping').catch((e: unknown) => e)) as LilyOpenApiError;
    expect(err).toBeInstanceOf(LilyOpenApiError);
    expect(err).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('is per app and per tier', async () => {
    expect((await sendSigned(h, B, 'GET', '/open/v1/ping')).status).toBe(200);
    // alpha.app's light tier is exhausted; its payment tier is not.
    expect(await A.client.post('/open/v1/payments/prepay', prepayBody())).toMatchObject({ prepayId: expect.any(String) });
  });

  it('a limited write runs nothing and stores no answer', async () => {
    await A.client.post('/open/v1/payments/prepay', prepayBody()); // the payment tier's second token
    const runs = probe.runs;
    const before = await snapshot(h);
    const res = await sendSigned(h, A, 'POST', '/open/v1/payments/prepay', { body: JSON.stringify(prepayBody()), idempotencyKey: 'limited-1' });
    expectProblem(h, res, 429, 'RATE_LIMITED');
    expect(probe.runs).toBe(runs);
    const after = await snapshot(h);
    expect({ ...after, open_nonces: 0 }).toEqual({ ...before, open_nonces: 0 });
  });
});
