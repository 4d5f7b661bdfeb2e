/**
 * Analytics (`marketing.analytics`): custom events from mini-apps, daily stats and funnels for
 * merchants.
 *
 * `report` checks a per-user rate limit (RATE_LIMITED beyond it, on top of the bridge's light
 * tier) and queues the event; the queue is written in batches (every `flushMs`, or at once when
 * `batchSize` events are waiting, and before every query), one transaction per batch that inserts
 * the raw events and bumps the daily counters: events per day and event, and unique users (one
 * marker document per day, event and user). Funnels read the raw events.
 */
import { LilyError } from '../../protocol/errors.ts';
import type { Doc, Store } from '../store/types.ts';
import { cstDay, cstDayRange, ensureMarketingIndexes, MK, publicId, type Env, type Scope, type UserScope } from './common.ts';

/** Limits of {@link Analytics}. */
export interface AnalyticsOptions {
  /** Events one user may report per app and minute (default 300). */
  perUserPerMinute?: number;
  /** Events written per batch (default 200). */
  batchSize?: number;
  /** Longest an event waits before its batch is written, ms (default 1,000). */
  flushMs?: number;
}

interface EventDoc extends Doc {
  env: Env;
  appId: string;
  openId: string;
  name: string;
  props: Record<string, string | number | boolean>;
  day: string;
  at: number;
}

const MAX_DAYS = 92;
const MAX_FUNNEL_EVENTS = 500_000;

/** Custom events, stats and funnels. */
export class Analytics {
  private readonly queue = new Map<Store, EventDoc[]>();
  private readonly windows = new Map<string, { minute: number; n: number }>();
  private timer: NodeJS.Timeout | null = null;
  private readonly perUser: number;
  private readonly batchSize: number;
  private readonly flushMs: number;

  constructor(options: AnalyticsOptions = {}) {
    this.perUser = options.perUserPerMinute ?? 300;
    this.batchSize = options.batchSize ?? 200;
    this.flushMs = options.flushMs ?? 1_000;
  }

  /** Queues one event; RATE_LIMITED beyond the per-user limit. */
  async report(scope: UserScope, input: { name: string; props?: Record<string, string | number | boolean> }): Promise<void> {
    const now = scope.now();
    const key = `${scope.env}|${scope.appId}|${scope.userId}`;
    const minute = Math.floor(now / 60_000);
    const w = this.windows.get(key);
    if (w && w.minute === minute && w.n >= this.perUser) throw new LilyError('RATE_LIMITED', 'Too many events; slow down.', { retryAfterMs: (minute + 1) * 60_000 - now });
    if (w && w.minute === minute) w.n++;
    else {
      if (this.windows.size > 100_000) this.windows.clear();
      this.windows.set(key, { minute, n: 1 });
    }
    const list = this.queue.get(scope.store) ?? [];
    this.queue.set(scope.store, list);
    list.push({ _id: publicId('evt'), env: scope.env, appId: scope.appId, openId: scope.openId, name: input.name, props: input.props ?? {}, day: cstDay(now), at: now });
    if (list.length >= this.batchSize) await this.flush(scope.store);
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flushAll().catch(() => undefined), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes the queued events of one store. */
  async flush(store: Store): Promise<number> {
    const batch = this.queue.get(store) ?? [];
    this.queue.delete(store);
    if (batch.length === 0) return 0;
    await ensureMarketingIndexes(store);
    try {
      await store.transaction(async (tx) => {
        await tx.collection<EventDoc>(MK.events).insertMany(batch);
        const counts = new Map<string, { env: Env; appId: string; day: string; name: string; n: number; users: Set<string> }>();
        for (const e of batch) {
          const id = `${e.env}|${e.appId}|${e.day}|${e.name}`;
          const c = counts.get(id) ?? { env: e.env, appId: e.appId, day: e.day, name: e.name, n: 0, users: new Set<string>() };
          c.n++;
          c.users.add(e.openId);
          counts.set(id, c);
        }
        for (const [id, c] of counts) {
          let newUsers = 0;
          for (const openId of c.users) {
            const res = await tx.collection(MK.eventUsers).updateOne({ _id: `${id}|${openId}` }, { $setOnInsert: { at: Date.now() } }, { upsert: true });
            newUsers += res.upsertedCount;
          }
          await tx.collection(MK.eventDaily).updateOne({ _id: id }, { $inc: { count: c.n, users: newUsers }, $setOnInsert: { env: c.env, appId: c.appId, day: c.day, event: c.name } }, { upsert: true });
        }
      });
    } catch (err) {
      // Put the batch back so the next flush retries it.
      this.queue.set(store, [...batch, ...(this.queue.get(store) ?? [])]);
      throw err;
    }
    return batch.length;
  }

  /** Writes every queued event; stops the timer. Call before closing the store. */
  async flushAll(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const store of [...this.queue.keys()]) await this.flush(store);
  }

