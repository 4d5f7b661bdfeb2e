/**
 * One open mini-app, from the host's side: launch, verification and start in the runtime worker,
 * the host gate over the live grant snapshot, host capabilities, server calls through the bridge
 * with the sheets the host must show (consent, cashier, confirm), and the server's pushes (a
 * revoked grant or a suspended app takes effect at once).
 *
 * Framework-neutral: the Pinia store `stores/miniapp.ts` supplies the UI through {@link SessionUi}.
 */
import type { BridgeAnswer, BridgeCall, CapabilityDescriptor } from '../../../protocol/bridge.ts';
import { ERRORS, type ErrorCode, type ErrorPayload } from '../../../protocol/errors.ts';
import type { AppStatusEvent, BridgeCallRequest, HostInput } from '../../../protocol/socket.ts';
import type { EventOutcome, HostEvent, LogEntry, PageInfo } from '../../../runtime/instance.ts';
import type { ViewNode } from '../../../runtime/view/tree.ts';
import type { BridgeClient, LaunchInfo } from '../api/bridge.ts';
import type { Catalog, CatalogCapability, CatalogMethod } from '../api/catalog.ts';
import { errorCodeOf } from '../api/http.ts';
import type { shellApi } from '../api/shell.ts';
import type { RuntimeWorker, OpenFailure } from './client.ts';
import { answerHostCall, BROWSER_HOST_CAPABILITIES, type HostContext, type SystemInfo, type Toast } from './host-capabilities.ts';
import { PIN_CONFIRM_KINDS, type SheetAnswers, type SheetFact, type SheetKind, type SheetRequests } from './sheets.ts';

/** Something the host itself tells the user (never drawn by the mini-app). */
export type HostNotice =
  | { kind: 'error'; code: ErrorCode; capability: string }
  | { kind: 'paid'; amount: number; discount: number }
  | { kind: 'suspended'; status: AppStatusEvent['status']; reason: string | null };

/** What the session asks of the UI. */
export interface SessionUi {
  sheet<K extends SheetKind>(kind: K, request: SheetRequests[K]): Promise<SheetAnswers[K]>;
  toast(toast: Toast): void;
  loading(title: string | undefined): void;
  title(title: string | undefined): void;
  render(update: { pageId: number; route: string; tree: ViewNode }): void;
  pages(pages: PageInfo[]): void;
  stopped(reason: ErrorPayload): void;
  notice(notice: HostNotice): void;
  log?(entry: LogEntry): void;
}

/** What a session needs. */
export interface SessionDeps {
  bridge: Pick<BridgeClient, 'launch' | 'packageText' | 'call' | 'refresh' | 'report' | 'detach' | 'on'>;
  runtime: Pick<RuntimeWorker, 'open' | 'event' | 'back' | 'answer' | 'navigate' | 'close' | 'holds' | 'hostEvent'>;
  catalog: Catalog;
  api: Pick<typeof shellApi, 'consentSheet' | 'decideConsent' | 'cashier' | 'confirmFacts' | 'addresses' | 'invoiceTitles'>;
  ui: SessionUi;
  system(): SystemInfo;
  clipboard?: HostContext['clipboard'];
  geolocation?: HostContext['geolocation'];
  online?: HostContext['online'];
  /**
   * Subscribes to the device's connection changes (for `base.network.onNetworkStatusChange`);
   * returns the unsubscribe function.
   */
  networkChanges?: (listener: (state: { isConnected: boolean; networkType: 'unknown' | 'none' }) => void) => () => void;
  /** The share sheet's title and channel names in the user's language. */
  shareLabels?: () => { title: string; contacts: string; moments: string; link: string };
  /** The titles of the address and invoice-title pickers in the user's language. */
  pickerLabels?: () => { address: string; invoiceTitle: string };
}

/** The channels of the host's share sheet, in the order it lists them. */
const SHARE_CHANNELS = ['contacts', 'moments', 'link'] as const;

/** How the mini-app is opened. */
export interface OpenRequest {
  appId: string;
  env?: 'sandbox' | 'production';
  path?: string;
  query?: Record<string, string>;
  scene?: string;
}

