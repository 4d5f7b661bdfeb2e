import { describe, expect, it } from 'vitest';
import type { DashboardEvent } from '../../protocol/socket.ts';
import { EventBus } from '../events.ts';
import { attachDashboard, DashboardAggregator, percentile } from './dashboard.ts';
import type { OpsNamespace } from './gateway.ts';

const call = (capability: string, ms: number, ok = true, method = 'm') => ({ appId: 'a', capability, method, ms, ok, code: ok ? null : 'INTERNAL' });

describe('dashboard aggregation', () => {
  it('computes calls per second, latency percentiles, error rate and payments over the window', () => {
    let now = 1_000_000;
    const agg = new DashboardAggregator({ windowSeconds: 10, now: () => now });
    for (let i = 1; i <= 100; i++) agg.record(call('base.ui', i));
    now += 1000;
    agg.record(call('payment.cashier', 50, true, 'requestPayment'));
    agg.record(call('payment.cashier', 70, false, 'requestPayment'));
    agg.record(call('payment.wallet', 5, true, 'getBalance'));
    const d = agg.snapshot(3);
    expect(d.windowSeconds).toBe(10);
    expect(d.series).toHaveLength(10);
    expect(d.series.at(-1)).toMatchObject({ calls: 3, errors: 1, payments: 1 });
    expect(d.series.at(-2)).toMatchObject({ calls: 100, errors: 0, p50: 50, p99: 99 });
    expect(d.callsPerSecond).toBe(10.3);
    expect(d.errorRate).toBe(0.01);
    expect(d.p50).toBe(50);
    expect(d.openSessions).toBe(3);
    expect(d.payments).toEqual({ count: 1, perMinute: 6 });
    expect(d.byCapability[0]).toMatchObject({ capability: 'base.ui', callsPerSecond: 10, errorRate: 0 });
    expect(d.byCapability.find((c) => c.capability === 'payment.cashier')).toMatchObject({ errorRate: 0.5, p50: 50, p99: 70 });
  });

  it('forgets what left the window and bounds the samples it keeps', () => {
    let now = 0;
    const agg = new DashboardAggregator({ windowSeconds: 5, now: () => now, random: () => 0.5 });
    for (let i = 0; i < 5000; i++) agg.record(call('base.ui', 1));
    now += 10_000;
    const d = agg.snapshot(0);
    expect(d.callsPerSecond).toBe(0);
    expect(d.p50).toBeNull();
    expect(d.series.every((p) => p.calls === 0)).toBe(true);
  });

  it('percentile of nothing is null', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });
});

describe('attachDashboard', () => {
  it('listens to bridge calls and emits to connected consoles every interval, until disposed', async () => {
    const bus = new EventBus();
    const emitted: DashboardEvent[] = [];
    const sockets = new Map<string, unknown>();
    const nsp = {
      sockets,
      emit: (_e: string, p: DashboardEvent) => emitted.push(p),
      on: () => undefined,
      off: () => undefined,
    } as unknown as OpsNamespace;
    const dash = attachDashboard(nsp, bus, { intervalMs: 20, openSessions: () => 7 });
    bus.emit('bridge.call', call('base.ui', 4));
    await new Promise((r) => setTimeout(r, 60));
    expect(emitted).toEqual([]); // nobody connected: nothing sent
    sockets.set('s1', {});
    await new Promise((r) => setTimeout(r, 60));
    expect(emitted.length).toBeGreaterThan(0);
    expect(emitted.at(-1)).toMatchObject({ openSessions: 7, byCapability: [{ capability: 'base.ui' }] });
    dash.dispose();
    const count = emitted.length;
    bus.emit('bridge.call', call('base.ui', 4));
    await new Promise((r) => setTimeout(r, 60));
    expect(emitted.length).toBe(count);
  });
});
