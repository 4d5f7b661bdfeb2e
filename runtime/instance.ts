/**
 * One running mini-app: a verified package evaluated in its own QuickJS runtime, with its page
 * stack, timers, bridge calls and limits. Platform-neutral (no DOM, no Node built-ins).
 *
 * Every call into the guest is an *entry* with its own CPU deadline: loading the script, launch,
 * one event, one timer, one bridge answer, one navigation, and each drain of promise jobs and
 * render flushes that follows. A guest that breaks a limit is stopped when the entry unwinds:
 * its timers are cancelled, pending bridge answers are dropped and every handle is disposed.
 */
import { Scope, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten-core';
import { CAPABILITY_ID_PATTERN, METHOD_NAME_PATTERN, type BridgeAnswer, type BridgeCall, type BridgeHandler, type CapabilityDescriptor, type NavigateMethod } from '../protocol/bridge.ts';
import { ERRORS, isErrorCode, LilyError, type ErrorPayload, type Response } from '../protocol/errors.ts';
import type { SandboxModule, WasmMemoryLike } from './engine.ts';
import { GUEST_ENTRY_NAMES, PRELUDE_SOURCE } from './guest/prelude.ts';
import { resolveLimits, TokenBucket, utf8Length, type SandboxLimitName, type SandboxLimits } from './limits.ts';
import { checkQuery, resolvePageUrl } from './navigation.ts';
import type { Manifest } from './package/manifest.ts';
import { isVerifiedPackage, verifyPackage, type VerifiedPackage } from './package/sign.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';
import type { EventType } from './view/components.ts';
import { validateViewTree, type ViewNode } from './view/tree.ts';

/** How the mini-app was opened (what `getLaunchOptions` reports and `App.onLaunch` receives). */
export interface LaunchOptions {
  /** Start page; default the manifest's first page. */
  path?: string;
  query?: Record<string, string>;
  /** Why it was opened, e.g. `marketplace`, `qrcode`, `share`, `developer`. */
  scene?: string;
}

/** One page on the stack. */
export interface PageInfo {
  pageId: number;
  route: string;
  query: Record<string, string>;
}

/** A validated tree the host should show. */
export interface RenderUpdate {
  instanceId: string;
  pageId: number;
  route: string;
  tree: ViewNode;
  nodes: number;
}

/** A console line or a guest error that did not stop the instance. */
export interface LogEntry {
  instanceId: string;
  level: 'debug' | 'log' | 'info' | 'warn' | 'error';
  /** `console` for guest console calls, `guest` for uncaught guest errors, `runtime` for the runtime's own notes. */
  source: 'console' | 'guest' | 'runtime';
  message: string;
  time: number;
}

/** An error thrown by guest code, as the guest described it (its own name, message and stack). */
export interface GuestErrorInfo {
  /** Where it surfaced: `event`, `timer`, `onLoad`, `success`, … */
  where: string;
  name: string;
  message: string;
  stack: string;
}

/** Callbacks from an instance to its host. They run synchronously; exceptions they throw are ignored. */
export interface InstanceEvents {
  /** A page rendered a (validated) tree. */
  onRender?(update: RenderUpdate): void;
  /** The page stack changed. */
  onPages?(pages: readonly PageInfo[]): void;
  /** Console output and guest errors. */
  onLog?(entry: LogEntry): void;
  /** The instance was stopped (a limit, a crash); not called for {@link MiniAppInstance.close}. */
  onStop?(reason: ErrorPayload): void;
}

/** Everything an instance needs. */
export interface InstanceOptions {
  /**
   * The package as shipped (verified here before a byte of it runs), or a `VerifiedPackage` this
   * realm's `verifyPackage` returned earlier (reopening an app skips verifying it again).
   */
  package: unknown;
  /** The bank's SM2 public key(s) that sign packages. */
  bankPublicKey: string | readonly string[];
  /** Capabilities (and methods) visible to the guest as `lily.<category>.<name>.<method>`. */
  capabilities: readonly CapabilityDescriptor[];
  /** Where guest calls go. */
  bridge: BridgeHandler;
  instanceId?: string;
  limits?: Partial<SandboxLimits>;
  launch?: LaunchOptions;
  events?: InstanceEvents;
  scheduler?: Scheduler;
}

/** An event from the host's renderer. */
export interface HostEvent {
  /** Page the event happened on; default the top page. */
  pageId?: number;
  /** The bound page method, e.g. `increment` for `bindtap="increment"`. */
  handler: string;
  type: EventType;
  target?: { id?: string; dataset?: Record<string, string | number | boolean | null> };
  /** Event data, e.g. `{ value: 'abc' }` for `input`. JSON, at most 64 KiB. */
  detail?: unknown;
}

/** What happened to a {@link HostEvent}. */
export type EventOutcome =
  | { status: 'handled' }
  /** The handler threw; the instance goes on. */
  | { status: 'threw'; error: GuestErrorInfo }
  /** Not delivered (closed instance, handler not bound in the current tree, bad detail). */
  | { status: 'refused'; error: ErrorPayload }
  /** The instance was stopped while handling it. */
  | { status: 'stopped'; error: ErrorPayload };

/** A page-stack move (what `base.navigate` asks for). */
export interface NavigateRequest {
  method: NavigateMethod;
  url?: string;
  delta?: number;
}

/** `running` until stopped by a limit or crash (`stopped`) or closed by the host (`closed`). */
export type InstanceState = 'running' | 'stopped' | 'closed';

type Phase = 'load' | 'launch' | 'event' | 'timer' | 'bridge' | 'drain' | 'render' | 'lifecycle';

interface PageRecord extends PageInfo {
  tree?: ViewNode;
  handlers: Map<string, Set<EventType>>;
}

interface TimerRecord {
  handle: unknown;
  ms: number;
  repeat: boolean;
}

type EntryName = (typeof GUEST_ENTRY_NAMES)[number];

const MIB = 1024 * 1024;
/** CPU budget for evaluating the prelude (the runtime's own code, not the mini-app's). */
const PRELUDE_BUDGET_MS = 5_000;
/** Event types that count as a user action for `BridgeCall.userGesture`. */
const USER_GESTURES: ReadonlySet<EventType> = new Set<EventType>(['tap', 'longpress', 'confirm', 'submit', 'change']);
/** How often a long-running entry's heap is measured while it runs. */
const HEAP_CHECK_INTERVAL_MS = 5;
/**
 * Short entries are measured at most this often (plus after any entry that ran over 2 ms,
 * allocated in bulk or grew the module's memory): a measurement costs about 0.1 ms.
 */
const HEAP_CHECK_PERIOD_MS = 50;
const modulesWithFaults = new WeakSet<object>();
const liveByModule = new WeakMap<object, Set<MiniAppInstance>>();
let instanceSeq = 0;

function fmtBytes(n: number): string {
  return n >= MIB ? `${+(n / MIB).toFixed(2)} MiB` : `${+(n / 1024).toFixed(1)} KiB`;
}

/** True when a host error (not a guest error) hit `module`: create new instances on a fresh module. */
export function isEngineFaulted(module: SandboxModule): boolean {
  return modulesWithFaults.has(module);
}

/** Instances still running on `module` (not stopped, not closed). */
export function liveInstances(module: SandboxModule): MiniAppInstance[] {
  return [...(liveByModule.get(module) ?? [])];
}

/** A `SANDBOX_LIMIT` payload for `limit`. */
export function limitPayload(limit: SandboxLimitName, limits: SandboxLimits, extra: Record<string, unknown> = {}): ErrorPayload {
  const what: Record<SandboxLimitName, string> = {
    heap: `used more than its ${fmtBytes(limits.heapBytes)} heap`,
    stack: `nested calls deeper than its ${fmtBytes(limits.stackBytes)} stack allows`,
    cpu: `ran longer than ${limits.cpuMsPerEntry} ms without returning`,
    timers: `created more than ${limits.maxTimers} timers`,
    setDataRate: `called setData more than ${limits.setDataPerSecond} times a second (burst ${limits.setDataBurst})`,
    setDataSize: `sent a setData patch larger than ${fmtBytes(limits.setDataBytes)}`,
    bridgePayload: `sent a call larger than ${fmtBytes(limits.bridgePayloadBytes)}`,
    inFlightCalls: `had more than ${limits.maxInFlightCalls} calls waiting for answers`,
    console: `wrote more console output than ${fmtBytes(limits.consoleBytesPerSecond)} a second`,
    viewNodes: `rendered more than ${limits.maxViewNodes} view nodes`,
    viewDepth: `rendered a view nested deeper than ${limits.maxViewDepth}`,
    viewBytes: `rendered a view larger than ${fmtBytes(limits.maxViewBytes)}`,
  };
  return { code: 'SANDBOX_LIMIT', message: `The mini-app ${what[limit]} and was stopped.`, details: { limit, ...extra } };
}

function crashPayload(phase: string, error: { name: string; message: string }, extra: Record<string, unknown> = {}): ErrorPayload {
  const summary = `${error.name ? error.name + ': ' : ''}${error.message}`.slice(0, 300);
  return {
    code: 'SANDBOX_CRASHED',
    message: `The mini-app stopped because of an error in its code (${phase}): ${summary}`,
    details: { phase, error: { name: error.name, message: error.message.slice(0, 2000) }, ...extra },
  };
}

function sanitizeAnswerError(error: unknown): ErrorPayload {
  if (typeof error !== 'object' || error === null) return { code: 'INTERNAL', message: ERRORS.INTERNAL.message };
  const e = error as Record<string, unknown>;
  if (!isErrorCode(e.code)) return { code: 'INTERNAL', message: ERRORS.INTERNAL.message };
  const message = ERRORS[e.code].fault === 'server' ? ERRORS[e.code].message : typeof e.message === 'string' ? e.message.slice(0, 1000) : ERRORS[e.code].message;
  const out: ErrorPayload = { code: e.code, message };
  if (typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details)) {
    try {
      const json = JSON.stringify(e.details);
      if (json.length <= 16_384) out.details = JSON.parse(json) as Record<string, unknown>;
    } catch {
      // details that do not serialize are dropped
    }
  }
  return out;
}

