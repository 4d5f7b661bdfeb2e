/**
 * The ops console's live dashboard: aggregates the bus's `bridge.call` events over a sliding
 * window (calls per second in total and per capability, p50/p99 latency, error rate, successful
 * payments) with the number of open mini-app sessions, and emits a typed `dashboard` event to
 * every connected console once a second.
 *
 * Memory is bounded: one bucket per second for the window, and at most
 * {@link MAX_SAMPLES_PER_SECOND} latency samples per bucket (a uniform reservoir beyond that).
 */
import type { DashboardEvent, DashboardPoint } from '../../protocol/socket.ts';
import type { EventBus } from '../events.ts';
import type { OpsNamespace } from './gateway.ts';

/** Seconds the aggregates cover. */
export const DASHBOARD_WINDOW_SECONDS = 60;
/** Latency samples kept per second (a reservoir sample beyond that). */
export const MAX_SAMPLES_PER_SECOND = 2000;
/** Methods (`capability.method`) whose successful calls count as payments. */
export const PAYMENT_METHODS: ReadonlySet<string> = new Set(['payment.cashier.requestPayment', 'payment.qrcode.scanToPay', 'payment.deposit.authorizeHold']);

interface CapabilityBucket {
  calls: number;
  errors: number;
  samples: number[];
}

interface Bucket {
  second: number;
  calls: number;
  errors: number;
  payments: number;
  samples: number[];
  seen: number;
  byCapability: Map<string, CapabilityBucket>;
}

/** Options of {@link attachDashboard}. */
export interface DashboardOptions {
  /** Open mini-app sessions now (e.g. the bridge namespace's socket count). Default 0. */
  openSessions?: () => number;
  windowSeconds?: number;
  /** Emit interval in ms (default 1000). */
  intervalMs?: number;
  now?: () => number;
  random?: () => number;
}

/** The value at quantile `q` of sorted `values`, or null when empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[idx]! * 10) / 10;
}

/**
 * The aggregation, without timers or sockets (tested alone).
 *
 * @example
 * ```ts
 * const agg = new DashboardAggregator({ now: () => Date.now() });
 * agg.record({ appId, capability: 'base.ui', method: 'showToast', ms: 3, ok: true, code: null });
 * agg.snapshot(5).callsPerSecond;
 * ```
 */
export class DashboardAggregator {
  private readonly buckets: Bucket[] = [];
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: Pick<DashboardOptions, 'windowSeconds' | 'now' | 'random'> = {}) {
    this.windowSeconds = options.windowSeconds ?? DASHBOARD_WINDOW_SECONDS;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  private bucket(second: number): Bucket {
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.second !== second) {
      last = { second, calls: 0, errors: 0, payments: 0, samples: [], seen: 0, byCapability: new Map() };
      this.buckets.push(last);
      this.prune(second);
    }
    return last;
  }

  private prune(second: number): void {
    while (this.buckets.length > 0 && this.buckets[0]!.second <= second - this.windowSeconds) this.buckets.shift();
  }

  private sample(into: number[], seen: number, ms: number): void {
    if (into.length < MAX_SAMPLES_PER_SECOND) into.push(ms);
    else {
      const j = Math.floor(this.random() * seen);
      if (j < MAX_SAMPLES_PER_SECOND) into[j] = ms;
    }
  }

  /** Records one bridge call. */
  record(e: { capability: string; method: string; ms: number; ok: boolean }): void {
    const b = this.bucket(Math.floor(this.now() / 1000));
    b.calls++;
    b.seen++;
    if (!e.ok) b.errors++;
    if (e.ok && PAYMENT_METHODS.has(`${e.capability}.${e.method}`)) b.payments++;
    const ms = Number.isFinite(e.ms) && e.ms >= 0 ? e.ms : 0;
    this.sample(b.samples, b.seen, ms);
    let c = b.byCapability.get(e.capability);
    if (!c) {
      c = { calls: 0, errors: 0, samples: [] };
      b.byCapability.set(e.capability, c);
    }
    c.calls++;
    if (!e.ok) c.errors++;
    this.sample(c.samples, c.calls, ms);
  }

  /** The dashboard over the window ending now. */
  snapshot(openSessions: number): DashboardEvent {
    const at = this.now();
    const nowSecond = Math.floor(at / 1000);
    this.prune(nowSecond);
    const byTime = new Map(this.buckets.map((b) => [b.second, b]));
    const series: DashboardPoint[] = [];
    let calls = 0;
    let errors = 0;
    let payments = 0;
    const all: number[] = [];
    const caps = new Map<string, { calls: number; errors: number; samples: number[] }>();
    for (let s = nowSecond - this.windowSeconds + 1; s <= nowSecond; s++) {
      const b = byTime.get(s);
      if (!b) {
        series.push({ t: s * 1000, calls: 0, errors: 0, p50: null, p99: null, payments: 0 });
        continue;
      }
      const sorted = [...b.samples].sort((x, y) => x - y);
      series.push({ t: s * 1000, calls: b.calls, errors: b.errors, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), payments: b.payments });
      calls += b.calls;
      errors += b.errors;
      payments += b.payments;
      all.push(...b.samples);
      for (const [id, c] of b.byCapability) {
        const agg = caps.get(id) ?? { calls: 0, errors: 0, samples: [] };
        agg.calls += c.calls;
        agg.errors += c.errors;
        agg.samples.push(...c.samples);
        caps.set(id, agg);
      }
    }
    all.sort((x, y) => x - y);
    const w = this.windowSeconds;
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      at,
      windowSeconds: w,
      callsPerSecond: round(calls / w),
      byCapability: [...caps.entries()]
        .map(([capability, c]) => {
          const sorted = c.samples.sort((x, y) => x - y);
          return { capability, callsPerSecond: round(c.calls / w), errorRate: c.calls ? round(c.errors / c.calls) : 0, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
        })
        .sort((a, b) => b.callsPerSecond - a.callsPerSecond || a.capability.localeCompare(b.capability)),
      p50: percentile(all, 0.5),
      p99: percentile(all, 0.99),
      errorRate: calls ? round(errors / calls) : 0,
      openSessions,
      payments: { count: payments, perMinute: round((payments * 60) / w) },
      series,
    };
  }
}

/**
 * Attaches the dashboard to the `/ops` namespace: listens to the bus and emits `dashboard` every
 * second while a console is connected (and once to each console as it connects).
 *
 * @example
 * ```ts
 * const ops = attachOps(io, { identity, bus });
 * const dashboard = attachDashboard(ops.nsp, bus, { openSessions: () => io.of('/bridge').sockets.size });
 * // on shutdown: dashboard.dispose();
 * ```
 */
export function attachDashboard(nsp: OpsNamespace, bus: EventBus, options: DashboardOptions = {}): { aggregator: DashboardAggregator; dispose(): void } {
  const aggregator = new DashboardAggregator(options);
  const sessions = options.openSessions ?? (() => 0);
  const off = bus.on('bridge.call', (e) => aggregator.record(e));
  const emit = () => {
    if (nsp.sockets.size === 0) return;
    nsp.emit('dashboard', aggregator.snapshot(sessions()));
  };
  const onConnection = (socket: { emit(event: 'dashboard', payload: DashboardEvent): unknown }) => {
    socket.emit('dashboard', aggregator.snapshot(sessions()));
  };
  nsp.on('connection', onConnection);
  const timer = setInterval(emit, options.intervalMs ?? 1000);
  timer.unref?.();
  return {
    aggregator,
    dispose() {
      clearInterval(timer);
      off();
      nsp.off('connection', onConnection);
    },
  };
}