/** Codes after which the host shows its own notice (the mini-app may not say why). */
const NOTICE_CODES: ReadonlySet<ErrorCode> = new Set(['PERMISSION_DENIED', 'APP_SUSPENDED', 'APP_NOT_LIVE', 'QUOTA_EXCEEDED', 'RATE_LIMITED', 'CIRCUIT_OPEN', 'LAUNCH_TOKEN_INVALID', 'PIN_LOCKED']);
/** Params, in fen, that confirm sheets show as money. */
const MONEY_PARAMS: ReadonlySet<string> = new Set(['amount', 'perChargeLimit', 'dailyLimit']);
/**
 * Server methods whose definitions declare no confirm sheet but that act only on the user's
 * answer in a host sheet (`host.confirmed`): the sheet the host shows for each.
 */
const HOST_CONFIRMED: Readonly<Record<string, { kind: string; shows: string[] }>> = {
  // Accepting message templates: the titles come from the server, the ids from the mini-app.
  'marketing.subscribe.requestSubscribe': { kind: 'subscribe', shows: [] },
};
/** Attempts at a PIN sheet before the host stops asking (the server locks after five). */
const MAX_PIN_ATTEMPTS = 5;

const fail = (code: ErrorCode, message?: string): BridgeAnswer => ({ error: { code, message: message ?? ERRORS[code].message } });

/**
 * An open mini-app.
 *
 * @example
 * ```ts
 * const session = await MiniAppSession.open(deps, { appId: 'com.lily.hello', scene: 'marketplace' });
 * await session.dispatch({ handler: 'increment', type: 'tap' });
 * session.close();
 * ```
 */
export class MiniAppSession {
  state: 'starting' | 'running' | 'stopped' | 'closed' = 'starting';
  readonly granted: Set<string>;
  /** Set when ops suspended or delisted the app while it was open. */
  appStatus: AppStatusEvent | null = null;
  pages: PageInfo[] = [];
  /** How long the open took in the worker, and whether the verified package was cached. */
  openStats: { ms: number; cached: boolean } | null = null;
  /** Package assets as object URLs, for the renderer's images. */
  readonly assets = new Map<string, string>();

  private readonly capabilities: Map<string, CatalogCapability>;
  private readonly visible = new Map<string, CapabilityDescriptor>();
  private readonly consents = new Map<string, string>();
  /** Scopes refused in this session: not asked again until reopened or changed in settings. */
  private readonly refused = new Set<string>();
  private readonly titles = new Map<number, string>();
  /** The last tree of every page on the stack: going back shows the page below as it was. */
  private readonly trees = new Map<number, { pageId: number; route: string; tree: ViewNode }>();
  private readonly offs: (() => void)[] = [];
  private networkOff: (() => void) | undefined;

  private constructor(
    private readonly deps: SessionDeps,
    readonly info: LaunchInfo,
    private readonly launch: { path: string; query: Record<string, string>; scene: string },
  ) {
    this.granted = new Set(Object.keys(info.grants));
    this.capabilities = new Map(deps.catalog.capabilities.map((c) => [c.id, c]));
    for (const [scope, c] of Object.entries(info.consents)) this.consents.set(scope, c.status);
  }

