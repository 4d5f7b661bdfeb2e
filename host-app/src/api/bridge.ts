/**
 * The typed socket.io bridge to the server (`/bridge` namespace) and the launch API.
 *
 * Authenticated by the session cookie (same origin); the session token never reaches script.
 * Calls are acks with timeouts; every answer is a `Response<T>`. Pushes (grant changes, app
 * status, consents, inbox, support) reach listeners registered with {@link BridgeClient.on}.
 * Open instances are re-attached after a reconnect so pushes keep reaching them.
 */
import { io, type Socket } from 'socket.io-client';
import type { BridgeAnswer } from '../../../protocol/bridge.ts';
import { ERRORS, type Response } from '../../../protocol/errors.ts';
import {
  BRIDGE_CALL_TIMEOUT_MS,
  BRIDGE_NAMESPACE,
  type BridgeCallRequest,
  type ClientToServerEvents,
  type HostInput,
  type ServerToClientEvents,
} from '../../../protocol/socket.ts';
import type { LaunchInfo } from '../../../runtime/host/connection.ts';
import { ApiError, getText, post } from './http.ts';

export type { LaunchInfo };

type BridgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A push from the server, by event name. */
export type PushEvent = keyof ServerToClientEvents;
/** The payload of a push. */
export type PushPayload<E extends PushEvent> = Parameters<ServerToClientEvents[E]>[0];

/** How the client connects; tests pass a fake socket factory. */
export interface BridgeClientOptions {
  socket?: () => BridgeSocket;
  callTimeoutMs?: number;
}

const ATTACH_TIMEOUT_MS = 5_000;

/**
 * One user's bridge connection.
 *
 * @example
 * ```ts
 * const bridge = await BridgeClient.connect();
 * const info = await bridge.launch('com.lily.hello');
 * const answer = await bridge.call(info, { capability: 'base.storage', method: 'getStorage', params: { key: 'k' }, callId: '1' });
 * ```
 */
export class BridgeClient {
  private readonly attached = new Map<string, string>();
  private readonly packages = new Map<string, Promise<string>>();

  private constructor(
    readonly socket: BridgeSocket,
    private readonly callTimeoutMs: number,
  ) {
    socket.io.on('reconnect', () => {
      for (const token of this.attached.values()) socket.timeout(ATTACH_TIMEOUT_MS).emit('instance:attach', { launchToken: token }, () => undefined);
    });
  }

  /** Connects with the session cookie; rejects with the server's code (e.g. UNAUTHENTICATED). */
  static async connect(options: BridgeClientOptions = {}): Promise<BridgeClient> {
    const socket: BridgeSocket = options.socket
      ? options.socket()
      : io(BRIDGE_NAMESPACE, { transports: ['websocket'], withCredentials: true, reconnection: true });
    await new Promise<void>((resolve, reject) => {
      if (socket.connected) return resolve();
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.disconnect();
        const data = (err as { data?: { code?: string; message?: string } }).data;
        reject(new ApiError((data?.code as ApiError['code']) ?? 'UNAVAILABLE', data?.message ?? err.message));
      });
    });
    return new BridgeClient(socket, options.callTimeoutMs ?? BRIDGE_CALL_TIMEOUT_MS);
  }

  /** True while the socket is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /** Listens to one kind of push; returns the function that stops listening. */
  on<E extends PushEvent>(event: E, listener: (payload: PushPayload<E>) => void): () => void {
    const l = listener as never;
    this.socket.on(event, l);
    return () => {
      this.socket.off(event, l);
    };
  }

  /** Asks the server to launch an app for the user and attaches the instance for pushes. */
  async launch(appId: string, env: 'sandbox' | 'production' = 'production'): Promise<LaunchInfo> {
    const info = await post<LaunchInfo>('/api/launch', { appId, env });
    const attached = await this.socket
      .timeout(ATTACH_TIMEOUT_MS)
      .emitWithAck('instance:attach', { launchToken: info.launchToken })
      .catch((): Response<unknown> => ({ error: { code: 'TIMEOUT', message: ERRORS.TIMEOUT.message } }));
    if (attached.error) throw new ApiError(attached.error.code, attached.error.message);
    this.attached.set(info.instanceId, info.launchToken);
    return info;
  }

  /** The package text of a launch, downloaded once per digest (packages are immutable). */
  packageText(info: Pick<LaunchInfo, 'package'>): Promise<string> {
    let text = this.packages.get(info.package.digest);
    if (!text) {
      text = getText(info.package.url);
      text.catch(() => this.packages.delete(info.package.digest));
      this.packages.set(info.package.digest, text);
    }
    return text;
  }

  /** Sends a guest call to the server with the launch token; never throws. */
  async call(
    info: Pick<LaunchInfo, 'launchToken'>,
    call: Pick<BridgeCallRequest, 'capability' | 'method' | 'params' | 'callId'>,
    options: { userGesture?: boolean; host?: HostInput } = {},
  ): Promise<BridgeAnswer> {
    if (!this.socket.connected) return { error: { code: 'UNAVAILABLE', message: 'The connection to the bank is down; check the network and try again.' } };
    try {
      return (await this.socket.timeout(this.callTimeoutMs).emitWithAck('call', {
        launchToken: info.launchToken,
        capability: call.capability,
        method: call.method,
        params: call.params,
        callId: call.callId,
        ...(options.userGesture ? { userGesture: true } : {}),
        ...(options.host ? { host: options.host } : {}),
      })) as BridgeAnswer;
    } catch {
      return { error: { code: 'TIMEOUT', message: ERRORS.TIMEOUT.message } };
    }
  }

  /** A fresh launch token for an open instance (the short-lived one expired). */
  async refresh(info: LaunchInfo): Promise<boolean> {
    try {
      const next = await post<{ launchToken: string; expiresAt: string }>('/api/launch/refresh', { launchToken: info.launchToken });
      info.launchToken = next.launchToken;
      info.expiresAt = next.expiresAt;
      this.attached.set(info.instanceId, next.launchToken);
      return true;
    } catch {
      return false;
    }
  }

  /** Reports a crash or limit breach of the running version (feeds automatic rollback). */
  async report(info: Pick<LaunchInfo, 'launchToken'>, kind: 'crash' | 'limit' | 'error', code?: string): Promise<void> {
    await post('/api/launch/report', { launchToken: info.launchToken, kind, ...(code ? { code: code.slice(0, 40) } : {}) }).catch(() => undefined);
  }

  /** Detaches a closed instance. */
  async detach(info: Pick<LaunchInfo, 'instanceId' | 'launchToken'>): Promise<void> {
    this.attached.delete(info.instanceId);
    if (!this.socket.connected) return;
    await this.socket
      .timeout(ATTACH_TIMEOUT_MS)
      .emitWithAck('instance:detach', { launchToken: info.launchToken })
      .catch(() => undefined);
  }

  /** Closes the socket. */
  disconnect(): void {
    this.attached.clear();
    this.socket.disconnect();
  }
}
