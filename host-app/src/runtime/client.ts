/**
 * The page side of the runtime worker: starts the worker, sends typed messages, routes the
 * worker's messages to the instance they are about, and recovers when the worker dies or hangs
 * (a guest stuck in one long native call): the worker is terminated, its instances are reported
 * stopped, and the next open starts a fresh one.
 */
import type { BridgeAnswer, BridgeCall } from '../../../protocol/bridge.ts';
import type { ErrorPayload } from '../../../protocol/errors.ts';
import type { EventOutcome, HostEvent, LogEntry, NavigateRequest, PageInfo } from '../../../runtime/instance.ts';
import type { ViewNode } from '../../../runtime/view/tree.ts';
import type { AssetBytes, OpenMessage, PageToWorker, WorkerToPage } from './protocol.ts';

/** The part of `Worker` the client uses (tests pass a fake). */
export interface WorkerLike {
  postMessage(message: PageToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerToPage>) => void): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

/** What an open instance is told. */
export interface InstanceHandlers {
  render(update: { pageId: number; route: string; tree: ViewNode }): void;
  pages(pages: PageInfo[]): void;
  log(entry: LogEntry): void;
  stopped(reason: ErrorPayload): void;
  call(call: BridgeCall): void;
}

/** An opened instance. */
export interface Opened {
  appId: string;
  pages: PageInfo[];
  assets: AssetBytes[];
  cached: boolean;
  ms: number;
}

/** Why an open failed; `needsPackage` asks the caller to send the package text. */
export type OpenFailure = ErrorPayload & { needsPackage?: boolean };

/** Timeouts after which the worker is considered hung. */
export interface WatchdogOptions {
  openMs: number;
  eventMs: number;
}

const DEFAULT_WATCHDOG: WatchdogOptions = { openMs: 20_000, eventMs: 5_000 };

const HUNG: ErrorPayload = { code: 'SANDBOX_LIMIT', message: 'The mini-app stopped responding and was stopped.', details: { limit: 'cpu' } };
const CRASHED: ErrorPayload = { code: 'SANDBOX_CRASHED', message: 'The mini-app runtime stopped unexpectedly.' };

/** Creates the real worker (Vite bundles `worker.ts` and its WebAssembly). */
export function createRuntimeWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'lily-runtime' }) as unknown as WorkerLike;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The runtime worker, from the page.
 *
 * @example
 * ```ts
 * const runtime = new RuntimeWorker(createRuntimeWorker);
 * const opened = await runtime.open({ instanceId, digest, packageText, release, bankPublicKey, capabilities, launch }, handlers);
 * await runtime.event(instanceId, { handler: 'increment', type: 'tap' });
 * ```
 */
export class RuntimeWorker {
  private worker: WorkerLike | undefined;
  private readonly handlers = new Map<string, InstanceHandlers>();
  private readonly opening = new Map<string, Waiter<Opened>>();
  private readonly events = new Map<number, Waiter<EventOutcome>>();
  private readonly backs = new Map<number, Waiter<{ ok: boolean; error?: ErrorPayload }>>();
  /** Package digests the current worker holds. */
  private readonly sent = new Set<string>();
  private seq = 0;

  constructor(
    private readonly factory: () => WorkerLike = createRuntimeWorker,
    private readonly watchdog: WatchdogOptions = DEFAULT_WATCHDOG,
  ) {}

  /** True when the worker already holds the package `digest` (the text need not be sent). */
  holds(digest: string): boolean {
    return this.worker !== undefined && this.sent.has(digest);
  }

  private ensure(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.factory();
    worker.addEventListener('message', (e: MessageEvent<WorkerToPage>) => this.receive(worker, e.data));
    worker.addEventListener('error', () => {
      if (this.worker === worker) this.restart(CRASHED);
    });
    this.worker = worker;
    return worker;
  }

  /** Terminates the worker and stops everything it ran with `reason`. */
  private restart(reason: ErrorPayload): void {
    const worker = this.worker;
    this.worker = undefined;
    this.sent.clear();
    worker?.terminate();
    for (const [id, w] of this.opening) {
      clearTimeout(w.timer);
      w.reject({ ...reason });
      this.opening.delete(id);
    }
    for (const [seq, w] of this.events) {
      clearTimeout(w.timer);
      w.resolve({ status: 'stopped', error: reason });
      this.events.delete(seq);
    }
    for (const [seq, w] of this.backs) {
      clearTimeout(w.timer);
      w.resolve({ ok: false, error: reason });
      this.backs.delete(seq);
    }
    const handlers = [...this.handlers.values()];
    this.handlers.clear();
    for (const h of handlers) h.stopped(reason);
  }