/** Copies event detail as JSON with caps; undefined when it is not small plain data. */
function sanitizeDetail(detail: unknown): unknown {
  if (detail === undefined) return {};
  let json: string | undefined;
  try {
    json = JSON.stringify(detail);
  } catch {
    return undefined;
  }
  if (json === undefined || json.length > 65_536 || json.includes('"__proto__"')) return undefined;
  return JSON.parse(json) as unknown;
}

/**
 * A running mini-app instance.
 *
 * @example
 * ```ts
 * const engine = await loadEngine();
 * const app = MiniAppInstance.start(engine, {
 *   package: pkg, bankPublicKey, capabilities, bridge,
 *   events: { onRender: (u) => show(u.tree), onStop: (r) => banner(r.message) },
 * });
 * app.dispatchEvent({ handler: 'increment', type: 'tap' });
 * app.close();
 * ```
 */
export class MiniAppInstance {
  readonly instanceId: string;
  readonly appId: string;
  readonly manifest: Manifest;
  readonly verified: VerifiedPackage;
  readonly limits: SandboxLimits;

  private _state: InstanceState = 'running';
  private _stopReason: ErrorPayload | undefined;
  private readonly module: SandboxModule;
  private rt: QuickJSRuntime | undefined;
  private ctx: QuickJSContext | undefined;
  private readonly entries = new Map<EntryName, QuickJSHandle>();
  private readonly capabilities = new Map<string, CapabilityDescriptor>();
  private readonly bridge: BridgeHandler;
  private readonly events: InstanceEvents;
  private readonly scheduler: Scheduler;
  private readonly launchOptions: Required<LaunchOptions>;

  private busy = false;
  private deadline = Infinity;
  private entryStart = 0;
  private entryWasmBytes = 0;
  private lastHeapCheck = 0;
  private bigBytesSinceHeapCheck = 0;
  private bigOpsThisEntry = false;
  /** A page may need rendering: set by setData and page creation, cleared by a flush. */
  private renderPending = false;
  /** True while a user event (and the jobs it runs) is being handled. */
  private userGesture = false;
  private readonly wasm: WasmMemoryLike | undefined;
  private pendingStop: ErrorPayload | undefined;
  private closeRequested = false;
  private entryPhase: Phase = 'load';

  private stack: PageRecord[] = [];
  private pageSeq = 0;
  private readonly timers = new Map<number, TimerRecord>();
  private readonly inFlight = new Map<number, { call: BridgeCall; timer?: unknown }>();
  private callSeq = 0;
  private readonly setDataBucket: TokenBucket;
  private readonly consoleBucket: TokenBucket;
  private idleWaiters: (() => void)[] = [];

