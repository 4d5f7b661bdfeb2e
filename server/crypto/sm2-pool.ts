/**
 * SM2 off the event loop. Verifying a merchant's signature and signing the bank's answer are
 * among the costliest steps of an Open API request (about 0.3 ms of pure computation together); a
 * pool of worker threads does them so the event loop stays free for I/O, and a machine with
 * several cores uses them. With no threads (tests, one-core machines) the same calls run inline.
 *
 * A worker that dies takes nothing with it: its pending tasks are computed inline and a
 * replacement starts.
 */
import { Worker } from 'node:worker_threads';
import { sm2Sign, sm2Verify } from '../../runtime/crypto/sm.ts';
import type { BankKeys } from '../keys.ts';
import type { Sm2Reply, Sm2Task } from './sm2-protocol.ts';

/** What the Open API needs of SM2. */
export interface Sm2Service {
  /** Verifies a DER signature (hex) over `message` with `publicKey`; never rejects. */
  verify(message: Uint8Array, signatureHex: string, publicKey: string): Promise<boolean>;
  /** Signs `message` with the bank key; DER signature as hex. */
  signBank(message: string): Promise<string>;
  /** Stops the threads; later calls run inline. */
  close(): Promise<void>;
}

/** The service with a view of its threads (diagnostics and tests). */
export interface Sm2Pool extends Sm2Service {
  /** The running worker threads. */
  workers(): readonly Worker[];
}

type Pending = { task: Sm2Task; resolve: (value: boolean | string) => void; reject: (err: unknown) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Computes a task on this thread. */
function inline(task: Sm2Task, bank: BankKeys): boolean | string {
  return task.op === 'verify' ? sm2Verify(task.message, task.signatureHex, task.publicKey) : sm2Sign(task.message, bank.privateKey, bank.publicKey);
}

/**
 * Builds the SM2 service with `threads` worker threads (0: inline).
 *
 * @example
 * ```ts
 * const sm2 = createSm2Service(bankKeys, { threads: 1 });
 * if (!(await sm2.verify(canonical, signatureHex, key.publicKey))) throw new LilyError('SIGNATURE_INVALID');
 * const signatureHex = await sm2.signBank(`${timestamp}\n${nonce}\n${body}\n`);
 * await sm2.close();
 * ```
 */
export function createSm2Service(bank: BankKeys, options: { threads: number; onWorkerLost?: (err: unknown) => void }): Sm2Pool {
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  // A worker that keeps dying (it cannot even start) is not restarted forever: after this many
  // losses the pool works inline.
  let restartsLeft = 5;

  /** Starts a worker in slot `index` (a new one at the end when index is slots.length). */
  const spawn = (index: number): void => {
    // The worker registers tsx in its own thread (sm2-worker.mjs) and runs sm2-worker.ts.
    const worker = new Worker(new URL('./sm2-worker.mjs', import.meta.url), {
      workerData: { privateKey: bank.privateKey, publicKey: bank.publicKey },
    });
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    slots[index] = slot;
    worker.on('message', (reply: Sm2Reply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.value);
    });
    const lost = (err?: unknown) => {
      if (!slots.includes(slot)) return;
      // Pure computations: whatever was in flight is redone here.
      for (const p of slot.pending.values()) {
        try {
          p.resolve(inline(p.task, bank));
        } catch (failure) {
          p.reject(failure);
        }
      }
      slot.pending.clear();
      if (closed) return;
      options.onWorkerLost?.(err ?? new Error('SM2 worker exited'));
      if (restartsLeft-- > 0) spawn(slots.indexOf(slot));
      else slots.splice(slots.indexOf(slot), 1);
    };
    worker.once('error', lost);
    worker.once('exit', () => lost());
  };
  for (let i = 0; i < Math.max(0, Math.floor(options.threads)); i++) spawn(i);

  const run = (task: Sm2Task): Promise<boolean | string> => {
    if (closed || slots.length === 0) {
      try {
        return Promise.resolve(inline(task, bank));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // The least busy worker.
    let slot = slots[0]!;
    for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
    return new Promise((resolve, reject) => {
      slot.pending.set(task.id, { task, resolve, reject });
      slot.worker.postMessage(task);
    });
  };

  return {
    verify: (message, signatureHex, publicKey) => run({ id: nextId++, op: 'verify', message, signatureHex, publicKey }).then((v) => v === true),
    signBank: (message) => run({ id: nextId++, op: 'sign', message }) as Promise<string>,
    workers: () => slots.map((s) => s.worker),
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
