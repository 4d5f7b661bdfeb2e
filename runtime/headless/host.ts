/**
 * The headless host: runs mini-app packages in the runtime with an in-memory view, host sheets
 * answered programmatically and a pluggable bridge for the capabilities it does not answer
 * itself. Used by tests, the simulator CLI and automated review. Platform-neutral.
 */
import type { BridgeAnswer, BridgeCall, CapabilityDescriptor } from '../../protocol/bridge.ts';
import { ERRORS, LilyError, type ErrorPayload, type Response } from '../../protocol/errors.ts';
import { loadEngine, loadFreshEngine, type SandboxModule } from '../engine.ts';
import { isEngineFaulted, MiniAppInstance, type EventOutcome, type LaunchOptions, type LogEntry, type PageInfo } from '../instance.ts';
import type { SandboxLimits } from '../limits.ts';
import type { Manifest } from '../package/manifest.ts';
import { isVerifiedPackage, verifyPackage } from '../package/sign.ts';
import type { Scheduler } from '../scheduler.ts';
import type { EventType } from '../view/components.ts';
import { datasetOf, findHandlerNode, type ViewNode } from '../view/tree.ts';
import { renderTreeText, treeText } from '../view/text.ts';
import type { AppSummary, OpenAppRecord, OpenAppServices } from './base/openApp.ts';
import { answerHostCall, HEADLESS_SYSTEM_INFO, HOST_CAPABILITIES, type HostUiState, type SystemInfo, type ToastRecord } from './capabilities.ts';
import { HeadlessDevice, newAppDeviceState, type AppDeviceState, type HeadlessDeviceOptions, type NetworkState, type NetworkType } from './device.ts';
import { HostSheets } from './sheets.ts';

/** What a pluggable bridge gets besides the call: the app that made it and the host's sheets. */
export interface HeadlessBridgeContext {
  app: HeadlessApp;
  sheets: HostSheets;
}

/** The bridge for capabilities the headless host does not answer itself (server-side ones). */
export type HeadlessBridge = (call: BridgeCall, context: HeadlessBridgeContext) => Promise<BridgeAnswer>;

/**
 * Runs before the host answers a call itself or forwards it: an answer stops the call there (a
 * gate said no), `undefined` lets it go on. This is where a connected host applies the grant,
 * consent and flow-control gates (`runtime/headless/gates.ts`).
 */
export type HeadlessGate = (call: BridgeCall, context: HeadlessBridgeContext) => Promise<BridgeAnswer | undefined>;

/** Options of {@link HeadlessHost.create}. */
export interface HeadlessHostOptions {
  /** The bank's SM2 public key(s); packages must be signed by one of them. */
  bankPublicKey: string | readonly string[];
  /** Answers everything that is not a host capability. Default: `UNAVAILABLE` (standalone mode). */
  bridge?: HeadlessBridge;
  /**
   * Method lists for capabilities the host does not implement, by capability id (for example
   * from the capability catalog). A declared capability missing here forwards any method ('*').
   */
  capabilityMethods?: Readonly<Record<string, readonly string[] | '*'>>;
  /** Overrides which capabilities a manifest gets (default: the declared ones). */
  capabilities?: (manifest: Manifest) => CapabilityDescriptor[];
  /** Limits for every app this host opens. */
  limits?: Partial<SandboxLimits>;
  /** The QuickJS module (default: the shared release module). Tests pass a leak-checking one. */
  engine?: SandboxModule;
  scheduler?: Scheduler;
  system?: Partial<SystemInfo>;
  /** Checks every call before it is answered or forwarded (host-side gates). Default: none. */
  gate?: HeadlessGate;
  /** Whether the app that made `call` may use a capability now; `canIUse` answers `notGranted` when not. Default: all. */
  isGranted?: (call: BridgeCall, capability: string) => boolean;
  /** The device: location, connection, clipboard, phone. */
  device?: HeadlessDeviceOptions;
  /**
   * The mini-apps each app may open with `base.openApp`, by app id. The manifest has no field
   * for the allowlist, so the host holds it (in production, as approved at review).
   */
  openAppTargets?: Readonly<Record<string, readonly string[]>>;
  /** Name and icon of another mini-app for the open-app sheet. Default: its id and no icon. */
  resolveApp?: (appId: string) => Promise<Response<AppSummary>>;
  /** Performs a confirmed `navigateToMiniApp` (an error refuses it). Default: recorded only. */
  onOpenApp?: (record: OpenAppRecord, call: BridgeCall) => Promise<ErrorPayload | undefined>;
  /** Performs a `navigateBackMiniApp` (an error refuses it). Default: recorded only. */
  onBackMiniApp?: (record: OpenAppRecord, call: BridgeCall) => Promise<ErrorPayload | undefined>;
}

