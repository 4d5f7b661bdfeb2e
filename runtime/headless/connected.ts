/**
 * A headless host connected to a Lily server, as a bank app is: mini-apps are launched through
 * the server (`POST /api/launch`, package and release record verified before anything runs),
 * the host-side base capabilities are answered locally, server-side capabilities go over the
 * `/bridge` socket with the launch token and the call's `userGesture`, and the host-side gates
 * (`./gates.ts`) run first on every call. Used by the bridge tests and by tools that drive a real
 * server headlessly.
 */
import { defaultRegistry } from '../../capabilities/index.ts';
import type { BridgeCall } from '../../protocol/bridge.ts';
import type { ErrorPayload, Response } from '../../protocol/errors.ts';
import type { RateLimiter } from '../../server/policies/flow.ts';
import type { Env } from '../../server/policies/gates.ts';
import { LilyConnection, type ConnectionOptions, type LaunchedApp } from '../host/connection.ts';
import type { AppSummary, OpenAppRecord } from './base/openApp.ts';
import { consentPrompt, createHostGate, type HostDenial } from './gates.ts';
import { HeadlessHost, type HeadlessApp, type HeadlessHostOptions, type OpenOptions } from './host.ts';

/** Options of {@link ConnectedHost.create}. */
export interface ConnectedHostOptions
  extends Omit<HeadlessHostOptions, 'bankPublicKey' | 'bridge' | 'gate' | 'isGranted' | 'resolveApp' | 'onOpenApp' | 'capabilityMethods' | 'capabilities'> {
  /** Server base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** The bank-app user's session token. */
  sessionToken: string;
  /**
   * Bank key(s) pinned in the host build. Default: the key the server names at launch, which is
   * only acceptable against a development server.
   */
  bankPublicKey?: string | readonly string[];
  /** How long a server-backed call may take before the guest gets `TIMEOUT`. */
  callTimeoutMs?: number;
  fetch?: typeof fetch;
  /** The host's rate limiter for calls it answers itself (default: its own). */
  limiter?: RateLimiter;
}

/** Options of {@link ConnectedHost.open}. */
export interface ConnectedOpenOptions extends Omit<OpenOptions, 'instanceId'> {
  /** `production` (default) or `sandbox` (trial versions, for the testers the developer named). */
  env?: Env;
}

/** One mini-app opened through the server. */
export interface ConnectedApp {
  /** The running app. */
  readonly app: HeadlessApp;
  /** Its launch: verified package, token, live grants and consents. */
  readonly launched: LaunchedApp;
  /** Closes the app and detaches it from the server's pushes. */
  close(): Promise<void>;
}

/**
 * A headless host connected to a Lily server for one user.
 *
 * @example
 * ```ts
 * const connected = await ConnectedHost.create({ baseUrl, sessionToken, bankPublicKey });
 * const { app } = await connected.open('com.example.rides');
 * connected.host.sheets.queue('consent', { granted: true });
 * await app.tap('locate');
 * await connected.close();
 * ```
 */
export class ConnectedHost {
  /** Refusals of the host-side gates, oldest first. */
  readonly denials: HostDenial[] = [];
  private readonly launches = new Map<string, LaunchedApp>();
  private readonly opened = new Map<HeadlessApp, ConnectedApp>();

  private constructor(
    /** The user's connection to the server. */
    readonly connection: LilyConnection,
    /** The headless host the apps run in (sheets, device, open-app log). */
    readonly host: HeadlessHost,
  ) {}

  /** Connects to the server with the user's session and creates the host. */
  static async create(options: ConnectedHostOptions): Promise<ConnectedHost> {
    const { baseUrl, sessionToken, bankPublicKey, callTimeoutMs, fetch, limiter, ...hostOptions } = options;
    const connectionOptions: ConnectionOptions = {
      baseUrl,
      sessionToken,
      ...(bankPublicKey !== undefined ? { bankPublicKey } : {}),
      ...(callTimeoutMs !== undefined ? { callTimeoutMs } : {}),
      ...(fetch !== undefined ? { fetch } : {}),
    };
    const connection = await LilyConnection.open(connectionOptions);
    const registry = defaultRegistry();
    let self: ConnectedHost | undefined;
    const launchedFor = (call: BridgeCall) => self?.launches.get(call.instanceId);
    try {
      const host = await HeadlessHost.create({
        ...hostOptions,
        // Packages are verified by the connection at launch and handed over verified; with no
        // pinned key the host itself trusts no key at all.
        bankPublicKey: bankPublicKey ?? [],
        capabilityMethods: Object.fromEntries(registry.list().filter((c) => c.side === 'server').map((c) => [c.id, Object.keys(c.methods)])),
        gate: createHostGate({ connection, launchedFor, registry, ...(limiter ? { limiter } : {}), onDenial: (d) => self?.denials.push(d) }),
        isGranted: (call, capability) => {
          const launched = launchedFor(call);
          return launched !== undefined && connection.hostGate(launched, capability) === null;
        },
        bridge: async (call, context) => {
          const launched = launchedFor(call);
          if (!launched) return { error: { code: 'LAUNCH_TOKEN_INVALID', message: 'This mini-app was not launched through this host.' } };
          if (registry.get(call.capability)?.side === 'host') {
            return { error: { code: 'UNAVAILABLE', message: `This host does not support ${call.capability}.` } };
          }
          return connection.call(
            launched,
            { capability: call.capability, method: call.method, params: call.params ?? {}, callId: call.callId },
            {
              userGesture: call.userGesture === true,
              consent: consentPrompt(context.sheets, launched.info.appId),
              scopeOf: (capability, method) => registry.method(capability, method)?.scope?.id ?? null,
            },
          );
        },
        resolveApp: (appId) => self!.resolveApp(appId),
        onOpenApp: (record, call) => self!.openTarget(record, call),
      });
      self = new ConnectedHost(connection, host);
      return self;
    } catch (err) {
      connection.disconnect();
      throw err;
    }
  }

