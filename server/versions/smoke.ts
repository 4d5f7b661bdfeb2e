/**
 * The smoke launch of the automated review, isolated in a worker thread with a watchdog: a
 * hostile package can stop its own review, never the server. What the package called and whether
 * it crashed, broke a limit or hung go into the review report.
 */
import { Worker } from 'node:worker_threads';
import type { LilyPackage } from '../../runtime/package/format.ts';
import type { SmokeResult, SmokeRunner } from './inspector.ts';

/** Longest a smoke launch may take, start-up of the worker included. */
export const SMOKE_DEADLINE_MS = 15_000;

/**
 * Builds the smoke runner. Each review runs in a fresh worker thread that is terminated when it
 * answers or when the deadline passes.
 *
 * @example
 * ```ts
 * const smoke = createSmokeRunner();
 * const result = await smoke(pkg); // { ok: true, pagesRendered: 1, nodes: 12, called: ['base.ui'], … }
 * ```
 */
export function createSmokeRunner(options: { deadlineMs?: number } = {}): SmokeRunner {
  const deadline = options.deadlineMs ?? SMOKE_DEADLINE_MS;
  return (pkg: LilyPackage) =>
    new Promise<SmokeResult>((resolve) => {
      const started = performance.now();
      const fail = (code: string, message: string): SmokeResult => ({
        ok: false,
        ms: Math.round(performance.now() - started),
        pagesRendered: 0,
        nodes: 0,
        called: [],
        error: { code, message },
      });
      // The worker registers tsx in its own thread (smoke-worker.mjs) and runs smoke-worker.ts.
      const worker = new Worker(new URL('./smoke-worker.mjs', import.meta.url));
      let settled = false;
      const finish = (result: SmokeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        resolve(result);
      };
      const timer = setTimeout(
        () => finish(fail('TIMEOUT', `The smoke launch did not finish within ${Math.round(deadline / 1000)} s; the package blocks its host.`)),
        deadline,
      );
      worker.once('message', (result: SmokeResult) => finish(result));
      worker.once('error', () => finish(fail('SANDBOX_CRASHED', 'The smoke launch failed.')));
      worker.once('exit', (code) => finish(fail('SANDBOX_CRASHED', `The smoke launch ended unexpectedly (exit ${code}).`)));
      worker.postMessage({ pkg });
    });
}