  /** Daily counts and unique users per event, by day then event. */
  async stats(scope: Scope, input: { from: string; to: string; event?: string }) {
    range(input.from, input.to);
    await this.flush(scope.store);
    await ensureMarketingIndexes(scope.store);
    const query: Record<string, unknown> = { env: scope.env, appId: scope.appId, day: { $gte: input.from, $lte: input.to } };
    if (input.event !== undefined) query['event'] = input.event;
    const docs = await scope.store.collection(MK.eventDaily).find(query, { sort: { day: 1, event: 1 }, limit: 10_000 }).toArray();
    return { series: docs.map((d) => ({ date: String(d['day']), event: String(d['event']), count: Number(d['count']), users: Number(d['users']) })) };
  }

  /**
   * Users who did the steps in order, each within `windowHours` of their first step (which
   * falls in the date range). The result has no room for a split, so `by: 'scene'` answers the
   * same totals as `none`.
   */
  async funnel(scope: Scope, input: { steps: string[]; from: string; to: string; windowHours?: number; by?: 'none' | 'scene' }) {
    const { start, end } = range(input.from, input.to);
    const windowMs = (input.windowHours ?? 24) * 3600 * 1000;
    await this.flush(scope.store);
    const events = await scope.store
      .collection<EventDoc>(MK.events)
      .find({ env: scope.env, appId: scope.appId, name: { $in: input.steps }, at: { $gte: start, $lt: end + windowMs } }, { sort: { at: 1, _id: 1 }, limit: MAX_FUNNEL_EVENTS })
      .toArray();
    const byUser = new Map<string, EventDoc[]>();
    for (const e of events) byUser.set(e.openId, [...(byUser.get(e.openId) ?? []), e]);
    const reached = input.steps.map(() => 0);
    for (const list of byUser.values()) {
      let best = 0;
      for (const [i, first] of list.entries()) {
        if (first.name !== input.steps[0] || first.at >= end) continue;
        let depth = 1;
        for (const e of list.slice(i + 1)) {
          if (depth >= input.steps.length || e.at > first.at + windowMs) break;
          if (e.name === input.steps[depth]) depth++;
        }
        best = Math.max(best, depth);
        if (best === input.steps.length) break;
      }
      for (let s = 0; s < best; s++) reached[s]!++;
    }
    const top = reached[0] ?? 0;
    return { steps: input.steps.map((event, i) => ({ event, users: reached[i]!, conversion: top === 0 ? 0 : reached[i]! / top })) };
  }
}

/** The instants of a day range; INVALID_PARAMS for bad dates, reversed ranges or more than 92 days. */
function range(from: string, to: string): { start: number; end: number } {
  const a = cstDayRange(from);
  const b = cstDayRange(to);
  if (!a) throw new LilyError('INVALID_PARAMS', 'from is not a date.', { field: 'from' });
  if (!b) throw new LilyError('INVALID_PARAMS', 'to is not a date.', { field: 'to' });
  if (b.start < a.start) throw new LilyError('INVALID_PARAMS', 'to is before from.', { field: 'to' });
  if ((b.start - a.start) / 86_400_000 > MAX_DAYS) throw new LilyError('INVALID_PARAMS', `At most ${MAX_DAYS} days after from.`, { field: 'to' });
  return { start: a.start, end: b.end };
}