/** Options of {@link HeadlessHost.open}. */
export interface OpenOptions extends LaunchOptions {
  limits?: Partial<SandboxLimits>;
  scheduler?: Scheduler;
  instanceId?: string;
  /** The mini-app that opened this one with `base.openApp` (scene `openApp`). */
  referrer?: { appId: string };
}

/** The answer a standalone host gives for server-side capabilities. */
export const STANDALONE_ANSWER: BridgeAnswer = {
  error: {
    code: 'UNAVAILABLE',
    message: 'Server-side capabilities are not available in standalone mode; connect the simulator to a Lily server.',
  },
};

/**
 * A headless host.
 *
 * @example
 * ```ts
 * const host = await HeadlessHost.create({ bankPublicKey });
 * const app = await host.open(signedPackage);
 * await app.tap('increment');
 * expect(app.text()).toContain('Count: 1');
 * app.close();
 * ```
 */
export class HeadlessHost {
  /** Sheets shown by every app of this host. */
  readonly sheets = new HostSheets();
  /** Apps opened and not yet closed. */
  readonly apps = new Set<HeadlessApp>();
  /** The device every app of this host runs on. */
  readonly device: HeadlessDevice;
  /** How `base.openApp` finds and opens other mini-apps; `openApp.log` records every move. */
  readonly openApp: OpenAppServices;
  private engine: SandboxModule;

  private constructor(
    engine: SandboxModule,
    private readonly options: HeadlessHostOptions,
  ) {
    this.engine = engine;
    this.device = new HeadlessDevice(options.device);
    this.openApp = {
      targets: (appId) => options.openAppTargets?.[appId] ?? [],
      resolve: options.resolveApp ?? (async (appId) => ({ result: { name: appId, icon: '' } })),
      ...(options.onOpenApp ? { open: options.onOpenApp } : {}),
      ...(options.onBackMiniApp ? { back: options.onBackMiniApp } : {}),
      log: [],
    };
  }

  /** Creates a host; loads the shared QuickJS module unless one is given. */
  static async create(options: HeadlessHostOptions): Promise<HeadlessHost> {
    return new HeadlessHost(options.engine ?? (await loadEngine()), options);
  }

  /** The capabilities a manifest gets on this host. */
  capabilitiesFor(manifest: Manifest): CapabilityDescriptor[] {
    if (this.options.capabilities) return this.options.capabilities(manifest);
    const hosted = new Map(HOST_CAPABILITIES.map((c) => [c.id, c]));
    return manifest.capabilities.map(({ id }) => hosted.get(id) ?? { id, methods: this.options.capabilityMethods?.[id] ?? '*' });
  }

  /**
   * Verifies and opens a package; resolves once the first page has rendered. Rejects with the
   * runtime's error (`PACKAGE_TAMPERED`, `SANDBOX_LIMIT`, `SANDBOX_CRASHED`, …) when it cannot.
   */
  async open(pkg: unknown, options: OpenOptions = {}): Promise<HeadlessApp> {
    if (isEngineFaulted(this.engine) && !this.options.engine) this.engine = await loadFreshEngine();
    const app = new HeadlessApp(this, this.options, pkg, options, this.engine);
    this.apps.add(app);
    return app;
  }