  private constructor(module: SandboxModule, verified: VerifiedPackage, options: InstanceOptions) {
    this.module = module;
    this.wasm = module.getWasmMemory?.();
    this.verified = verified;
    this.manifest = verified.manifest;
    this.appId = verified.manifest.appId;
    this.instanceId = options.instanceId ?? `inst_${(++instanceSeq).toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    this.limits = resolveLimits(options.limits);
    this.bridge = options.bridge;
    this.events = options.events ?? {};
    this.scheduler = options.scheduler ?? realScheduler;
    for (const cap of options.capabilities) {
      if (!CAPABILITY_ID_PATTERN.test(cap.id)) throw new TypeError(`invalid capability id "${cap.id}"`);
      if (cap.methods !== '*' && cap.methods.some((m) => !METHOD_NAME_PATTERN.test(m))) throw new TypeError(`invalid method name in ${cap.id}`);
      this.capabilities.set(cap.id, cap);
    }
    const launch = options.launch ?? {};
    const query = checkQuery(launch.query);
    if (query === undefined) throw new LilyError('INVALID_PARAMS', 'The launch query must be at most 32 short string values.');
    this.launchOptions = { path: launch.path ?? this.manifest.pages[0]!, query, scene: launch.scene ?? 'developer' };
    this.setDataBucket = new TokenBucket(this.limits.setDataPerSecond, this.limits.setDataBurst, () => this.scheduler.now());
    this.consoleBucket = new TokenBucket(this.limits.consoleBytesPerSecond, this.limits.consoleBurstBytes, () => this.scheduler.now());
  }

  /**
   * Verifies the package, evaluates it in a new QuickJS runtime, launches the app and renders the
   * first page. Throws `PACKAGE_TAMPERED` / `PACKAGE_INVALID` (nothing ran), `SANDBOX_LIMIT` or
   * `SANDBOX_CRASHED` (the launch failed; everything is already disposed), `NOT_FOUND` for an
   * unknown launch page.
   */
  static start(module: SandboxModule, options: InstanceOptions): MiniAppInstance {
    const verified = isVerifiedPackage(options.package) ? options.package : verifyPackage(options.package, options.bankPublicKey);
    const instance = new MiniAppInstance(module, verified, options);
    const target = resolvePageUrl(instance.launchOptions.path, undefined, instance.manifest.pages);
    if (!target) throw new LilyError('NOT_FOUND', `The launch page ${String(instance.launchOptions.path).slice(0, 100)} is not in app.json.`);
    instance.boot({ route: target.route, query: { ...target.query, ...instance.launchOptions.query } });
    if (instance._state !== 'running') {
      const reason = instance._stopReason!;
      throw new LilyError(reason.code, reason.message, reason.details);
    }
    return instance;
  }

  /** `running`, `stopped` (limit or crash; see {@link stopReason}) or `closed`. */
  get state(): InstanceState {
    return this._state;
  }

  /** Why the instance was stopped, if it was. */
  get stopReason(): ErrorPayload | undefined {
    return this._stopReason;
  }

  /** The page stack, bottom first. */
  get pages(): readonly PageInfo[] {
    return this.stack.map(({ pageId, route, query }) => ({ pageId, route, query }));
  }

  /** Bridge calls waiting for the host's answer. */
  get inFlightCalls(): number {
    return this.inFlight.size;
  }

  /** Timers alive. */
  get timerCount(): number {
    return this.timers.size;
  }

  /** The last validated tree of a page (default the top page). */
  tree(pageId?: number): ViewNode | undefined {
    const page = pageId === undefined ? this.stack[this.stack.length - 1] : this.stack.find((p) => p.pageId === pageId);
    return page?.tree;
  }

  /** The handler names the current tree of a page binds, with their event types. */
  boundHandlers(pageId?: number): ReadonlyMap<string, ReadonlySet<EventType>> {
    const page = pageId === undefined ? this.stack[this.stack.length - 1] : this.stack.find((p) => p.pageId === pageId);
    return page?.handlers ?? new Map();
  }

  /** A decoded package asset (for the renderer), or undefined. */
  asset(path: string): Uint8Array | undefined {
    return this.verified.assets.get(path.startsWith('/') ? path.slice(1) : path);
  }

  /** QuickJS memory accounting of this instance (bytes); undefined once it is not running. */
  memoryUsage(): { mallocBytes: number; usedBytes: number; objects: number } | undefined {
    if (this._state !== 'running' || this.busy || !this.rt || !this.ctx) return undefined;
    const handle = this.rt.computeMemoryUsage();
    try {
      const m = this.ctx.dump(handle) as Record<string, number>;
      return { mallocBytes: m.malloc_size ?? 0, usedBytes: m.memory_used_size ?? 0, objects: m.obj_count ?? 0 };
    } finally {
      handle.dispose();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Host API

  /**
   * Delivers a renderer event to a page method bound in the page's current tree, then drains
   * promise jobs and re-renders. Synchronous.
   */
  dispatchEvent(event: HostEvent): EventOutcome {
    const refused = (code: 'INSTANCE_CLOSED' | 'INVALID_PARAMS' | 'INVALID_STATE', message: string): EventOutcome => ({ status: 'refused', error: { code, message } });
    if (this._state !== 'running') return refused('INSTANCE_CLOSED', 'The mini-app instance is not running.');
    if (this.busy) return refused('INVALID_STATE', 'The mini-app is busy; events cannot be delivered from inside a callback.');
    const page = event.pageId === undefined ? this.stack[this.stack.length - 1] : this.stack.find((p) => p.pageId === event.pageId);
    if (!page) return refused('INVALID_PARAMS', 'No such page.');
    if (!page.handlers.get(event.handler)?.has(event.type)) {
      return refused('INVALID_PARAMS', `The current view of ${page.route} does not bind "${event.handler}" to ${event.type}.`);
    }
    const detail = sanitizeDetail(event.detail);
    if (detail === undefined) return refused('INVALID_PARAMS', 'Event detail must be plain JSON of at most 64 KiB.');
    const target = { id: typeof event.target?.id === 'string' ? event.target.id.slice(0, 64) : '', dataset: sanitizeDetail(event.target?.dataset ?? {}) ?? {} };
    const json = JSON.stringify({ type: event.type, timeStamp: Math.round(this.scheduler.now()), target, currentTarget: target, detail });
    let threw: GuestErrorInfo | undefined;
    this.userGesture = USER_GESTURES.has(event.type);
    try {
      this.run('event', () => {
        threw = this.invoke('event', [page.pageId, event.handler, json], 'event');
      });
      this.run('drain', () => this.drain());
    } finally {
      this.userGesture = false;
    }
    this.afterEntries();
    if (this._state !== 'running') return { status: 'stopped', error: this._stopReason ?? { code: 'INSTANCE_CLOSED', message: ERRORS.INSTANCE_CLOSED.message } };
    return threw ? { status: 'threw', error: threw } : { status: 'handled' };
  }

  /**
   * Delivers an event the host started (a network change, …) to the listeners the guest
   * registered with `lily.<capability>.<method>(listener)`, then drains promise jobs and
   * re-renders. Events are data only: the payload must be plain JSON of at most 64 KiB. An app
   * that registered no listener for it is not entered at all.
   *
   * @example
   * ```ts
   * instance.deliverHostEvent('base.network', 'onNetworkStatusChange', { isConnected: false, networkType: 'none' });
   * ```
   */
  deliverHostEvent(capability: string, method: string, payload: unknown): EventOutcome {
    const refused = (code: 'INSTANCE_CLOSED' | 'INVALID_PARAMS' | 'INVALID_STATE', message: string): EventOutcome => ({ status: 'refused', error: { code, message } });
    if (this._state !== 'running') return refused('INSTANCE_CLOSED', 'The mini-app instance is not running.');
    if (this.busy) return refused('INVALID_STATE', 'The mini-app is busy; events cannot be delivered from inside a callback.');
    if (!/^[a-z]+\.[A-Za-z]+$/.test(capability) || !/^on[A-Z][A-Za-z]*$/.test(method)) return refused('INVALID_PARAMS', 'Not a listener method.');
    const detail = sanitizeDetail(payload);
    if (detail === undefined) return refused('INVALID_PARAMS', 'Event payload must be plain JSON of at most 64 KiB.');
    let threw: GuestErrorInfo | undefined;
    this.run('event', () => {
      threw = this.invoke('hostEvent', [`${capability}.${method}`, JSON.stringify(detail)], 'event');
    });
    this.run('drain', () => this.drain());
    this.afterEntries();
    if (this._state !== 'running') return { status: 'stopped', error: this._stopReason ?? { code: 'INSTANCE_CLOSED', message: ERRORS.INSTANCE_CLOSED.message } };
    return threw ? { status: 'threw', error: threw } : { status: 'handled' };
  }

  /**
   * Moves the page stack (the host container calls this for `base.navigate`). `navigateTo` on a
   * full stack answers `LIMIT_EXCEEDED`, an undeclared page `NOT_FOUND`, `navigateBack` on the
   * first page `INVALID_STATE`.
   */
  navigate(request: NavigateRequest): Response<{ stackDepth: number }> {
    if (this._state !== 'running') return { error: { code: 'INSTANCE_CLOSED', message: ERRORS.INSTANCE_CLOSED.message } };
    if (this.busy) return { error: { code: 'INVALID_STATE', message: 'Navigation cannot start from inside a callback.' } };
    const top = this.stack[this.stack.length - 1];
    const notFound = (): Response<{ stackDepth: number }> => ({
      error: { code: 'NOT_FOUND', message: `No page ${String(request.url).slice(0, 200)} in app.json.` },
    });
    let result: Response<{ stackDepth: number }> | undefined;
    switch (request.method) {
      case 'navigateTo':
      case 'redirectTo':
      case 'reLaunch': {
        const target = resolvePageUrl(request.url, top?.route, this.manifest.pages);
        if (!target) return notFound();
        if (request.method === 'navigateTo' && this.stack.length >= this.limits.maxPageStack) {
          return {
            error: {
              code: 'LIMIT_EXCEEDED',
              message: `The page stack holds at most ${this.limits.maxPageStack} pages; use redirectTo or reLaunch.`,
              details: { limit: 'pageStack', max: this.limits.maxPageStack },
            },
          };
        }
        this.run('lifecycle', () => {
          if (request.method === 'navigateTo') {
            if (top) this.invoke('pageHide', [top.pageId], 'lifecycle');
          } else {
            const doomed = request.method === 'redirectTo' ? (top ? [top] : []) : [...this.stack].reverse();
            for (const page of doomed) this.unloadPage(page);
          }
          if (!this.pendingStop && !this.openPage(target.route, target.query)) result = notFound();
        });
        break;
      }
      case 'navigateBack': {
        const delta = request.delta === undefined ? 1 : request.delta;
        if (typeof delta !== 'number' || !Number.isInteger(delta) || delta < 1) {
          return { error: { code: 'INVALID_PARAMS', message: 'delta must be a positive integer.' } };
        }
        if (this.stack.length <= 1) return { error: { code: 'INVALID_STATE', message: 'There is no page to go back to.' } };
        const n = Math.min(delta, this.stack.length - 1);
        this.run('lifecycle', () => {
          for (let i = 0; i < n && !this.pendingStop; i++) this.unloadPage(this.stack[this.stack.length - 1]!);
          const now = this.stack[this.stack.length - 1];
          if (now && !this.pendingStop) this.invoke('pageShow', [now.pageId], 'lifecycle');
        });
        break;
      }
      default:
        return { error: { code: 'UNKNOWN_CAPABILITY', message: 'No such navigation method.' } };
    }
    this.emitPages();
    this.run('drain', () => this.drain());
    this.afterEntries();
    if (this._state !== 'running') return { error: this._stopReason ?? { code: 'INSTANCE_CLOSED', message: ERRORS.INSTANCE_CLOSED.message } };
    return result ?? { result: { stackDepth: this.stack.length } };
  }

  /** The app comes to the foreground: `App.onShow` and the top page's `onShow`. */
  show(): void {
    if (this._state !== 'running' || this.busy) return;
    const top = this.stack[this.stack.length - 1];
    this.run('lifecycle', () => {
      this.invoke('appShow', [JSON.stringify(this.launchOptions)], 'lifecycle');
      if (top && !this.pendingStop) this.invoke('pageShow', [top.pageId], 'lifecycle');
    });
    this.run('drain', () => this.drain());
    this.afterEntries();
  }

  /** The app goes to the background: the top page's `onHide` and `App.onHide`. */
  hide(): void {
    if (this._state !== 'running' || this.busy) return;
    const top = this.stack[this.stack.length - 1];
    this.run('lifecycle', () => {
      if (top) this.invoke('pageHide', [top.pageId], 'lifecycle');
      if (!this.pendingStop) this.invoke('appHide', [], 'lifecycle');
    });
    this.run('drain', () => this.drain());
    this.afterEntries();
  }

  /**
   * Closes the instance: cancels timers, drops pending calls, disposes every QuickJS handle and
   * the runtime. Idempotent. Called from inside an instance callback, it happens when the
   * current entry returns.
   */
  close(): void {
    if (this.busy) {
      this.closeRequested = true;
      return;
    }
    if (this._state === 'closed') return;
    const wasRunning = this._state === 'running';
    this._state = 'closed';
    if (wasRunning) this.teardown();
    this.wakeIdle();
  }

  /**
   * Resolves when no bridge call is waiting for an answer (or the instance is no longer running);
   * rejects with `TIMEOUT` after `timeoutMs`.
   */
  whenIdle(timeoutMs = 10_000): Promise<void> {
    if (this.inFlight.size === 0 || this._state !== 'running') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = globalThis.setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        reject(new LilyError('TIMEOUT', `The mini-app still had ${this.inFlight.size} calls waiting after ${timeoutMs} ms.`));
      }, timeoutMs);
      const done = (): void => {
        globalThis.clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Boot

  private boot(first: { route: string; query: Record<string, string> }): void {
    try {
      const rt = this.module.newRuntime();
      let live = liveByModule.get(this.module);
      if (!live) liveByModule.set(this.module, (live = new Set()));
      live.add(this);
      this.rt = rt;
      rt.setMemoryLimit(this.limits.heapBytes);
      rt.setMaxStackSize(this.limits.parseStackBytes);
      rt.setInterruptHandler(() => this.shouldInterrupt());
      this.ctx = rt.newContext();
    } catch (err) {
      this.engineFault(err);
      return;
    }
    // The prelude is the runtime's own code: it gets a generous budget of its own, so a slow
    // (cold or loaded) machine does not count it against the mini-app.
    this.run('load', () => this.loadPrelude(), PRELUDE_BUDGET_MS);
    this.run('load', () => this.loadScript());
    if (this.pendingStop || this._state !== 'running') {
      this.afterEntries();
      return;
    }
    this.run('launch', () => {
      this.invoke('launch', [JSON.stringify(this.launchOptions)], 'lifecycle');
      if (this.pendingStop) return;
      if (!this.openPage(first.route, first.query)) {
        this.pendingStop = crashPayload('launch', { name: 'Error', message: `No Page() was registered for ${first.route}.` });
      }
    });
    this.emitPages();
    this.run('drain', () => this.drain());
    if (!this.pendingStop && this._state === 'running' && this.stack.length > 0 && !this.stack[this.stack.length - 1]!.tree) {
      this.pendingStop = crashPayload('render', { name: 'Error', message: 'The first page did not render.' });
    }
    this.afterEntries();
  }

  private loadPrelude(): void {
    const ctx = this.ctx!;
    Scope.withScope((scope) => {
      const factoryResult = ctx.evalCode(PRELUDE_SOURCE, 'lily-prelude.js', { type: 'global', strict: true });
      if (factoryResult.error) {
        const info = this.describeError(factoryResult.error);
        factoryResult.error.dispose();
        this.onGuestError(info, 'load');
        return;
      }
      const factory = scope.manage(factoryResult.value);
      const host = scope.manage(ctx.newObject());
      for (const [name, fn] of Object.entries(this.hostFunctions())) {
        const handle = scope.manage(ctx.newFunction(name, fn));
        ctx.setProp(host, name, handle);
      }
      const config = scope.manage(ctx.newString(JSON.stringify({ capabilities: [...this.capabilities.values()] })));
      const internalResult = ctx.callFunction(factory, ctx.undefined, host, config);
      if (internalResult.error) {
        const info = this.describeError(internalResult.error);
        internalResult.error.dispose();
        this.onGuestError(info, 'load');
        return;
      }
      const internal = scope.manage(internalResult.value);
      for (const name of GUEST_ENTRY_NAMES) this.entries.set(name, ctx.getProp(internal, name));
    });
  }

  private loadScript(): void {
    const ctx = this.ctx!;
    const rt = this.rt!;
    Scope.withScope((scope) => {
      // The parser needs far more native stack per QuickJS stack byte than running code.
      rt.setMaxStackSize(this.limits.parseStackBytes);
      const wrapped = ctx.evalCode(`(function (__lily) {\n${this.verified.pkg.script}\n})`, `${this.appId}.js`, { type: 'global' });
      rt.setMaxStackSize(this.limits.stackBytes);
      if (wrapped.error) {
        const info = this.describeError(wrapped.error);
        wrapped.error.dispose();
        this.onGuestError(info, 'load');
        return;
      }
      const fn = scope.manage(wrapped.value);
      const ran = ctx.callFunction(fn, ctx.undefined, this.entries.get('registrar')!);
      if (ran.error) {
        const info = this.describeError(ran.error);
        ran.error.dispose();
        this.onGuestError(info, 'load');
        return;
      }
      ran.value.dispose();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Entries

  private shouldInterrupt(): boolean {
    if (this.pendingStop) return true;
    const now = performance.now();
    if (now > this.deadline) {
      this.pendingStop = limitPayload('cpu', this.limits, { phase: this.entryPhase });
      return true;
    }
    if (this.wasm && this.wasm.buffer.byteLength - this.entryWasmBytes > this.limits.heapBytes) {
      this.pendingStop = limitPayload('heap', this.limits, { phase: this.entryPhase });
      return true;
    }
    // Long entries get their heap measured every few milliseconds while they run.
    if (now - this.entryStart >= HEAP_CHECK_INTERVAL_MS && now - this.lastHeapCheck >= HEAP_CHECK_INTERVAL_MS) this.checkHeap();
    return this.pendingStop !== undefined;
  }

  /**
   * The instance's real heap use (QuickJS walks its objects), checked against the limit. Costs
   * about 0.1 ms, so it runs after entries that took a while, allocated in bulk or grew the
   * module's memory, and otherwise at most every {@link HEAP_CHECK_PERIOD_MS}.
   */
  private checkHeap(): void {
    this.lastHeapCheck = performance.now();
    this.bigBytesSinceHeapCheck = 0;
    const rt = this.rt;
    const ctx = this.ctx;
    if (!rt || !ctx || this.pendingStop) return;
    let used: number;
    try {
      used = Scope.withScope((scope) => {
        const usage = scope.manage(rt.computeMemoryUsage());
        return ctx.getNumber(scope.manage(ctx.getProp(usage, 'memory_used_size')));
      });
    } catch {
      used = Infinity;
    }
    if (!(used <= this.limits.heapBytes)) {
      this.pendingStop = limitPayload('heap', this.limits, { phase: this.entryPhase, ...(Number.isFinite(used) ? { usedBytes: used } : {}) });
    }
  }

  /** Runs one entry with its own deadline. Never re-entrant. */
  private run(phase: Phase, work: () => void, budgetMs = this.limits.cpuMsPerEntry): void {
    if (this._state !== 'running' || this.pendingStop || !this.ctx) return;
    this.busy = true;
    this.entryPhase = phase;
    this.entryStart = performance.now();
    this.deadline = this.entryStart + budgetMs;
    this.entryWasmBytes = this.wasm?.buffer.byteLength ?? 0;
    this.bigOpsThisEntry = false;
    try {
      work();
      const now = performance.now();
      if (
        !this.pendingStop &&
        (now - this.lastHeapCheck >= HEAP_CHECK_PERIOD_MS ||
          this.bigOpsThisEntry ||
          now - this.entryStart > 2 ||
          (this.wasm !== undefined && this.wasm.buffer.byteLength !== this.entryWasmBytes))
      ) {
        this.checkHeap();
      }
    } catch (err) {
      this.engineFault(err);
    } finally {
      this.busy = false;
      this.deadline = Infinity;
    }
  }

  /** Applies a stop or close decided during the entries just run. */
  private afterEntries(): void {
    if (this.pendingStop && this._state === 'running') this.stop(this.pendingStop);
    if (this.closeRequested) {
      this.closeRequested = false;
      this.close();
    }
  }

  /** Calls a prelude entry point. Returns the guest error if it threw (already classified). */
  private invoke(name: EntryName, args: (string | number | boolean)[], phase: Phase): GuestErrorInfo | undefined {
    const ctx = this.ctx!;
    const fn = this.entries.get(name);
    if (!fn || this.pendingStop) return undefined;
    // Hot path (every bridge answer): plain try/finally instead of a Scope, same ownership.
    const handles: QuickJSHandle[] = [];
    try {
      for (const a of args) handles.push(typeof a === 'string' ? ctx.newString(a) : typeof a === 'number' ? ctx.newNumber(a) : a ? ctx.true : ctx.false);
      const result = ctx.callFunction(fn, ctx.undefined, handles);
      if (result.error) {
        const info = this.describeError(result.error);
        result.error.dispose();
        return this.onGuestError({ ...info, where: phase === 'lifecycle' ? name : phase }, phase);
      }
      result.value.dispose();
      return undefined;
    } finally {
      for (const h of handles) h.dispose();
    }
  }

  /** Asks the guest to describe a thrown value (guest code, under the deadline); never throws. */
  private describeError(error: QuickJSHandle): GuestErrorInfo {
    const fallback: GuestErrorInfo = { where: '', name: '', message: '(a thrown value that could not be described)', stack: '' };
    if (this.pendingStop) return fallback;
    const ctx = this.ctx!;
    const describe = this.entries.get('describe');
    if (describe) {
      const r = ctx.callFunction(describe, ctx.undefined, error);
      if (!r.error) {
        try {
          const parsed = JSON.parse(ctx.getString(r.value)) as { name?: unknown; message?: unknown; stack?: unknown };
          return {
            where: '',
            name: typeof parsed.name === 'string' ? parsed.name : '',
            message: typeof parsed.message === 'string' ? parsed.message : '',
            stack: typeof parsed.stack === 'string' ? parsed.stack : '',
          };
        } catch {
          return fallback;
        } finally {
          r.value.dispose();
        }
      }
      r.error.dispose();
      if (this.pendingStop) return fallback;
    }
    // No prelude yet, or describing failed (often: out of memory). QuickJS's own dump reads an
    // Error's fields in C.
    try {
      const dumped = ctx.dump(error) as unknown;
      if (typeof dumped === 'object' && dumped !== null) {
        const d = dumped as Record<string, unknown>;
        return { where: '', name: String(d.name ?? ''), message: String(d.message ?? ''), stack: String(d.stack ?? '').slice(0, 4000) };
      }
      return { ...fallback, message: String(dumped).slice(0, 2000) };
    } catch {
      return fallback;
    }
  }

  /** Turns an uncaught guest error into a stop (limits, fatal phases) or a logged error. */
  private onGuestError(info: GuestErrorInfo, phase: Phase): GuestErrorInfo | undefined {
    if (this.pendingStop) return undefined;
    const limit = this.limitOf(info);
    if (limit) {
      this.pendingStop = limitPayload(limit, this.limits, { phase });
      return undefined;
    }
    if (phase === 'load' || phase === 'launch' || phase === 'render') {
      this.pendingStop = crashPayload(phase, info, info.stack ? { stack: info.stack } : {});
      return undefined;
    }
    this.log('error', 'guest', `Uncaught in ${info.where || phase}: ${info.name ? info.name + ': ' : ''}${info.message}`);
    return info;
  }

  private limitOf(info: { name: string; message: string }): SandboxLimitName | undefined {
    if (info.name === 'InternalError' && info.message === 'out of memory') return 'heap';
    if ((info.name === 'InternalError' || info.name === 'RangeError' || info.name === 'SyntaxError') && info.message === 'stack overflow') return 'stack';
    if (info.name === 'InternalError' && info.message === 'interrupted') return 'cpu';
    return undefined;
  }

  /** Runs promise jobs and render flushes until quiet (within the current entry's deadline). */
  private drain(): void {
    const rt = this.rt!;
    for (let round = 0; round < 64 && !this.pendingStop; round++) {
      while (rt.hasPendingJob() && !this.pendingStop) {
        const r = rt.executePendingJobs(512);
        if (r.error) {
          const info = this.describeError(r.error);
          r.error.dispose();
          this.onGuestError({ ...info, where: 'promise job' }, 'drain');
        }
      }
      if (this.pendingStop) return;
      if (this.renderPending) {
        this.renderPending = false;
        this.invoke('flush', [], 'render');
      }
      if (!rt.hasPendingJob() && !this.renderPending) return;
    }
  }

  private openPage(route: string, query: Record<string, string>): boolean {
    const page: PageRecord = { pageId: ++this.pageSeq, route, query, handlers: new Map() };
    this.stack.push(page);
    this.renderPending = true;
    const failed = this.invoke('pageCreate', [page.pageId, route, JSON.stringify(query)], 'lifecycle');
    if (failed && /^No Page\(\) was registered/.test(failed.message)) {
      this.stack.pop();
      return false;
    }
    if (!this.pendingStop) this.invoke('pageShow', [page.pageId], 'lifecycle');
    return true;
  }

  private unloadPage(page: PageRecord): void {
    this.stack = this.stack.filter((p) => p !== page);
    this.invoke('pageUnload', [page.pageId], 'lifecycle');
  }

  // ---------------------------------------------------------------------------------------------
  // Host functions (called by the prelude; every argument is untrusted)

  private hostFunctions(): Record<string, (...args: QuickJSHandle[]) => QuickJSHandle | undefined> {
    const ctx = this.ctx!;
    const str = (h: QuickJSHandle | undefined): string | undefined => (h !== undefined && ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined);
    const num = (h: QuickJSHandle | undefined): number | undefined => {
      if (h === undefined || ctx.typeof(h) !== 'number') return undefined;
      const n = ctx.getNumber(h);
      return Number.isFinite(n) ? n : undefined;
    };
    const alive = (): boolean => this._state === 'running' && !this.pendingStop;
    type HostFn = (...args: QuickJSHandle[]) => QuickJSHandle | undefined;
    // A host function must never throw into the guest (the message would cross the boundary).
    const guard = (fns: Record<string, HostFn>): Record<string, HostFn> =>
      Object.fromEntries(
        Object.entries(fns).map(([name, fn]) => [
          name,
          (...args: QuickJSHandle[]) => {
            try {
              return fn(...args);
            } catch {
              if (alive()) this.pendingStop = crashPayload('host', { name: 'Error', message: `The host failed while serving ${name}.` }, { reason: 'host' });
              return undefined;
            }
          },
        ]),
      );
    return guard({
      call: (cap, method, params) => {
        const answer = this.hostCall(str(cap), str(method), str(params));
        return typeof answer === 'number' ? ctx.newNumber(answer) : ctx.newString(answer);
      },
      setData: (pageId, json) => {
        const text = str(json);
        if (!alive() || text === undefined || num(pageId) === undefined) return ctx.false;
        if (!this.setDataBucket.take(1)) {
          this.pendingStop = limitPayload('setDataRate', this.limits);
          return ctx.false;
        }
        if (text.length > this.limits.setDataBytes || utf8Length(text) > this.limits.setDataBytes) {
          this.pendingStop = limitPayload('setDataSize', this.limits, { bytes: utf8Length(text) });
          return ctx.false;
        }
        this.renderPending = true;
        return ctx.true;
      },
      commit: (pageId, json) => {
        const id = num(pageId);
        const text = str(json);
        if (alive() && id !== undefined && text !== undefined) this.commit(id, text);
        return undefined;
      },
      log: (level, text) => {
        const message = str(text);
        if (!alive() || message === undefined) return undefined;
        const cost = Math.max(64, utf8Length(message));
        if (!this.consoleBucket.take(cost)) {
          this.pendingStop = limitPayload('console', this.limits);
          return undefined;
        }
        const lv = str(level);
        this.log(lv === 'debug' || lv === 'info' || lv === 'warn' || lv === 'error' ? lv : 'log', 'console', message.slice(0, 16_384));
        return undefined;
      },
      timerSet: (idH, delayH, repeatH) => {
        const id = num(idH);
        const delay = num(delayH) ?? 0;
        if (!alive() || id === undefined || !Number.isInteger(id) || id <= 0) return ctx.false;
        const old = this.timers.get(id);
        if (old) this.scheduler.clearTimeout(old.handle);
        else if (this.timers.size >= this.limits.maxTimers) {
          this.pendingStop = limitPayload('timers', this.limits);
          return ctx.false;
        }
        const ms = Math.min(Math.max(delay, this.limits.minTimerIntervalMs), 2_147_483_647);
        const repeat = repeatH !== undefined && ctx.typeof(repeatH) === 'boolean' && ctx.dump(repeatH) === true;
        this.timers.set(id, { handle: this.scheduler.setTimeout(() => this.fireTimer(id), ms), ms, repeat });
        return ctx.true;
      },
      timerClear: (idH) => {
        const id = num(idH);
        const t = id === undefined ? undefined : this.timers.get(id);
        if (t) {
          this.scheduler.clearTimeout(t.handle);
          this.timers.delete(id!);
        }
        return undefined;
      },
      fault: (reason, message) => {
        if (alive()) {
          const r = (str(reason) ?? 'fault').slice(0, 64);
          this.pendingStop = crashPayload('render', { name: 'Error', message: (str(message) ?? r).slice(0, 500) }, { reason: r });
        }
        return undefined;
      },
      poll: (size) => {
        if (!alive()) return ctx.true;
        const n = num(size) ?? 0;
        this.bigOpsThisEntry = true;
        if (this.shouldInterrupt()) return ctx.true;
        this.bigBytesSinceHeapCheck += Math.max(0, Math.min(n, this.limits.heapBytes));
        if (this.bigBytesSinceHeapCheck >= this.limits.heapBytes / 8) this.checkHeap();
        return this.pendingStop ? ctx.true : ctx.false;
      },
      report: (where, json) => {
        const w = (str(where) ?? 'callback').slice(0, 64);
        let info: GuestErrorInfo = { where: w, name: '', message: '(undescribed)', stack: '' };
        try {
          const parsed = JSON.parse(str(json) ?? '{}') as Partial<GuestErrorInfo>;
          info = { where: w, name: String(parsed.name ?? ''), message: String(parsed.message ?? ''), stack: String(parsed.stack ?? '') };
        } catch {
          // keep the placeholder
        }
        if (alive()) this.onGuestError(info, 'event');
        return undefined;
      },
    });
  }

  /** A guest call: returns the call id, 0 when the instance is being stopped, or an error payload as JSON. */
  private hostCall(cap: string | undefined, method: string | undefined, params: string | undefined): number | string {
    if (this._state !== 'running' || this.pendingStop) return 0;
    const refuse = (code: 'UNKNOWN_CAPABILITY' | 'INVALID_PARAMS', message: string): string => JSON.stringify({ code, message });
    if (cap === undefined || method === undefined || params === undefined) return refuse('INVALID_PARAMS', 'Malformed call.');
    const desc = this.capabilities.get(cap);
    if (!desc || !METHOD_NAME_PATTERN.test(method) || (desc.methods !== '*' && !desc.methods.includes(method))) {
      return refuse('UNKNOWN_CAPABILITY', `No such capability or method: lily.${cap.slice(0, 64)}.${method.slice(0, 64)}.`);
    }
    if (params.length > this.limits.bridgePayloadBytes || (params.length * 3 > this.limits.bridgePayloadBytes && utf8Length(params) > this.limits.bridgePayloadBytes)) {
      this.pendingStop = limitPayload('bridgePayload', this.limits, { capability: cap, method });
      return 0;
    }
    if (this.inFlight.size >= this.limits.maxInFlightCalls) {
      this.pendingStop = limitPayload('inFlightCalls', this.limits);
      return 0;
    }
    if (params.includes('"__proto__"')) return refuse('INVALID_PARAMS', 'Parameters may not contain a "__proto__" key.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(params) as unknown;
    } catch {
      return refuse('INVALID_PARAMS', 'Parameters are not JSON.');
    }
    const call: BridgeCall = {
      instanceId: this.instanceId,
      appId: this.appId,
      capability: cap,
      method,
      params: parsed,
      callId: ++this.callSeq,
      userGesture: this.userGesture,
    };
    this.inFlight.set(call.callId, { call });
    // The host sees the call only after the current entry has returned: never re-entrant.
    queueMicrotask(() => this.dispatch(call));
    return call.callId;
  }

  private dispatch(call: BridgeCall): void {
    const entry = this.inFlight.get(call.callId);
    if (!entry || this._state !== 'running') return;
    if (this.limits.callTimeoutMs > 0) {
      entry.timer = this.scheduler.setTimeout(
        () => this.answer(call.callId, { error: { code: 'TIMEOUT', message: `The host did not answer within ${this.limits.callTimeoutMs} ms.` } }),
        this.limits.callTimeoutMs,
      );
    }
    let pending: Promise<BridgeAnswer>;
    try {
      pending = Promise.resolve(this.bridge(call));
    } catch {
      pending = Promise.resolve({ error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message } });
    }
    pending.then(
      (answer) => this.answer(call.callId, answer),
      () => this.answer(call.callId, { error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message } }),
    );
  }

  private answer(callId: number, answer: BridgeAnswer): void {
    const entry = this.inFlight.get(callId);
    if (!entry) return;
    this.inFlight.delete(callId);
    if (entry.timer !== undefined) this.scheduler.clearTimeout(entry.timer);
    if (this._state !== 'running') return;
    let ok = true;
    let json: string;
    if (typeof answer === 'object' && answer !== null && answer.error !== undefined) {
      ok = false;
      json = JSON.stringify(sanitizeAnswerError(answer.error));
    } else {
      try {
        json = JSON.stringify(typeof answer === 'object' && answer !== null ? (answer.result ?? null) : null) ?? 'null';
      } catch {
        ok = false;
        json = JSON.stringify({ code: 'INTERNAL', message: ERRORS.INTERNAL.message });
      }
    }
    if (this.busy) {
      // Only a host that answers synchronously from inside a callback gets here; defer.
      queueMicrotask(() => this.answerNow(callId, ok, json));
      return;
    }
    this.answerNow(callId, ok, json);
  }

  private answerNow(callId: number, ok: boolean, json: string): void {
    // Resolving the guest's promise and running what it unblocks is one entry.
    this.run('bridge', () => {
      this.invoke('settle', [callId, ok, json], 'bridge');
      if (!this.pendingStop) this.drain();
    });
    this.afterEntries();
    if (this.inFlight.size === 0) this.wakeIdle();
  }

  private fireTimer(id: number): void {
    const t = this.timers.get(id);
    if (!t || this._state !== 'running') return;
    if (this.busy) {
      t.handle = this.scheduler.setTimeout(() => this.fireTimer(id), 0);
      return;
    }
    if (t.repeat) t.handle = this.scheduler.setTimeout(() => this.fireTimer(id), t.ms);
    else this.timers.delete(id);
    this.run('timer', () => {
      this.invoke('timer', [id], 'timer');
    });
    this.run('drain', () => this.drain());
    this.afterEntries();
  }

  private commit(pageId: number, json: string): void {
    const page = this.stack.find((p) => p.pageId === pageId);
    if (!page) return;
    if (json.length > this.limits.maxViewBytes || utf8Length(json) > this.limits.maxViewBytes) {
      this.pendingStop = limitPayload('viewBytes', this.limits, { route: page.route });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(json) as unknown;
    } catch {
      raw = undefined;
    }
    const out = validateViewTree(raw, {
      assets: this.verified.assets,
      domains: this.manifest.domains,
      maxNodes: this.limits.maxViewNodes,
      maxDepth: this.limits.maxViewDepth,
    });
    if ('kind' in out) {
      if (out.kind === 'limit') {
        this.pendingStop = limitPayload(out.limit, this.limits, { route: page.route });
      } else {
        this.pendingStop = {
          code: 'VIEW_INVALID',
          message: `The mini-app rendered a view the host cannot show (${page.route} ${out.path}): ${out.message}`,
          details: { reason: out.reason, path: out.path, route: page.route },
        };
      }
      return;
    }
    page.tree = out.tree;
    page.handlers = out.handlers;
    this.emit(() => this.events.onRender?.({ instanceId: this.instanceId, pageId, route: page.route, tree: out.tree, nodes: out.nodes }));
  }

  // ---------------------------------------------------------------------------------------------
  // Stopping and disposal

  private stop(reason: ErrorPayload): void {
    if (this._state !== 'running') return;
    this._state = 'stopped';
    this._stopReason = reason;
    this.teardown();
    this.log('error', 'runtime', `Stopped: ${reason.message}`);
    this.emit(() => this.events.onStop?.(reason));
    this.wakeIdle();
  }

  /** Frees everything. Never called while guest code runs. */
  private teardown(): void {
    liveByModule.get(this.module)?.delete(this);
    for (const t of this.timers.values()) this.scheduler.clearTimeout(t.handle);
    this.timers.clear();
    for (const entry of this.inFlight.values()) if (entry.timer !== undefined) this.scheduler.clearTimeout(entry.timer);
    this.inFlight.clear();
    for (const handle of this.entries.values()) if (handle.alive) handle.dispose();
    this.entries.clear();
    try {
      this.ctx?.dispose();
      this.rt?.dispose();
    } finally {
      this.ctx = undefined;
      this.rt = undefined;
    }
  }

  /**
   * A host error escaped QuickJS (the host's native stack overflowed inside the engine, or the
   * engine aborted). The runtime's memory is in an unknown state: it is abandoned, not disposed,
   * and the module is marked so hosts create new instances on a fresh one.
   */
  private engineFault(err: unknown): void {
    modulesWithFaults.add(this.module);
    liveByModule.get(this.module)?.delete(this);
    this.entries.clear();
    this.ctx = undefined;
    this.rt = undefined;
    const reason: ErrorPayload = {
      code: 'SANDBOX_CRASHED',
      message: 'The mini-app stopped because the sandbox engine failed.',
      details: { reason: 'engine', error: err instanceof Error ? err.name : typeof err },
    };
    this.pendingStop = undefined;
    if (this._state === 'running') {
      this._state = 'stopped';
      this._stopReason = reason;
      for (const t of this.timers.values()) this.scheduler.clearTimeout(t.handle);
      this.timers.clear();
      this.inFlight.clear();
      this.log('error', 'runtime', `Stopped: ${reason.message}`);
      this.emit(() => this.events.onStop?.(reason));
      this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private log(level: LogEntry['level'], source: LogEntry['source'], message: string): void {
    this.emit(() => this.events.onLog?.({ instanceId: this.instanceId, level, source, message, time: Date.now() }));
  }

  private emitPages(): void {
    this.emit(() => this.events.onPages?.(this.pages));
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch {
      // A host callback's failure is the host's problem; the instance goes on.
    }
  }
}