  private receive(worker: WorkerLike, msg: WorkerToPage): void {
    if (worker !== this.worker) return;
    switch (msg.type) {
      case 'opened': {
        const w = this.opening.get(msg.instanceId);
        if (!w) return;
        this.opening.delete(msg.instanceId);
        clearTimeout(w.timer);
        w.resolve({ appId: msg.appId, pages: msg.pages, assets: msg.assets, cached: msg.cached, ms: msg.ms });
        return;
      }
      case 'open-failed': {
        const w = this.opening.get(msg.instanceId);
        this.handlers.delete(msg.instanceId);
        if (!w) return;
        this.opening.delete(msg.instanceId);
        clearTimeout(w.timer);
        w.reject({ ...msg.error, ...(msg.needsPackage ? { needsPackage: true } : {}) } satisfies OpenFailure);
        return;
      }
      case 'render':
        this.handlers.get(msg.instanceId)?.render({ pageId: msg.pageId, route: msg.route, tree: msg.tree });
        return;
      case 'pages':
        this.handlers.get(msg.instanceId)?.pages(msg.pages);
        return;
      case 'log':
        this.handlers.get(msg.instanceId)?.log(msg.entry);
        return;
      case 'call':
        this.handlers.get(msg.instanceId)?.call(msg.call);
        return;
      case 'stopped': {
        const h = this.handlers.get(msg.instanceId);
        this.handlers.delete(msg.instanceId);
        h?.stopped(msg.reason);
        return;
      }
      case 'event-done': {
        const w = this.events.get(msg.seq);
        if (!w) return;
        this.events.delete(msg.seq);
        clearTimeout(w.timer);
        w.resolve(msg.outcome);
        return;
      }
      case 'back-done': {
        const w = this.backs.get(msg.seq);
        if (!w) return;
        this.backs.delete(msg.seq);
        clearTimeout(w.timer);
        w.resolve({ ok: msg.ok, ...(msg.error ? { error: msg.error } : {}) });
        return;
      }
      case 'pong':
        return;
    }
  }

  private post(message: PageToWorker): void {
    this.ensure().postMessage(message);
  }

  /** Opens an instance; rejects with an {@link OpenFailure}. */
  open(message: Omit<OpenMessage, 'type'>, handlers: InstanceHandlers): Promise<Opened> {
    const worker = this.ensure();
    this.handlers.set(message.instanceId, handlers);
    return new Promise<Opened>((resolve, reject) => {
      const timer = setTimeout(() => this.restart(HUNG), this.watchdog.openMs);
      this.opening.set(message.instanceId, {
        resolve: (v) => {
          this.sent.add(message.digest);
          resolve(v);
        },
        reject: (e) => {
          if ((e as OpenFailure).needsPackage) this.sent.delete(message.digest);
          reject(e);
        },
        timer,
      });
      worker.postMessage({ type: 'open', ...message });
    });
  }

  /** Delivers a renderer event; resolves with what happened to it. */
  event(instanceId: string, event: HostEvent): Promise<EventOutcome> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.restart(HUNG), this.watchdog.eventMs);
      this.events.set(seq, { resolve, reject, timer });
      this.post({ type: 'event', instanceId, seq, event });
    });
  }

  /** The host's back button: pops a page; `ok: false` with INVALID_STATE on the first page. */
  back(instanceId: string): Promise<{ ok: boolean; error?: ErrorPayload }> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.restart(HUNG), this.watchdog.eventMs);
      this.backs.set(seq, { resolve, reject, timer });
      this.post({ type: 'back', instanceId, seq });
    });
  }

  /** Answers a guest call. */
  answer(instanceId: string, callId: number, answer: BridgeAnswer): void {
    if (this.worker) this.worker.postMessage({ type: 'answer', instanceId, callId, answer });
  }

  /** Answers a `base.navigate` call by moving the page stack in the worker. */
  navigate(instanceId: string, callId: number, request: NavigateRequest): void {
    if (this.worker) this.worker.postMessage({ type: 'navigate-answer', instanceId, callId, request });
  }

  /** Delivers a host-started event (e.g. a network change) to the guest's listeners. */
  hostEvent(instanceId: string, capability: string, method: string, payload: unknown): void {
    if (this.worker) this.worker.postMessage({ type: 'host-event', instanceId, capability, method, payload });
  }

  show(instanceId: string): void {
    if (this.worker) this.worker.postMessage({ type: 'show', instanceId });
  }

  hide(instanceId: string): void {
    if (this.worker) this.worker.postMessage({ type: 'hide', instanceId });
  }

  /** Closes an instance (its runtime and every handle are freed in the worker). */
  close(instanceId: string): void {
    this.handlers.delete(instanceId);
    if (this.worker) this.worker.postMessage({ type: 'close', instanceId });
  }

  /** Number of instances the page believes are open. */
  get openInstances(): number {
    return this.handlers.size;
  }

  /** Ends the worker (page unload, logout). */
  terminate(): void {
    this.restart({ code: 'INSTANCE_CLOSED', message: 'The mini-app was closed.' });
  }
}