  /**
   * Changes the device's connection. Every open app that called `onNetworkStatusChange` gets the
   * change delivered to its listeners (and recorded in `app.device.networkEvents`). Returns the
   * new state.
   */
  setNetwork(networkType: NetworkType): NetworkState {
    const state: NetworkState = { isConnected: networkType !== 'none', networkType };
    this.device.network = state;
    for (const app of this.apps) {
      if (!app.device.listensToNetwork) continue;
      app.device.networkEvents.push({ ...state });
      app.instance.deliverHostEvent('base.network', 'onNetworkStatusChange', state);
    }
    return state;
  }

  /** Closes every open app. */
  closeAll(): void {
    for (const app of [...this.apps]) app.close();
  }

  /** @internal */
  forget(app: HeadlessApp): void {
    this.apps.delete(app);
  }
}

/** One open mini-app in a headless host, with its rendered view and host chrome. */
export class HeadlessApp {
  readonly instance: MiniAppInstance;
  /** Console lines, guest errors and runtime notes, oldest first. */
  readonly logs: LogEntry[] = [];
  /** Calls the app made, oldest first (with their answers once known). */
  readonly calls: { call: BridgeCall; answer?: BridgeAnswer }[] = [];
  /** Toasts, loading indicator and titles. */
  readonly ui: HostUiState = { toasts: [], loading: undefined, titles: new Map() };
  /** What the device holds for this app: temporary files, network listener, previews, referrer. */
  readonly device: AppDeviceState;
  /** Number of trees rendered. */
  renders = 0;
  private readonly host: HeadlessHost;
  private stopped: ErrorPayload | undefined;

