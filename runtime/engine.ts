/**
 * The QuickJS engine: one WebAssembly module per process (or Web Worker), compiled once, shared
 * by every mini-app instance. Each instance gets its own QuickJS runtime inside it.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSRuntime, type RuntimeOptions } from 'quickjs-emscripten-core';

/**
 * What the runtime needs from a QuickJS WebAssembly module: a way to make runtimes. Both
 * `QuickJSWASMModule` and the leak-checking `TestQuickJSWASMModule` fit.
 */
export interface SandboxModule {
  newRuntime(options?: RuntimeOptions): QuickJSRuntime;
  /**
   * The module's WebAssembly memory. The runtime watches its growth during each entry as a
   * safety net for the heap limit (QuickJS's own accounting undercounts large allocations in
   * the WebAssembly build).
   */
  getWasmMemory?(): WasmMemoryLike;
}

/** The part of a `WebAssembly.Memory` the runtime reads. */
export interface WasmMemoryLike {
  readonly buffer: { readonly byteLength: number };
}

let shared: Promise<SandboxModule> | undefined;

/**
 * The shared QuickJS module (release build, synchronous). The first call compiles the
 * WebAssembly; later calls return the same module.
 *
 * @example
 * ```ts
 * const engine = await loadEngine();
 * const instance = MiniAppInstance.start(engine, options);
 * ```
 */
export function loadEngine(): Promise<SandboxModule> {
  shared ??= newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync')).catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/**
 * A fresh module, not the shared one. Use it to replace a module whose memory a host error left
 * in an unknown state (see `MiniAppInstance.engineFault`), or to isolate a group of instances.
 */
export function loadFreshEngine(): Promise<SandboxModule> {
  return newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync'));
}