  /** Launches, verifies and starts a mini-app; rejects with `{code, message}`. */
  static async open(deps: SessionDeps, request: OpenRequest): Promise<MiniAppSession> {
    const info = await deps.bridge.launch(request.appId, request.env ?? 'production');
    const session = new MiniAppSession(deps, info, { path: request.path ?? '', query: request.query ?? {}, scene: request.scene ?? 'marketplace' });
    try {
      await session.start();
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  /** The app's name (from the server). */
  get appName(): string {
    return this.info.app.name;
  }

  /** The capability definition of `id` from the catalog. */
  capability(id: string): CatalogCapability | undefined {
    return this.capabilities.get(id);
  }

  /** Capabilities the guest sees: declared ∩ granted now ∩ supported by this host. */
  private computeVisible(): CapabilityDescriptor[] {
    const hosted = new Map(BROWSER_HOST_CAPABILITIES.map((c) => [c.id, c]));
    const out: CapabilityDescriptor[] = [];
    for (const { id } of this.info.manifest.capabilities) {
      if (!this.granted.has(id)) continue;
      const def = this.capabilities.get(id);
      const host = hosted.get(id);
      if (host) out.push({ id, methods: [...(host.methods as readonly string[])] });
      else if (def?.side === 'server') out.push({ id, methods: def.methods.map((m) => m.name) });
    }
    return out;
  }

  private async start(): Promise<void> {
    const { info, deps } = this;
    const capabilities = this.computeVisible();
    for (const c of capabilities) this.visible.set(c.id, c);
    this.subscribe();
    const message = {
      instanceId: info.instanceId,
      digest: info.package.digest,
      release: info.release,
      bankPublicKey: info.bank.publicKey,
      capabilities,
      launch: { ...(this.launch.path ? { path: this.launch.path } : {}), query: this.launch.query, scene: this.launch.scene },
    };
    const handlers = {
      render: (u: { pageId: number; route: string; tree: ViewNode }) => {
        this.trees.set(u.pageId, u);
        const top = this.pages.at(-1);
        if (!top || top.pageId === u.pageId) deps.ui.render(u);
      },
      pages: (pages: PageInfo[]) => {
        this.pages = pages;
        const live = new Set(pages.map((p) => p.pageId));
        for (const id of [...this.trees.keys()]) if (!live.has(id)) this.trees.delete(id);
        for (const id of [...this.titles.keys()]) if (!live.has(id)) this.titles.delete(id);
        const top = pages.at(-1);
        deps.ui.pages(pages);
        deps.ui.title(top ? this.titles.get(top.pageId) : undefined);
        const shown = top ? this.trees.get(top.pageId) : undefined;
        if (shown) deps.ui.render(shown);
      },
      log: (entry: LogEntry) => deps.ui.log?.(entry),
      stopped: (reason: ErrorPayload) => this.onStopped(reason),
      call: (call: BridgeCall) => void this.onCall(call),
    };
    let opened;
    try {
      opened = await deps.runtime.open(deps.runtime.holds(info.package.digest) ? message : { ...message, packageText: await deps.bridge.packageText(info) }, handlers);
    } catch (err) {
      if (!(err as OpenFailure).needsPackage) throw err;
      opened = await deps.runtime.open({ ...message, packageText: await deps.bridge.packageText(info) }, handlers);
    }
    for (const a of opened.assets) this.assets.set(a.path, URL.createObjectURL(new Blob([a.bytes], { type: mimeOf(a.path) })));
    this.openStats = { ms: opened.ms, cached: opened.cached };
    this.pages = opened.pages;
    if (this.state === 'starting') this.state = 'running';
  }

  private subscribe(): void {
    const { info, deps } = this;
    this.offs.push(
      deps.bridge.on('grant:changed', (e) => {
        if (e.appId !== info.appId || e.env !== info.env) return;
        if (e.status === 'granted') this.granted.add(e.capability);
        else this.granted.delete(e.capability);
      }),
      deps.bridge.on('app:status', (e) => {
        if (e.appId !== info.appId) return;
        this.appStatus = e.status === 'live' ? null : e;
        if (this.appStatus) deps.ui.notice({ kind: 'suspended', status: e.status, reason: e.reason });
      }),
      deps.bridge.on('consent:changed', (e) => {
        if (e.appId !== info.appId) return;
        this.consents.set(e.scope, e.status);
        if (e.status !== 'granted') this.refused.delete(e.scope);
      }),
    );
  }

  private onStopped(reason: ErrorPayload): void {
    if (this.state === 'closed') return;
    this.state = 'stopped';
    this.deps.ui.stopped(reason);
    // Failures of the version feed automatic rollback; the host's own shutdowns do not.
    if (reason.code === 'SANDBOX_LIMIT' || reason.code === 'SANDBOX_CRASHED' || reason.code === 'VIEW_INVALID') {
      void this.deps.bridge.report(this.info, reason.code === 'SANDBOX_LIMIT' ? 'limit' : 'crash', reason.code);
    }
  }

  // --- calls ----------------------------------------------------------------------------------

  private async onCall(call: BridgeCall): Promise<void> {
    let answer: BridgeAnswer | 'navigated';
    try {
      answer = await this.handleCall(call);
    } catch {
      answer = fail('INTERNAL');
    }
    if (answer !== 'navigated' && (this.state === 'running' || this.state === 'starting')) this.deps.runtime.answer(this.info.instanceId, call.callId, answer);
  }

  /** The host gate, for the user's sake (the server checks again and decides). */
  gate(capability: string): ErrorPayload | null {
    if (this.appStatus) {
      const code = this.appStatus.status === 'suspended' ? 'APP_SUSPENDED' : 'APP_NOT_LIVE';
      return { code, message: ERRORS[code].message };
    }
    if (!this.granted.has(capability)) return { code: 'PERMISSION_DENIED', message: 'This mini-app may not use that capability now.' };
    return null;
  }

  /** Answers one guest call. */
  async handleCall(call: BridgeCall): Promise<BridgeAnswer | 'navigated'> {
    if (this.state !== 'running' && this.state !== 'starting') return fail('INSTANCE_CLOSED');
    const gate = this.gate(call.capability);
    if (gate) {
      this.deps.ui.notice({ kind: 'error', code: gate.code, capability: call.capability });
      return { error: gate };
    }
    const local = answerHostCall(call, this.hostContext(call));
    if (local) return local;
    return this.serverCall(call);
  }

  private hostContext(call: BridgeCall): HostContext {
    const { deps, info } = this;
    return {
      appName: info.app.name,
      sheet: (kind, request) => deps.ui.sheet(kind, request),
      toast: (t) => deps.ui.toast(t),
      loading: (t) => deps.ui.loading(t),
      title: (t) => {
        const top = this.pages.at(-1);
        if (top) this.titles.set(top.pageId, t);
        deps.ui.title(t);
      },
      navigate: (method, request) => deps.runtime.navigate(info.instanceId, call.callId, { method, ...request }),
      system: () => deps.system(),
      launch: { path: this.pages[0]?.route ?? this.launch.path, query: this.launch.query, scene: this.launch.scene },
      visible: this.visible,
      declared: info.manifest.capabilities.map((c) => c.id),
      consent: (scope) => this.ensureConsent(scope),
      ...(deps.clipboard ? { clipboard: deps.clipboard } : {}),
      ...(deps.geolocation ? { geolocation: deps.geolocation } : {}),
      ...(deps.online ? { online: deps.online } : {}),
      listenNetwork: () => this.listenNetwork(),
    };
  }

  /** Delivers the device's connection changes to the guest's listeners, once subscribed. */
  private listenNetwork(): void {
    if (this.networkOff || !this.deps.networkChanges) return;
    const { instanceId } = this.info;
    this.networkOff = this.deps.networkChanges((state) => this.deps.runtime.hostEvent(instanceId, 'base.network', 'onNetworkStatusChange', state));
    this.offs.push(this.networkOff);
  }

  /**
   * The host's pickers over the user's saved addresses or invoice titles: consent first (the
   * scope the method declares), then the list in a host sheet; only the picked entry's id travels
   * beside the call, and the server hands that one entry to the mini-app.
   */
  private async pick(req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>, kind: 'address' | 'invoiceTitle', userGesture: boolean): Promise<BridgeAnswer> {
    const scope = this.method(req)?.scope?.id;
    if (scope && !(await this.ensureConsent(scope))) return fail('CONSENT_REQUIRED', 'The user did not allow sharing this information.');
    let items: { id: string; label: string }[];
    try {
      items =
        kind === 'address'
          ? (await this.deps.api.addresses()).map((a) => ({ id: a.id, label: `${a.recipientName} ${a.phoneNumber} · ${a.city}${a.district}${a.detail}` }))
          : (await this.deps.api.invoiceTitles()).map((t) => ({ id: t.id, label: t.taxNumber ? `${t.title} · ${t.taxNumber}` : t.title }));
    } catch {
      return fail('UNAVAILABLE', 'The saved entries could not be loaded; try again.');
    }
    if (items.length === 0) {
      return fail('NOT_FOUND', kind === 'address' ? 'The user has no saved address yet.' : 'The user has no saved invoice title yet.');
    }
    const labels = this.deps.pickerLabels?.() ?? { address: 'Choose a delivery address', invoiceTitle: 'Choose an invoice title' };
    return this.pickOne(req, userGesture, labels[kind], items, 'picker');
  }

  /**
   * Shows `items` in the host's action sheet and sends the call with the id of the one the user
   * tapped beside its params (`host.pickedId`); USER_CANCELLED, sending nothing, when closed.
   */
  private async pickOne(
    req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>,
    userGesture: boolean,
    title: string,
    items: readonly { id: string; label: string }[],
    sheetName: string,
  ): Promise<BridgeAnswer> {
    const picked = await this.deps.ui.sheet('actionSheet', { appName: this.appName, itemList: items.map((i) => i.label.slice(0, 100)), alertText: title });
    const item = 'cancel' in picked ? undefined : items[picked.tapIndex];
    if (!item) return fail('USER_CANCELLED', `The user closed the ${sheetName}.`);
    return this.send(req, userGesture, { confirmed: true, pickedId: item.id });
  }

  /** The host's share sheet: the user picks where; the mini-app learns the channel and the code. */
  private async share(req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>, userGesture: boolean): Promise<BridgeAnswer> {
    const labels = this.deps.shareLabels?.() ?? { title: 'Share to', contacts: 'Send to a friend', moments: 'Post to my feed', link: 'Copy link' };
    return this.pickOne(req, userGesture, labels.title, SHARE_CHANNELS.map((c) => ({ id: c, label: labels[c] })), 'share sheet');
  }

  private method(call: Pick<BridgeCall, 'capability' | 'method'>): CatalogMethod | undefined {
    return this.capabilities.get(call.capability)?.methods.find((m) => m.name === call.method);
  }

  private async serverCall(call: BridgeCall): Promise<BridgeAnswer> {
    const method = this.method(call);
    const req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'> = {
      capability: call.capability,
      method: call.method,
      params: (typeof call.params === 'object' && call.params !== null && !Array.isArray(call.params) ? call.params : {}) as Record<string, unknown>,
      callId: String(call.callId),
    };
    if (call.capability === 'marketing.share' && call.method === 'share') return this.share(req, call.userGesture === true);
    if (call.capability === 'member.address' && call.method === 'chooseAddress') return this.pick(req, 'address', call.userGesture === true);
    if (call.capability === 'member.invoice' && call.method === 'chooseInvoiceTitle') return this.pick(req, 'invoiceTitle', call.userGesture === true);
    const confirm = method?.confirm ?? HOST_CONFIRMED[`${call.capability}.${call.method}`] ?? null;
    if (confirm?.kind === 'cashier') return this.cashier(call, req);
    if (confirm) return this.confirmed(call, req, confirm.kind, confirm.shows);
    return this.send(req, call.userGesture === true);
  }

  /**
   * Sends a call; on CONSENT_REQUIRED/EXPIRED shows the consent sheet and retries once if the
   * user agreed; on an expired launch token refreshes it and retries once.
   */
  private async send(req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>, userGesture: boolean, host?: HostInput): Promise<BridgeAnswer> {
    const { bridge } = this.deps;
    const options = { userGesture, ...(host ? { host } : {}) };
    let answer = await bridge.call(this.info, req, options);
    const code = answer.error?.code;
    if (code === 'CONSENT_REQUIRED' || code === 'CONSENT_EXPIRED') {
      const detailScope = answer.error?.details?.scope;
      const scope = this.method(req)?.scope?.id ?? (typeof detailScope === 'string' ? detailScope : null);
      if (scope && (await this.askConsent(scope))) answer = await bridge.call(this.info, req, options);
    } else if (code === 'LAUNCH_TOKEN_INVALID' && Date.parse(this.info.expiresAt) <= Date.now() + 5_000) {
      if (await bridge.refresh(this.info)) answer = await bridge.call(this.info, req, options);
    }
    if (answer.error && NOTICE_CODES.has(answer.error.code)) this.deps.ui.notice({ kind: 'error', code: answer.error.code, capability: req.capability });
    return answer;
  }

  private async ensureConsent(scope: string): Promise<boolean> {
    if (this.consents.get(scope) === 'granted') return true;
    return this.askConsent(scope);
  }

  /** The consent sheet for `scope` (data from the server); records the answer; true when granted. */
  private async askConsent(scope: string): Promise<boolean> {
    if (this.refused.has(scope)) return false;
    const { api, ui } = this.deps;
    let sheet;
    try {
      sheet = await api.consentSheet(this.info.appId, scope);
    } catch {
      return false;
    }
    const { granted } = await ui.sheet('consent', { sheet });
    try {
      await api.decideConsent(this.info.appId, scope, granted);
    } catch {
      return false;
    }
    this.consents.set(scope, granted ? 'granted' : 'refused');
    if (!granted) this.refused.add(scope);
    return granted;
  }

  /** The cashier: order facts from the server, the user's choice and PIN, and the payment. */
  private async cashier(call: BridgeCall, req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>): Promise<BridgeAnswer> {
    const params = req.params;
    let scannedCode: string | undefined;
    let target: { prepayId: string } | { code: string };
    if (typeof params.prepayId === 'string') target = { prepayId: params.prepayId };
    else if (typeof params.code === 'string') target = { code: params.code };
    else if (req.capability === 'payment.qrcode') {
      const scanned = await this.deps.ui.sheet('scan', { appName: this.appName, scanType: ['qrCode'] });
      if ('cancel' in scanned) return fail('USER_CANCELLED');
      scannedCode = scanned.result;
      target = { code: scanned.result };
    } else return fail('INVALID_PARAMS', 'prepayId is required.');

    let summary;
    try {
      summary = await this.deps.api.cashier(this.info.launchToken, target);
    } catch (err) {
      const code = errorCodeOf(err);
      return fail(code, (err as Error).message);
    }
    let error: ErrorCode | undefined;
    for (let attempt = 0; attempt < MAX_PIN_ATTEMPTS; attempt++) {
      const choice = await this.deps.ui.sheet('cashier', { summary, ...(error ? { error } : {}) });
      if ('cancel' in choice) return fail('USER_CANCELLED');
      const host: HostInput = {
        confirmed: true,
        pin: choice.pin,
        ...(choice.cardId ? { cardId: choice.cardId } : {}),
        ...(choice.installmentTerm ? { installmentTerm: choice.installmentTerm } : {}),
        ...(choice.couponId ? { couponId: choice.couponId } : {}),
        ...(scannedCode ? { scannedCode } : {}),
      };
      const answer = await this.send(req, call.userGesture === true, host);
      const code = answer.error?.code;
      if (code === 'PIN_INCORRECT' || code === 'INSUFFICIENT_FUNDS' || (code === 'LIMIT_EXCEEDED' && choice.installmentTerm)) {
        error = code;
        continue;
      }
      if (answer.result) {
        const r = answer.result as { paidAmount?: number; discountAmount?: number };
        this.deps.ui.notice({ kind: 'paid', amount: r.paidAmount ?? summary.amount, discount: r.discountAmount ?? 0 });
      }
      return answer;
    }
    return fail('PIN_INCORRECT');
  }

  /** A confirm sheet (points, agreement, hold, top-up, verification, card): facts, confirm, maybe PIN. */
  private async confirmed(call: BridgeCall, req: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>, kind: string, shows: string[]): Promise<BridgeAnswer> {
    // What the bank knows comes from its server (merchant, hold amount…); the rest is the mini-app's word.
    const facts: SheetFact[] = [];
    try {
      for (const f of await this.deps.api.confirmFacts(this.info.launchToken, req.capability, req.params)) facts.push({ label: f.key, value: f.value, kind: f.kind, source: 'server' });
    } catch {
      // the sheet still shows what the mini-app asked for, labelled as its own
    }
    for (const key of shows) {
      if (key.includes('.') || facts.some((f) => f.label === key)) continue;
      const v = req.params[key];
      const kind = MONEY_PARAMS.has(key) && typeof v === 'number' ? 'money' : 'text';
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') facts.push({ label: key, value: typeof v === 'number' ? v : String(v).slice(0, 200), kind, source: 'app' });
      else if (Array.isArray(v)) facts.push({ label: key, value: v.map(String).join(', ').slice(0, 200), kind: 'text', source: 'app' });
    }
    const needsPin = PIN_CONFIRM_KINDS.has(kind);
    let error: ErrorCode | undefined;
    for (let attempt = 0; attempt < MAX_PIN_ATTEMPTS; attempt++) {
      const choice = await this.deps.ui.sheet('confirm', { kind, appName: this.appName, capability: req.capability, facts, needsPin, ...(error ? { error } : {}) });
      if ('cancel' in choice) return fail('USER_CANCELLED');
      const answer = await this.send(req, call.userGesture === true, { confirmed: true, ...(choice.pin ? { pin: choice.pin } : {}) });
      if (needsPin && answer.error?.code === 'PIN_INCORRECT') {
        error = 'PIN_INCORRECT';
        continue;
      }
      return answer;
    }
    return fail('PIN_INCORRECT');
  }

  // --- the container's controls -----------------------------------------------------------------

  /** Delivers a renderer event. */
  dispatch(event: HostEvent): Promise<EventOutcome> {
    if (this.state !== 'running') return Promise.resolve({ status: 'refused', error: { code: 'INSTANCE_CLOSED', message: ERRORS.INSTANCE_CLOSED.message } });
    return this.deps.runtime.event(this.info.instanceId, event);
  }

  /** The host's back button: true when a page was popped, false on the first page. */
  async back(): Promise<boolean> {
    if (this.state !== 'running') return false;
    const res = await this.deps.runtime.back(this.info.instanceId);
    return res.ok;
  }

  /** Closes the app: the worker disposes its runtime, the server forgets the instance. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const off of this.offs.splice(0)) off();
    this.deps.runtime.close(this.info.instanceId);
    for (const url of this.assets.values()) URL.revokeObjectURL(url);
    this.assets.clear();
    void this.deps.bridge.detach(this.info);
  }
}

function mimeOf(p: string): string {
  const ext = p.slice(p.lastIndexOf('.') + 1).toLowerCase();
  return (
    { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml', avif: 'image/avif' } as Record<string, string>
  )[ext] ?? 'application/octet-stream';
}
