/**
 * The host's connection to a Lily server: launch (with verification of the signed package and
 * release record before anything runs), the typed socket.io bridge for server-side capabilities,
 * the consent sheet flow, the host-side gates over the grant snapshot, and the server's pushes
 * (revoked grants, suspended apps, inbox, support). Platform-neutral: the browser host and the
 * headless host (tests, simulator) both use it.
 */
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { BridgeAnswer, BridgeCall } from '../../protocol/bridge.ts';
import type { ConsentSheetData } from '../../protocol/consent.ts';
import { ERRORS, type ErrorPayload, type Response } from '../../protocol/errors.ts';
import {
  BRIDGE_CALL_TIMEOUT_MS,
  BRIDGE_NAMESPACE,
  type AppStatusEvent,
  type ClientToServerEvents,
  type GrantChangedEvent,
  type ServerToClientEvents,
} from '../../protocol/socket.ts';
import { consentGate, grantGate, type AppFacts, type ConsentFacts, type Denial, type GrantFacts } from '../../server/policies/gates.ts';
import type { LilyPackage } from '../package/format.ts';
import { verifyLaunch, type ReleaseRecord } from '../package/release.ts';
import type { VerifiedPackage } from '../package/sign.ts';

/** What `POST /api/launch` answers. */
export interface LaunchInfo {
  instanceId: string;
  appId: string;
  env: 'sandbox' | 'production';
  version: string;
  trial: boolean;
  app: { name: string; icon: string; category: string };
  openId: string;
  launchToken: string;
  expiresAt: string;
  package: { url: string; digest: string };
  release: { record: ReleaseRecord; signature: string };
  bank: { serial: string; publicKey: string };
  manifest: { capabilities: { id: string; reason: string }[]; domains: string[]; [key: string]: unknown };
  grants: Record<string, { perMinute?: number; dailyAmount?: number } | null>;
  consents: Record<string, { status: string; expiresAt: string | null }>;
}

/** The consent sheet the host shows (data from the server, never from the mini-app). */
export type ConsentSheet = ConsentSheetData;

/** How the host asks the user for consent; resolves true when the user agrees. */
export type ConsentPrompt = (sheet: ConsentSheet) => Promise<boolean>;

/** A launched app: verified package plus the live state of its grants and the user's consents. */
export interface LaunchedApp {
  info: LaunchInfo;
  /** The verified, bank-signed package, ready for the runtime. */
  pkg: LilyPackage;
  /** The same package as verified at launch (digests and bank signature checked). */
  verified: VerifiedPackage;
  /** Capabilities granted now (updated live by server pushes). */
  granted: Set<string>;
  /** The user's consents for this app by scope (from the launch, then updated by pushes and decisions). */
  consents: Map<string, ConsentFacts>;
  /** Set when ops suspended or delisted the app while it was open. */
  stopped: AppStatusEvent | null;
}

/** The consent facts the gates see, from the server's `{status, expiresAt}`. */
function consentFacts(scope: string, status: string, expiresAt: string | null | undefined): ConsentFacts {
  const known = status === 'granted' || status === 'refused' || status === 'revoked' ? status : 'revoked';
  const at = expiresAt ? Date.parse(expiresAt) : NaN;
  return { scope, status: known, expiresAt: Number.isFinite(at) ? at : null };
}

/** The guest-facing payload of a gate's denial (the reason is safe to show the developer). */
export function denialPayload(denial: Denial): ErrorPayload {
  switch (denial.code) {
    case 'CAPABILITY_NOT_DECLARED':
      return { code: denial.code, message: `${denial.reason}; add it to app.json and publish a new version.` };
    case 'PERMISSION_DENIED':
      return { code: denial.code, message: `This mini-app may not use that capability (${denial.reason}).` };
    default:
      return {
        code: denial.code,
        message: ERRORS[denial.code].message,
        ...(denial.retryAfterMs !== undefined ? { details: { retryAfterSeconds: Math.ceil(denial.retryAfterMs / 1000) } } : {}),
      };
  }
}

/** Options of {@link LilyConnection}. */
export interface ConnectionOptions {
  /** Server base URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The user's session token. */
  sessionToken: string;
  /** Bank public key(s) the host trusts (pinned in the app build); default: what the server says. */
  bankPublicKey?: string | readonly string[];
  fetch?: typeof fetch;
  callTimeoutMs?: number;
}

type BridgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One user's connection.
 *
 * @example
 * ```ts
 * const conn = await LilyConnection.open({ baseUrl, sessionToken });
 * const launched = await conn.launch('com.lily.hello');
 * const answer = await conn.call(launched, { capability: 'base.storage', method: 'getStorage', params: { key: 'k' } }, { userGesture: false, consent });
 * ```
 */
export class LilyConnection {
  readonly socket: BridgeSocket;
  private readonly fetchImpl: typeof fetch;
  private readonly launched = new Map<string, LaunchedApp>();
  private readonly listeners = new Set<(event: string, payload: unknown) => void>();
  private readonly asking = new Map<string, Promise<boolean>>();