  /** @internal use {@link HeadlessHost.open} */
  constructor(host: HeadlessHost, hostOptions: HeadlessHostOptions, pkg: unknown, options: OpenOptions, engine: SandboxModule) {
    this.host = host;
    this.device = newAppDeviceState(options.referrer ? { appId: options.referrer.appId } : null);
    const system: SystemInfo = { ...HEADLESS_SYSTEM_INFO, ...hostOptions.system };
    const limits = { ...hostOptions.limits, ...options.limits };
    let visible = new Map<string, CapabilityDescriptor>();
    const launch = {
      path: options.path ?? '',
      query: options.query ?? {},
      scene: options.scene ?? (options.referrer ? 'openApp' : 'developer'),
      referrerAppId: options.referrer?.appId ?? null,
    };
    const server = hostOptions.bridge;
    const { gate, isGranted } = hostOptions;
    const bridge = async (call: BridgeCall): Promise<BridgeAnswer> => {
      const record: { call: BridgeCall; answer?: BridgeAnswer } = { call };
      this.calls.push(record);
      let answer: BridgeAnswer;
      try {
        const context: HeadlessBridgeContext = { app: this, sheets: host.sheets };
        const denied = gate ? await gate(call, context) : undefined;
        if (denied) {
          answer = denied;
        } else {
          const local = answerHostCall(call, {
            instance: this.instance,
            sheets: host.sheets,
            ui: this.ui,
            system,
            launch,
            visible,
            device: host.device,
            appState: this.device,
            openApp: host.openApp,
            ...(isGranted ? { isGranted: (capability: string) => isGranted(call, capability) } : {}),
          });
          answer = await (local ?? (server ? server(call, context) : Promise.resolve(STANDALONE_ANSWER)));
        }
      } catch {
        answer = { error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message } };
      }
      record.answer = answer;
      return answer;
    };
    try {
      // Verify first: the capability list is computed from the verified manifest.
      const verified = isVerifiedPackage(pkg) ? pkg : verifyPackage(pkg, hostOptions.bankPublicKey);
      const capabilities = host.capabilitiesFor(verified.manifest);
      visible = new Map(capabilities.map((c) => [c.id, c]));
      this.instance = MiniAppInstance.start(engine, {
        package: verified,
        bankPublicKey: hostOptions.bankPublicKey,
        capabilities,
        bridge,
        limits,
        launch: { ...(options.path !== undefined ? { path: options.path } : {}), query: launch.query, scene: launch.scene },
        ...(options.scheduler || hostOptions.scheduler ? { scheduler: options.scheduler ?? hostOptions.scheduler } : {}),
        ...(options.instanceId ? { instanceId: options.instanceId } : {}),
        events: {
          onLog: (entry) => this.logs.push(entry),
          onRender: () => {
            this.renders++;
          },
          onStop: (reason) => {
            this.stopped = reason;
            host.forget(this);
          },
        },
      });
    } catch (err) {
      host.forget(this);
      throw err;
    }
    // What the app was opened with, as it reports it: the launch page and its whole query.
    const first = this.instance.pages[0];
    if (first) {
      launch.path = first.route;
      launch.query = { ...first.query };
    }
  }

  /** The app id from the verified manifest. */
  get appId(): string {
    return this.instance.appId;
  }

  /** `running`, `stopped` or `closed`. */
  get state(): MiniAppInstance['state'] {
    return this.instance.state;
  }

  /** Why the app was stopped, if it was. */
  get stopReason(): ErrorPayload | undefined {
    return this.stopped ?? this.instance.stopReason;
  }

  /** The page stack, bottom first. */
  get pages(): readonly PageInfo[] {
    return this.instance.pages;
  }

  /** Route of the top page. */
  get route(): string | undefined {
    return this.instance.pages.at(-1)?.route;
  }

  /** The top page's tree. */
  get tree(): ViewNode | undefined {
    return this.instance.tree();
  }

  /** Guest errors that did not stop the app. */
  get errors(): LogEntry[] {
    return this.logs.filter((l) => l.source === 'guest');
  }

  /** Toasts shown, oldest first. */
  get toasts(): readonly ToastRecord[] {
    return this.ui.toasts;
  }

  /** The top page's tree as indented text (see `renderTreeText`). */
  render(): string {
    const tree = this.tree;
    return tree ? renderTreeText(tree) : '';
  }

  /** All text on the top page, space-separated. */
  text(): string {
    const tree = this.tree;
    return tree ? treeText(tree) : '';
  }

  /**
   * Fires `type` on the first node of the top page bound to `handler`, then waits until every
   * bridge call it caused is answered.
   */
  async trigger(handler: string, type: EventType, detail?: unknown): Promise<EventOutcome> {
    const tree = this.tree;
    const found = tree ? findHandlerNode(tree, handler, type) : undefined;
    if (!found) {
      return { status: 'refused', error: { code: 'INVALID_PARAMS', message: `Nothing on ${this.route ?? 'the page'} binds "${handler}" to ${type}.` } };
    }
    const id = found.node.props.id;
    const outcome = this.instance.dispatchEvent({
      handler,
      type,
      target: { ...(typeof id === 'string' ? { id } : {}), dataset: datasetOf(found.node) },
      ...(detail !== undefined ? { detail } : {}),
    });
    await this.idle();
    return outcome;
  }

  /** Taps the first node bound to `handler` (`bindtap="handler"`) and waits for the calls it caused. */
  tap(handler: string): Promise<EventOutcome> {
    return this.trigger(handler, 'tap');
  }

  /** Types `value` into the input bound to `handler` (`bindinput`). */
  input(handler: string, value: string): Promise<EventOutcome> {
    return this.trigger(handler, 'input', { value });
  }

  /** Goes back `delta` pages, as the host's back button does. */
  async back(delta = 1): Promise<Response<{ stackDepth: number }>> {
    const result = this.instance.navigate({ method: 'navigateBack', delta });
    await this.idle();
    return result;
  }

  /** Waits until no bridge call of this app is waiting (and the work they caused has run). */
  async idle(timeoutMs = 10_000): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await new Promise<void>((r) => setTimeout(r, 0));
      if (this.instance.inFlightCalls === 0 || this.instance.state !== 'running') return;
      await this.instance.whenIdle(timeoutMs);
    }
  }

  /** Closes the app and frees its runtime; its temporary files are forgotten. */
  close(): void {
    this.instance.close();
    this.device.tempFiles.clear();
    this.device.listensToNetwork = false;
    this.host.forget(this);
  }

  /** Throws the stop reason as a LilyError when the app was stopped (handy in tests). */
  assertRunning(): void {
    const reason = this.stopReason;
    if (reason) throw new LilyError(reason.code, reason.message, reason.details);
  }

}
