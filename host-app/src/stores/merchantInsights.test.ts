/**
 * The merchant portal's stats and webhook log stores against a fake server.
 */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, problem } from '../test-support/fetch.ts';
import { cstDayBefore, useMerchantStatsStore } from './merchantStats.ts';
import { useWebhookLogStore } from './webhookLog.ts';

const stats = { appId: 'com.ride', env: 'production', from: 'a', to: 'b', days: [], totals: { calls: 3, errors: 1, payments: 1, paidAmount: 100, refundedAmount: 0, errorRate: 1 / 3 }, capabilities: [], errorCodes: [], events: [], eventSeries: [] };
const appView = { appId: 'com.ride', merchantId: 'm1', name: 'Ride', description: '', category: 'travel', icon: '', status: 'live', statusReason: null, createdAt: 'x', releases: { sandbox: null, production: null }, webhookUrl: 'https://ride.example/hook' };
const notification = (status: string, attempts: number) => ({
  id: 'ntf_1',
  eventType: 'payment.succeeded',
  resourceId: 'ord_1',
  status,
  attempts: Array.from({ length: attempts }, (_, i) => ({ at: i, httpStatus: 503, error: 'HTTP 503', ms: 12 })),
  createdAt: '2026-05-01T00:00:00Z',
  nextAttemptAt: null as string | null,
  deliveredAt: null,
  acknowledgedAt: null,
});

describe('merchant stats store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('asks for the last 7 CST days of an app, then another range and environment', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 4, 10, 18, 0), toFake: ['Date'] }); // 2026-05-11 02:00 CST
    const calls = fakeFetch({ 'GET /api/merchant/apps/com.ride/stats': stats });
    const s = useMerchantStatsStore();
    await s.load('com.ride');
    expect(s.stats?.totals.calls).toBe(3);
    await s.choose({ env: 'sandbox', days: 30 });
    expect(calls.map((c) => c.url)).toEqual([
      '/api/merchant/apps/com.ride/stats?env=production&from=2026-05-05&to=2026-05-11',
      '/api/merchant/apps/com.ride/stats?env=sandbox&from=2026-04-12&to=2026-05-11',
    ]);
  });

  it('runs a funnel over the chosen steps and window, and keeps its error apart from the stats', async () => {
    let answer: unknown = { appId: 'com.ride', env: 'production', from: 'a', to: 'b', windowHours: 6, steps: [{ event: 'a', users: 2, conversion: 1 }, { event: 'b', users: 1, conversion: 0.5 }] };
    const calls = fakeFetch({ 'GET /api/merchant/apps/com.ride/stats': stats, 'GET /api/merchant/apps/com.ride/funnel': () => answer });
    const s = useMerchantStatsStore();
    await s.load('com.ride');
    await s.runFunnel(['a', 'b'], 6);
    expect(s.funnel?.steps.map((x) => x.users)).toEqual([2, 1]);
    const url = new URL(calls.at(-1)!.url, 'http://h');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ env: 'production', steps: 'a,b', windowHours: '6' });
    answer = problem(400, 'INVALID_PARAMS');
    await s.runFunnel(['a', 'b']);
    expect(s.funnelError).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(s.funnel).toBeNull();
    expect(s.error).toBeNull();
  });

  it('shows NOT_FOUND for an app that is not the merchant’s', async () => {
    fakeFetch({ 'GET /api/merchant/apps/com.other/stats': problem(404, 'NOT_FOUND') });
    const s = useMerchantStatsStore();
    await s.load('com.other');
    expect(s.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(s.stats).toBeNull();
  });

  it('computes CST days', () => {
    expect(cstDayBefore(Date.UTC(2026, 0, 1, 16, 0), 0)).toBe('2026-01-02');
    expect(cstDayBefore(Date.UTC(2026, 0, 1, 15, 59), 0)).toBe('2026-01-01');
    expect(cstDayBefore(Date.UTC(2026, 0, 1, 16, 0), 6)).toBe('2025-12-27');
  });
});

describe('webhook log store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('loads the URL and the log, resends, and shows the next attempt', async () => {
    let list = [notification('failed', 2)];
    const calls = fakeFetch({
      'GET /api/merchant/apps/com.ride': { app: appView, applications: [] },
      'GET /api/merchant/apps/com.ride/notifications': () => ({ notifications: list }),
      'POST /api/merchant/apps/com.ride/notifications/ntf_1/resend': () => {
        list = [{ ...notification('pending', 2), nextAttemptAt: '2026-05-01T00:01:00Z' }];
        return { id: 'ntf_1', status: 'pending' };
      },
    });
    const log = useWebhookLogStore();
    await log.load('com.ride');
    expect(log.webhookUrl).toBe('https://ride.example/hook');
    expect(log.notifications[0]?.attempts).toHaveLength(2);
    expect(await log.resend('ntf_1')).toBe(true);
    expect(log.notice).toBe('resent');
    expect(log.notifications[0]?.status).toBe('pending');
    const resend = calls.find((c) => c.method === 'POST')!;
    expect(resend.url).toBe('/api/merchant/apps/com.ride/notifications/ntf_1/resend?env=production');
    await log.setEnv('sandbox');
    expect(calls.at(-1)!.url).toBe('/api/merchant/apps/com.ride/notifications?env=sandbox');
  });

  it('sets and clears the URL, and keeps a refused resend as an error', async () => {
    const calls = fakeFetch({
      'GET /api/merchant/apps/com.ride': { app: appView, applications: [] },
      'GET /api/merchant/apps/com.ride/notifications': { notifications: [notification('acknowledged', 1)] },
      'PUT /api/merchant/apps/com.ride/webhook': { appId: 'com.ride', webhookUrl: null },
      'POST /api/merchant/apps/com.ride/notifications/ntf_1/resend': problem(404, 'NOT_FOUND'),
    });
    const log = useWebhookLogStore();
    await log.load('com.ride');
    expect(await log.setUrl('https://ride.example/v2')).toBe(true);
    expect(log.notice).toBe('url');
    expect(await log.setUrl(null)).toBe(true);
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ url: 'https://ride.example/v2' }, { url: null }]);
    expect(await log.resend('ntf_1')).toBe(false);
    expect(log.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(log.busy).toBeNull();
  });
});