  /**
   * Launches an app through the server and opens it: the package and the release record are
   * verified against the bank key before anything runs. Rejects with `{code, message}` when the
   * server refuses the launch (`APP_NOT_LIVE`, `APP_SUSPENDED`, …) or verification fails
   * (`PACKAGE_TAMPERED`).
   */
  async open(appId: string, options: ConnectedOpenOptions = {}): Promise<ConnectedApp> {
    const { env, ...openOptions } = options;
    const launched = await this.connection.launch(appId, env ?? 'production');
    this.launches.set(launched.info.instanceId, launched);
    let app: HeadlessApp;
    try {
      app = await this.host.open(launched.verified, { ...openOptions, instanceId: launched.info.instanceId });
    } catch (err) {
      this.launches.delete(launched.info.instanceId);
      await this.connection.close(launched);
      throw err;
    }
    const connected: ConnectedApp = {
      app,
      launched,
      close: async () => {
        if (!this.opened.delete(app)) return;
        if (app.state === 'running') app.close();
        else this.host.forget(app);
        this.launches.delete(launched.info.instanceId);
        await this.connection.close(launched);
      },
    };
    this.opened.set(app, connected);
    return connected;
  }

  /** The launch behind an open app. */
  launchOf(app: HeadlessApp): LaunchedApp | undefined {
    return this.opened.get(app)?.launched;
  }

  /** Apps open now. */
  get apps(): ConnectedApp[] {
    return [...this.opened.values()];
  }

  /** Closes every app, detaches them and disconnects. */
  async close(): Promise<void> {
    for (const connected of [...this.opened.values()]) await connected.close();
    this.connection.disconnect();
  }

  /** The name and icon of a live mini-app, from the marketplace. */
  private async resolveApp(appId: string): Promise<Response<AppSummary>> {
    const listed = await this.connection.api<{ apps: { appId: string; name: string; icon: string }[] }>('GET', '/api/marketplace/apps');
    if (listed.error) return { error: listed.error };
    const found = listed.result.apps.find((a) => a.appId === appId);
    return found ? { result: { name: found.name, icon: found.icon } } : { error: { code: 'APP_NOT_LIVE', message: `${appId} is not available.` } };
  }

  /** Opens a confirmed `navigateToMiniApp` target in this host, in the caller's environment. */
  private async openTarget(record: OpenAppRecord, call: BridgeCall): Promise<ErrorPayload | undefined> {
    const source = this.launches.get(call.instanceId);
    try {
      await this.open(record.to, {
        env: source?.info.env ?? 'production',
        referrer: { appId: record.from },
        ...(record.path !== undefined ? { path: record.path } : {}),
      });
      return undefined;
    } catch (err) {
      const e = err as Partial<ErrorPayload>;
      return typeof e.code === 'string' ? { code: e.code, message: String(e.message ?? '') } : { code: 'UNAVAILABLE', message: 'The mini-app could not be opened.' };
    }
  }
}

/** What {@link openConnected} answers: the app, and a `close()` that also ends the connection. */
export interface ConnectedSession extends ConnectedApp {
  /** The connected host the app runs in (its `host.sheets`, `host.device`, `denials`). */
  readonly connected: ConnectedHost;
}

/**
 * Connects, launches and opens one mini-app; `close()` closes the app, detaches it and
 * disconnects.
 *
 * @example
 * ```ts
 * const session = await openConnected({ baseUrl, sessionToken, bankPublicKey, appId: 'com.example.rides' });
 * await session.app.tap('book');
 * await session.close();
 * ```
 */
export async function openConnected(options: ConnectedHostOptions & ConnectedOpenOptions & { appId: string }): Promise<ConnectedSession> {
  // limits and scheduler are host options here: they apply to the app and to any it opens.
  const { appId, env, path, query, scene, referrer, ...hostOptions } = options;
  const connected = await ConnectedHost.create(hostOptions);
  try {
    const opened = await connected.open(appId, {
      ...(env ? { env } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(query ? { query } : {}),
      ...(scene ? { scene } : {}),
      ...(referrer ? { referrer } : {}),
    });
    return { app: opened.app, launched: opened.launched, connected, close: () => connected.close() };
  } catch (err) {
    await connected.close();
    throw err;
  }
}
