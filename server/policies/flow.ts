/**
 * Flow control: token-bucket rate limits and a circuit breaker per capability handler.
 * Platform-neutral (no Node built-ins), so the host app applies the same limits it is told.
 * In one process the counters live in memory; across processes they move to Redis (DESIGN.md).
 */

/** Limits of one bucket. */
export interface BucketLimits {
  /** Sustained calls per minute. */
  perMinute: number;
  /** Calls allowed at once above the sustained rate (bucket size). */
  burst: number;
}

/** The answer of a bucket. */
export type Take = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by string (e.g. `app|capability|user`). Idle buckets are evicted once the
 * map passes `maxKeys`, oldest first.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter();
 * const take = limiter.take(`${appId}|base.storage|${userId}`, { perMinute: 600, burst: 60 });
 * if (!take.ok) throw new LilyError('RATE_LIMITED', undefined, { retryAfterSeconds: Math.ceil(take.retryAfterMs / 1000) });
 * ```
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token from the bucket at `key`. */
  take(key: string, limits: BucketLimits): Take {
    const now = this.now();
    const rate = limits.perMinute / 60_000; // tokens per ms
    const capacity = Math.max(1, limits.burst);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: capacity, at: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      this.buckets.delete(key); // re-insert to keep recently used keys at the end
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * rate);
      bucket.at = now;
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterMs: rate > 0 ? Math.ceil((1 - bucket.tokens) / rate) : 60_000 };
  }

  /** Forgets every bucket (tests, or ops lifting a limit). */
  reset(): void {
    this.buckets.clear();
  }
}

/** Circuit-breaker settings. */
export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** Failure ratio over the window that opens it (with at least `minCalls` calls). */
  failureRatio: number;
  minCalls: number;
  windowMs: number;
  /** How long it stays open before one probe is let through. */
  openMs: number;
}

const DEFAULT_BREAKER: BreakerOptions = { consecutiveFailures: 5, failureRatio: 0.5, minCalls: 20, windowMs: 30_000, openMs: 10_000 };

interface Circuit {
  state: 'closed' | 'open' | 'half-open';
  consecutive: number;
  windowStart: number;
  calls: number;
  failures: number;
  openedAt: number;
  probing: boolean;
}

/**
 * A circuit breaker per key (a capability handler). Only server-fault failures count: a caller's
 * bad params never open the circuit.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly options: BreakerOptions;

  constructor(
    options: Partial<BreakerOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_BREAKER, ...options };
  }

  private circuit(key: string): Circuit {
    let c = this.circuits.get(key);
    if (!c) {
      c = { state: 'closed', consecutive: 0, windowStart: this.now(), calls: 0, failures: 0, openedAt: 0, probing: false };
      this.circuits.set(key, c);
    }
    return c;
  }

  /** Whether a call may go ahead now; when half-open, lets exactly one probe through. */
  allow(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const c = this.circuit(key);
    const now = this.now();
    if (c.state === 'open') {
      if (now - c.openedAt < this.options.openMs) return { ok: false, retryAfterMs: this.options.openMs - (now - c.openedAt) };
      c.state = 'half-open';
      c.probing = false;
    }
    if (c.state === 'half-open') {
      if (c.probing) return { ok: false, retryAfterMs: 1000 };
      c.probing = true;
    }
    return { ok: true };
  }

  /** Records the outcome of a call that `allow` let through. */
  record(key: string, success: boolean): void {
    const c = this.circuit(key);
    const now = this.now();
    if (now - c.windowStart > this.options.windowMs) {
      c.windowStart = now;
      c.calls = 0;
      c.failures = 0;
    }
    c.calls++;
    if (success) {
      c.consecutive = 0;
      if (c.state === 'half-open') {
        c.state = 'closed';
        c.probing = false;
        c.calls = 0;
        c.failures = 0;
      }
      return;
    }
    c.failures++;
    c.consecutive++;
    const ratioTrips = c.calls >= this.options.minCalls && c.failures / c.calls >= this.options.failureRatio;
    if (c.state === 'half-open' || c.consecutive >= this.options.consecutiveFailures || ratioTrips) {
      c.state = 'open';
      c.openedAt = now;
      c.probing = false;
    }
  }

  /** The state of a circuit (for the ops dashboard). */
  state(key: string): Circuit['state'] {
    return this.circuits.get(key)?.state ?? 'closed';
  }
}
