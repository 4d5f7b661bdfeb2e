/**
 * Sandbox limits: what one mini-app instance may use. Every limit is configurable per instance;
 * breaking one stops that instance with `SANDBOX_LIMIT` and `details.limit` naming it (see
 * {@link SandboxLimitName}), and nothing else is affected.
 */

/** The limits of one instance. Sizes are bytes (UTF-8 for text), times milliseconds. */
export interface SandboxLimits {
  /** QuickJS heap of the instance. */
  heapBytes: number;
  /**
   * QuickJS stack while guest code runs. QuickJS measures its own (shadow) stack, but the
   * engine's recursion also uses the host thread's native stack, several times more for some
   * built-ins; the default keeps the worst case well inside a 1 MB native stack.
   */
  stackBytes: number;
  /**
   * QuickJS stack while the package script is parsed. The parser uses far more native stack
   * per QuickJS stack byte than running code does, so parsing gets a smaller budget.
   */
  parseStackBytes: number;
  /** CPU time of one entry into the guest: loading the script, launch, one event, one timer, one drain. */
  cpuMsPerEntry: number;
  /** Timers (timeouts plus intervals) alive at once. */
  maxTimers: number;
  /** Shortest timer delay; shorter delays are raised to this (like browsers' clamping). */
  minTimerIntervalMs: number;
  /** Sustained `setData` calls per second (token bucket refill rate). */
  setDataPerSecond: number;
  /** `setData` burst: the token bucket's capacity. */
  setDataBurst: number;
  /** Serialized size of one `setData` patch. */
  setDataBytes: number;
  /** Serialized size of one bridge call's params. */
  bridgePayloadBytes: number;
  /** Bridge calls waiting for an answer at once. */
  maxInFlightCalls: number;
  /** Sustained console output per second, in bytes (each line counts at least 64). */
  consoleBytesPerSecond: number;
  /** Console burst: the token bucket's capacity in bytes. */
  consoleBurstBytes: number;
  /** Pages on the stack; `navigateTo` on a full stack answers `LIMIT_EXCEEDED`. */
  maxPageStack: number;
  /** Nodes (elements and text) in one rendered view tree. */
  maxViewNodes: number;
  /** Nesting depth of one rendered view tree. */
  maxViewDepth: number;
  /** Serialized size of one rendered view tree. */
  maxViewBytes: number;
  /** Time the host may take to answer one bridge call; 0 waits forever. */
  callTimeoutMs: number;
}

/** The name carried in `details.limit` when an instance is stopped. */
export type SandboxLimitName =
  | 'heap'
  | 'stack'
  | 'cpu'
  | 'timers'
  | 'setDataRate'
  | 'setDataSize'
  | 'bridgePayload'
  | 'inFlightCalls'
  | 'console'
  | 'viewNodes'
  | 'viewDepth'
  | 'viewBytes';

/** The defaults: heap 32 MiB, 100 ms per entry, setData ≤ 20/s and ≤ 256 KiB, payload ≤ 1 MiB. */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  heapBytes: 32 * 1024 * 1024,
  stackBytes: 32 * 1024,
  parseStackBytes: 16 * 1024,
  cpuMsPerEntry: 100,
  maxTimers: 64,
  minTimerIntervalMs: 10,
  setDataPerSecond: 20,
  setDataBurst: 40,
  setDataBytes: 256 * 1024,
  bridgePayloadBytes: 1024 * 1024,
  maxInFlightCalls: 32,
  consoleBytesPerSecond: 32 * 1024,
  consoleBurstBytes: 128 * 1024,
  maxPageStack: 10,
  maxViewNodes: 10_000,
  maxViewDepth: 64,
  maxViewBytes: 1024 * 1024,
  callTimeoutMs: 0,
});

/**
 * The defaults with `overrides` applied. Throws a `TypeError` for a non-positive or non-finite
 * value, so a typo in host configuration fails at start rather than disabling a limit.
 *
 * @example
 * ```ts
 * const limits = resolveLimits({ heapBytes: 8 * 1024 * 1024 });
 * ```
 */
export function resolveLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const out: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof SandboxLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`unknown sandbox limit "${key}"`);
    const min = key === 'callTimeoutMs' || key === 'minTimerIntervalMs' ? 0 : Number.MIN_VALUE;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new TypeError(`sandbox limit "${key}" must be a finite number ≥ ${min === 0 ? 0 : 'a positive value'}`);
    }
    const max = MAX_STACK_SETTINGS[key as keyof typeof MAX_STACK_SETTINGS];
    if (max !== undefined && value > max) {
      throw new TypeError(`sandbox limit "${key}" may be at most ${max} bytes: QuickJS shares the host thread's native stack`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Upper bounds for the stack settings. QuickJS's recursion also uses the host thread's native
 * stack (up to about 12× the QuickJS budget for some built-ins, far more while parsing); past
 * these values a hostile script could overflow the native stack inside the engine.
 */
export const MAX_STACK_SETTINGS = { stackBytes: 64 * 1024, parseStackBytes: 24 * 1024 } as const;

/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSecond`. `take(n)` spends n tokens
 * and says whether there were enough.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(20, 40, () => performance.now());
 * if (!bucket.take(1)) stop('setDataRate');
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Spends `n` tokens; false (and nothing spent) when the bucket holds fewer. */
  take(n = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** UTF-8 byte length of a string without allocating. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}
