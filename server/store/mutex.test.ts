import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.ts';

describe('Mutex', () => {
  it('grants the lock at once when free and hands it over in FIFO order', async () => {
    const mutex = new Mutex();
    expect(mutex.tryAcquire()).toBe(true);
    expect(mutex.tryAcquire()).toBe(false);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      mutex.acquire().then(() => {
        order.push(n);
        mutex.release();
      }),
    );
    mutex.release();
    // Handing over keeps the lock held, so a late tryAcquire cannot barge in.
    expect(mutex.tryAcquire()).toBe(false);
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(mutex.locked).toBe(false);
  });
});