  private constructor(private readonly options: ConnectionOptions, socket: BridgeSocket) {
    this.socket = socket;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    socket.on('grant:changed', (e: GrantChangedEvent) => {
      for (const app of this.launched.values()) {
        if (app.info.appId !== e.appId || app.info.env !== e.env) continue;
        if (e.status === 'granted') app.granted.add(e.capability);
        else app.granted.delete(e.capability);
      }
      this.emit('grant:changed', e);
    });
    socket.on('app:status', (e) => {
      for (const app of this.launched.values()) if (app.info.appId === e.appId) app.stopped = e.status === 'live' ? null : e;
      this.emit('app:status', e);
    });
    socket.on('consent:changed', (e) => {
      for (const app of this.launched.values()) {
        if (app.info.appId !== e.appId) continue;
        // A push carries no expiry: keep the one we know while the status stays granted.
        const known = app.consents.get(e.scope);
        app.consents.set(e.scope, { scope: e.scope, status: e.status, expiresAt: e.status === 'granted' ? (known?.expiresAt ?? null) : null });
      }
      this.emit('consent:changed', e);
    });
    socket.on('message', (e) => this.emit('message', e));
    socket.on('support', (e) => this.emit('support', e));
  }

  /** Connects the bridge socket with the user's session. */
  static async open(options: ConnectionOptions): Promise<LilyConnection> {
    const socket: BridgeSocket = connectSocket(`${options.baseUrl.replace(/\/+$/, '')}${BRIDGE_NAMESPACE}`, {
      auth: { token: options.sessionToken },
      transports: ['websocket'],
      reconnection: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.disconnect();
        reject(Object.assign(new Error(err.message), { code: (err as { data?: ErrorPayload }).data?.code ?? 'UNAVAILABLE' }));
      });
    });
    return new LilyConnection(options, socket);
  }

  /** Listens to server pushes (`grant:changed`, `app:status`, `consent:changed`, `message`, `support`). */
  on(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: string, payload: unknown): void {
    for (const l of this.listeners) l(event, payload);
  }

  /** A JSON request to the server's `/api`, answering `Response`-style. */
  async api<T>(method: string, path: string, body?: unknown): Promise<Response<T>> {
    try {
      const res = await this.fetchImpl(`${this.options.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.sessionToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      const data = text ? (JSON.parse(text) as unknown) : undefined;
      if (!res.ok) {
        const p = data as { code?: ErrorPayload['code']; detail?: string } | undefined;
        return { error: { code: p?.code ?? 'UNAVAILABLE', message: p?.detail ?? ERRORS.UNAVAILABLE.message } };
      }
      return { result: data as T };
    } catch {
      return { error: { code: 'UNAVAILABLE', message: 'The bank server cannot be reached; check the connection.' } };
    }
  }

  /**
   * Launches an app: asks the server, downloads the package, and verifies package and release
   * record against the bank key before returning. Throws `{code, message}` when anything fails.
   */
  async launch(appId: string, env: 'sandbox' | 'production' = 'production'): Promise<LaunchedApp> {
    const launched = await this.api<LaunchInfo>('POST', '/api/launch', { appId, env });
    if (launched.error) throw launched.error;
    const info = launched.result;
    const pkgRes = await this.api<LilyPackage>('GET', info.package.url);
    if (pkgRes.error) throw pkgRes.error;
    const bankKey = this.options.bankPublicKey ?? info.bank.publicKey;
    const { verified } = verifyLaunch(pkgRes.result, info.release, bankKey);
    const consents = new Map(Object.entries(info.consents ?? {}).map(([scope, c]) => [scope, consentFacts(scope, c.status, c.expiresAt)]));
    const app: LaunchedApp = { info, pkg: pkgRes.result, verified, granted: new Set(Object.keys(info.grants)), consents, stopped: null };
    this.launched.set(info.instanceId, app);
    const attached = (await this.socket.timeout(5_000).emitWithAck('instance:attach', { launchToken: info.launchToken })) as Response<unknown>;
    if (attached.error) throw attached.error;
    return app;
  }

  /** Forgets a closed app and detaches its instance. */
  async close(app: LaunchedApp): Promise<void> {
    this.launched.delete(app.info.instanceId);
    if (this.socket.connected) {
      await this.socket.timeout(5_000).emitWithAck('instance:detach', { launchToken: app.info.launchToken }).catch(() => undefined);
    }
  }

  /** The facts the grant gate needs, from the live snapshot: app status and manifest declaration. */
  appFacts(app: LaunchedApp): AppFacts {
    return {
      appId: app.info.appId,
      status: app.stopped ? app.stopped.status : 'live',
      declared: app.info.manifest.capabilities.map((c) => c.id),
    };
  }

  /** The grant of one capability in the live snapshot (revoked when it was granted at launch). */
  grantFacts(app: LaunchedApp, capability: string): GrantFacts | null {
    if (app.granted.has(capability)) return { capability, status: 'granted', quota: app.info.grants[capability] ?? null };
    return capability in app.info.grants ? { capability, status: 'revoked', quota: null } : null;
  }

  /**
   * The host-side grant gate for the user's sake (the server checks again and decides), with the
   * same rules as the server (`server/policies/gates.ts`) over the live snapshot: the app is live,
   * the capability is declared in its manifest and granted now.
   */
  hostGate(app: LaunchedApp, capability: string): ErrorPayload | null {
    const denial = grantGate(this.appFacts(app), capability, this.grantFacts(app, capability));
    return denial ? denialPayload(denial) : null;
  }

  /** The consent gate over the user's consents as this host knows them (null when the scope may be used). */
  consentGate(app: LaunchedApp, scope: string, now = Date.now()): Denial | null {
    return consentGate(scope, app.consents.get(scope), now);
  }

  /**
   * Runs the consent sheet for a scope: fetches the sheet data from the server (app name, scope,
   * purpose, the manifest's reasons), asks the user, and records the answer with
   * `POST /api/consents`. Resolves true when the user agreed and the server stored it. When the
   * sheet data cannot be fetched the user is not asked and nothing is recorded.
   */
  async askConsent(app: LaunchedApp, scope: string, prompt: ConsentPrompt): Promise<boolean> {
    // Calls that need the same consent at once share one sheet: the user is asked once.
    const key = `${app.info.appId}|${scope}`;
    const asking = this.asking.get(key);
    if (asking) return asking;
    const answer = this.promptConsent(app, scope, prompt).finally(() => this.asking.delete(key));
    this.asking.set(key, answer);
    return answer;
  }

  private async promptConsent(app: LaunchedApp, scope: string, prompt: ConsentPrompt): Promise<boolean> {
    const sheet = await this.api<ConsentSheet>('GET', `/api/consents/sheet?appId=${encodeURIComponent(app.info.appId)}&scope=${encodeURIComponent(scope)}`);
    if (sheet.error) return false;
    const granted = await prompt(sheet.result);
    const saved = await this.api<{ status: string; expiresAt: string | null }>('POST', '/api/consents', { appId: app.info.appId, scope, granted });
    if (saved.error) return false;
    app.consents.set(scope, consentFacts(scope, saved.result.status, saved.result.expiresAt));
    return granted && saved.result.status === 'granted';
  }

  /**
   * Forwards a server-side guest call. On `CONSENT_REQUIRED`/`CONSENT_EXPIRED` it shows the
   * consent sheet (scope from the error details or the catalog) and retries once if the user
   * agreed; on an expired launch token it refreshes the token and retries once.
   */
  async call(
    app: LaunchedApp,
    call: Pick<BridgeCall, 'capability' | 'method' | 'params'> & { callId?: number | string },
    options: { userGesture: boolean; consent: ConsentPrompt; scopeOf?: (capability: string, method: string) => string | null; host?: Record<string, unknown> },
  ): Promise<BridgeAnswer> {
    const gate = this.hostGate(app, call.capability);
    if (gate) return { error: gate };
    const send = async (): Promise<BridgeAnswer> => {
      try {
        return (await this.socket.timeout(this.options.callTimeoutMs ?? BRIDGE_CALL_TIMEOUT_MS).emitWithAck('call', {
          launchToken: app.info.launchToken,
          capability: call.capability,
          method: call.method,
          params: (call.params ?? {}) as Record<string, unknown>,
          callId: String(call.callId ?? ''),
          userGesture: options.userGesture,
          ...(options.host ? { host: options.host } : {}),
        })) as BridgeAnswer;
      } catch {
        return { error: { code: 'TIMEOUT', message: ERRORS.TIMEOUT.message } };
      }
    };
    let answer = await send();
    const code = answer.error?.code;
    if (code === 'CONSENT_REQUIRED' || code === 'CONSENT_EXPIRED') {
      const scope = options.scopeOf?.(call.capability, call.method) ?? null;
      if (scope && (await this.askConsent(app, scope, options.consent))) answer = await send();
    } else if (code === 'LAUNCH_TOKEN_INVALID' && Date.parse(app.info.expiresAt) <= Date.now() + 5_000) {
      const refreshed = await this.api<{ launchToken: string; expiresAt: string }>('POST', '/api/launch/refresh', { launchToken: app.info.launchToken });
      if (refreshed.result) {
        app.info.launchToken = refreshed.result.launchToken;
        app.info.expiresAt = refreshed.result.expiresAt;
        answer = await send();
      }
    }
    return answer;
  }

  /** Reports a crash or limit breach of the running version (feeds automatic rollback). */
  async reportFailure(app: LaunchedApp, kind: 'crash' | 'limit' | 'error', code?: string): Promise<void> {
    await this.api('POST', '/api/launch/report', { launchToken: app.info.launchToken, kind, ...(code ? { code: code.slice(0, 40) } : {}) });
  }

  /** Disconnects. */
  disconnect(): void {
    this.socket.disconnect();
  }
}
