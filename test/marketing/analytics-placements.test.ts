/**
 * marketing.analytics (batched, rate-limited events; daily stats and funnels) and
 * marketing.placement (apply, ops decision, live window, overlap conflicts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createKit, T0, type Kit } from '../members/kit.ts';

let kit: Kit;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
beforeAll(async () => {
  kit = await createKit({ marketing: { analytics: { perUserPerMinute: 20, batchSize: 50, flushMs: 60_000 } } });
});
afterAll(() => kit.dispose());

const report = (user: string, name: string, props: Record<string, string | number | boolean> = {}) => kit.call(kit.user(user), 'marketing.analytics', 'reportEvent', { name, props });

describe('analytics', () => {
  it('counts events and unique users per day', async () => {
    await report('alice', 'seat_selected', { showId: 's_9912', seats: 2 });
    await report('alice', 'seat_selected');
    await report('bob', 'seat_selected');
    await report('bob', 'order_paid');
    kit.clock.now = T0 + DAY;
    await report('alice', 'seat_selected');
    kit.clock.now = T0;
    const { series } = await kit.op('queryStats', kit.merchant(), { from: '2025-05-01', to: '2025-05-02' });
    expect(series).toEqual([
      { date: '2025-05-01', event: 'order_paid', count: 1, users: 1 },
      { date: '2025-05-01', event: 'seat_selected', count: 3, users: 2 },
      { date: '2025-05-02', event: 'seat_selected', count: 1, users: 1 },
    ]);
    expect((await kit.op('queryStats', kit.merchant(), { from: '2025-05-01', to: '2025-05-01', event: 'order_paid' })).series).toHaveLength(1);
    expect((await kit.op('queryStats', kit.merchant('other-app'), { from: '2025-05-01', to: '2025-05-02' })).series).toEqual([]);
  });

  it('refuses bad ranges', async () => {
    expect(await codeOf(kit.op('queryStats', kit.merchant(), { from: '2025-05-02', to: '2025-05-01' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('queryStats', kit.merchant(), { from: '2025-01-01', to: '2025-05-01' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('queryStats', kit.merchant(), { from: '2025-02-30', to: '2025-03-01' }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('queryFunnel', kit.merchant(), { steps: ['a', 'b'], from: '2025-05-02', to: '2025-05-01' }))).toBe('INVALID_PARAMS');
  });

  it('rate-limits one user and lets them go on the next minute', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => codeOf(report('flood', 'tap'))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(20);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(5);
    kit.clock.now = T0 + 60_000;
    expect(await codeOf(report('flood', 'tap'))).toBe('resolved');
    kit.clock.now = T0;
  });

  it('computes funnels in order within the window', async () => {
    const at = (ms: number) => (kit.clock.now = Date.UTC(2025, 5, 1, 2) + ms);
    at(0); await report('u1', 'view_show');
    at(HOUR); await report('u1', 'seat_selected');
    at(2 * HOUR); await report('u1', 'order_paid');
    at(0); await report('u2', 'view_show');
    at(3 * HOUR); await report('u2', 'seat_selected');
    at(30 * HOUR); await report('u2', 'order_paid'); // outside the 24 h window
    at(0); await report('u3', 'seat_selected'); // never viewed first
    at(HOUR); await report('u3', 'view_show');
    kit.clock.now = T0;
    const { steps } = await kit.op('queryFunnel', kit.merchant(), { steps: ['view_show', 'seat_selected', 'order_paid'], from: '2025-06-01', to: '2025-06-01' });
    expect(steps).toEqual([
      { event: 'view_show', users: 3, conversion: 1 },
      { event: 'seat_selected', users: 2, conversion: 2 / 3 },
      { event: 'order_paid', users: 1, conversion: 1 / 3 },
    ]);
    const wide = await kit.op('queryFunnel', kit.merchant(), { steps: ['view_show', 'order_paid'], from: '2025-06-01', to: '2025-06-01', windowHours: 48, by: 'scene' });
    expect(wide.steps[1]).toEqual({ event: 'order_paid', users: 2, conversion: 2 / 3 });
  });
});

describe('placements', () => {
  const body = { slot: 'home_banner', title: '五一打车立减', imageUrl: 'https://cdn.ride.example/b.png', path: 'pages/index', startAt: T0 + DAY, endAt: T0 + 5 * DAY, reason: '节日出行优惠' };

  it('goes from application to ops approval to live to ended', async () => {
    const { placementId, status } = await kit.op('applyPlacement', kit.merchant(), body);
    expect(status).toBe('pending_review');
    expect(await kit.call(kit.user('alice'), 'marketing.placement', 'getPlacements', {})).toMatchObject({ placements: [{ placementId, status: 'pending_review', impressions: 0 }] });
    expect(await kit.marketing.placements.decide(kit.store, { placementId, approve: true, by: 'ops-admin', at: T0 })).toEqual({ placementId, status: 'approved' });
    expect(await codeOf(kit.marketing.placements.decide(kit.store, { placementId, approve: false, by: 'ops-admin', at: T0 }))).toBe('NOT_FOUND');
    kit.clock.now = T0 + 2 * DAY;
    expect(await kit.marketing.placements.live(kit.store, 'sandbox', 'home_banner', kit.clock.now)).toEqual([{ placementId, appId: 'demo-app', title: body.title, imageUrl: body.imageUrl, path: body.path }]);
    await kit.marketing.placements.record(kit.store, placementId, 'impression');
    await kit.marketing.placements.record(kit.store, placementId, 'click');
    expect(await kit.call(kit.user('alice'), 'marketing.placement', 'getPlacements', { status: 'live' })).toMatchObject({ placements: [{ placementId, status: 'live', impressions: 1, clicks: 1 }] });
    kit.clock.now = T0 + 6 * DAY;
    expect(await kit.call(kit.user('alice'), 'marketing.placement', 'getPlacements', {})).toMatchObject({ placements: [{ status: 'ended' }] });
    expect(await kit.marketing.placements.live(kit.store, 'sandbox', 'home_banner', kit.clock.now)).toEqual([]);
    kit.clock.now = T0;
  });

  it('refuses bad dates and overlaps with the app’s own approved placement', async () => {
    expect(await codeOf(kit.op('applyPlacement', kit.merchant(), { ...body, endAt: body.startAt }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('applyPlacement', kit.merchant(), { ...body, endAt: body.startAt + 32 * DAY }))).toBe('INVALID_PARAMS');
    expect(await codeOf(kit.op('applyPlacement', kit.merchant(), { ...body, startAt: T0 + 3 * DAY, endAt: T0 + 8 * DAY }))).toBe('CONFLICT');
    const other = await kit.op('applyPlacement', kit.merchant(), { ...body, slot: 'home_grid' });
    const rejected = await kit.op('applyPlacement', kit.merchant(), { ...body, slot: 'home_grid', title: '第二个' });
    await kit.marketing.placements.decide(kit.store, { placementId: other.placementId, approve: true, by: 'ops', at: T0 });
    expect(await codeOf(kit.marketing.placements.decide(kit.store, { placementId: rejected.placementId, approve: true, by: 'ops', at: T0 }))).toBe('CONFLICT');
    expect(await kit.marketing.placements.decide(kit.store, { placementId: rejected.placementId, approve: false, by: 'ops', note: '重叠', at: T0 })).toEqual({ placementId: rejected.placementId, status: 'rejected' });
    await kit.op('applyPlacement', kit.merchant('other-app'), { ...body });
  });
});
