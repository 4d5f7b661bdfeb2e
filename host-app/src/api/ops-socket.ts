/**
 * The ops console's socket (`/ops` namespace): the live dashboard and the support queue.
 * Authenticated by the ops session cookie.
 */
import { io, type Socket } from 'socket.io-client';
import { OPS_NAMESPACE, type OpsServerToClientEvents } from '../../../protocol/socket.ts';

type OpsSocket = Socket<OpsServerToClientEvents, Record<string, never>>;

/** A push to the console, by event name. */
export type OpsEvent = keyof OpsServerToClientEvents;

/**
 * The console's live connection.
 *
 * @example
 * ```ts
 * const live = OpsLive.connect();
 * live.on('dashboard', (d) => console.log(d.callsPerSecond));
 * ```
 */
export class OpsLive {
  private constructor(readonly socket: OpsSocket) {}

  /** Connects (and keeps reconnecting); listen to `status` for the connection state. */
  static connect(factory?: () => OpsSocket): OpsLive {
    return new OpsLive(factory ? factory() : io(OPS_NAMESPACE, { transports: ['websocket'], withCredentials: true }));
  }

  /** Listens to one kind of push; returns the function that stops listening. */
  on<E extends OpsEvent>(event: E, listener: OpsServerToClientEvents[E]): () => void {
    const l = listener as never;
    this.socket.on(event, l);
    return () => {
      this.socket.off(event, l);
    };
  }

  /** Connection changes: true when connected. */
  onStatus(listener: (connected: boolean) => void): () => void {
    const up = () => listener(true);
    const down = () => listener(false);
    this.socket.on('connect', up);
    this.socket.on('disconnect', down);
    this.socket.on('connect_error', down);
    return () => {
      this.socket.off('connect', up);
      this.socket.off('disconnect', down);
      this.socket.off('connect_error', down);
    };
  }

  close(): void {
    this.socket.disconnect();
  }
}
