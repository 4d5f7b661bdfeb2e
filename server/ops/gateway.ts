/**
 * The ops console's socket.io namespace: only ops sessions may connect; support hand-offs (and,
 * later, the live dashboard) are pushed to every connected console.
 */
import type { Namespace, Server as SocketServer } from 'socket.io';
import { OPS_NAMESPACE, type OpsServerToClientEvents } from '../../protocol/socket.ts';
import type { EventBus } from '../events.ts';
import type { Identity } from '../identity/identity.ts';
import { socketAuth } from '../identity/socket-auth.ts';

/** The typed ops namespace. */
export type OpsNamespace = Namespace<Record<string, never>, OpsServerToClientEvents>;

/**
 * Attaches the `/ops` namespace.
 *
 * @example
 * ```ts
 * const ops = attachOps(io, { identity, bus });
 * ```
 */
export function attachOps(io: SocketServer, deps: { identity: Identity; bus: EventBus }): { nsp: OpsNamespace; dispose(): void } {
  const nsp = io.of(OPS_NAMESPACE) as unknown as OpsNamespace;
  nsp.use(socketAuth(deps.identity, 'ops', 'The ops console is for bank ops.') as never);
  const offs = [deps.bus.on('support.ticket', (e) => nsp.emit('support:ticket', e))];
  return {
    nsp,
    dispose() {
      for (const off of offs) off();
    },
  };
}
