/**
 * Daily call counts per app for the merchant portal's stats: every guest call through the bridge
 * (the bus's `bridge.call` event) counts once for its app, environment, CST day and capability,
 * with its errors by code and its total handling time.
 *
 * Calls are counted in memory and written every `flushMs` (and before every query, and at
 * close) as one `$inc` per day and capability, so a busy bridge costs the store a handful of
 * writes a second, not one per call.
 */
import type { EventBus, DomainEvents } from '../events.ts';
import { cstDay } from '../payments/common.ts';
import type { Env } from '../policies/gates.ts';
import type { Doc, Store } from '../store/types.ts';

/** The collection of daily counters. */
export const CALLS_DAILY = 'stats_calls_daily';

/** One day of one capability of one app (`_id` is `<env>|<appId>|<day>|<capability>`). */
export interface CallDailyDoc extends Doc {
  env: Env;
  appId: string;
  /** CST day, `YYYY-MM-DD`. */
  day: string;
  capability: string;
  calls: number;
  errors: number;
  /** Sum of handling times, ms (divide by `calls` for the mean). */
  totalMs: number;
  /** Errors by code. */
  codes: Record<string, number>;
}

interface Pending {
  env: Env;
  appId: string;
  day: string;
  capability: string;
  calls: number;
  errors: number;
  totalMs: number;
  codes: Map<string, number>;
}

/** Options of {@link CallStats}. */
export interface CallStatsOptions {
  /** How long counts wait in memory, ms (default 2,000). */
  flushMs?: number;
  now?: () => number;
}

const CODE = /^[A-Z][A-Z_]{1,39}$/;

/**
 * The call counters of one store.
 *
 * @example
 * ```ts
 * const calls = new CallStats(store);
 * const off = calls.attach(bus);
 * await calls.daily('production', 'com.example.ride', '2026-05-01', '2026-05-07');
 * off(); await calls.flush();
 * ```
 */
export class CallStats {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private indexed: Promise<unknown> | null = null;
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    options: CallStatsOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** Counts the bus's bridge calls until the returned function is called. */
  attach(bus: Pick<EventBus, 'on'>): () => void {
    return bus.on('bridge.call', (e) => this.record(e));
  }

  /** Counts one call (calls without a valid launch token have no app to count for). */
  record(e: DomainEvents['bridge.call']): void {
    if (!e.env || e.appId === 'unknown') return;
    const day = cstDay(this.now());
    const key = `${e.env}|${e.appId}|${day}|${e.capability}`;
    let p = this.pending.get(key);
    if (!p) {
      p = { env: e.env, appId: e.appId, day, capability: e.capability, calls: 0, errors: 0, totalMs: 0, codes: new Map() };
      this.pending.set(key, p);
    }
    p.calls++;
    p.totalMs += Math.max(0, e.ms);
    if (!e.ok) {
      p.errors++;
      const code = e.code && CODE.test(e.code) ? e.code : 'INTERNAL';
      p.codes.set(code, (p.codes.get(code) ?? 0) + 1);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes the counts waiting in memory; on failure they wait for the next flush. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.ensureIndexes();
    const col = this.store.collection<CallDailyDoc>(CALLS_DAILY);
    for (const [key, p] of batch) {
      const inc: Record<string, number> = { calls: p.calls, errors: p.errors, totalMs: Math.round(p.totalMs) };
      for (const [code, n] of p.codes) inc[`codes.${code}`] = n;
      try {
        await col.updateOne({ _id: key }, { $inc: inc, $setOnInsert: { env: p.env, appId: p.appId, day: p.day, capability: p.capability } }, { upsert: true });
        batch.delete(key);
      } catch (err) {
        for (const [k, rest] of batch) this.merge(k, rest);
        throw err;
      }
    }
  }

  /** The counters of an app between two CST days (inclusive), by day then capability. */
  async daily(env: Env, appId: string, from: string, to: string): Promise<CallDailyDoc[]> {
    await this.flush();
    await this.ensureIndexes();
    return this.store.collection<CallDailyDoc>(CALLS_DAILY).find({ env, appId, day: { $gte: from, $lte: to } }, { sort: { day: 1, capability: 1 }, limit: 20_000 }).toArray();
  }

  private merge(key: string, p: Pending): void {
    const cur = this.pending.get(key);
    if (!cur) {
      this.pending.set(key, p);
      return;
    }
    cur.calls += p.calls;
    cur.errors += p.errors;
    cur.totalMs += p.totalMs;
    for (const [code, n] of p.codes) cur.codes.set(code, (cur.codes.get(code) ?? 0) + n);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexed ??= this.store.collection(CALLS_DAILY).createIndex({ env: 1, appId: 1, day: 1 });
    return this.indexed;
  }
}
