/**
 * The ops console's socket.io namespace: only ops sessions may connect; support hand-offs (and,
 * later, the live dashboard) are pushed to every connected console.
 */
import type { Namespace, Server as SocketServer } from 'socket.io';
import { LilyError, toErrorPayload } from '../../protocol/errors.ts';
import { OPS_NAMESPACE, type OpsServerToClientEvents } from '../../protocol/socket.ts';
import type { EventBus } from '../events.ts';
import type { Identity } from '../identity/identity.ts';
import { readCookie, SESSION_COOKIE } from '../identity/middleware.ts';

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
  nsp.use(async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown };
      const token = typeof auth?.token === 'string' ? auth.token : readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      if (!token) throw new LilyError('UNAUTHENTICATED');
      const principal = await deps.identity.authenticate(token);
      if (principal.kind !== 'ops') throw new LilyError('FORBIDDEN', 'The ops console is for bank ops.');
      next();
    } catch (err) {
      const payload = toErrorPayload(err);
      next(Object.assign(new Error(payload.message), { data: payload }));
    }
  });
  const offs = [deps.bus.on('support.ticket', (e) => nsp.emit('support:ticket', e))];
  return {
    nsp,
    dispose() {
      for (const off of offs) off();
    },
  };
}
