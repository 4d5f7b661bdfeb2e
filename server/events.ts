/**
 * The in-process domain event bus. Services announce what changed; the socket gateway (and later
 * webhooks, the dashboard) listen. Across processes the gateway fans out through socket.io's
 * Redis adapter, so services never need to know where a user's socket lives.
 */
import { EventEmitter } from 'node:events';

/** Domain events and their payloads. */
export interface DomainEvents {
  'grant.changed': { appId: string; env: 'sandbox' | 'production'; capability: string; status: 'granted' | 'revoked' };
  'app.status': { appId: string; status: 'draft' | 'live' | 'suspended' | 'delisted'; reason: string | null };
  'consent.changed': { userId: string; appId: string; scope: string; status: 'granted' | 'refused' | 'revoked' };
  'message.delivered': { userId: string; messageId: string; appId: string | null; title: string; body: string; at: string };
  'support.ticket': { ticketId: string; appId: string; env: string; text: string; queuePosition: number };
  /** One guest call through the bridge; `env` is absent when the launch token was not valid. */
  'bridge.call': { appId: string; env?: 'sandbox' | 'production'; capability: string; method: string; ms: number; ok: boolean; code: string | null };
}

/**
 * A typed event bus.
 *
 * @example
 * ```ts
 * bus.on('grant.changed', (e) => io.to(`app:${e.appId}`).emit('grant:changed', e));
 * bus.emit('grant.changed', { appId, env, capability, status: 'revoked' });
 * ```
 */
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof DomainEvents>(event: K, listener: (payload: DomainEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<K extends keyof DomainEvents>(event: K, payload: DomainEvents[K]): void {
    // A failing listener must not break the service that announced the change.
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: DomainEvents[K]) => void)(payload);
      } catch {
        // listeners log their own failures
      }
    }
  }
}
