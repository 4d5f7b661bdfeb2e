/**
 * A leak-checked QuickJS module for tests, in the manner of quickjs-emscripten's
 * `TestQuickJSWASMModule`: every runtime made through it is tracked until disposed, and
 * `afterEach` fails the test when one is left alive. (The 0.32 `TestQuickJSWASMModule` loses
 * track of runtimes because `newRuntime` ignores `ownedLifetimes`, so the tracking is done here.)
 * The release build also aborts when a runtime is freed while it still holds live objects, so a
 * leaked handle fails the test that leaked it.
 */
import { afterEach, beforeAll, beforeEach } from 'vitest';
import type { QuickJSRuntime, QuickJSWASMModule, RuntimeOptions } from 'quickjs-emscripten-core';
import { loadEngine, type SandboxModule, type WasmMemoryLike } from '../../../runtime/engine.ts';
import { liveInstances } from '../../../runtime/instance.ts';

/** A module wrapper that tracks the runtimes it makes. */
export class LeakCheckedModule implements SandboxModule {
  readonly runtimes = new Set<QuickJSRuntime>();

  constructor(private readonly parent: QuickJSWASMModule) {}

  newRuntime(options?: RuntimeOptions): QuickJSRuntime {
    const runtime = this.parent.newRuntime(options);
    this.runtimes.add(runtime);
    const dispose = runtime.dispose.bind(runtime);
    runtime.dispose = () => {
      this.runtimes.delete(runtime);
      dispose();
    };
    return runtime;
  }

  /** Throws when a runtime is still alive (or, in debug builds, when the leak sanitizer finds un-freed memory). */
  assertNoMemoryAllocated(): void {
    if (this.parent.getFFI().QTS_RecoverableLeakCheck()) throw new Error('the leak sanitizer found un-freed QuickJS memory');
    if (this.runtimes.size > 0) throw new Error(`${this.runtimes.size} QuickJS runtime(s) leaked`);
  }

  getWasmMemory(): WasmMemoryLike {
    return this.parent.getWasmMemory();
  }

  /** Bytes of WebAssembly memory (grows, never shrinks). */
  wasmBytes(): number {
    return this.parent.getWasmMemory().buffer.byteLength;
  }
}

/** The shared release module (loaded once per test file). */
export async function baseModule(): Promise<QuickJSWASMModule> {
  return (await loadEngine()) as QuickJSWASMModule;
}

/** Registers the hooks; returns a getter for the current test's leak-checked module. */
export function useLeakCheckedEngine(): () => LeakCheckedModule {
  let base: QuickJSWASMModule | undefined;
  let current: LeakCheckedModule | undefined;
  beforeAll(async () => {
    base = await baseModule();
  });
  beforeEach(() => {
    current = new LeakCheckedModule(base!);
  });
  afterEach(() => {
    const engine = current!;
    current = undefined;
    // Close what a failing test left open, so one failure does not take the shared module down.
    const left = liveInstances(engine);
    for (const instance of left) instance.close();
    engine.assertNoMemoryAllocated();
    if (left.length > 0) throw new Error(`${left.length} mini-app instance(s) were left open`);
  });
  return () => {
    if (!current) throw new Error('the leak-checked engine exists only inside a test');
    return current;
  };
}
