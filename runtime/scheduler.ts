/**
 * Time for the runtime: the clock and the timers that drive guest `setTimeout`/`setInterval`.
 * Platform-neutral; hosts may supply their own (a manual clock for tests, a worker's timers).
 */

/** The clock and timers an instance uses. */
export interface Scheduler {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for {@link Scheduler.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's clock (`performance.now`) and timers (`setTimeout`). */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/**
 * A clock that moves only when told: `advance(ms)` fires due timers in order. For tests and for
 * tools that step a mini-app deterministically.
 *
 * @example
 * ```ts
 * const clock = new ManualScheduler();
 * const app = await host.open(pkg, { scheduler: clock });
 * clock.advance(1000); // runs the timers due in the next second
 * ```
 */
export class ManualScheduler implements Scheduler {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (t.at < nextAt || (t.at === nextAt && id < (nextId ?? Infinity)))) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = Math.max(this.time, timer.at);
      timer.fn();
    }
    this.time = end;
  }
}
