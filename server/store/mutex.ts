/**
 * A FIFO mutex for one connection. Synchronous critical sections take it with
 * {@link Mutex.tryAcquire} and release it before returning, so an uncontended operation never
 * waits for a microtask; asynchronous holders (transactions) queue with {@link Mutex.acquire}.
 * Release hands the lock straight to the next waiter, so a later caller cannot barge ahead.
 */
export class Mutex {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#held;
  }

  /** Takes the lock if it is free, without waiting. */
  tryAcquire(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  /** Resolves once the caller holds the lock. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Releases the lock, handing it to the oldest waiter if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
